import CHints
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
///
/// Each slot is 32 bytes: the entry, a tag from the hash, and the key's first
/// 23 bytes with its length. A key of up to 23 bytes (an IPv4 or short IPv6
/// address, most routes and upstreams) is therefore found by reading one slot,
/// where a slot that pointed at the key's own buffer cost three loads that
/// depend on each other and, on a table of thousands of clients, three cache
/// misses per request (Docs/Benchmarks.md, "The per-client table in one
/// slot"). A longer key compares its prefix in the slot, then the rest in
/// `keys`. Tables whose keys are always long (request IDs: ``ServerErrorLedger``)
/// take `inlineKeys: false`: 8-byte slots (entry and tag), a quarter of the memory.
final class ByteKeyTable<Value> {
    private(set) var keys: [[UInt8]] = []
    var values: [Value] = []
    /// The table's own hash of each key (``probeHash``), to place keys again on growing.
    private var hashes: [UInt64] = []
    /// `slotCount` slots of `slotWords` words, 64-byte aligned: entry (-1: empty) in the
    /// low half of word 0, the tag in its high half, then (inline) three prefix words.
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotCount: Int
    private var mask: Int
    private let slotWords: Int
    let inlineKeys: Bool
    let limit: Int

    /// Bytes of a key kept in its slot; byte 23 of the prefix words holds the length
    /// (0xFF: longer, compared further in `keys`).
    static var inlineCapacity: Int { 23 }
    private static var emptyWord: UInt64 { 0x0000_0000_FFFF_FFFF }

    init(limit: Int, initialSlots: Int = 64, inlineKeys: Bool = true) {
        self.limit = limit
        self.inlineKeys = inlineKeys
        slotWords = inlineKeys ? 4 : 1
        var size = 16
        while size < initialSlots { size <<= 1 }
        slotCount = size
        mask = size - 1
        slots = Self.allocateSlots(size, words: slotWords)
    }

    deinit { slots.deallocate() }

