/// One upstream attempt as nginx logged it: address, status and timings.
public struct UpstreamAttempt: Sendable {
    /// Range of the address inside the line; absent or `-` when unknown.
    public var address: FieldRange = .absent
    /// The upstream's status; 0 when logged as `-` (no response header received).
    public var status: Int = 0
    /// Timings in microseconds; -1 for `-` (the phase never completed), -2 when not logged.
    public var connectMicros: Int64 = -2
    public var headerMicros: Int64 = -2
    public var responseMicros: Int64 = -2
}

/// The upstream attempts of one request, read from nginx's list-valued fields.
///
/// nginx separates attempts within one upstream group with `, ` and groups
/// reached by an internal redirect with ` : `; both are attempts here, in order.
/// At most ``capacity`` attempts are kept (the first ones and the last one),
/// without allocating.
public struct UpstreamAttempts: Sendable {
    public static let capacity = 8
    public private(set) var count = 0
    /// Attempts beyond `capacity` that were dropped from the middle.
    public private(set) var droppedCount = 0
    private var storage = InlineArray<8, UpstreamAttempt>(repeating: UpstreamAttempt())

    public init() {}

    public subscript(index: Int) -> UpstreamAttempt {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    public var last: UpstreamAttempt? { count > 0 ? storage[count - 1] : nil }
    public var isEmpty: Bool { count == 0 }

    /// Reads the attempts of `record` from the line it was parsed from.
    public init(record: AccessRecord, line: UnsafeBufferPointer<UInt8>) {
        // The longest list decides how many attempts there were.
        forEachItem(record.upstreamAddr, line) { index, start, end in
            ensureCount(index + 1)
            let range = FieldRange(start, end)
            storage[slot(index)].address = range.hasValue(in: line) ? range : .absent
        }
        forEachItem(record.upstreamStatus, line) { index, start, end in
            ensureCount(index + 1)
            storage[slot(index)].status = Int(integerOrDash(line, start, end) ?? -1).clamped(0, 999)
        }
        forEachItem(record.upstreamConnectTime, line) { index, start, end in
            ensureCount(index + 1)
            storage[slot(index)].connectMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
        }
        forEachItem(record.upstreamHeaderTime, line) { index, start, end in
            ensureCount(index + 1)
            storage[slot(index)].headerMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
        }
        forEachItem(record.upstreamResponseTime, line) { index, start, end in
            ensureCount(index + 1)
            storage[slot(index)].responseMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
        }
        // A single "-" everywhere means no upstream was contacted at all.
        if count == 1 && !storage[0].address.isPresent && storage[0].status == 0
            && storage[0].connectMicros < 0 && storage[0].headerMicros < 0 && storage[0].responseMicros < 0 {
            count = 0
        }
    }

    /// Index in storage for attempt `index`: past capacity, the last slot keeps the newest.
    @inline(__always)
    private func slot(_ index: Int) -> Int { min(index, Self.capacity - 1) }

    @inline(__always)
    private mutating func ensureCount(_ n: Int) {
        if n > count {
            if n > Self.capacity {
                droppedCount = max(droppedCount, n - Self.capacity)
                count = Self.capacity
            } else {
                count = n
            }
        }
    }
}

/// Calls `body(index, start, end)` for each item of a `, ` / ` : ` separated list.
@inline(__always)
func forEachItem(_ range: FieldRange, _ line: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, Int) -> Void) {
    guard range.isPresent else { return }
    var i = Int(range.start)
    let end = Int(range.end)
    var index = 0
    while i <= end {
        while i < end && line[i] == UInt8(ascii: " ") { i += 1 }
        var j = i
        while j < end && line[j] != UInt8(ascii: ",") && !(line[j] == UInt8(ascii: ":") && j + 1 < end
            && line[j + 1] == UInt8(ascii: " ") && j > i && line[j - 1] == UInt8(ascii: " ")) {
            j += 1
        }
        var itemEnd = j
        while itemEnd > i && line[itemEnd - 1] == UInt8(ascii: " ") { itemEnd -= 1 }
        if itemEnd > i { body(index, i, itemEnd) }
        index += 1
        if j >= end { break }
        i = j + 1
    }
}

extension Int {
    @inline(__always)
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(self, lo), hi) }
}
