extension LogFormat {
    /// Compiles an Apache `LogFormat` string (`%h %l %u %t "%r" %>s %b`).
    ///
    /// Handles `%%`, status conditions (`%400,501{User-agent}i`), the `<`/`>`
    /// modifiers, `%{…}` arguments and the backslash escapes of httpd.conf
    /// (`\"`, `\t`, `\n`, `\\`) so a line pasted from the config works.
    public static func apache(_ definition: String, name: String = "custom",
                              allowsTrailingText: Bool = false) throws -> LogFormat {
        let chars = Array(definition)
        var elements: [FormatElement] = []
        var literal = ""
        func flushLiteral() {
            if !literal.isEmpty { elements.append(.literal(Array(literal.utf8))) }
            literal = ""
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                switch chars[i + 1] {
                case "\"": literal.append("\"")
                case "t": literal.append("\t")
                case "n": literal.append("\n")
                case "\\": literal.append("\\")
                default: literal.append(c); literal.append(chars[i + 1])
                }
                i += 2
                continue
            }
            guard c == "%" else {
                literal.append(c)
                i += 1
                continue
            }
            let start = i
            i += 1
            guard i < chars.count else { throw TriageError.invalidFormat("'%' at the end of the Apache format") }
            if chars[i] == "%" {
                literal.append("%")
                i += 1
                continue
            }
            // Status condition: %400,501{…}i or %!200{…}i
            while i < chars.count, chars[i] == "!" || chars[i] == "," || chars[i].isNumber { i += 1 }
            while i < chars.count, chars[i] == "<" || chars[i] == ">" { i += 1 }
            var argument: String?
            if i < chars.count, chars[i] == "{" {
                guard let close = chars[i...].firstIndex(of: "}") else {
                    throw TriageError.invalidFormat("unterminated %{ in Apache format at column \(start + 1)")
                }
                argument = String(chars[(i + 1)..<close])
                i = close + 1
            }
            guard i < chars.count else {
                throw TriageError.invalidFormat("directive at column \(start + 1) has no letter")
            }
            let letter = chars[i]
            i += 1
            let written = String(chars[start..<i])
            flushLiteral()
            if letter == "t" && argument == nil {
                // %t writes its own brackets.
                elements.append(.literal(Array("[".utf8)))
                elements.append(.field(FormatField(kind: .timeCLF, name: written)))
                elements.append(.literal(Array("]".utf8)))
                continue
            }
            let field = try apacheField(letter: letter, argument: argument, written: written)
            elements.append(.field(field))
        }
        flushLiteral()
        elements = joinTimeParts(elements)
        let format = LogFormat(name: name, dialect: .apache, definition: definition, elements: elements,
                               allowsTrailingText: allowsTrailingText)
        try format.validate()
        return format
    }

    /// Apache writes a time with milliseconds or a zone in parts, each its own `%{…}t`
    /// (the manual's `[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]`): a run of them, with the
    /// literals between, becomes one time field, so the date, the fraction and the zone are
    /// read together (apart, the last part overwrote the others' time).
    static func joinTimeParts(_ elements: [FormatElement]) -> [FormatElement] {
        func timePart(_ element: FormatElement) -> (layout: TimeLayout?, fractionDigits: Int, written: String)? {
            guard case let .field(field) = element else { return nil }
            if field.kind == .timeCustom, let layout = field.timeLayout { return (layout, 0, field.name) }
            if field.kind == .ignored, field.name.hasSuffix("t"), field.name.contains("msec_frac") { return (nil, 3, field.name) }
            if field.kind == .ignored, field.name.hasSuffix("t"), field.name.contains("usec_frac") { return (nil, 6, field.name) }
            return nil
        }
        var out: [FormatElement] = []
        var i = 0
        while i < elements.count {
            guard let first = timePart(elements[i]), first.layout != nil else {
                out.append(elements[i])
                i += 1
                continue
            }
            var parts: [(literal: [UInt8], layout: TimeLayout?, fractionDigits: Int, written: String)] =
                [([], first.layout, first.fractionDigits, first.written)]
            var j = i + 1
            // A literal of at most a few bytes, then another part; or a part right after.
            while j < elements.count {
                if let next = timePart(elements[j]) {
                    parts.append(([], next.layout, next.fractionDigits, next.written))
                    j += 1
                } else if case let .literal(bytes) = elements[j], bytes.count <= 3, j + 1 < elements.count,
                          let next = timePart(elements[j + 1]) {
                    parts.append((bytes, next.layout, next.fractionDigits, next.written))
                    j += 2
                } else {
                    break
                }
            }
            if parts.count == 1 {
                out.append(elements[i])
            } else {
                let layout = TimeLayout.joined(parts)
                out.append(.field(FormatField(kind: .timeCustom, name: layout.specification, timeLayout: layout, mayHoldSpaces: false)))
            }
            i = j
        }
        return out
    }

    /// Accepts `LogFormat "…" nickname` as written in httpd.conf.
    static func apache(fromDirective line: String) throws -> LogFormat {
        let rest = line.dropFirst("LogFormat".count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "\"" else { throw TriageError.invalidFormat("expected a quoted format after LogFormat") }
        var body = ""
        var escaped = false
        var closed = false
        var nickname = Substring("")
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex {
            let c = rest[index]
            if escaped {
                body.append("\\")
                body.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                closed = true
                nickname = rest[rest.index(after: index)...]
                break
            } else {
                body.append(c)
            }
            index = rest.index(after: index)
        }
        guard closed else { throw TriageError.invalidFormat("unterminated quote in LogFormat") }
        let name = nickname.trimmingCharacters(in: " \t")
        return try apache(body, name: name.isEmpty ? "custom" : name)
    }

    private static func apacheField(letter: Character, argument: String?, written: String) throws -> FormatField {
        let kind: FieldKind
        var layout: TimeLayout?
        switch letter {
        case "h", "a": kind = .remoteAddr
        case "u": kind = .remoteUser
        case "r": kind = .request
        case "m": kind = .method
        case "U": kind = .path
        case "q": kind = .query
        case "H": kind = .protocolVersion
        case "s": kind = .status
        case "b", "B", "O": kind = .bytesSent
        case "D": kind = .requestTimeMicros
        case "T":
            switch argument {
            case "ms": kind = .requestTimeMillis
            case "us": kind = .requestTimeMicros
            default: kind = .requestTimeSeconds
            }
        case "v", "V": kind = .host
        case "L": kind = .requestID
        case "i": kind = apacheHeaderKinds[(argument ?? "").lowercased()] ?? .ignored
        case "e": kind = apacheEnvKinds[(argument ?? "").lowercased()] ?? .ignored
        case "t":
            var spec = argument ?? ""
            for prefix in ["begin:", "end:"] where spec.hasPrefix(prefix) { spec.removeFirst(prefix.count) }
            switch spec {
            case "sec": kind = .timeEpochSeconds
            case "msec": kind = .timeEpochMillis
            case "usec": kind = .timeEpochMicros
            case "msec_frac", "usec_frac": kind = .ignored
            default:
                kind = .timeCustom
                layout = try TimeLayout(strftime: spec)
            }
        case "l", "p", "P", "I", "S", "k", "X", "f", "R", "o", "n", "C", "c", "M": kind = .ignored
        case "^":
            throw TriageError.invalidFormat("Apache trailer directives (%^ti/%^to) are not supported: \(written)")
        default:
            throw TriageError.invalidFormat("unknown Apache directive \(written)")
        }
        // Headers, notes, cookies and environment variables are free text: they may hold spaces.
        let freeText = argument != nil && "ioeCn".contains(letter) && kind != .ignoredList
        return FormatField(kind: kind, name: written, timeLayout: layout, mayHoldSpaces: freeText)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
