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
        // ingress-nginx before 0.26 (PR #4557): `$the_real_ip - [$the_real_ip] - …`; 0.25 added the
        // alternative upstream. The request ID ($req_id, from 0.15) is read as a tail when present.
        ("upstreaminfo-0.25", .nginx,
         #"$remote_addr - [$the_real_ip] - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status"#),
        ("upstreaminfo-0.24", .nginx,
         #"$remote_addr - [$the_real_ip] - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status"#),
        // Nginx Proxy Manager's own formats (docker/rootfs/etc/nginx/conf.d/include/log-proxy.conf):
        // `proxy` for proxy hosts, `standard` for redirections and 404 hosts. `$server` is the
        // forward host NPM sets for each proxy host, without a port: matched, not read as
        // `$upstream_addr` (an address without a port is what nginx writes for a group with
        // no live server left, and would make every failure "unavailable").
        ("npm-proxy", .nginx,
         #"[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] [Sent-to $server] "$http_user_agent" "$http_referer""#),
        ("npm-standard", .nginx,
         #"[$time_local] $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] "$http_user_agent" "$http_referer""#),
        ("common", .apache, #"%h %l %u %t "%r" %>s %b"#),
        ("vhost_combined", .apache, #"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#),
    ]

    public static var presetNames: [String] { presetDefinitions.map(\.name) }

    /// The preset called `name`; presets tolerate extra trailing fields.
    public static func preset(named name: String) -> LogFormat? {
        guard let entry = presetDefinitions.first(where: { $0.name == name }) else {
            return compiledDialectPresets.first { $0.name == name }
        }
        var format: LogFormat?
        switch entry.dialect {
        case .nginx: format = try? nginx(entry.definition, name: entry.name, allowsTrailingText: true)
        case .apache: format = try? apache(entry.definition, name: entry.name, allowsTrailingText: true)
        case .json: return jsonPreset(named: entry.name)
        case .haproxy, .envoy, .aws, .heroku, .logfmt: return nil
        }
        if let servers = presetServers[name] { format?.servers = servers }
        return format
    }

    /// Who writes each text preset when more than its dialect says: `combined` and
    /// `common` are nginx's, Apache's and Tomcat's alike.
    static let presetServers: [String: [LogServer]] = [
        "combined": [.nginx, .apache, .tomcat], "common": [.apache, .tomcat, .nginx],
    ]

    /// Every preset detection tries: the text ones, then the JSON flavours.
    public static var presets: [LogFormat] { compiledPresets }

    /// Compiled once per process: compiling the ~40 format strings cost about 5 M
    /// instructions, paid again for every input detected (and every `preset(named:)`).
    private static let compiledPresets: [LogFormat] =
        presetNames.compactMap { preset(named: $0) } + jsonPresets + dialectPresets
}
