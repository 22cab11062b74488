#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash table keyed by byte strings that looks keys up without allocating.
///
/// Keys are copied (allocated) only when first inserted. The table holds at
/// most `limit` keys; once full, ``index(of:make:)`` returns nil for new keys
/// and the caller decides where their counts go. Open addressing with linear
/// probing over a power-of-two slot array kept at most half full.
final class ByteKeyTable<Value> {
    private(set) var keys: [[UInt8]] = []
    var values: [Value] = []
    private var hashes: [UInt64] = []
    /// Index into `keys`, or -1 for an empty slot.
    private var slots: [Int32]
    private var mask: Int
    let limit: Int

    init(limit: Int, initialSlots: Int = 64) {
        self.limit = limit
        var size = 16
        while size < initialSlots { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { keys.count }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = FNV1a()
        h.add(key)
        return h.value ^ (h.value >> 29)
    }

    /// The index of `key` when present; never inserts.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if hashes[entry] == h && equal(keys[entry], key) { return entry }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `key`, inserting it with `make()` when new; nil when new and full.
    @inline(__always)
    func index(of key: UnsafeBufferPointer<UInt8>, make: () -> Value) -> Int? {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == h && equal(keys[entry], key) { return entry }
            slot = (slot + 1) & mask
        }
        guard keys.count < limit else { return nil }
        let entry = keys.count
        keys.append(Array(key))
        hashes.append(h)
        values.append(make())
        slots[slot] = Int32(entry)
        if keys.count * 2 > slots.count { grow() }
        return entry
    }

    @inline(__always)
    private func equal(_ stored: [UInt8], _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == key.count else { return false }
        if key.count == 0 { return true }
        guard let keyBase = key.baseAddress else { return false }
        return stored.withUnsafeBufferPointer { s in s.baseAddress.map { memcmp($0, keyBase, key.count) == 0 } ?? false }
    }

    private func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for (entry, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry)
        }
    }
}
