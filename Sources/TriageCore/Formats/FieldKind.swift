/// What a log-format variable means to `triage`.
///
/// Variables that do not feed the analysis are `.ignored`: they are still
/// matched (so the line's shape is checked) but not stored.
public enum FieldKind: UInt8, CaseIterable, Sendable {
    case ignored
    /// An ignored variable whose value may be a list (`$upstream_response_length`).
    case ignoredList
    case remoteAddr, remoteUser
    case timeCLF, timeISO8601, timeEpochSeconds, timeEpochMillis, timeEpochMicros, timeCustom
    case request, method, requestURI, path, query, protocolVersion
    case status, bytesSent
    case requestTimeSeconds, requestTimeMillis, requestTimeMicros, requestTimeNanos
    /// A time in whatever form a JSON log writes it: epoch number (s, ms, µs, ns) or ISO / CLF text.
    case timeAuto
    /// Proxy response flags (Envoy's `%RESPONSE_FLAGS%`: `UF`, `UH`, `UT`, `URX`, `DC`…).
    case proxyFlags
    case upstreamAddr, upstreamStatus, upstreamConnectTime, upstreamHeaderTime, upstreamResponseTime
    case requestID, referer, userAgent, host
    /// A CLF time without a zone, with optional milliseconds (HAProxy `%tr`), in `--log-timezone`.
    case timeCLFLocal
    /// A status, or `-1` for "no response sent" (HAProxy `%ST`), read as 0.
    case statusOrNone
    /// A proxy timer in ms, `-1` when the phase never completed, maybe `+`-prefixed
    /// (HAProxy `logasap`): checked, not stored.
    case timerMillis
    /// The total time in ms, maybe `+`-prefixed (HAProxy `%Ta`, `%Tt`).
    case requestTimeMillisLoose
    /// A byte count maybe `+`-prefixed (HAProxy `%B` with `logasap`).
    case bytesSentLoose
    /// Connection retries, `+N` when redispatched (HAProxy `%rc`).
    case retries
    /// A port number: checked, not stored.
    case portNumber
    /// A client `address:port` (HAProxy `%ci:%cp`, AWS `client:port`): the address is what
    /// comes before the last `:`, so an IPv6 address without brackets keeps its colons.
    case remoteAddrWithPort
    /// A duration in seconds with a fraction, `-1` when there was none (AWS `*_processing_time`):
    /// the request's duration is the sum of a line's timers, unknown when one is -1.
    case timerSeconds
    /// logfmt values, quoted or bare (`path="/a b"`, `path=/a`): the request target,
    /// the client (`fwd=`, first of a list), and milliseconds with an `ms` suffix, maybe empty.
    case logfmtTarget, logfmtClient, logfmtMillis
    /// Why the proxy gave its status, in words (Envoy's `%RESPONSE_CODE_DETAILS%`:
    /// `via_upstream`, `upstream_reset_before_response_started{connection_failure}`).
    case proxyDetails
    /// How a cache answered (`$upstream_cache_status`: HIT, STALE, MISS…; a CDN's cache field).
    case cacheStatus
    /// A time read only when the line has no other time field (in any order): Traefik's
    /// `time`, when the entry was written, behind `StartUTC`, when the request started.
    case timeFallback
    /// The upstream's name, its address when the line logs none: Traefik's `ServiceName`
    /// (a request the load balancer found no server for has no `ServiceURL`).
    case upstreamName
    /// The logger that wrote a JSON event (Caddy's `logger`): an error logger's event
    /// (`http.log.error…`) repeats a failed request's status, but is not an access entry.
    case eventLogger
    /// HAProxy's captured headers (`%hr %hs`: `{h1|h2} {r1}`, maybe absent): a captured
    /// `X-Request-ID` (an element shaped like a request ID) is the request ID.
    case headerCaptures
    /// The upstream's host without a port (Nginx Proxy Manager's `$server`, the forward
    /// host every attempt went to): named as the upstream, never nginx's group-name sign.
    case upstreamHost
    /// Istio's last six operators read as one field (cluster, upstream local, downstream local,
    /// downstream remote address, SNI, route): the downstream remote address, without its
    /// port, is the client when `X-Forwarded-For` names none (a sidecar's mesh traffic).
    case istioTail
    /// An X-Forwarded-For list in a JSON log (Envoy's `x-forwarded-for`, Istio's and
    /// ingress-nginx's `x_forwarded_for`): its first address, when there is one, is the
    /// client, over the connection's address (`downstream_remote_address`, `remote_addr`).
    case forwardedFor

    /// nginx and proxies write several attempts as `a, b` or `a : b`.
    var isList: Bool {
        switch self {
        case .upstreamAddr, .upstreamStatus, .upstreamConnectTime, .upstreamHeaderTime,
             .upstreamResponseTime, .remoteAddr, .ignoredList, .forwardedFor:
            return true
        default:
            return false
        }
    }

    /// Values of this kind are an optional `+` or `-` and digits (`-` alone for none):
    /// `RecordParser` finds where such a token ends with a digit scan.
    var isSignedDigits: Bool {
        switch self {
        case .status, .statusOrNone, .bytesSent, .bytesSentLoose, .timerMillis, .retries, .portNumber,
             .requestTimeMillisLoose:
            return true
        default:
            return false
        }
    }

