/// Decides the ``FailureClass`` of a request from its ``FailureFacts``. Pure: no I/O, no state.
///
/// There is one decision table for every proxy: each proxy's failure
/// vocabulary is first mapped onto facts (``ProxyVocabulary``), then the rows
/// of ``rows`` are tried in order and the first that matches decides. The
/// table, with the reason for each row, is in `Docs/Classification.md`; each
/// row has a test in `ClassifierTests`.
public enum Classifier {
    public struct Decision: Equatable, Sendable {
        public var failureClass: FailureClass
        public var confidence: Confidence
        /// The row of ``Classifier/rows`` that decided (`F6`), for --verbose and tests.
        public var row: String = ""
        /// Where and why, when the proxy said.
        public var phase: FailurePhase = .unknown
        public var cause: FailureCause = .unknown
        /// The cache answered (row F4a): an error the cache kept serving, not a failure of the upstreams now.
        public var servedFromCache = false

        public init(failureClass: FailureClass, confidence: Confidence, row: String = "",
                    phase: FailurePhase = .unknown, cause: FailureCause = .unknown) {
            self.failureClass = failureClass
            self.confidence = confidence
            self.row = row
            self.phase = phase
            self.cause = cause
        }

        /// Classes and confidence are the decision; the row and cause explain it.
        public static func == (a: Decision, b: Decision) -> Bool {
            a.failureClass == b.failureClass && a.confidence == b.confidence
        }
    }

    /// One row of the decision table.
    public struct Row: Sendable {
        /// `F1`…, as in `Docs/Classification.md`.
        public var id: String
        /// The condition, in the words of the documentation.
        public var condition: String
        public var outcome: Outcome
        let matches: @Sendable (FailureFacts) -> Bool

        public enum Outcome: Sendable, Equatable {
            /// This class; nil: the request needs no class.
            case fixed(FailureClass?)
            /// By the final status alone (502 unreachable, 503 unavailable, 504 timeout, other 5xx origin).
            case byStatus(Confidence)
        }

        init(id: String, condition: String, failureClass: FailureClass?, matches: @escaping @Sendable (FailureFacts) -> Bool) {
            self.init(id: id, condition: condition, outcome: .fixed(failureClass), matches: matches)
        }

        init(id: String, condition: String, outcome: Outcome, matches: @escaping @Sendable (FailureFacts) -> Bool) {
            self.id = id
            self.condition = condition
            self.outcome = outcome
            self.matches = matches
        }
    }

    /// The decision table, in order: the first row that matches decides.
    ///
    /// Rows F1–F4 need no upstream evidence; from F5 on the final status is a 5xx
    /// and the line carries the proxy's own evidence (F5 catches the rest).
    public static let rows: [Row] = [
        Row(id: "F1", condition: "final status 499", failureClass: .clientClosed) { $0.status == 499 },
        Row(id: "F2", condition: "the client went away and got no response (status 0, or a status the proxy says was never sent)",
            failureClass: .clientClosed) {
            $0.has(.clientAborted) && ($0.status == 0 || $0.has(.responseNotSent))
        },
        Row(id: "F3", condition: "final status below 500 after a failed upstream attempt that was retried",
            failureClass: .retriedOK) { $0.status > 0 && $0.status < 500 && $0.has(.retried) },
        Row(id: "F4", condition: "final status not a 5xx (success, 4xx, no response)", failureClass: nil) {
            $0.status < 500 || $0.status > 599
        },
        Row(id: "F4a", condition: "a 5xx the cache answered (`$upstream_cache_status` HIT, STALE, UPDATING, REVALIDATED; a CDN's cache hit): by the status of the cached response, marked served from cache",
            outcome: .byStatus(.upstreamFields)) { $0.has(.servedFromCache) },
        Row(id: "F5", condition: "a 5xx on a line with no upstream fields or proxy signals: by the status alone (`status_only`)",
            outcome: .byStatus(.statusOnly)) { !$0.hasProxyEvidence },
        Row(id: "F6", condition: "no healthy upstream left to try (nginx group name, Envoy UH/UO, HAProxy <NOSRV>, ALB 503 without target, upstream answered 503)",
            failureClass: .upstreamUnavailable) { $0.has(.noHealthyUpstream) },
        Row(id: "F7", condition: "timed out while queued for a server slot (HAProxy sQ): every server was busy",
            failureClass: .upstreamUnavailable) { $0.has(.timedOut) && $0.phase == .queue },
        Row(id: "F8", condition: "timed out connecting or waiting for the response (nginx 504, Envoy UT, HAProxy sH/sC, Heroku H12)",
            failureClass: .upstreamTimeout) { $0.has(.timedOut) },
        Row(id: "F9", condition: "connect failed or the upstream reset / closed early (nginx 502, Envoy UF/UC/UR, HAProxy SC/SH)",
            failureClass: .upstreamUnreachable) { $0.has(.connectFailed) || $0.has(.upstreamReset) },
        Row(id: "F10", condition: "the proxy answered itself: rate limit, deny, no route, no upstream attempted, upstream answered fine",
            failureClass: .proxyError) { $0.has(.rateLimited) || $0.has(.localReply) },
        Row(id: "F11", condition: "the upstream answered the 5xx itself", failureClass: .originError) { $0.has(.originAnswered) },
        Row(id: "F12", condition: "any other 5xx with proxy evidence but no signal: by the status (502 unreachable, 503 unavailable, 504 timeout, other origin)",
            outcome: .byStatus(.upstreamFields)) { _ in true },
    ]

