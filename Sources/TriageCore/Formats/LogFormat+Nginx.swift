extension LogFormat {
    /// Compiles an nginx `log_format` string (`$remote_addr - [$time_local] …`).
    ///
    /// `$name` and `${name}` are variables; everything else is literal. Unknown
    /// variables are matched but ignored.
    public static func nginx(_ definition: String, name: String = "custom",
                             allowsTrailingText: Bool = false) throws -> LogFormat {
        let bytes = Array(definition.utf8)
        var elements: [FormatElement] = []
        var literal: [UInt8] = []
        var i = 0
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
        }
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "$") else {
                literal.append(b)
                i += 1
                continue
            }
            var j = i + 1
            var variable: String
            if j < bytes.count && bytes[j] == UInt8(ascii: "{") {
                guard let close = bytes[j...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw TriageError.invalidFormat("unterminated ${ in nginx format at column \(i + 1)")
                }
                variable = String(decoding: bytes[(j + 1)..<close], as: UTF8.self)
                j = close + 1
            } else {
                let start = j
                while j < bytes.count && isNameByte(bytes[j]) { j += 1 }
                variable = String(decoding: bytes[start..<j], as: UTF8.self)
            }
            guard !variable.isEmpty else {
                throw TriageError.invalidFormat("'$' without a variable name at column \(i + 1)")
            }
            if !literal.isEmpty {
                elements.append(.literal(literal))
                literal = []
            }
            let lowered = variable.lowercased()
            let kind = nginxVariableKinds[lowered] ?? (lowered.hasPrefix("upstream_") ? .ignoredList : .ignored)
            // Headers and cookies are free text: they may hold spaces even unquoted.
            let freeText = ["http_", "sent_http_", "cookie_", "upstream_http_", "upstream_cookie_"].contains { lowered.hasPrefix($0) }
                && kind != .ignoredList
            elements.append(.field(FormatField(kind: kind, name: "$" + variable, mayHoldSpaces: freeText)))
            i = j
        }
        if !literal.isEmpty { elements.append(.literal(literal)) }
        let format = LogFormat(name: name, dialect: .nginx, definition: definition, elements: elements,
                               allowsTrailingText: allowsTrailingText)
        try format.validate()
        return format
    }

    /// Rejects formats no line could be matched against unambiguously.
    func validate() throws {
        guard !fields.isEmpty else { throw TriageError.invalidFormat("the format has no fields: '\(definition)'") }
        guard hasStatus else {
            if dialect == .json { throw TriageError.invalidFormat("the JSON format maps no status field (--field status=PATH)") }
            let status: String
            switch dialect {
            case .haproxy: status = "%ST"
            case .envoy: status = "%RESPONSE_CODE%"
            case .apache: status = "%>s or %s"
            default: status = "$status"
            }
            throw TriageError.invalidFormat("the format has no status field (\(status)): '\(definition)'")
        }
        var previousWasField = false
        for element in elements where dialect != .json {
            if case let .field(field) = element {
                if previousWasField {
                    throw TriageError.invalidFormat(
                        "field \(field.name) follows another field with nothing between them, so their boundary cannot be found")
                }
                previousWasField = true
            } else {
                previousWasField = false
            }
        }
    }
}
