/// Reads `log_format` definitions out of nginx configuration text.
///
/// Follows nginx's own tokenizer where it matters: `#` comments, single and
/// double quotes with backslash escapes, and adjacent quoted strings of one
/// directive concatenated (`log_format main '$a ' '$b';`). The optional
/// `escape=` parameter is recorded. `include` is not followed.
public enum NginxConfig {
    public struct Definition: Equatable, Sendable {
        public var name: String
        public var escape: String
        public var definition: String
    }

    public static func logFormats(inFile path: String) throws -> [Definition] {
        guard let bytes = try FileDescriptorSource.readAll(path, limit: 16 << 20) else {
            throw TriageError.nginxConfig(path: path, reason: "file is larger than 16 MiB")
        }
        return try logFormats(in: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// The `log_format` directives of `text`, in order.
    public static func logFormats(in text: String, path: String) throws -> [Definition] {
        var result: [Definition] = []
        for directive in try directives(text, path: path) where directive.first == "log_format" {
            var words = directive.dropFirst()
            guard let name = words.first else {
                throw TriageError.nginxConfig(path: path, reason: "log_format without a name")
            }
            words = words.dropFirst()
            var escape = "default"
            if let first = words.first, first.hasPrefix("escape=") {
                escape = String(first.dropFirst("escape=".count))
                words = words.dropFirst()
            }
            guard !words.isEmpty else {
                throw TriageError.nginxConfig(path: path, reason: "log_format \(name) has no format string")
            }
            result.append(Definition(name: name, escape: escape, definition: words.joined()))
        }
        return result
    }

    /// Splits configuration text into directives (lists of words), ignoring blocks' structure.
    static func directives(_ text: String, path: String) throws -> [[String]] {
        var result: [[String]] = []
        var words: [String] = []
        var word = ""
        var hasWord = false
        var chars = Array(text.unicodeScalars)[...]
        var line = 1
        func endWord() {
            if hasWord { words.append(word) }
            word = ""
            hasWord = false
        }
        while let c = chars.first {
            chars = chars.dropFirst()
            switch c {
            case "\n":
                line += 1
                endWord()
            case " ", "\t", "\r":
                endWord()
            case "#" where !hasWord:
                while let d = chars.first, d != "\n" { chars = chars.dropFirst() }
            case ";":
                endWord()
                if !words.isEmpty { result.append(words) }
                words = []
            case "{", "}":
                endWord()
                words = []
            case "'", "\"":
                endWord()
                var quoted = ""
                var closed = false
                while let d = chars.first {
                    chars = chars.dropFirst()
                    if d == "\\", let e = chars.first {
                        chars = chars.dropFirst()
                        if e == c || e == "\\" { quoted.unicodeScalars.append(e) } else {
                            quoted.unicodeScalars.append(d)
                            quoted.unicodeScalars.append(e)
                        }
                        continue
                    }
                    if d == c { closed = true; break }
                    if d == "\n" { line += 1 }
                    quoted.unicodeScalars.append(d)
                }
                guard closed else { throw TriageError.nginxConfig(path: path, reason: "unterminated quote near line \(line)") }
                words.append(quoted)
            default:
                word.unicodeScalars.append(c)
                hasWord = true
            }
        }
        endWord()
        if words.first == "log_format" {
            throw TriageError.nginxConfig(path: path, reason: "log_format at the end is missing its ';'")
        }
        return result
    }
}
