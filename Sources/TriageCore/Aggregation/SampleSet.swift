/// The sample request IDs of one group: the `limit` earliest, whatever order the lines came in.
///
/// A sample is kept by (time, ID): the earliest time first, ties broken by the
/// ID's bytes, each ID once (at its earliest time). The rule does not depend on
/// reading order, so one run, several threads, and partials merged from many
/// hosts in any order keep the same samples (see Docs/ScaleOut.md). A line
/// without a time sorts first (`Int64.min`).
///
/// Cheap on the hot path: once full, a later line is turned away by comparing
/// its time with the latest kept one, before any String is made.
struct SampleSet: Equatable {
    /// Sorted by (time, id); at most the limit given to ``offer(time:limit:_:)``.
    private(set) var items: [(time: Int64, id: String)] = []

    init() {}

    var ids: [String] { items.map(\.id) }
    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// Whether an ID seen at `time` could enter: false skips making its String.
    @inline(__always)
    func mayAdmit(time: Int64, limit: Int) -> Bool {
        guard limit > 0 else { return false }
        guard items.count >= limit, let last = items.last else { return true }
        return time <= last.time
    }

    /// Offers one ID seen at `time`; `id` is called only when it may enter.
    @inline(__always)
    mutating func offer(time: Int64, limit: Int, _ id: () -> String?) {
        guard mayAdmit(time: time, limit: limit), let id = id() else { return }
        insert(time: time, id: id, limit: limit)
    }

    /// Offers the request's ID seen at `time`; its String is made only when it may enter.
    /// (The per-request path: a struct passed `inout`, not a closure, so no context is
    /// retained and released around every call that may offer it.)
    @inline(__always)
    mutating func offer(time: Int64, limit: Int, _ id: inout LazyRequestID) {
        guard mayAdmit(time: time, limit: limit), let id = id.text() else { return }
        insert(time: time, id: id, limit: limit)
    }

    mutating func insert(time: Int64, id: String, limit: Int) {
        if let existing = items.firstIndex(where: { $0.id == id }) {
            guard time < items[existing].time else { return }
            items.remove(at: existing)
        } else if items.count >= limit, let last = items.last {
            guard (time, id) < (last.time, last.id) else { return }
            items.removeLast()
        }
        let at = items.firstIndex { (time, id) < ($0.time, $0.id) } ?? items.count
        items.insert((time, id), at: at)
    }

    mutating func merge(_ other: SampleSet, limit: Int) {
        for item in other.items { insert(time: item.time, id: item.id, limit: limit) }
    }

    static func == (a: SampleSet, b: SampleSet) -> Bool {
        a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { $0.time == $1.time && $0.id == $1.id }
    }
}

/// One request's ID as written on its line, made a String (``LogText/display(_:)``) the
/// first time a sample list has room for it, and only then.
struct LazyRequestID {
    private let bytes: UnsafeBufferPointer<UInt8>?
    private var made: String?

    /// `bytes` nil: the request has no ID to sample.
    init(_ bytes: UnsafeBufferPointer<UInt8>?) {
        self.bytes = bytes
    }

    mutating func text() -> String? {
        guard let bytes else { return nil }
        if let made { return made }
        let text = LogText.display(bytes)
        made = text
        return text
    }
}
