extension LogFormat {
    /// `option httplog` since HAProxy 1.7 [HAProxy configuration manual §8.2.3, `src/log.c`].
    public static let haproxyHTTPLog =
        #"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"#
    /// `option httpslog` since HAProxy 2.5: `httplog` and the connection's TLS errors,
    /// SNI, version and cipher [`src/log.c`, `default_https_log_format`].
    public static let haproxyHTTPSLog = haproxyHTTPLog
        + #" %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc"#
    /// `option httplog` in HAProxy 1.5 and 1.6 (`%Tq` and `%Tt`, `%t`).
    public static let haproxyHTTPLogLegacy =
        #"%ci:%cp [%t] %ft %b/%s %Tq/%Tw/%Tc/%Tr/%Tt %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"#

    /// HAProxy's presets, in detection order.
    public static var haproxyPresets: [LogFormat] {
        [("haproxy", haproxyHTTPLog), ("haproxy-https", haproxyHTTPSLog), ("haproxy-1.5", haproxyHTTPLogLegacy)].compactMap { entry in
            // Presets accept fields after their last one (a `log-format` of httplog plus `%ID`),
            // as the nginx and Apache presets do; a user's own format must match whole lines.
            var format = try? haproxy(entry.1, name: entry.0)
            format?.allowsTrailingText = true
            return format
        }
    }

    /// HAProxy log-format variables with a meaning here; any other `%xx` is matched and ignored
    /// [HAProxy configuration manual §8.2.6].
    static let haproxyVariableKinds: [String: FieldKind] = [
        "ci": .remoteAddr, "cp": .portNumber, "fi": .ignored, "fp": .portNumber,
        "tr": .timeCLFLocal, "t": .timeCLFLocal, "trl": .timeCLFLocal, "tl": .timeCLFLocal,
        "trg": .timeCLF, "T": .timeCLF, "Ts": .timeEpochSeconds,
        "ft": .ignored, "f": .ignored, "b": .ignored, "s": .upstreamAddr, "si": .upstreamAddr, "sp": .portNumber,
        "TR": .timerMillis, "Tq": .timerMillis, "Tw": .timerMillis, "Tc": .timerMillis, "Tr": .timerMillis,
        "Th": .timerMillis, "Ti": .timerMillis, "Td": .timerMillis,
        "Ta": .requestTimeMillisLoose, "Tt": .requestTimeMillisLoose,
        "ST": .statusOrNone, "B": .bytesSentLoose, "U": .ignored,
        "CC": .ignored, "CS": .ignored, "tsc": .proxyFlags, "ts": .proxyFlags,
        "ac": .timerMillis, "fc": .timerMillis, "bc": .timerMillis, "sc": .timerMillis, "rc": .retries,
        "sq": .timerMillis, "bq": .timerMillis,
        "r": .request, "HM": .method, "HU": .requestURI, "HP": .path, "HPO": .path, "HQ": .query, "HV": .protocolVersion,
        "ID": .requestID, "H": .host,
    ]

    /// Variables whose value may be empty (header captures not configured):
    /// HAProxy then writes no separator for them either.
    static let haproxyCaptureVariables: Set<String> = ["hr", "hs", "hrl", "hsl"]

    /// Compiles an HAProxy `log-format` string (`%ci:%cp [%tr] … %ST … %tsc … %{+Q}r`).
    ///
    /// `%{+Q}x` quotes a value; `%[sample]` fetches are matched and ignored, except
    /// `%[unique-id]` (a request ID). Header captures (`%hr %hs`) become one field
    /// that may be empty, with the spaces around it: HAProxy writes nothing for a
    /// capture that is not configured and does not repeat the separator.
    ///
    /// - Throws: ``TriageError/invalidFormat(_:)`` naming the column of a bad directive.
    public static func haproxy(_ definition: String, name: String = "custom") throws -> LogFormat {
        let chars = Array(definition)
        var elements: [FormatElement] = []
        var literal = ""
        var pendingCaptures = false
        func flushLiteral() {
            if !literal.isEmpty { elements.append(.literal(Array(literal.utf8))) }
            literal = ""
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                literal.append(chars[i + 1])
                i += 2
                continue
            }
            guard c == "%" else {
                // Spaces after captures belong to the (possibly empty) capture field.
                if pendingCaptures && c == " " {
                    i += 1
                    continue
                }
                literal.append(c)
                pendingCaptures = false
                i += 1
                continue
            }
            let start = i
            i += 1
            guard i < chars.count else { throw TriageError.invalidFormat("'%' at the end of the HAProxy format") }
            if chars[i] == "%" {
                literal.append("%")
                i += 1
                continue
            }
            var quoted = false
            if chars[i] == "{" {
                guard let close = chars[i...].firstIndex(of: "}") else {
                    throw TriageError.invalidFormat("unterminated %{ in HAProxy format at column \(start + 1)")
                }
                let flags = String(chars[(i + 1)..<close])
                quoted = flags.split(separator: ",").contains { $0 == "+Q" }
                i = close + 1
            }
            var name = ""
            var kind = FieldKind.ignored
            if i < chars.count, chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else {
                    throw TriageError.invalidFormat("unterminated %[ in HAProxy format at column \(start + 1)")
                }
                name = String(chars[(i + 1)..<close])
                if name == "unique-id" || name.hasPrefix("req.hdr(x-request-id") || name.hasPrefix("req.hdr(X-Request-ID") {
                    kind = .requestID
                }
                i = close + 1
            } else {
                let nameStart = i
                while i < chars.count, chars[i].isLetter { i += 1 }
                name = String(chars[nameStart..<i])
                guard !name.isEmpty else { throw TriageError.invalidFormat("'%' without a variable at column \(start + 1)") }
                kind = haproxyVariableKinds[name] ?? .ignored
            }
            let written = String(chars[start..<i])
            if haproxyCaptureVariables.contains(name) {
                if !pendingCaptures {
                    // One field for every capture in a row; it ends where the next literal starts.
                    flushLiteral()
                    elements.append(.field(FormatField(kind: .headerCaptures, name: "%hr %hs (header captures)", mayHoldSpaces: true)))
                    pendingCaptures = true
                }
                continue
            }
            if pendingCaptures {
                pendingCaptures = false
            }
            if quoted { literal.append("\"") }
            flushLiteral()
            // A sample fetch (`%[req.hdr(…)]`) is free text: it may hold spaces.
            elements.append(.field(FormatField(kind: kind, name: written, mayHoldSpaces: written.hasPrefix("%["))))
            if quoted { literal.append("\"") }
        }
        flushLiteral()
        // `%ci:%cp` is one field split at its last colon: HAProxy writes IPv6 clients without brackets.
        var joined: [FormatElement] = []
        var k = 0
        while k < elements.count {
            if k + 2 < elements.count, case let .field(address) = elements[k], address.kind == .remoteAddr,
               case let .literal(colon) = elements[k + 2 - 1], colon == [UInt8(ascii: ":")],
               case let .field(port) = elements[k + 2], port.kind == .portNumber {
                joined.append(.field(FormatField(kind: .remoteAddrWithPort, name: address.name + ":" + port.name)))
                k += 3
                continue
            }
            joined.append(elements[k])
            k += 1
        }
        elements = joined
        var format = LogFormat(name: name, dialect: .haproxy, definition: definition, elements: elements,
                               allowsTrailingText: false)
        format.vocabulary = .haproxy
        try format.validate()
        return format
    }
}
