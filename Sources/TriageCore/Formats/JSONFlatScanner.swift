#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast path of ``JSONRecordDecoder``: one pass over a *flat* JSON object
/// (every value a string, number, `true`, `false` or `null`), the shape of
/// nginx `escape=json`, Traefik and Envoy access logs.
///
/// What makes it cheaper than ``JSONScanner`` (see Docs/Benchmarks.md, "JSON lines"):
/// - strings are skipped 16 bytes at a time: one `SIMD16<UInt8>` load compared
///   with `"`, `\` and the control characters gives a mask, and only the block
///   holding the first hit is looked at byte by byte (a 64-bit word version, SWAR,
///   took 5 % more instructions on nginx `escape=json` lines: it needs twice the
///   iterations on their long user agents);
/// - no path is built: at the top level a key's path is the key itself, so it is
///   matched in place, first by length, then by its first (up to) 8 bytes read as
///   one word, and its last 8 as another (keys up to 16 bytes need nothing more);
/// - values no field needs are skipped without being looked at twice.
///
/// It accepts exactly what ``JSONScanner`` accepts for a flat object and reports
/// the same leaves in the same order; anything else (a nested object or array,
/// invalid JSON) makes it give up so the caller runs the general scanner, which
/// also produces the error message. So the two paths cannot disagree.
final class JSONFlatKeys {
    /// Keys grouped by length (up to `maxLength`): `start[len]..<start[len + 1]`
    /// index `heads` (first 8 bytes as a little-endian word, zero-padded),
    /// `fields` (the field index) and `bytes` (offset of the whole key in `text`).
    /// Plain buffers allocated once, so a lookup retains nothing.
    static let maxLength = 64
    private let start: UnsafeMutablePointer<Int>
    private let heads: UnsafeMutablePointer<UInt64>
    /// The last 8 bytes of keys longer than 8 (as one word): a key of up to 16 bytes
    /// is then matched by two word compares, without calling `memcmp`.
    private let tails: UnsafeMutablePointer<UInt64>
    private let fields: UnsafeMutablePointer<Int>
    private let offsets: UnsafeMutablePointer<Int>
    private let text: UnsafeMutablePointer<UInt8>

    init(keys: [[UInt8]]) {
        let usable = keys.enumerated().filter { $0.element.count <= Self.maxLength }
            .sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }
        start = .allocate(capacity: Self.maxLength + 2)
        start.initialize(repeating: 0, count: Self.maxLength + 2)
        let n = max(1, usable.count)
        heads = .allocate(capacity: n)
        tails = .allocate(capacity: n)
        fields = .allocate(capacity: n)
        offsets = .allocate(capacity: n)
        let total = max(1, usable.reduce(0) { $0 + $1.element.count })
        text = .allocate(capacity: total)
        var at = 0
        for (slot, entry) in usable.enumerated() {
            let key = entry.element
            heads[slot] = key.withUnsafeBufferPointer { Self.head($0.baseAddress, $0.count) }
            tails[slot] = key.count > 8 ? key.withUnsafeBufferPointer { Self.head($0.baseAddress! + $0.count - 8, 8) } : 0
            fields[slot] = entry.offset
            offsets[slot] = at
            for b in key { text[at] = b; at += 1 }
            start[key.count + 1] = slot + 1
        }
        // Lengths with no key start where the previous length ended.
        for len in 1...(Self.maxLength + 1) where start[len] < start[len - 1] { start[len] = start[len - 1] }
    }

    deinit {
        start.deallocate(); heads.deallocate(); tails.deallocate(); fields.deallocate(); offsets.deallocate(); text.deallocate()
    }

    @inline(__always)
    static func head(_ p: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        guard let p else { return 0 }
        var word: UInt64 = 0
        for k in 0..<min(count, 8) { word |= UInt64(p[k]) << (8 * UInt64(k)) }
        return word
    }

    /// The field index of the key `line[from..<end]` (raw, still escaped), or nil.
    @inline(__always)
    func find(_ line: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int) -> Int? {
        let count = end - from
        guard count <= Self.maxLength, let base = line.baseAddress else { return nil }
        var slot = start[count]
        let last = start[count + 1]
        if slot == last { return nil }
        let p = base + from
        let h = count >= 8 ? UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian : Self.head(p, count)
        if count <= 8 {
            while slot < last {
                if heads[slot] == h { return fields[slot] }
                slot += 1
            }
            return nil
        }
        let t = UnsafeRawPointer(p + count - 8).loadUnaligned(as: UInt64.self).littleEndian
        while slot < last {
            if heads[slot] == h && tails[slot] == t
                && (count <= 16 || memcmp(text + offsets[slot] + 8, p + 8, count - 16) == 0) {
                return fields[slot]
            }
            slot += 1
        }
        return nil
    }
}

