/// One upstream attempt as nginx logged it: address, status and timings.
public struct UpstreamAttempt: Sendable {
    /// Range of the address inside the line; absent or `-` when unknown.
    public var address: FieldRange = .absent
    /// The upstream's status; 0 when logged as `-` (no response header received).
    public var status: Int = 0
    /// Timings in microseconds; -1 for `-` (the phase never completed), -2 when not read.
    public var connectMicros: Int64 = -2
    public var headerMicros: Int64 = -2
    public var responseMicros: Int64 = -2
}

/// The upstream attempts of one request, read from nginx's list-valued fields.
///
/// nginx separates attempts within one upstream group with `, ` and groups
/// reached by an internal redirect with ` : `; both are attempts here, in order.
/// At most ``capacity`` attempts are kept (the first ones and the last one).
///
/// A class so the aggregator fills one instance per line in place: the hot
/// path neither allocates nor copies the attempt array. Connect and header times
/// are read only when the log has no `$upstream_status` (then they count the
/// attempts): the decision table needs statuses and addresses, not durations.
/// Response times are always read, for latency, but with statuses they fill only
/// the attempts the statuses and addresses made.
public final class UpstreamAttempts {
    public static let capacity = 8
    public private(set) var count = 0
    /// Attempts beyond `capacity` that were dropped from the middle.
    public private(set) var droppedCount = 0
    /// True when the addresses are the one host the line names for all attempts
    /// (``AccessRecord/upstreamHost``): a host without a port is then not nginx's group name.
    public private(set) var addressesAreHosts = false
    /// True when the address is the name of the service the proxy routed to, written
    /// because no server of it was chosen (``AccessRecord/upstreamAddrIsServiceName``):
    /// not nginx's group name, and no server was tried.
    public private(set) var addressIsServiceName = false
    private let storage: UnsafeMutablePointer<UpstreamAttempt>

    public init() {
        storage = .allocate(capacity: Self.capacity)
        storage.initialize(repeating: UpstreamAttempt(), count: Self.capacity)
    }

    /// Reads the attempts of `record` (allocates; the hot path reuses one instance with ``read(record:line:)``).
    public convenience init(record: AccessRecord, line: UnsafeBufferPointer<UInt8>) {
        self.init()
        read(record: record, line: line)
    }

    deinit { storage.deallocate() }

    public subscript(index: Int) -> UpstreamAttempt { storage[index] }

    public var last: UpstreamAttempt? { count > 0 ? storage[count - 1] : nil }
    public var isEmpty: Bool { count == 0 }

    /// Forgets the previous line's attempts.
    public func reset() {
        for i in 0..<count { storage[i] = UpstreamAttempt() }
        count = 0
        droppedCount = 0
        addressesAreHosts = false
        addressIsServiceName = false
    }

    /// Replaces the contents with the attempts of `record`, read from `line`.
    public func read(record: AccessRecord, line: UnsafeBufferPointer<UInt8>) {
        reset()
        forEachItem(record.upstreamAddr, line) { index, start, end in
            let slot = claim(index)
            let range = FieldRange(start, end)
            storage[slot].address = range.hasValue(in: line) ? range : .absent
        }
        forEachItem(record.upstreamStatus, line) { index, start, end in
            storage[claim(index)].status = Int(integerOrDash(line, start, end) ?? -1).clamped(0, 999)
        }
        if !record.upstreamStatus.isPresent {
            forEachItem(record.upstreamConnectTime, line) { index, start, end in
                storage[claim(index)].connectMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
            }
            forEachItem(record.upstreamHeaderTime, line) { index, start, end in
                storage[claim(index)].headerMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
            }
            forEachItem(record.upstreamResponseTime, line) { index, start, end in
                storage[claim(index)].responseMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
            }
        } else {
            // With statuses, the response times are only latency: they never add attempts.
            let known = count
            forEachItem(record.upstreamResponseTime, line) { index, start, end in
                guard index < known, index < Self.capacity else { return }
                storage[index].responseMicros = decimalMicros(line, start, end, scale: 1_000_000) ?? -1
            }
        }
        // A single "-" everywhere means no upstream was contacted at all.
        if count == 1 && !storage[0].address.isPresent && storage[0].status == 0
            && storage[0].connectMicros < 0 && storage[0].headerMicros < 0 && storage[0].responseMicros < 0 {
            count = 0
        }
        // One host for the whole request: every attempt went there (a name resolving to
        // several addresses gives several attempts).
        if !record.upstreamAddr.isPresent && record.upstreamHost.hasValue(in: line) && count > 0 {
            for i in 0..<count { storage[i].address = record.upstreamHost }
            addressesAreHosts = true
        }
        addressIsServiceName = record.upstreamAddrIsServiceName && count > 0
    }

    /// The storage slot for attempt `index`, growing `count`; past capacity the last slot keeps the newest.
    @inline(__always)
    private func claim(_ index: Int) -> Int {
        let n = index + 1
        if n > count {
            if n > Self.capacity {
                droppedCount = max(droppedCount, n - Self.capacity)
                count = Self.capacity
            } else {
                count = n
            }
        }
        return min(index, Self.capacity - 1)
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
