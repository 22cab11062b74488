/// Walks one JSON value in bytes and reports every scalar leaf with its dotted path.
///
/// `{"request":{"method":"GET"},"status":502}` yields `request.method` (string)
/// and `status` (number); array elements get their index (`headers.Accept.0`).
/// Nothing is decoded or allocated per leaf: the path lives in a reused buffer
/// and values are byte ranges (strings without their quotes, still escaped;
/// see ``JSONScanner/decodeString(_:)``). Depth is capped so hostile input
/// cannot exhaust the stack.
public final class JSONScanner {
    public enum Kind: Sendable { case string, number, bool, null }

    public static let maxDepth = 64
    /// The dotted path of the current value, in a buffer reused for every line (grown when
    /// a path is longer): appending and truncating it is pointer arithmetic, with none of an
    /// array's uniqueness checks, retains and range replacement per key.
    private var path: UnsafeMutablePointer<UInt8>
    private var pathCapacity = 256

    public init() { path = .allocate(capacity: pathCapacity) }

    deinit { path.deallocate() }

    /// The walk's state, passed down the recursion by `inout`: a walk through the class's
    /// own properties retained the scanner about twice per value.
    private struct Walk {
        var path: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        @inline(__always)
        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            let needed = count + bytes.count
            if needed > capacity { grow(needed) }
            if let base = bytes.baseAddress, bytes.count > 0 { (path + count).update(from: base, count: bytes.count) }
            count = needed
        }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            if count == capacity { grow(count + 1) }
            path[count] = byte
            count += 1
        }

        /// An array index in decimal, as `String(index)` writes it, without making the String.
        mutating func appendIndex(_ index: Int) {
            var digits = 1
            var rest = index / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            if count + digits > capacity { grow(count + digits) }
            var value = index
            var k = count + digits - 1
            repeat {
                path[k] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                value /= 10
                k -= 1
            } while value > 0
            count += digits
        }

        mutating func grow(_ needed: Int) {
            let newCapacity = max(needed, capacity * 2)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: path, count: count)
            path.deallocate()
            path = bigger
            capacity = newCapacity
        }
    }

    /// Scans the JSON value starting at `start`; returns the index after it,
    /// or nil when the bytes are not valid JSON.
    public func scan(_ p: UnsafeBufferPointer<UInt8>, from start: Int = 0,
                     _ visit: (_ path: UnsafeBufferPointer<UInt8>, _ kind: Kind, _ value: Range<Int>) -> Void) -> Int? {
        var walk = Walk(path: path, capacity: pathCapacity)
        let end = Self.value(p, Self.skipSpace(p, start), depth: 0, &walk, visit)
        path = walk.path
        pathCapacity = walk.capacity
        return end
    }

    private static func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < p.count, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0A || p[i] == 0x0D { i += 1 }
        return i
    }

    private static func value(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, depth: Int, _ walk: inout Walk,
                              _ visit: (UnsafeBufferPointer<UInt8>, Kind, Range<Int>) -> Void) -> Int? {
        guard i < p.count, depth < Self.maxDepth else { return nil }
        switch p[i] {
        case UInt8(ascii: "{"):
            var j = skipSpace(p, i + 1)
            if j < p.count && p[j] == UInt8(ascii: "}") { return j + 1 }
            while true {
                guard j < p.count, p[j] == UInt8(ascii: "\""), let keyEnd = stringEnd(p, j + 1) else { return nil }
                let mark = walk.count
                if walk.count > 0 { walk.append(UInt8(ascii: ".")) }
                walk.append(UnsafeBufferPointer(rebasing: p[(j + 1)..<keyEnd]))
                j = skipSpace(p, keyEnd + 1)
                guard j < p.count, p[j] == UInt8(ascii: ":") else { return nil }
                guard let after = value(p, skipSpace(p, j + 1), depth: depth + 1, &walk, visit) else { return nil }
                walk.count = mark
                j = skipSpace(p, after)
                guard j < p.count else { return nil }
                if p[j] == UInt8(ascii: "}") { return j + 1 }
                guard p[j] == UInt8(ascii: ",") else { return nil }
                j = skipSpace(p, j + 1)
            }
        case UInt8(ascii: "["):
            var j = skipSpace(p, i + 1)
            if j < p.count && p[j] == UInt8(ascii: "]") { return j + 1 }
            var index = 0
            while true {
                let mark = walk.count
                if walk.count > 0 { walk.append(UInt8(ascii: ".")) }
                walk.appendIndex(index)
                guard let after = value(p, j, depth: depth + 1, &walk, visit) else { return nil }
                walk.count = mark
                j = skipSpace(p, after)
                guard j < p.count else { return nil }
                if p[j] == UInt8(ascii: "]") { return j + 1 }
                guard p[j] == UInt8(ascii: ",") else { return nil }
                j = skipSpace(p, j + 1)
                index += 1
            }
        case UInt8(ascii: "\""):
            guard let end = stringEnd(p, i + 1) else { return nil }
            visit(UnsafeBufferPointer(start: walk.path, count: walk.count), .string, (i + 1)..<end)
            return end + 1
        case UInt8(ascii: "t"):
            guard literal(p, i, "true") else { return nil }
            visit(UnsafeBufferPointer(start: walk.path, count: walk.count), .bool, i..<(i + 4))
            return i + 4
        case UInt8(ascii: "f"):
            guard literal(p, i, "false") else { return nil }
            visit(UnsafeBufferPointer(start: walk.path, count: walk.count), .bool, i..<(i + 5))
            return i + 5
        case UInt8(ascii: "n"):
            guard literal(p, i, "null") else { return nil }
            visit(UnsafeBufferPointer(start: walk.path, count: walk.count), .null, i..<(i + 4))
            return i + 4
        default:
            var j = i
            if j < p.count && p[j] == UInt8(ascii: "-") { j += 1 }
            let digitsStart = j
            while j < p.count, (p[j] >= 0x30 && p[j] <= 0x39) || p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: "e")
                || p[j] == UInt8(ascii: "E") || p[j] == UInt8(ascii: "+") || (p[j] == UInt8(ascii: "-") && j > digitsStart) {
                j += 1
            }
            guard j > digitsStart, p[digitsStart] >= 0x30 && p[digitsStart] <= 0x39 else { return nil }
            visit(UnsafeBufferPointer(start: walk.path, count: walk.count), .number, i..<j)
            return j
        }
    }

    /// The closing quote of a string whose content starts at `i`: a backslash escapes the
    /// next byte, a raw control byte is invalid. ``JSONFlatScanner/stringEnd(_:_:)`` applies
    /// exactly these rules 16 bytes at a time.
    @inline(__always)
    private static func stringEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        JSONFlatScanner.stringEnd(p, i)
    }

    private static func literal(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= p.count else { return false }
        let w = word.utf8Start
        for k in 0..<count where p[i + k] != w[k] { return false }
        return true
    }

    /// The text of a JSON string's content (escapes decoded; invalid `\u` kept visible).
    public static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            if !raw.isEmpty { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "\\"), i + 1 < bytes.count else {
                raw.append(b)
                i += 1
                continue
            }
            flush()
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                var code: UInt32 = 0
                var ok = i + 4 <= bytes.count
                if ok {
                    for k in 0..<4 {
                        guard let h = LogText.hexValue(bytes[i + k]) else { ok = false; break }
                        code = code << 4 | UInt32(h)
                    }
                }
                guard ok else { scalars.append(contentsOf: "\\u".unicodeScalars); continue }
                i += 4
                // Surrogate pair.
                if (0xD800...0xDBFF).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u") {
                    var low: UInt32 = 0
                    var lowOK = true
                    for k in 0..<4 {
                        guard let h = LogText.hexValue(bytes[i + 2 + k]) else { lowOK = false; break }
                        low = low << 4 | UInt32(h)
                    }
                    if lowOK, (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                scalars.append(UnicodeScalar(code) ?? "\u{FFFD}")
            default: scalars.append(UnicodeScalar(e))
            }
        }
        flush()
        return String(scalars)
    }
}
