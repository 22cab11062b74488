/// Why a request failed, as a server's error log says it: one message of
/// nginx's or Apache's upstream vocabulary, reduced to one fact.
///
/// The access log knows the status (502); the error log knows the reason
/// (`connect() failed (111: Connection refused) while connecting to upstream`).
/// The raw values are stored in ``ErrorLogIndex`` entries; the identifiers are
/// the JSON schema's. The table of messages is in `Docs/Correlation.md`; the
/// fact each cause states, which the ``Classifier`` decides from, is
/// ``ProxyVocabulary/errorLogFact(_:)``.
public enum ErrorCause: UInt8, CaseIterable, Sendable, Comparable {
    case connectionRefused
    case connectionReset
    case prematurelyClosed
    case tlsHandshakeFailed
    case invalidResponse
    case hostUnreachable
    case timeoutConnecting
    case timeoutSending
    case timeoutReadingHeader
    case timeoutReading
    case noLiveUpstreams
    case rateLimited
    case connectionLimited
    /// nginx took the server out of rotation after failures (`upstream server temporarily disabled`,
    /// Apache's `disabling worker` and `disabled connection for`): never a request's cause, as the
    /// lines name no client (Apache's AH00940, one per request refused with a 503, names the
    /// upstream of a problem of 503s: ``ErrorLogTally/disabledUpstreams(_:of:)``).
    case upstreamDisabled

    public var identifier: String {
        switch self {
        case .connectionRefused: return "connection_refused"
        case .connectionReset: return "connection_reset"
        case .prematurelyClosed: return "prematurely_closed"
        case .tlsHandshakeFailed: return "tls_handshake_failed"
        case .invalidResponse: return "invalid_response"
        case .hostUnreachable: return "host_unreachable"
        case .timeoutConnecting: return "timeout_connecting"
        case .timeoutSending: return "timeout_sending_request"
        case .timeoutReadingHeader: return "timeout_reading_response_header"
        case .timeoutReading: return "timeout_reading_response"
        case .noLiveUpstreams: return "no_live_upstreams"
        case .rateLimited: return "rate_limited"
        case .connectionLimited: return "connection_limited"
        case .upstreamDisabled: return "upstream_disabled"
        }
    }

    /// The phrase reports show ("395 × connection refused").
    public var phrase: String {
        switch self {
        case .connectionRefused: return "connection refused"
        case .connectionReset: return "connection reset"
        case .prematurelyClosed: return "prematurely closed"
        case .tlsHandshakeFailed: return "TLS handshake failed"
        case .invalidResponse: return "invalid response header"
        case .hostUnreachable: return "host unreachable"
        case .timeoutConnecting: return "timed out connecting"
        case .timeoutSending: return "timed out sending the request"
        case .timeoutReadingHeader: return "timed out reading response header"
        case .timeoutReading: return "timed out reading the response"
        case .noLiveUpstreams: return "no live upstreams"
        case .rateLimited: return "rate limit (limiting requests)"
        case .connectionLimited: return "connection limit (limiting connections)"
        case .upstreamDisabled: return "upstream temporarily disabled"
        }
    }

    public static func < (a: ErrorCause, b: ErrorCause) -> Bool { a.rawValue < b.rawValue }

    public init?(identifier: String) {
        guard let match = ErrorCause.allCases.first(where: { $0.identifier == identifier }) else { return nil }
        self = match
    }
}

/// Per-cause counters without allocation.
public struct CauseCounts: Sendable, Equatable {
    private var storage = InlineArray<14, Int>(repeating: 0)

    public init() {}

    public subscript(_ c: ErrorCause) -> Int {
        get { storage[Int(c.rawValue)] }
        set { storage[Int(c.rawValue)] = newValue }
    }

    public var total: Int { ErrorCause.allCases.reduce(0) { $0 + self[$1] } }
    public var isEmpty: Bool { total == 0 }

    /// Causes with a count, most first (ties in declaration order).
    public var sorted: [(cause: ErrorCause, count: Int)] {
        ErrorCause.allCases.filter { self[$0] > 0 }.map { ($0, self[$0]) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public mutating func add(_ other: CauseCounts) {
        for c in ErrorCause.allCases { self[c] += other[c] }
    }

    public static func == (a: CauseCounts, b: CauseCounts) -> Bool {
        ErrorCause.allCases.allSatisfy { a[$0] == b[$0] }
    }
}