    private static func allocateSlots(_ count: Int, words: Int) -> UnsafeMutablePointer<UInt64> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * words * 8, alignment: 64)
        let pointer = raw.bindMemory(to: UInt64.self, capacity: count * words)
        pointer.initialize(repeating: 0, count: count * words)
        for s in 0..<count { pointer[s * words] = emptyWord }
        return pointer
    }

    var count: Int { keys.count }

    /// FNV-1a of the key: stable across runs and machines, for callers that keep or
    /// compare hashes (``HeavyHitters``, fingerprints). The table itself places keys
    /// by ``probeHash``.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = FNV1a()
        h.add(key)
        return h.value ^ (h.value >> 29)
    }

    /// The key's first 23 bytes, zero-padded, in three little-endian words, and its length
    /// (0xFF past 23) in the top byte of the third.
    @inline(__always)
    static func prefixWords(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64) {
        let n = key.count
        guard n > 0, let base = key.baseAddress else { return (0, 0, 0) }
        let raw = UnsafeRawPointer(base)
        @inline(__always) func word(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        // A partial word is read as the word ending at the key's end, shifted: no byte loop.
        @inline(__always) func tail(_ from: Int) -> UInt64 { word(n - 8) >> UInt64(8 * (8 - (n - from))) }
        let marker = UInt64(n <= inlineCapacity ? n : 0xFF) << 56
        switch n {
        case 24...: return (word(0), word(8), (word(16) & 0x00FF_FFFF_FFFF_FFFF) | marker)
        case 17...23: return (word(0), word(8), tail(16) | marker)
        case 16: return (word(0), word(8), marker)
        case 9...15: return (word(0), tail(8), marker)
        case 8: return (word(0), 0, marker)
        case 4...7:
            let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return (low | high << UInt64(8 * (n - 4)), 0, marker)
        default:
            var w: UInt64 = 0
            for i in 0..<n { w |= UInt64(base[i]) << UInt64(8 * i) }
            return (w, 0, marker)
        }
    }

    /// The table's hash: the prefix words mixed a word at a time, then the bytes past
    /// the prefix. Only places keys in this table (any value would do); a few
    /// instructions per word where FNV-1a takes four per byte.
    @inline(__always)
    static func probeHash(_ key: UnsafeBufferPointer<UInt8>, _ p: (UInt64, UInt64, UInt64)) -> UInt64 {
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* 0xff51_afd7_ed55_8ccd
            return x ^ (x >> 32)
        }
        var h = mix(mix(mix(0x9e37_79b9_7f4a_7c15, p.0), p.1), p.2)
        if key.count > inlineCapacity, let base = key.baseAddress {
            let raw = UnsafeRawPointer(base)
            var i = inlineCapacity
            while i + 8 <= key.count {
                h = mix(h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            // The last bytes: the word ending at the key's end, shifted (the key has more than 8).
            let rest = key.count - i
            let last = rest == 0 ? 0 : raw.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self).littleEndian
                >> UInt64(8 * (8 - rest))
            h = mix(h, last ^ UInt64(key.count))
        }
        h ^= h >> 29
        h = h &* 0xc4ce_b9fe_1a85_ec53
        return h ^ (h >> 32)
    }

    @inline(__always)
    private static func slotHead(entry: Int, tag: UInt64) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: entry)) | (tag << 32)
    }

    /// A key's hash and prefix, computed before the lookup (``prepare(_:)``).
    struct Prepared {
        var hash: UInt64
        var prefix: (UInt64, UInt64, UInt64)
    }

    @inline(__always)
    private func hashing(_ key: UnsafeBufferPointer<UInt8>) -> Prepared {
        let p = inlineKeys ? Self.prefixWords(key) : (0, 0, 0)
        return Prepared(hash: inlineKeys ? Self.probeHash(key, p) : Self.hash(key), prefix: p)
    }

    /// Hashes `key` and starts loading its first slot, so that a lookup made a few hundred
    /// instructions later (``index(of:prepared:make:)``) does not wait on the cache. A
    /// table of thousands of clients is read at random, one request at a time: without
    /// this, each lookup waited on main memory (Docs/Benchmarks.md).
    @inline(__always)
    func prepare(_ key: UnsafeBufferPointer<UInt8>) -> Prepared {
        let prepared = hashing(key)
        CHints_prefetch(slots + (Int(truncatingIfNeeded: prepared.hash) & mask) * slotWords)
        return prepared
    }

    /// Starts loading the value at `index` (see ``prepare(_:)``).
    @inline(__always)
    func prefetchValue(_ index: Int) {
        values.withUnsafeBufferPointer { v in
            if let base = v.baseAddress, index >= 0, index < v.count { CHints_prefetch(base + index) }
        }
    }

    /// Where `key` sits, or the empty slot where it would go (`found` false).
    @inline(__always)
    private func probe(_ key: UnsafeBufferPointer<UInt8>, _ prepared: Prepared) -> (slot: Int, entry: Int, found: Bool) {
        let h = prepared.hash, p = prepared.prefix
        let tag = h >> 32
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots + slot * slotWords
            let head = s[0]
            if head == Self.emptyWord { return (slot, -1, false) }
            if head >> 32 == tag {
                let entry = Int(UInt32(truncatingIfNeeded: head))
                if inlineKeys {
                    if s[1] == p.0 && s[2] == p.1 && s[3] == p.2
                        && (key.count <= Self.inlineCapacity || equal(keys[entry], key)) {
                        return (slot, entry, true)
                    }
                } else if equal(keys[entry], key) {
                    return (slot, entry, true)
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `key` when present; never inserts.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let found = probe(key, hashing(key))
        return found.found ? found.entry : nil
    }

    /// ``find(_:)`` for a key already hashed by ``prepare(_:)``.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, prepared: Prepared) -> Int? {
        let found = probe(key, prepared)
        return found.found ? found.entry : nil
    }

    /// The index of `key`, inserting it with `make()` when new; nil when new and full.
    @inline(__always)
    func index(of key: UnsafeBufferPointer<UInt8>, make: () -> Value) -> Int? {
        index(of: key, prepared: hashing(key), make: make)
    }

    /// ``index(of:make:)`` for a key already hashed by ``prepare(_:)``.
    @inline(__always)
    func index(of key: UnsafeBufferPointer<UInt8>, prepared: Prepared, make: () -> Value) -> Int? {
        let found = probe(key, prepared)
        if found.found { return found.entry }
        guard keys.count < limit else { return nil }
        let entry = keys.count
        keys.append(Array(key))
        hashes.append(prepared.hash)
        values.append(make())
        place(entry: entry, hash: prepared.hash, prefix: prepared.prefix, at: found.slot)
        if keys.count * 2 > slotCount { grow() }
        return entry
    }

    @inline(__always)
    private func place(entry: Int, hash: UInt64, prefix: (UInt64, UInt64, UInt64), at slot: Int) {
        let s = slots + slot * slotWords
        s[0] = Self.slotHead(entry: entry, tag: hash >> 32)
        if inlineKeys {
            s[1] = prefix.0
            s[2] = prefix.1
            s[3] = prefix.2
        }
    }

    @inline(__always)
    private func equal(_ stored: [UInt8], _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == key.count else { return false }
        if key.count == 0 { return true }
        guard let keyBase = key.baseAddress else { return false }
        return stored.withUnsafeBufferPointer { s in s.baseAddress.map { memcmp($0, keyBase, key.count) == 0 } ?? false }
    }

    private func grow() {
        let old = slots, oldCount = slotCount
        slotCount *= 2
        mask = slotCount - 1
        slots = Self.allocateSlots(slotCount, words: slotWords)
        for o in 0..<oldCount {
            let from = old + o * slotWords
            guard from[0] != Self.emptyWord else { continue }
            let h = hashes[Int(UInt32(truncatingIfNeeded: from[0]))]
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot * slotWords] != Self.emptyWord { slot = (slot + 1) & mask }
            (slots + slot * slotWords).update(from: from, count: slotWords)
        }
        old.deallocate()
    }
}