    /// The class the facts give, or nil when the request needs none.
    @inline(__always)
    public static func decide(_ facts: FailureFacts) -> Decision? {
        // Most lines are answers below 500 with nothing to say: rows F1–F4 give them
        // no class. Decided here without walking the table (`FailureFactsTests` checks both agree).
        let quiet: FailureFacts.Signals = [.retried, .responseNotSent]
        if facts.status > 0 && facts.status < 499 && facts.signals.isDisjoint(with: quiet) { return nil }
        return walk(facts)
    }

    /// The table itself, row by row.
    static func walk(_ facts: FailureFacts) -> Decision? {
        for row in rows where row.matches(facts) {
            switch row.outcome {
            case let .byStatus(confidence):
                guard let c = statusOnlyClass(facts.status) else { return nil }
                // Only F4a can see a line without evidence here (F5 takes the others): the status alone decided.
                let confidence = facts.hasProxyEvidence ? confidence : .statusOnly
                var decision = Decision(failureClass: c, confidence: confidence, row: row.id, phase: facts.phase, cause: facts.cause)
                decision.servedFromCache = facts.has(.servedFromCache)
                return decision
            case let .fixed(c):
                guard let c else { return nil }
                // A 499 on a line without upstream fields is still decided by its status alone.
                return Decision(failureClass: c, confidence: facts.hasProxyEvidence ? .upstreamFields : .statusOnly,
                                row: row.id, phase: facts.phase, cause: facts.cause)
            }
        }
        return nil
    }

    /// Classifies a request from its final status and its nginx-style upstream attempts.
    ///
    /// - Parameters:
    ///   - status: the status the client received.
    ///   - attempts: the upstream attempts read from the line.
    ///   - hasUpstreamFields: whether the log format records upstream fields at all;
    ///     without them the decision rests on the status alone.
    ///   - lastAddressIsGroupName: the last attempt's address is an upstream group
    ///     name rather than host:port (nginx writes this for "no live upstreams").
    /// - Returns: nil for requests that need no class (success without failed attempts, 4xx).
    public static func classify(status: Int, attempts: UpstreamAttempts, hasUpstreamFields: Bool,
                                lastAddressIsGroupName: Bool = false) -> Decision? {
        guard hasUpstreamFields else { return decide(FailureFacts(status: status, hasProxyEvidence: false)) }
        return decide(ProxyVocabulary.attemptFacts(status: status, attempts: attempts,
                                                   lastAddressIsGroupName: lastAddressIsGroupName))
    }

    /// Class of one failed upstream attempt from its logged status, for per-upstream counts.
    ///
    /// A `-` status (0) means no response header arrived; then the final status
    /// the proxy chose tells why (504 timeout, 502 connect/protocol failure, 503 none available).
    public static func attemptClass(status: Int, finalStatus: Int) -> FailureClass {
        var facts = FailureFacts(status: finalStatus, hasProxyEvidence: true)
        ProxyVocabulary.noteAttempt(status: status, into: &facts)
        return decide(facts)?.failureClass ?? .proxyError
    }

    /// The fallback when the log has no upstream fields.
    public static func statusOnlyClass(_ status: Int) -> FailureClass? {
        switch status {
        case 499: return .clientClosed
        case 502: return .upstreamUnreachable
        case 503: return .upstreamUnavailable
        case 504: return .upstreamTimeout
        case 500...599: return .originError
        default: return nil
        }
    }

    /// True when an upstream address is a group name (no port, not a socket):
    /// nginx logs the group's name when no live server was left to try.
    public static func isGroupName(_ address: UnsafeBufferPointer<UInt8>) -> Bool {
        guard address.count > 0 else { return false }
        if address.count >= 5, address[0] == UInt8(ascii: "u"), address[1] == UInt8(ascii: "n"),
           address[2] == UInt8(ascii: "i"), address[3] == UInt8(ascii: "x"), address[4] == UInt8(ascii: ":") {
            return false
        }
        for b in address where b == UInt8(ascii: ":") { return false }
        return true
    }
}
