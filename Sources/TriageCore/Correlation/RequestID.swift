/// Request IDs as proxies and applications write them, reduced to one form that compares equal.
///
/// Real systems disagree on case (`0A1B…` vs `0a1b…`), on dashes in UUIDs
/// (`…-47f5-…` vs `…47f5…`), on braces (`{uuid}`), and OpenStack prefixes its
/// IDs with `req-`. The key is lowercase ASCII with `-`, `{` and `}` removed and a
/// `req` prefix dropped when a 32-hex UUID follows it. Anything shorter than
/// ``minimumLength`` after that cannot single out one request and is no key.
public enum RequestID {
    public static let minimumLength = 6
    public static let maximumLength = 128

    /// Writes the key of `id` into `key` (replacing its contents); returns false when `id` yields no key.
    @discardableResult
    public static func normalize(_ id: UnsafeBufferPointer<UInt8>, into key: inout [UInt8]) -> Bool {
        key.removeAll(keepingCapacity: true)
        guard id.count <= maximumLength * 2 else { return false }
        // Copied once, then filtered in place: no per-byte append on this per-line path.
        key.append(contentsOf: id)
        var valid = true
        let count = key.withUnsafeMutableBufferPointer { k -> Int in
            var w = 0
            for r in 0..<k.count {
                let b = k[r]
                switch b {
                case UInt8(ascii: "-"), UInt8(ascii: "{"), UInt8(ascii: "}"): continue
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): k[w] = b | 0x20
                case 0...0x20, 0x7F, UInt8(ascii: "\""): valid = false; return 0
                default: k[w] = b
                }
                w += 1
            }
            return w
        }
        guard valid else {
            key.removeAll(keepingCapacity: true)
            return false
        }
        key.removeLast(key.count - count)
        if key.count == 35, key[0] == UInt8(ascii: "r"), key[1] == UInt8(ascii: "e"), key[2] == UInt8(ascii: "q"),
           key[3...].allSatisfy(isHex) {
            key.removeFirst(3)
        }
        return key.count >= minimumLength && key.count <= maximumLength
    }

    /// The key of `id` as a new array (tests and one-off lookups).
    public static func key(_ id: String) -> [UInt8]? {
        var key: [UInt8] = []
        let ok = Array(id.utf8).withUnsafeBufferPointer { normalize($0, into: &key) }
        return ok ? key : nil
    }

    @inline(__always)
    static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66)
    }
}
