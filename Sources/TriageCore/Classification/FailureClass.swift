/// What went wrong with a request, from the on-call engineer's point of view.
///
/// Every response in the 5xx range, every 499 and every request that succeeded
/// only after a failed upstream attempt gets exactly one class. The raw values
/// are the identifiers of the JSON schema; the order is the report's order.
public enum FailureClass: Int, CaseIterable, Sendable, Comparable {
    case originError
    case upstreamUnreachable
    case upstreamTimeout
    case upstreamUnavailable
    case proxyError
    case clientClosed
    case retriedOK

    public var identifier: String {
        switch self {
        case .originError: return "origin_error"
        case .upstreamUnreachable: return "upstream_unreachable"
        case .upstreamTimeout: return "upstream_timeout"
        case .upstreamUnavailable: return "upstream_unavailable"
        case .proxyError: return "proxy_error"
        case .clientClosed: return "client_closed"
        case .retriedOK: return "retried_ok"
        }
    }

    /// A short phrase for people.
    public var summary: String {
        switch self {
        case .originError: return "the application answered 5xx itself"
        case .upstreamUnreachable: return "proxy could not connect or got no valid response (502)"
        case .upstreamTimeout: return "upstream did not answer in time (504)"
        case .upstreamUnavailable: return "upstream unavailable or overloaded (503 / no live upstream)"
        case .proxyError: return "5xx made by the proxy, no upstream attempted"
        case .clientClosed: return "client gave up before the answer (499)"
        case .retriedOK: return "an upstream attempt failed, a retry succeeded"
        }
    }

    /// True for classes that the user saw as a server error.
    public var isServerError: Bool { self != .clientClosed && self != .retriedOK }

    /// True when the fault lies between the proxy and its upstreams.
    public var isUpstream: Bool {
        switch self {
        case .upstreamUnreachable, .upstreamTimeout, .upstreamUnavailable: return true
        default: return false
        }
    }

    public static func < (a: FailureClass, b: FailureClass) -> Bool { a.rawValue < b.rawValue }

    public init?(identifier: String) {
        guard let match = FailureClass.allCases.first(where: { $0.identifier == identifier }) else { return nil }
        self = match
    }
}

/// How much evidence a classification rests on.
public enum Confidence: String, Sendable {
    /// Decided with the upstream fields of the log line.
    case upstreamFields = "upstream_fields"
    /// The log has no upstream fields: decided from the status code alone.
    case statusOnly = "status_only"
    /// The log has no upstream fields, and a server error log's line said why (`--error-log`).
    case errorLog = "error_log"
}

/// Per-class counters without allocation.
public struct ClassCounts: Sendable, Equatable {
    private var storage = InlineArray<7, Int>(repeating: 0)

    public init() {}

    public subscript(_ c: FailureClass) -> Int {
        get { storage[c.rawValue] }
        set { storage[c.rawValue] = newValue }
    }

    public var total: Int {
        var sum = 0
        for c in FailureClass.allCases { sum += self[c] }
        return sum
    }

    public var serverErrors: Int {
        var sum = 0
        for c in FailureClass.allCases where c.isServerError { sum += self[c] }
        return sum
    }

    public mutating func add(_ other: ClassCounts) {
        for c in FailureClass.allCases { self[c] += other[c] }
    }

    /// These counts with the classes that are not 5xx (client_closed, retried_ok) set to 0.
    public var serverErrorsOnly: ClassCounts {
        var copy = self
        for c in FailureClass.allCases where !c.isServerError { copy[c] = 0 }
        return copy
    }

    public static func == (a: ClassCounts, b: ClassCounts) -> Bool {
        FailureClass.allCases.allSatisfy { a[$0] == b[$0] }
    }
}
