/// Replaces the variable parts of an error message with placeholders, so that
/// one bug gives one message whatever the request: `Couldn't find User with
/// 'id'=5` and `…'id'=7` both become `Couldn't find User with '<str>'=<num>`.
///
/// Placeholders, tried left to right at each position in this order: `<url>`,
/// `<email>`, `<uuid>`, `<date>` (ISO dates and date-times), `<time>`, `<ip>`
/// (IPv4 with an optional port, IPv6), quoted values (`"<str>"`, `'<str>'`,
/// `«<str>»`, `“<str>”`), `<duration>` (`250ms`, `3.5 s`), `<hex>` (`0x1f`,
/// Java's identity hash after `Class@`, 8+ hex digits with a digit and a letter), `<num>` (integers and decimals
/// not part of a word or a version: `v2`, `md5` and `1.2.3` stay). Whitespace runs become one space
/// and the result is cut to ``maxLength`` characters. Part of
/// ``ErrorSignature/algorithm``: changing it changes signature IDs.
final class MessageNormalizer {
    static let maxLength = 160
    private let regex: Regex

    private static let pattern = [
        #"(?<url>\b[a-z][a-z0-9+.-]*://[^\s"'<>]+)"#,
        #"(?<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"#,
        #"(?<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)"#,
        #"(?<date>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"#,
        #"(?<time>\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b)"#,
        #"(?<ip>\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b|\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b)"#,
        // Bytes, not characters: `[^»]` would exclude each byte of `»` (0xC2 0xBB), and
        // Cyrillic `л` is 0xD0 0xBB. The multi-byte quotes close lazily instead.
        #"(?<quoted>"[^"\n]{0,200}"|(?<![\w])'[^'\n]{0,200}'|«[^\n]{0,400}?»|“[^\n]{0,400}?”)"#,
        #"(?<duration>(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|s|secs?|seconds?|min|minutes?|h|hours?)\b)"#,
        // Java's `Object.toString`: `Order@5c9d96e`, the identity hash in 1 to 8 hex digits.
        #"(?<hex>\b0x[0-9a-f]+\b|(?<=[\w$]@)[0-9a-f]{1,8}\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b)"#,
        // Not `v2` or `1.2.3`, but `5.` at the end of a sentence is a number.
        #"(?<num>(?<![\w.])-?\d+(?:\.\d+)?(?!\w|\.\d))"#,
    ].joined(separator: "|")

    private static let placeholders: [(group: String, text: String)] = [
        ("url", "<url>"), ("email", "<email>"), ("uuid", "<uuid>"), ("date", "<date>"), ("time", "<time>"),
        ("ip", "<ip>"), ("duration", "<duration>"), ("hex", "<hex>"), ("num", "<num>"),
    ]

    init() throws {
        regex = try Regex(Self.pattern, caseInsensitive: true)
    }

    func normalize(_ message: String) -> String {
        let bytes = Array(message.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { p in
            var position = 0
            while position <= p.count, let match = regex.firstMatch(in: p, from: position), let whole = match[0] {
                out.append(contentsOf: p[position..<whole.lowerBound])
                if whole.isEmpty {
                    if whole.lowerBound < p.count { out.append(p[whole.lowerBound]) }
                    position = whole.lowerBound + 1
                    continue
                }
                out.append(contentsOf: placeholder(for: match, in: p, whole: whole).utf8)
                position = whole.upperBound
            }
            if position < p.count { out.append(contentsOf: p[position...]) }
        }
        return Self.collapse(String(decoding: out, as: UTF8.self))
    }

    private func placeholder(for match: [Range<Int>?], in p: UnsafeBufferPointer<UInt8>, whole: Range<Int>) -> String {
        if regex.range(named: "quoted", in: match) != nil {
            let open = String(decoding: p[whole.lowerBound..<(whole.lowerBound + 1)], as: UTF8.self)
            switch p[whole.lowerBound] {
            case UInt8(ascii: "\""): return "\"<str>\""
            case UInt8(ascii: "'"): return "'<str>'"
            default:
                // « or “ (multi-byte): keep the marks as written.
                let text = String(decoding: p[whole], as: UTF8.self)
                return (text.first.map(String.init) ?? open) + "<str>" + (text.last.map(String.init) ?? "")
            }
        }
        for (group, text) in Self.placeholders where regex.range(named: group, in: match) != nil { return text }
        return "<?>"
    }

    /// One space for each whitespace run, trimmed, at most ``maxLength`` characters.
    static func collapse(_ text: String) -> String {
        var result = ""
        // Characters appended so far: `String.count` walks the string each time.
        var count = 0
        var pendingSpace = false
        for c in text {
            if c.isWhitespace {
                pendingSpace = count > 0
                continue
            }
            if pendingSpace {
                if count + 1 >= maxLength { break }
                result.append(" ")
                count += 1
            }
            pendingSpace = false
            result.append(c)
            count += 1
            if count >= maxLength { break }
        }
        return result
    }
}
