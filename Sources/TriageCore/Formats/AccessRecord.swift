/// A span of bytes inside the current line; `start < 0` means absent.
public struct FieldRange: Equatable, Sendable {
    public var start: Int32
    public var end: Int32

    public static let absent = FieldRange(start: -1, end: -1)

    @inline(__always)
    public init(start: Int32, end: Int32) {
        self.start = start
        self.end = end
    }

    @inline(__always)
    init(_ start: Int, _ end: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }

    public var isPresent: Bool { start >= 0 }
    public var count: Int { isPresent ? Int(end - start) : 0 }

    /// The bytes of this range in `line`, empty when absent.
    @inline(__always)
    public func bytes(in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard isPresent, let base = line.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + Int(start), count: Int(end - start))
    }

    /// True when present and not the `-` (or empty) that logs write for "no value".
    @inline(__always)
    public func hasValue(in line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard isPresent, end > start else { return false }
        return !(end - start == 1 && line[Int(start)] == UInt8(ascii: "-"))
    }
}

/// One parsed access-log line. String-like fields are ranges into the line's
/// bytes, valid only while the line is; numbers are decoded.
public struct AccessRecord: Sendable {
    public var status: Int = 0
    /// Unix seconds, UTC; `Int64.min` when the format has no time.
    public var time: Int64 = .min
    /// The UTC offset (seconds) the time was written in; 0 for forms without one.
    public var utcOffset: Int32 = 0
    public var bytesSent: Int64 = -1
    /// Request duration in microseconds; -1 when unknown.
    public var requestMicros: Int64 = -1
    public var request = FieldRange.absent
    public var method = FieldRange.absent
    /// The request target as sent (path and query).
    public var target = FieldRange.absent
    public var protocolVersion = FieldRange.absent
    public var remoteAddr = FieldRange.absent
    public var remoteUser = FieldRange.absent
    public var referer = FieldRange.absent
    public var userAgent = FieldRange.absent
    public var host = FieldRange.absent
    public var requestID = FieldRange.absent
    public var upstreamAddr = FieldRange.absent
    public var upstreamStatus = FieldRange.absent
    public var upstreamConnectTime = FieldRange.absent
    public var upstreamHeaderTime = FieldRange.absent
    public var upstreamResponseTime = FieldRange.absent
    /// The host every attempt went to, when the line names no address per attempt
    /// (Nginx Proxy Manager's `$server`).
    public var upstreamHost = FieldRange.absent
    /// True when ``upstreamAddr`` holds the name of the service routed to, not a server's
    /// address (Traefik's `ServiceName` on a line without `ServiceURL`: no server was chosen).
    public var upstreamAddrIsServiceName = false
    /// Proxy response flags (Envoy), termination state (HAProxy), error code (Heroku),
    /// error reason (ALB); what they mean is the format's ``ProxyVocabulary``.
    public var proxyFlags = FieldRange.absent
    /// The proxy's words for why it gave the status (Envoy's response code details).
    public var proxyDetails = FieldRange.absent
    /// How a cache answered (`$upstream_cache_status`, a CDN's cache field).
    public var cacheStatus = FieldRange.absent
    /// Upstream connection retries the proxy made (HAProxy `%rc`); -1 when not logged.
    public var retries: Int32 = -1
    /// False when the request line is not `METHOD target [HTTP/x]` (TLS bytes, `""`, `-`).
    public var hasValidRequestLine = false
    /// Where unread text after the last field starts (a preset matched a longer line); -1 when none.
    public var trailingStart: Int32 = -1
    /// True when a preset matched and text followed its last field.
    public var hasTrailingText: Bool { trailingStart >= 0 }

    public init() {}

    /// Stores a text field's range by its kind; false for kinds that are not text ranges
    /// (numbers, times: decoded by the caller) and for ignored ones.
    @inline(__always)
    mutating func setRange(_ kind: FieldKind, _ range: FieldRange) -> Bool {
        switch kind {
        case .remoteAddr: remoteAddr = range
        case .remoteUser: remoteUser = range
        case .request: request = range
        case .method: method = range
        case .requestURI: target = range
        case .path: if !target.isPresent { target = range }
        case .protocolVersion: protocolVersion = range
        case .upstreamAddr: upstreamAddr = range; upstreamAddrIsServiceName = false
        case .upstreamStatus: upstreamStatus = range
        case .upstreamConnectTime: upstreamConnectTime = range
        case .upstreamHeaderTime: upstreamHeaderTime = range
        case .upstreamResponseTime: upstreamResponseTime = range
        case .upstreamHost: upstreamHost = range
        case .requestID: requestID = range
        case .referer: referer = range
        case .userAgent: userAgent = range
        case .host: host = range
        case .proxyFlags: proxyFlags = range
        case .proxyDetails: proxyDetails = range
        case .cacheStatus: cacheStatus = range
        default: return false
        }
        return true
    }

    /// How many fields the line filled: how well a format fits (detection tie-break).
    public var filledFieldCount: Int {
        let ranges = [request, method, target, protocolVersion, remoteAddr, remoteUser, referer, userAgent, host,
                      requestID, upstreamAddr, upstreamHost, upstreamStatus, upstreamConnectTime, upstreamHeaderTime,
                      upstreamResponseTime, proxyFlags, proxyDetails]
        return ranges.filter(\.isPresent).count + (time != .min ? 1 : 0) + (bytesSent >= 0 ? 1 : 0)
            + (requestMicros >= 0 ? 1 : 0) + (status > 0 ? 1 : 0)
    }
}
