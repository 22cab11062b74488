import Testing
@testable import TriageCore

/// Error-log causes are one more vocabulary: each maps onto a fact, and the one decision
/// table decides (Docs/Classification.md, "Server error logs", rows E1–E6).
@Suite struct ErrorLogFactsTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var id: String
        var cause: ErrorCause
        var status: Int
        var expected: FailureClass?
        var testDescription: String { "\(id) \(cause.identifier) + \(status)" }
    }

    static let rows: [Row] = [
        .init(id: "E1", cause: .connectionRefused, status: 502, expected: .upstreamUnreachable),
        .init(id: "E1b", cause: .connectionRefused, status: 503, expected: .upstreamUnreachable),
        .init(id: "E2", cause: .connectionReset, status: 502, expected: .upstreamUnreachable),
        .init(id: "E2b", cause: .prematurelyClosed, status: 502, expected: .upstreamUnreachable),
        .init(id: "E2c", cause: .tlsHandshakeFailed, status: 502, expected: .upstreamUnreachable),
        .init(id: "E2d", cause: .invalidResponse, status: 502, expected: .upstreamUnreachable),
        .init(id: "E3", cause: .timeoutReadingHeader, status: 504, expected: .upstreamTimeout),
        .init(id: "E3b", cause: .timeoutConnecting, status: 504, expected: .upstreamTimeout),
        .init(id: "E4", cause: .rateLimited, status: 503, expected: .proxyError),
        .init(id: "E4b", cause: .connectionLimited, status: 503, expected: .proxyError),
        .init(id: "E5", cause: .noLiveUpstreams, status: 502, expected: .upstreamUnavailable),
        .init(id: "E6", cause: .connectionRefused, status: 200, expected: .retriedOK),
        .init(id: "E6b", cause: .timeoutConnecting, status: 404, expected: .retriedOK),
    ]

    @Test("each cause's fact, on a line without upstream fields, decides its class", arguments: rows)
    func decides(row: Row) throws {
        let fact = try #require(ProxyVocabulary.errorLogFact(row.cause))
        if row.status >= 500 { #expect(ProxyVocabulary.errorLogFactFits(fact, status: row.status)) }
        var facts = FailureFacts(status: row.status, hasProxyEvidence: false)
        ProxyVocabulary.noteErrorLogFact(fact, into: &facts)
        #expect(Classifier.decide(facts)?.failureClass == row.expected)
    }

    @Test("the phase and cause the error log states reach the decision")
    func phaseAndCause() throws {
        var facts = FailureFacts(status: 504, hasProxyEvidence: false)
        ProxyVocabulary.noteErrorLogFact(try #require(ProxyVocabulary.errorLogFact(.timeoutReadingHeader)), into: &facts)
        let decision = try #require(Classifier.decide(facts))
        #expect(decision.phase == .responseHeader)
        #expect(decision.cause == .requestTimeout)
    }

    @Test("a fact the final status does not fit is another attempt's: a timeout does not explain a 502")
    func fits() throws {
        let timeout = try #require(ProxyVocabulary.errorLogFact(.timeoutReadingHeader))
        let refused = try #require(ProxyVocabulary.errorLogFact(.connectionRefused))
        #expect(!ProxyVocabulary.errorLogFactFits(timeout, status: 502))
        #expect(!ProxyVocabulary.errorLogFactFits(refused, status: 500))
        #expect(!ProxyVocabulary.errorLogFactFits(refused, status: 504))
        #expect(ProxyVocabulary.errorLogFact(.upstreamDisabled) == nil)
    }
}