enum JSONFlatScanner {
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    @inline(__always)
    static func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < p.count, isSpace(p[i]) { i += 1 }
        return i
    }

    /// Index of the closing quote of a string whose content starts at `i`; nil
    /// when the string is unterminated or holds a raw control character
    /// (the same rules as ``JSONScanner``).
    @inline(__always)
    static func stringEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard let base = p.baseAddress else { return nil }
        let n = p.count
        var j = i
        let quote = SIMD16<UInt8>(repeating: UInt8(ascii: "\""))
        let backslash = SIMD16<UInt8>(repeating: UInt8(ascii: "\\"))
        let space = SIMD16<UInt8>(repeating: 0x20)
        while true {
            // Whole 16-byte blocks: one compare for the three kinds of stop byte.
            while j + 16 <= n {
                let v = UnsafeRawPointer(base + j).loadUnaligned(as: SIMD16<UInt8>.self)
                let hit = (v .== quote) .| (v .== backslash) .| (v .< space)
                if !any(hit) { j += 16; continue }
                let bytes = SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: hit)
                let lo = unsafeBitCast(bytes.lowHalf, to: UInt64.self)
                let hi = unsafeBitCast(bytes.highHalf, to: UInt64.self)
                j += lo != 0 ? lo.trailingZeroBitCount / 8 : 8 + hi.trailingZeroBitCount / 8
                break
            }
            // The tail (or the block's first stop byte): byte by byte.
            while j < n {
                let b = p[j]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
                j += 1
            }
            guard j < n else { return nil }
            let b = p[j]
            if b == UInt8(ascii: "\"") { return j }
            if b < 0x20 { return nil }
            j += 2 // a backslash and the byte it escapes
            if j > n { return nil }
        }
    }

    @inline(__always)
    static func literal(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= p.count else { return false }
        let w = word.utf8Start
        for k in 0..<count where p[i + k] != w[k] { return false }
        return true
    }

    enum Outcome { case done(end: Int), notFlat }

    /// Scans the object starting at `start` (a `{`), calling `visit` for every
    /// leaf whose key is in `keys`, in document order. `.notFlat` when the
    /// object is not flat or not valid: the caller then uses ``JSONScanner``.
    @inline(__always)
    static func scan(_ p: UnsafeBufferPointer<UInt8>, from start: Int, keys: JSONFlatKeys,
                     _ visit: (_ field: Int, _ kind: JSONScanner.Kind, _ start: Int, _ end: Int) -> Bool) -> Outcome {
        let n = p.count
        var j = skipSpace(p, start + 1)
        if j < n && p[j] == UInt8(ascii: "}") { return .done(end: j + 1) }
        while true {
            guard j < n, p[j] == UInt8(ascii: "\""), let keyEnd = stringEnd(p, j + 1) else { return .notFlat }
            let field = keys.find(p, j + 1, keyEnd)
            j = skipSpace(p, keyEnd + 1)
            guard j < n, p[j] == UInt8(ascii: ":") else { return .notFlat }
            j = skipSpace(p, j + 1)
            guard j < n else { return .notFlat }
            let kind: JSONScanner.Kind
            let vStart: Int, vEnd: Int, after: Int
            switch p[j] {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(p, j + 1) else { return .notFlat }
                kind = .string; vStart = j + 1; vEnd = end; after = end + 1
            case UInt8(ascii: "t"):
                guard literal(p, j, "true") else { return .notFlat }
                kind = .bool; vStart = j; vEnd = j + 4; after = vEnd
            case UInt8(ascii: "f"):
                guard literal(p, j, "false") else { return .notFlat }
                kind = .bool; vStart = j; vEnd = j + 5; after = vEnd
            case UInt8(ascii: "n"):
                guard literal(p, j, "null") else { return .notFlat }
                kind = .null; vStart = j; vEnd = j + 4; after = vEnd
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return .notFlat
            default:
                var k = j
                if p[k] == UInt8(ascii: "-") { k += 1 }
                let digitsStart = k
                while k < n {
                    let b = p[k]
                    guard (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
                        || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || (b == UInt8(ascii: "-") && k > digitsStart)
                    else { break }
                    k += 1
                }
                guard k > digitsStart, p[digitsStart] >= 0x30 && p[digitsStart] <= 0x39 else { return .notFlat }
                kind = .number; vStart = j; vEnd = k; after = k
            }
            if let field, !visit(field, kind, vStart, vEnd) { return .notFlat }
            j = skipSpace(p, after)
            guard j < n else { return .notFlat }
            if p[j] == UInt8(ascii: "}") { return .done(end: j + 1) }
            guard p[j] == UInt8(ascii: ",") else { return .notFlat }
            j = skipSpace(p, j + 1)
        }
    }
}
