extension LogFormat {
    /// The format strings behind the presets, in detection order.
    ///
    /// nginx `combined` and Apache `combined` write the same line, so one preset
    /// serves both. `upstream` is the usual upstream-aware production format
    /// (documented in Docs/Formats.md); `upstreaminfo` is ingress-nginx's.
    public static let presetDefinitions: [(name: String, dialect: Dialect, definition: String)] = [
        ("combined", .nginx,
         #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#),
        ("main", .nginx,
         #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#),
        ("upstream", .nginx,
         #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" us="$upstream_status" ua="$upstream_addr" rid=$request_id"#),
        ("upstreaminfo", .nginx,
         #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id"#),
        ("common", .apache, #"%h %l %u %t "%r" %>s %b"#),
        ("vhost_combined", .apache, #"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#),
    ]

    public static var presetNames: [String] { presetDefinitions.map(\.name) }

    /// The preset called `name`; presets tolerate extra trailing fields.
    public static func preset(named name: String) -> LogFormat? {
        guard let entry = presetDefinitions.first(where: { $0.name == name }) else {
            return dialectPresets.first { $0.name == name }
        }
        switch entry.dialect {
        case .nginx: return try? nginx(entry.definition, name: entry.name, allowsTrailingText: true)
        case .apache: return try? apache(entry.definition, name: entry.name, allowsTrailingText: true)
        case .json: return jsonPreset(named: entry.name)
        case .haproxy, .envoy, .aws: return nil
        }
    }

    /// Every preset detection tries: the text ones, then the JSON flavours.
    public static var presets: [LogFormat] { presetNames.compactMap { preset(named: $0) } + jsonPresets + dialectPresets }
}
