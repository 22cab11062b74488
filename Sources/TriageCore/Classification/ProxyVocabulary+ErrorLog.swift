/// Server error logs' causes (nginx, Apache) mapped onto ``FailureFacts``.
///
/// An error-log line is one more proxy vocabulary: the line's cause
/// (``ErrorCause``) is a fact with its phase and cause, and the
/// ``Classifier`` decides from the facts as for any other proxy
/// (`Docs/Classification.md`, "Server error logs"). Rows E1–E9 of that
/// document are these entries seen through the one decision table.
extension ProxyVocabulary {
    /// The fact one error-log cause states, with its phase and cause.
    public struct ErrorLogFact: Sendable {
        public var signal: FailureFacts.Signals
        public var phase: FailurePhase
        public var cause: FailureCause
    }

    /// The fact of each error-log cause; nil for a cause that states no failure of a request
    /// (`upstream server temporarily disabled` is a warning before failures).
    public static func errorLogFact(_ cause: ErrorCause) -> ErrorLogFact? {
        switch cause {
        case .connectionRefused: return ErrorLogFact(signal: .connectFailed, phase: .connect, cause: .connectionRefused)
        case .hostUnreachable: return ErrorLogFact(signal: .connectFailed, phase: .connect, cause: .unknown)
        case .tlsHandshakeFailed: return ErrorLogFact(signal: .connectFailed, phase: .connect, cause: .tlsFailure)
        case .connectionReset: return ErrorLogFact(signal: .upstreamReset, phase: .unknown, cause: .connectionReset)
        case .prematurelyClosed: return ErrorLogFact(signal: .upstreamReset, phase: .responseHeader, cause: .prematureClose)
        case .invalidResponse: return ErrorLogFact(signal: .upstreamReset, phase: .responseHeader, cause: .invalidResponse)
        case .timeoutConnecting: return ErrorLogFact(signal: .timedOut, phase: .connect, cause: .connectionTimedOut)
        case .timeoutSending: return ErrorLogFact(signal: .timedOut, phase: .unknown, cause: .requestTimeout)
        case .timeoutReadingHeader: return ErrorLogFact(signal: .timedOut, phase: .responseHeader, cause: .requestTimeout)
        case .timeoutReading: return ErrorLogFact(signal: .timedOut, phase: .responseBody, cause: .requestTimeout)
        case .noLiveUpstreams: return ErrorLogFact(signal: .noHealthyUpstream, phase: .connect, cause: .noLiveUpstreams)
        case .rateLimited, .connectionLimited: return ErrorLogFact(signal: .rateLimited, phase: .unknown, cause: .rateLimited)
        case .upstreamDisabled: return nil
        }
    }

    /// True when the proxy answers `status` for this fact: nginx makes a 504 of a timeout
    /// (`ngx_http_upstream_next`), a 502 of a failed connect, reset or `no live upstreams`
    /// (Apache a 503 when it cannot connect), and `limit_req_status` (default 503, any
    /// code but the 502 and 504 the upstream module makes) of a limit. A line whose fact
    /// the final status does not fit was about another attempt or another request.
    public static func errorLogFactFits(_ fact: ErrorLogFact, status: Int) -> Bool {
        if fact.signal.contains(.timedOut) { return status == 504 }
        if fact.signal.contains(.rateLimited) { return status != 502 && status != 504 }
        return status == 502 || status == 503
    }

    /// True when the fact is one failed upstream attempt, which a later attempt may follow
    /// (so a request that ended below 500 after it was retried).
    public static func errorLogFactIsFailedAttempt(_ fact: ErrorLogFact) -> Bool {
        !fact.signal.isDisjoint(with: [.connectFailed, .upstreamReset, .timedOut])
    }

    /// Adds an error-log fact to a line's facts: the proxy's evidence now, so the
    /// decision table reads it as it reads any proxy's signal (a failed attempt
    /// before an answer below 500 is a retry).
    public static func noteErrorLogFact(_ fact: ErrorLogFact, into facts: inout FailureFacts) {
        facts.hasProxyEvidence = true
        if facts.status < 500 {
            facts.note(.retried, phase: fact.phase, cause: fact.cause)
        } else {
            facts.note(fact.signal, phase: fact.phase, cause: fact.cause)
        }
    }
}
