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
    private var count = 0

    public init(maxLength: Int = 200) {
        self.maxLength = max(16, maxLength)
        self.buffer = .allocate(capacity: self.maxLength + 16)
    }

    deinit { buffer.deallocate() }

    /// Normalises `target` and returns the route bytes, valid until the next call.
    public func normalize(_ target: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        count = 0
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
                append(UInt8(ascii: "/"))
                return result
            }
        }
        guard start < end, target[start] == UInt8(ascii: "/") else {
            if end - start == 1 && target[start] == UInt8(ascii: "*") { append(UInt8(ascii: "*")) } else { append(Self.invalid) }
            return result
        }
        var i = start
        while i < end {
            // target[i] is '/'
            append(UInt8(ascii: "/"))
            i += 1
            var segmentEnd = i
            while segmentEnd < end && target[segmentEnd] != UInt8(ascii: "/") { segmentEnd += 1 }
            normalizeSegment(target, i, segmentEnd)
            i = segmentEnd
            if count >= maxLength { break }
        }
        if count > maxLength || (count >= maxLength && i < end) {
            count = maxLength
            append(Self.ellipsis)
        }
        return result
    }

    private var result: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: buffer, count: count) }

    private static let httpScheme: [UInt8] = Array("http://".utf8)
    private static let httpsScheme: [UInt8] = Array("https://".utf8)
    private static let invalid: [UInt8] = Array("(invalid)".utf8)
    private static let ellipsis: [UInt8] = Array("…".utf8)
    private static let id: [UInt8] = Array("{id}".utf8)
    private static let uuid: [UInt8] = Array("{uuid}".utf8)
    private static let hex: [UInt8] = Array("{hex}".utf8)

    private func normalizeSegment(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        if end - start == 36 && isUUID(t, start) {
            append(Self.uuid)
            return
        }
        var i = start
        while i < end {
            var tokenEnd = i
            while tokenEnd < end && !isTokenSeparator(t[tokenEnd]) { tokenEnd += 1 }
            appendToken(t, i, tokenEnd)
            if tokenEnd < end { append(t[tokenEnd]) }
            i = tokenEnd + 1
        }
    }

    private func appendToken(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
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
            append(Self.id)
        } else if allHex && hasDigit && end - start >= 8 {
            append(Self.hex)
        } else {
            for k in start..<end { append(t[k]) }
        }
    }

    @inline(__always)
    private func isTokenSeparator(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "~"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    private func isUUID(_ t: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
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

    @inline(__always)
    private func append(_ b: UInt8) {
        if count < maxLength + 8 {
            buffer[count] = b
            count += 1
        }
    }

    private func append(_ bytes: [UInt8]) {
        for b in bytes { append(b) }
    }
}
