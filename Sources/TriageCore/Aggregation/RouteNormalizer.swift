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
    /// Each byte's class (``digit``, ``hexChar``, ``separator``, ``slash``, ``stop``),
    /// so the scan does one load per byte instead of a chain of compares.
    private let classes: UnsafeMutablePointer<UInt8>

    private static let digit: UInt8 = 1
    private static let hexChar: UInt8 = 2
    private static let separator: UInt8 = 4
    private static let slash: UInt8 = 8
    private static let stop: UInt8 = 16

    public init(maxLength: Int = 200) {
        self.maxLength = max(16, maxLength)
        self.buffer = .allocate(capacity: self.maxLength + 16)
        classes = .allocate(capacity: 256)
        classes.initialize(repeating: 0, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { classes[Int(b)] = Self.digit | Self.hexChar }
        for b in UInt8(ascii: "a")...UInt8(ascii: "f") { classes[Int(b)] = Self.hexChar }
        for b in UInt8(ascii: "A")...UInt8(ascii: "F") { classes[Int(b)] = Self.hexChar }
        for b in ".-_,;~=".utf8 { classes[Int(b)] = Self.separator }
        classes[Int(UInt8(ascii: "/"))] = Self.slash
        classes[Int(UInt8(ascii: "?"))] = Self.stop
        classes[Int(UInt8(ascii: "#"))] = Self.stop
    }

    deinit {
        buffer.deallocate()
        classes.deallocate()
    }

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
    ///
    /// One pass over the path: every byte is copied as it is read, and a token that
    /// turns out to be an id (or a segment that is a UUID) is then overwritten by its
    /// placeholder. A token's kind comes from its bytes' classes ANDed and ORed together.
    public func normalize(_ target: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var out = Writer(buffer: buffer, capacity: maxLength + 8)
        var start = 0
        var end = target.count
        if end == 0 || target[0] != UInt8(ascii: "/") {
            // Not origin-form (rare): drop query and fragment, then scheme and host.
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
        }
        let classes = self.classes
        var i = start
        while i < end {
            // target[i] is '/'
            out.append(UInt8(ascii: "/"))
            i += 1
            let segmentStart = i
            let segmentOut = out.count
            var tokenStart = i
            var tokenOut = out.count
            var all: UInt8 = 0xFF // the classes every byte of the token has
            var any: UInt8 = 0    // the classes some byte has
            while i < end {
                let b = target[i]
                let c = classes[Int(b)]
                if c & (Self.slash | Self.stop) != 0 {
                    if c & Self.stop != 0 { end = i }
                    break
                }
                if c & Self.separator != 0 {
                    Self.finishToken(length: i - tokenStart, all: all, any: any, from: tokenOut, into: &out)
                    out.append(b)
                    tokenStart = i + 1
                    tokenOut = out.count
                    all = 0xFF
                    any = 0
                } else {
                    out.append(b)
                    all &= c
                    any |= c
                }
                i += 1
            }
            Self.finishToken(length: i - tokenStart, all: all, any: any, from: tokenOut, into: &out)
            if i - segmentStart == 36 && Self.isUUID(target, segmentStart) {
                out.count = segmentOut
                out.append(Self.uuid)
            }
            if out.count >= maxLength { break }
        }
        if out.count > maxLength || (out.count >= maxLength && i < end) {
            out.count = maxLength
            out.append(Self.ellipsis)
        }
        return UnsafeBufferPointer(start: buffer, count: out.count)
    }

    /// Replaces the token just copied (from `from`) by `{id}` when it is digits only, or
    /// by `{hex}` when it is 8 or more hex digits with at least one digit.
    @inline(__always)
    private static func finishToken(length: Int, all: UInt8, any: UInt8, from: Int, into out: inout Writer) {
        guard length > 0 else { return }
        if all & digit != 0 {
            out.count = from
            out.append(Self.id)
        } else if all & hexChar != 0 && any & digit != 0 && length >= 8 {
            out.count = from
            out.append(Self.hex)
        }
    }

    private static let httpScheme: [UInt8] = Array("http://".utf8)
    private static let httpsScheme: [UInt8] = Array("https://".utf8)
    private static let invalid: [UInt8] = Array("(invalid)".utf8)
    private static let ellipsis: [UInt8] = Array("…".utf8)
    private static let id: [UInt8] = Array("{id}".utf8)
    private static let uuid: [UInt8] = Array("{uuid}".utf8)
    private static let hex: [UInt8] = Array("{hex}".utf8)

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
