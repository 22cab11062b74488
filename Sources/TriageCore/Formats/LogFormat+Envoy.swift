extension LogFormat {
    /// Envoy's default text access-log format (`DEFAULT_FORMAT` in
    /// `source/common/formatter/http_specific_formatter.cc`; Envoy access-log docs).
    public static let envoyDefault =
        #"[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%""#
    /// Istio's default since 1.9 (`%UPSTREAM_CLUSTER_RAW%` since 1.24: the same shape)
    /// [istio `pilot/pkg/model/telemetry_logging.go`].
    public static let istioDefault =
        #"[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%"#
    /// Istio 1.3 to 1.8: without the response code and connection termination details.
    public static let istioLegacy =
        #"[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%"#

    /// The addresses, cluster and route Istio writes after `"%UPSTREAM_HOST%"`.
    static let istioTail = " %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%"

    /// Envoy's text presets, in detection order.
    ///
    /// Istio's last six operators are read as one field (``FieldKind/istioTail``): only the
    /// downstream remote address there feeds the analysis (the client when
    /// `X-Forwarded-For` names none), and an empty one (`%ROUTE_NAME%` on a line without a
    /// route) must not make the line unreadable.
    public static var envoyPresets: [LogFormat] {
        let istio: [(String, String)] = [("istio", istioDefault), ("istio-1.3", istioLegacy)]
        let compiled = istio.compactMap { entry -> LogFormat? in
            guard entry.1.hasSuffix(istioTail) else { return nil }
            let head = String(entry.1.dropLast(istioTail.count))
            guard var format = try? envoy(head + " %ISTIO_TAIL%", name: entry.0) else { return nil }
            format.definition = entry.1
            return format
        }
        // Operators appended to the default format (`… "%UPSTREAM_HOST%" "%REQ(X-TAG)%"`) are
        // text after its last field: left unread and reported, never read into the upstream.
        var envoyText = try? envoy(envoyDefault, name: "envoy-text")
        envoyText?.allowsTrailingText = true
        return compiled + [envoyText].compactMap { $0 }
    }

    /// Envoy command operators with a meaning here; any other `%COMMAND%` is matched and ignored
    /// [Envoy access-log docs, "Command operators"].
    static let envoyCommandKinds: [String: FieldKind] = [
        "START_TIME": .timeISO8601, "RESPONSE_CODE": .statusOrNone, "RESPONSE_FLAGS": .proxyFlags,
        "RESPONSE_FLAGS_LONG": .proxyFlags,
        "RESPONSE_CODE_DETAILS": .proxyDetails,
        "BYTES_SENT": .bytesSent, "DURATION": .requestTimeMillis, "PROTOCOL": .protocolVersion,
        "UPSTREAM_HOST": .upstreamAddr, "DOWNSTREAM_REMOTE_ADDRESS": .remoteAddr,
        "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT": .remoteAddr, "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT": .remoteAddr,
        "STREAM_ID": .requestID,
        // Not Envoy's: the name `envoyPresets` gives Istio's last six operators.
        "ISTIO_TAIL": .istioTail,
    ]

    /// `%REQ(header)%` headers with a meaning.
    static let envoyRequestHeaderKinds: [String: FieldKind] = [
        ":method": .method, ":path": .requestURI, "x-envoy-original-path?:path": .requestURI,
        ":authority": .host, "host": .host, "user-agent": .userAgent, "referer": .referer,
        // The default formats log no client address but this one (a `, ` list; `-` when absent).
        "x-forwarded-for": .remoteAddr,
        "x-request-id": .requestID, "x-amzn-trace-id": .requestID, "x-correlation-id": .requestID,
    ]

    /// Compiles an Envoy access-log format in its `%COMMAND%` syntax
    /// (`[%START_TIME%] "%REQ(:METHOD)% …" %RESPONSE_CODE% %RESPONSE_FLAGS% …`).
    ///
    /// `%REQ(X?Y):N%` picks the header by name (`:N` truncation is accepted);
    /// `%START_TIME(…)%` with a custom layout is matched and ignored. A final
    /// newline in the format is dropped (lines come without it).
    ///
    /// - Throws: ``TriageError/invalidFormat(_:)`` naming the column of an unterminated operator.
    public static func envoy(_ definition: String, name: String = "custom") throws -> LogFormat {
        var text = definition
        while text.hasSuffix("\n") || text.hasSuffix("\\n") { text = String(text.dropLast(text.hasSuffix("\n") ? 1 : 2)) }
        let chars = Array(text)
        var elements: [FormatElement] = []
        var literal = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "%" else {
                literal.append(chars[i])
                i += 1
                continue
            }
            // %% is a literal percent sign; otherwise %COMMAND[(arg)][:N]%.
            if i + 1 < chars.count, chars[i + 1] == "%" {
                literal.append("%")
                i += 2
                continue
            }
            var j = i + 1
            var depth = 0
            while j < chars.count, !(chars[j] == "%" && depth == 0) {
                if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                j += 1
            }
            guard j < chars.count else {
                throw TriageError.invalidFormat("unterminated %COMMAND% in Envoy format at column \(i + 1)")
            }
            let command = String(chars[(i + 1)..<j])
            let written = "%" + command + "%"
            var kind = FieldKind.ignored
            if let open = command.firstIndex(of: "(") {
                let op = String(command[..<open])
                // The last ")" after the "(" (a ")" before it, as in `%A)B(C%`, closes nothing).
                let afterOpen = command.index(after: open)
                let close = command[afterOpen...].lastIndex(of: ")") ?? command.endIndex
                let argument = String(command[afterOpen..<close]).lowercased()
                if op == "REQ" { kind = envoyRequestHeaderKinds[argument] ?? .ignored }
            } else {
                kind = envoyCommandKinds[command] ?? .ignored
            }
            if !literal.isEmpty { elements.append(.literal(Array(literal.utf8))) }
            literal = ""
            // Headers are free text: they may hold spaces even unquoted.
            let isHeader = ["REQ(", "RESP(", "TRAILER("].contains { command.hasPrefix($0) }
            elements.append(.field(FormatField(kind: kind, name: written, mayHoldSpaces: isHeader)))
            i = j + 1
        }
        if !literal.isEmpty { elements.append(.literal(Array(literal.utf8))) }
        var format = LogFormat(name: name, dialect: .envoy, definition: definition, elements: elements,
                               allowsTrailingText: false)
        format.vocabulary = .envoy
        try format.validate()
        return format
    }
}
