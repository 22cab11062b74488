/// What to add to each server's configuration so that its log tells more:
/// the upstream evidence that decides a 5xx's class, and a request ID that
/// joins it to application logs. Each line is in the server's own syntax,
/// ready to paste; a hint names only the servers that write the input's format.
public enum ConfigHints {
    /// A config line that logs upstream evidence, per server; nil where the log has it by default.
    public static func upstreamFields(_ server: LogServer) -> String? {
        switch server {
        case .nginx:
            return #"nginx: log_format upstream '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" us="$upstream_status" ua="$upstream_addr" rid=$request_id'; access_log /var/log/nginx/access.log upstream;"#
        case .apache:
            return #"Apache (mod_proxy logs no backend status; log the time taken, the balancer worker and an ID): LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %{UNIQUE_ID}e %{BALANCER_WORKER_NAME}e" proxied"#
        case .tomcat:
            return nil // Tomcat is the application itself: its 5xx are the origin's.
        case .caddy:
            return nil // Caddy's access log has no upstream fields triage reads (Docs/Formats.md).
        case .envoy:
            return "Envoy: keep %RESPONSE_FLAGS% and %UPSTREAM_HOST% in the access log format (both are in the default format)"
        case .haproxy:
            return "HAProxy: option httplog (its termination state %tsc and timers say who failed)"
        case .traefik:
            return "Traefik: --accesslog.format=json (OriginStatus and ServiceURL tell the backend's answer from Traefik's own)"
        case .alb, .elb, .heroku, .generic:
            return nil
        }
    }

    /// A config line that logs a request ID, per server.
    public static func requestID(_ server: LogServer) -> String? {
        switch server {
        case .nginx:
            return "nginx: add rid=$request_id to the log_format and proxy_set_header X-Request-ID $request_id; so the application logs the same ID"
        case .apache:
            return #"Apache: with mod_unique_id, add %{UNIQUE_ID}e (or %{X-Request-ID}i when a proxy in front sets it) to the LogFormat, and RequestHeader set X-Request-ID "%{UNIQUE_ID}e""#
        case .tomcat:
            return #"Tomcat: add %{X-Request-ID}i to the AccessLogValve pattern (pattern="%h %l %u %t &quot;%r&quot; %s %b %D %{X-Request-ID}i")"#
        case .caddy:
            return "Caddy: request_header X-Request-ID {http.request.uuid} (the access log then carries request.headers.X-Request-Id)"
        case .envoy:
            return #"Envoy: add "%REQ(X-REQUEST-ID)%" to the access log format (Envoy sets the header itself)"#
        case .haproxy:
            return #"HAProxy: unique-id-format %{+X}o\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid, unique-id-header X-Request-ID, and %ID in the log-format"#
        case .traefik:
            return "Traefik: --accesslog.fields.headers.names.X-Request-Id=keep (with a middleware or the client setting the header)"
        case .alb, .elb, .heroku, .generic:
            return nil
        }
    }

    /// The lines for `servers` (a format several servers write gets one line each), joined.
    static func lines(_ servers: [LogServer], _ line: (LogServer) -> String?) -> String? {
        let found = servers.compactMap(line)
        return found.isEmpty ? nil : found.joined(separator: " · ")
    }
}
