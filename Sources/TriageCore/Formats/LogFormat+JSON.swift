extension LogFormat {
    /// JSON access-log flavours, in detection order: each maps the paths its
    /// server writes. Several paths may feed one field (older and newer key
    /// names); the last one present in a line wins.
    public static let jsonPresetDefinitions: [(name: String, fields: [(String, FieldKind)])] = [
        ("caddy", [
            ("status", .status), ("request.method", .method), ("request.uri", .requestURI),
            ("request.proto", .protocolVersion), ("request.host", .host),
            ("request.remote_addr", .remoteAddr), ("request.remote_ip", .remoteAddr), ("request.client_ip", .remoteAddr),
            ("ts", .timeAuto), ("duration", .requestTimeSeconds), ("size", .bytesSent),
            ("request.headers.User-Agent.0", .userAgent), ("request.headers.Referer.0", .referer),
            ("request.headers.X-Request-Id.0", .requestID), ("request.headers.X-Request-ID.0", .requestID),
            ("logger", .eventLogger),
        ]),
        ("traefik", [
            ("DownstreamStatus", .status), ("OriginStatus", .upstreamStatus),
            ("ServiceURL", .upstreamAddr), ("ServiceAddr", .upstreamAddr), ("ServiceName", .upstreamName),
            ("RetryAttempts", .retries),
            ("RequestMethod", .method), ("RequestPath", .requestURI), ("RequestProtocol", .protocolVersion),
            ("RequestHost", .host), ("ClientHost", .remoteAddr), ("StartUTC", .timeAuto), ("StartLocal", .timeAuto),
            ("time", .timeFallback),
            ("Duration", .requestTimeNanos), ("DownstreamContentSize", .bytesSent),
            ("request_User-Agent", .userAgent), ("request_Referer", .referer), ("request_X-Request-Id", .requestID),
        ]),
        // Istio's JSON (`path`, `authority`, `x_forwarded_for`) and Envoy Gateway's default
        // (`x-envoy-origin-path`, `:authority`, `x-forwarded-for`, header names as keys).
        ("envoy", [
            ("response_code", .status), ("response_flags", .proxyFlags), ("response_code_details", .proxyDetails),
            ("upstream_host", .upstreamAddr),
            ("method", .method), ("path", .requestURI), ("x-envoy-origin-path", .requestURI),
            ("protocol", .protocolVersion), ("authority", .host), (":authority", .host),
            ("downstream_remote_address", .remoteAddrWithPort), ("x_forwarded_for", .forwardedFor),
            ("x-forwarded-for", .forwardedFor), ("start_time", .timeAuto), ("duration", .requestTimeMillis),
            ("bytes_sent", .bytesSent), ("user_agent", .userAgent), ("user-agent", .userAgent), ("request_id", .requestID),
            ("x_request_id", .requestID), ("x-request-id", .requestID),
        ]),
        ("nginx-json", [
            ("status", .status), ("request", .request), ("request_method", .method), ("method", .method),
            ("request_uri", .requestURI), ("uri", .path), ("remote_addr", .remoteAddr), ("client", .remoteAddr),
            ("time_local", .timeAuto), ("time_iso8601", .timeAuto), ("time", .timeAuto), ("timestamp", .timeAuto),
            ("msec", .timeAuto), ("@timestamp", .timeAuto),
            ("request_time", .requestTimeSeconds), ("upstream_status", .upstreamStatus), ("upstream_addr", .upstreamAddr),
            ("upstream_connect_time", .upstreamConnectTime), ("upstream_header_time", .upstreamHeaderTime),
            ("upstream_response_time", .upstreamResponseTime), ("request_id", .requestID), ("req_id", .requestID),
            ("http_user_agent", .userAgent), ("user_agent", .userAgent), ("http_referer", .referer),
            ("referer", .referer), ("host", .host), ("body_bytes_sent", .bytesSent), ("bytes_sent", .bytesSent),
            ("upstream_cache_status", .cacheStatus), ("cache_status", .cacheStatus),
            // ingress-nginx's `log-format-upstream` JSON example (`"path": "$uri"`,
            // `"request_query": "$args"`, `"vhost": "$host"`…). Its `"duration": $request_time`
            // repeats `request_time`; a generic `duration` key is left alone (other JSON writes
            // milliseconds or a text there).
            ("path", .path), ("request_query", .query), ("vhost", .host), ("request_proto", .protocolVersion),
            ("server_protocol", .protocolVersion), ("http_referrer", .referer),
            ("x_forwarded_for", .forwardedFor), ("x-forward-for", .forwardedFor),
        ]),
    ]

    public static var jsonPresetNames: [String] { jsonPresetDefinitions.map(\.name) + ["json"] }

    /// A JSON flavour by name; `json` is the generic one (nginx-json's key names).
    public static func jsonPreset(named name: String) -> LogFormat? { compiledJSONPresets[name] }

    /// Every JSON preset by name, compiled once per process (see ``presets``).
    private static let compiledJSONPresets: [String: LogFormat] = Dictionary(
        jsonPresetNames.compactMap { name in compileJSONPreset(named: name).map { (name, $0) } },
        uniquingKeysWith: { first, _ in first })

    private static func compileJSONPreset(named name: String) -> LogFormat? {
        let key = name == "json" ? "nginx-json" : name
        guard let entry = jsonPresetDefinitions.first(where: { $0.name == key }) else { return nil }
        var format = try? json(name: name, fields: entry.fields.map { JSONField(path: $0.0, kind: $0.1) })
        format?.servers = LogServer(rawValue: key).map { [$0] } ?? [.nginx]
        return format
    }

    public static var jsonPresets: [LogFormat] { jsonPresetDefinitions.compactMap { jsonPreset(named: $0.name) } }

    public static func json(name: String, fields: [JSONField]) throws -> LogFormat {
        var format = LogFormat(name: name, dialect: .json, definition: fields.map { "\($0.path)=\($0.kind)" }.joined(separator: " "),
                               elements: [], allowsTrailingText: false)
        format.jsonFields = fields
        try format.validate()
        return format
    }

    /// Field names accepted by `--field NAME=PATH`.
    public static let jsonFieldNames: [String: FieldKind] = [
        "status": .status, "time": .timeAuto, "method": .method, "uri": .requestURI, "path": .path,
        "request": .request, "client": .remoteAddr, "remote_addr": .remoteAddr, "request_id": .requestID,
        "upstream_addr": .upstreamAddr, "upstream_status": .upstreamStatus, "duration": .requestTimeSeconds,
        "duration_ms": .requestTimeMillis, "duration_us": .requestTimeMicros, "duration_ns": .requestTimeNanos,
        "user_agent": .userAgent, "referer": .referer, "host": .host, "response_flags": .proxyFlags, "response_code_details": .proxyDetails,
        "bytes": .bytesSent, "cache_status": .cacheStatus, "forwarded_for": .forwardedFor,
    ]

    /// `base` with `--field NAME=PATH` mappings added (they win over the base's).
    public static func json(base: LogFormat?, overrides: [String]) throws -> LogFormat {
        var fields = base?.jsonFields ?? []
        for spec in overrides {
            guard let eq = spec.firstIndex(of: "=") else {
                throw TriageError.invalidFormat("--field '\(spec)' needs the form NAME=PATH (e.g. status=resp.code)")
            }
            let name = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            guard let kind = jsonFieldNames[name.lowercased()] else {
                throw TriageError.invalidFormat("--field: unknown field '\(name)'; known: \(jsonFieldNames.keys.sorted().joined(separator: ", "))")
            }
            guard !path.isEmpty else { throw TriageError.invalidFormat("--field \(name)= needs a path") }
            fields.removeAll { $0.kind == kind }
            fields.append(JSONField(path: path, kind: kind))
        }
        return try json(name: base.map { $0.name + "+fields" } ?? "json+fields", fields: fields)
    }
}
