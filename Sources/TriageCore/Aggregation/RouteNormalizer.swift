/// Collapses request targets into routes: `/api/orders/48213?x=1` → `/api/orders/{id}`.
///
/// Rules, applied per path segment and then per token inside a segment
/// (tokens are split at `.`, `-`, `_`, `,`, `;`, `~`, `=`):
/// - a segment that is a UUID (8-4-4-4-12 hex) becomes `{uuid}`;
/// - a token of digits only becomes `{id}`;
/// - a token of 8 or more hex digits with at least one digit becomes `{hex}`.
/// The query string and fragment are dropped; absolute-form targets
/// (`http://host/path`) lose scheme and host; a target that is not a path
/// becomes `(invalid)` (or `*` for `OPTIONS *`). Routes are capped at
/// `maxLength` bytes. Output goes to a reused buffer: nothing allocates.
public final class RouteNormalizer {
    public let maxLength: Int
    private let buffer: UnsafeMutablePointer<UInt8>

    public init(maxLength: Int = 200) {
        self.maxLength = max(16, maxLength)
        self.buffer = .allocate(capacity: self.maxLength + 16)
    }

    deinit { buffer.deallocate() }

    /// The route being written: a value on the stack, passed `inout` to the steps.
    ///
    /// It used to be the class's own `count`, and every byte appended then paid a
    /// dynamic exclusivity check (`swift_beginAccess`) on it: with Swift's checks
    /// kept, that was the largest single cost of the release build (Docs/Benchmarks.md).
    private struct Writer {
        let buffer: UnsafeMutablePointer<UInt8>
        /// Bytes written; never more than `capacity`, the buffer's `maxLength + 8` (+ 8 spare).
        var count = 0
        let capacity: Int

        @inline(__always)
        mutating func append(_ b: UInt8) {
            if count < capacity {
                buffer[count] = b
                count &+= 1 // count < capacity, an Int well below Int.max
            }
        }

        mutating func append(_ bytes: [UInt8]) {
            for b in bytes { append(b) }
        }
    }

    /// Normalises `target` and returns the route bytes, valid until the next call.
    public func normalize(_ target: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var out = Writer(buffer: buffer, capacity: maxLength + 8)
        var start = 0
        var end = target.count
        // Drop query and fragment.
        for i in 0..<end where target[i] == UInt8(ascii: "?") || target[i] == UInt8(ascii: "#") {
            end = i
            break
        }
        if end - start >= 8, hasSchemePrefix(target, start) {
            var i = start
            while i < end && target[i] != UInt8(ascii: ":") { i += 1 }
            i += 3 // "://"
            while i < end && target[i] != UInt8(ascii: "/") { i += 1 }
            start = i
            if start >= end {
                out.append(UInt8(ascii: "/"))
                return UnsafeBufferPointer(start: buffer, count: out.count)
            }
        }
        guard start < end, target[start] == UInt8(ascii: "/") else {
            if end - start == 1 && target[start] == UInt8(ascii: "*") { out.append(UInt8(ascii: "*")) } else { out.append(Self.invalid) }
            return UnsafeBufferPointer(start: buffer, count: out.count)
        }
        var i = start
        while i < end {
            // target[i] is '/'
            out.append(UInt8(ascii: "/"))
            i += 1
            var segmentEnd = i
            while segmentEnd < end && target[segmentEnd] != UInt8(ascii: "/") { segmentEnd += 1 }
            Self.normalizeSegment(target, i, segmentEnd, into: &out)
            i = segmentEnd
            if out.count >= maxLength { break }
        }
        if out.count > maxLength || (out.count >= maxLength && i < end) {
            out.count = maxLength
            out.append(Self.ellipsis)
        }
        return UnsafeBufferPointer(start: buffer, count: out.count)
    }

    private static let httpScheme: [UInt8] = Array("http://".utf8)
    private static let httpsScheme: [UInt8] = Array("https://".utf8)
    private static let invalid: [UInt8] = Array("(invalid)".utf8)
    private static let ellipsis: [UInt8] = Array("…".utf8)
    private static let id: [UInt8] = Array("{id}".utf8)
    private static let uuid: [UInt8] = Array("{uuid}".utf8)
    private static let hex: [UInt8] = Array("{hex}".utf8)

    private static func normalizeSegment(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout Writer) {
        if end - start == 36 && isUUID(t, start) {
            out.append(Self.uuid)
            return
        }
        var i = start
        while i < end {
            var tokenEnd = i
            while tokenEnd < end && !isTokenSeparator(t[tokenEnd]) { tokenEnd += 1 }
            appendToken(t, i, tokenEnd, into: &out)
            if tokenEnd < end { out.append(t[tokenEnd]) }
            i = tokenEnd + 1
        }
    }

    private static func appendToken(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout Writer) {
        guard end > start else { return }
        var allDigits = true
        var allHex = true
        var hasDigit = false
        for k in start..<end {
            let b = t[k]
            let isDigit = b >= 0x30 && b <= 0x39
            let isHexLetter = (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
            if isDigit { hasDigit = true } else { allDigits = false }
            if !isDigit && !isHexLetter { allHex = false }
        }
        if allDigits {
            out.append(Self.id)
        } else if allHex && hasDigit && end - start >= 8 {
            out.append(Self.hex)
        } else {
            for k in start..<end { out.append(t[k]) }
        }
    }

    @inline(__always)
    private static func isTokenSeparator(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "~"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    private static func isUUID(_ t: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        for k in 0..<36 {
            let b = t[start + k]
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if b != UInt8(ascii: "-") { return false }
            } else if LogText.hexValue(b) == nil {
                return false
            }
        }
        return true
    }

    private func hasSchemePrefix(_ t: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        startsWith(t, start, Self.httpScheme) || startsWith(t, start, Self.httpsScheme)
    }
}
