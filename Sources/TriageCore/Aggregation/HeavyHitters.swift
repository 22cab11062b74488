/// The keys that fail most among those an exact table had no room for: routes
/// (``Aggregator``) and clients (``ClientTable``), each with its own `Stats`.
///
/// Space-Saving (Metwally, Agrawal, El Abbadi 2005) over failures: at most
/// `capacity` routes are tracked; a failure of an untracked route takes the
/// slot of the tracked route with the fewest failures, starting from that
/// count + 1 and remembering it as its possible overestimate (`error`). Any
/// route with more failures than (failures seen here) / capacity is
/// guaranteed to be tracked, so the top of the list is right. The evicted
/// route's counts move to `(other routes)`, so no request vanishes. Lookups
/// hash the bytes; nothing allocates except when a route enters the sketch.
final class HeavyHitters<Stats> {
    struct Entry {
        var key: [UInt8]
        var hash: UInt64
        /// Failures counted for ranking (with `error` included).
        var count: Int
        /// Failures the route may have had before it was tracked.
        var error: Int
        /// A route id unique for the aggregator's lifetime (see ``Aggregator``).
        var id: Int32
        var stats: Stats
    }

    let capacity: Int
    private(set) var entries: [Entry] = []
    private var slotByHash: [UInt64: Int] = [:]

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The slot of `key` if tracked.
    @inline(__always)
    func slot(of key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        guard let slot = slotByHash[hash] else { return nil }
        let stored = entries[slot].key
        guard stored.count == key.count, stored.elementsEqual(key) else { return nil }
        return slot
    }

    /// Tracks `key` for a failure, evicting the least-failing route when full.
    ///
    /// - Returns: the slot and, when a route was evicted, its entry.
    func admit(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, id: Int32, empty: Stats) -> (slot: Int, evicted: Entry?) {
        if entries.count < capacity {
            entries.append(Entry(key: Array(key), hash: hash, count: 0, error: 0, id: id, stats: empty))
            slotByHash[hash] = entries.count - 1
            return (entries.count - 1, nil)
        }
        var minSlot = 0
        for i in 1..<entries.count where entries[i].count < entries[minSlot].count { minSlot = i }
        let evicted = entries[minSlot]
        slotByHash.removeValue(forKey: evicted.hash)
        entries[minSlot] = Entry(key: Array(key), hash: hash, count: evicted.count, error: evicted.count, id: id,
                                 stats: empty)
        slotByHash[hash] = minSlot
        return (minSlot, evicted)
    }

    func addFailure(slot: Int) { entries[slot].count += 1 }

    /// Puts back an entry read from a partial (``Partial``), as it was when written.
    func restore(key: [UInt8], count: Int, error: Int, id: Int32, stats: Stats) {
        let hash = key.withUnsafeBufferPointer { ByteKeyTable<Int>.hash($0) }
        entries.append(Entry(key: key, hash: hash, count: count, error: error, id: id, stats: stats))
        slotByHash[hash] = entries.count - 1
    }

    /// Adds another sketch's counts for the same route (merging threads).
    func absorb(slot: Int, count: Int, error: Int, _ body: (inout Stats) -> Void) {
        entries[slot].count += count
        entries[slot].error += error
        body(&entries[slot].stats)
    }

    func update(slot: Int, _ body: (inout Stats) -> Void) { body(&entries[slot].stats) }
}
