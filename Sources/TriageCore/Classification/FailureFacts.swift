/// What one log line says happened to a request, in words common to every proxy.
///
/// Each proxy has its own failure vocabulary (nginx's `$upstream_status` lists,
/// Envoy's response flags, HAProxy's termination state, ALB's target status,
/// Heroku's H codes, the causes of nginx and Apache error logs). Each is mapped
/// onto these facts once, by a ``ProxyVocabulary``; the ``Classifier`` reads
/// only the facts, through one decision table. A new proxy adds a mapping,
/// never a second classifier.
///
/// Plain data, built per line without allocation.
public struct FailureFacts: Equatable, Sendable {
    /// The failure signals a line carries. Several may be set (Envoy writes
    /// `UF,URX`); the decision table's row order says which one decides.
    public struct Signals: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The proxy could not open or keep a connection to the upstream
        /// (refused, reset during connect, TLS failure, no valid response).
        public static let connectFailed = Signals(rawValue: 1 << 0)
        /// The upstream did not answer in time (the phase says where).
        public static let timedOut = Signals(rawValue: 1 << 1)
        /// No upstream was left to try: none healthy, none registered, circuit open,
        /// or the upstream itself said it is unavailable (503).
        public static let noHealthyUpstream = Signals(rawValue: 1 << 2)
        /// The upstream reset or closed the connection before a complete response.
        public static let upstreamReset = Signals(rawValue: 1 << 3)
        /// The client went away.
        public static let clientAborted = Signals(rawValue: 1 << 4)
        /// The status on the line never reached the client: the proxy logged what it
        /// would have sent (HAProxy's 503 for a client that left while queued).
        public static let responseNotSent = Signals(rawValue: 1 << 5)
        /// The proxy refused the request by a rate or connection limit.
        public static let rateLimited = Signals(rawValue: 1 << 6)
        /// The proxy answered itself: no route, denied, tarpit, config error, or no upstream attempted.
        public static let localReply = Signals(rawValue: 1 << 7)
        /// The upstream answered and its response was passed on: a 5xx is the application's own.
        public static let originAnswered = Signals(rawValue: 1 << 8)
        /// An earlier upstream attempt failed and the request was tried again.
        public static let retried = Signals(rawValue: 1 << 9)
        /// The cache answered (`$upstream_cache_status` HIT, STALE, UPDATING…): the response
        /// is one the cache kept, not what the upstream answered now.
        public static let servedFromCache = Signals(rawValue: 1 << 10)
    }

    /// The status the proxy logged as sent to the client (0: none, as Envoy and HAProxy write it).
    public var status: Int
    /// False when the line carries nothing but the status: the decision is then marked `status_only`.
    public var hasProxyEvidence: Bool
    public var signals: Signals = []
    /// Where in the request's life the failure happened, when the proxy says.
    public var phase: FailurePhase = .unknown
    /// The proxy's own words for the failure, when it gives them.
    public var cause: FailureCause = .unknown

    public init(status: Int, hasProxyEvidence: Bool, signals: Signals = [], phase: FailurePhase = .unknown,
                cause: FailureCause = .unknown) {
        self.status = status
        self.hasProxyEvidence = hasProxyEvidence
        self.signals = signals
        self.phase = phase
        self.cause = cause
    }

    @inline(__always)
    public func has(_ signal: Signals) -> Bool { signals.contains(signal) }

    /// Adds a signal, with its phase and cause when the line gave none yet.
    @inline(__always)
    public mutating func note(_ signal: Signals, phase: FailurePhase = .unknown, cause: FailureCause = .unknown) {
        signals.insert(signal)
        if self.phase == .unknown { self.phase = phase }
        if self.cause == .unknown { self.cause = cause }
    }
}

/// The stage of a request at which it failed.
public enum FailurePhase: UInt8, CaseIterable, Sendable {
    case unknown
    /// Waiting for the client's request.
    case request
    /// Waiting in the proxy's queue for a free upstream slot.
    case queue
    /// Connecting to the upstream.
    case connect
    /// Waiting for the upstream's response header.
    case responseHeader
    /// Transferring the response body.
    case responseBody

    /// As error logs say it, for reports.
    public var description: String {
        switch self {
        case .unknown: return "unknown"
        case .request: return "reading the request"
        case .queue: return "queued"
        case .connect: return "connecting to upstream"
        case .responseHeader: return "reading response header"
        case .responseBody: return "reading response body"
        }
    }
}

/// The proxy's reason for a failure, in a fixed vocabulary so that a line
/// carries it as one byte and reports can count it.
public enum FailureCause: UInt8, CaseIterable, Sendable {
    case unknown
    case connectionRefused
    case connectionReset
    case connectionTimedOut
    case tlsFailure
    case prematureClose
    case invalidResponse
    case noLiveUpstreams
    case noUpstreamAttempted
    case queueTimeout
    case requestTimeout
    case rateLimited
    case denied
    case noRoute
    case upstreamAnswered502
    case upstreamAnswered503
    case upstreamAnswered504
    case upstreamAnsweredBelow500
    case clientClosed
    case retriesExhausted
    case loadBalancerAnswered
    case appCrashed
    case appBootTimeout
    case platformError

    /// A short phrase for reports ("connection refused").
    public var description: String {
        switch self {
        case .unknown: return "unknown"
        case .connectionRefused: return "connection refused"
        case .connectionReset: return "connection reset by peer"
        case .connectionTimedOut: return "connection timed out"
        case .tlsFailure: return "TLS handshake failed"
        case .prematureClose: return "upstream closed the connection early"
        case .invalidResponse: return "invalid response from upstream"
        case .noLiveUpstreams: return "no live upstreams"
        case .noUpstreamAttempted: return "no upstream attempted"
        case .queueTimeout: return "timed out in the queue"
        case .requestTimeout: return "upstream did not answer in time"
        case .rateLimited: return "rate limited"
        case .denied: return "denied by the proxy"
        case .noRoute: return "no route"
        case .upstreamAnswered502: return "upstream answered 502"
        case .upstreamAnswered503: return "upstream answered 503"
        case .upstreamAnswered504: return "upstream answered 504"
        case .upstreamAnsweredBelow500: return "upstream answered below 500"
        case .clientClosed: return "client closed the connection"
        case .retriesExhausted: return "retries exhausted"
        case .loadBalancerAnswered: return "load balancer answered without a target response"
        case .appCrashed: return "application crashed"
        case .appBootTimeout: return "application boot timed out"
        case .platformError: return "platform error"
        }
    }
}