    /// Values of this kind may hold spaces wherever they stand (a CLF time, a request line).
    var mayHoldSpaces: Bool {
        switch self {
        case .request, .userAgent, .referer, .timeCLF, .timeCustom, .timeAuto, .istioTail: return true
        default: return false
        }
    }

    var isTime: Bool {
        switch self {
        case .timeCLF, .timeISO8601, .timeEpochSeconds, .timeEpochMillis, .timeEpochMicros, .timeCustom, .timeAuto,
             .timeCLFLocal, .timeFallback: return true
        default: return false
        }
    }

    var isUpstream: Bool {
        switch self {
        case .upstreamAddr, .upstreamStatus, .upstreamConnectTime, .upstreamHeaderTime, .upstreamResponseTime, .proxyFlags,
             .proxyDetails, .upstreamName, .upstreamHost:
            return true
        default: return false
        }
    }

    /// What a value of this kind must look like, for error messages.
    var expectation: String {
        switch self {
        case .status: return "a 3-digit HTTP status"
        case .bytesSent: return "a byte count or '-'"
        case .timeCLF: return "a time like 21/Nov/2026:10:00:00 +0000"
        case .timeISO8601: return "an ISO 8601 time like 2026-11-21T10:00:00+00:00"
        case .timeEpochSeconds, .timeEpochMillis, .timeEpochMicros: return "a Unix timestamp"
        case .timeCustom: return "a time in the format's layout"
        case .requestTimeSeconds, .requestTimeMillis, .requestTimeMicros, .requestTimeNanos: return "a duration or '-'"
        case .timeAuto, .timeFallback: return "a time (epoch number, ISO 8601 or CLF text)"
        case .remoteAddr: return "a client address (IP or host name, or a ', ' list)"
        case .remoteUser: return "a user name without spaces or '-'"
        case .timeCLFLocal: return "a time like 06/Feb/2009:12:14:14.655"
        case .statusOrNone: return "a 3-digit HTTP status or -1"
        case .timerMillis, .requestTimeMillisLoose: return "milliseconds or -1"
        case .timerSeconds: return "seconds or -1"
        case .logfmtMillis: return "milliseconds like 30000ms or 30000, or nothing"
        case .logfmtClient: return "a client address, quoted or bare"
        case .bytesSentLoose: return "a byte count"
        case .retries: return "a retry count (+N when redispatched)"
        case .portNumber: return "a port number"
        case .remoteAddrWithPort: return "a client address and port (address:port)"
        case .forwardedFor: return "an X-Forwarded-For list of addresses"
        case .proxyFlags: return "proxy flags or a termination state"
        default: return "a value"
        }
    }
}

/// nginx variables `triage` understands; any other variable is matched and ignored.
let nginxVariableKinds: [String: FieldKind] = [
    "remote_addr": .remoteAddr, "realip_remote_addr": .remoteAddr, "binary_remote_addr": .ignored,
    "remote_user": .remoteUser,
    "time_local": .timeCLF, "time_iso8601": .timeISO8601, "msec": .timeEpochSeconds,
    "request": .request, "request_method": .method, "request_uri": .requestURI,
    "uri": .path, "document_uri": .path, "args": .query, "query_string": .query,
    "server_protocol": .protocolVersion,
    "status": .status, "body_bytes_sent": .bytesSent, "bytes_sent": .bytesSent,
    "request_time": .requestTimeSeconds,
    "upstream_addr": .upstreamAddr, "upstream_status": .upstreamStatus,
    "upstream_connect_time": .upstreamConnectTime, "upstream_header_time": .upstreamHeaderTime,
    "upstream_response_time": .upstreamResponseTime, "upstream_cache_status": .cacheStatus,
    "request_id": .requestID, "req_id": .requestID, "http_x_request_id": .requestID,
    "http_x_correlation_id": .requestID, "http_x_amzn_trace_id": .requestID,
    "http_referer": .referer, "http_user_agent": .userAgent, "http_x_forwarded_for": .ignoredList,
    "host": .host, "http_host": .host, "server_name": .host,
    // Nginx Proxy Manager's forward host (`set $server …` in each proxy host's config).
    "server": .upstreamHost,
]

/// Apache `%{Name}i` headers with a meaning; other headers are ignored.
let apacheHeaderKinds: [String: FieldKind] = [
    "referer": .referer, "user-agent": .userAgent, "host": .host,
    "x-request-id": .requestID, "x-correlation-id": .requestID, "request-id": .requestID,
    "x-amzn-trace-id": .requestID, "x-forwarded-for": .ignoredList,
]

/// Apache `%{Name}e` environment variables with a meaning.
let apacheEnvKinds: [String: FieldKind] = [
    "unique_id": .requestID, "request_id": .requestID, "x_request_id": .requestID,
]

/// Names of the request-ID-carrying fields, used to tell users what to add.
let requestIDHint = "add $request_id (nginx) or %{UNIQUE_ID}e / %{X-Request-ID}i (Apache) to the log format"
