import Foundation
import Testing
@testable import TriageCore

/// One test per row of the facts decision table (F1–F12 in Docs/Classification.md),
/// and the mapping of each proxy vocabulary onto the facts.
@Suite struct FailureFactsTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var facts: FailureFacts
        var expected: FailureClass?
        var row: String
        var testDescription: String { name }
    }

    static func facts(_ status: Int, _ signals: FailureFacts.Signals = [], phase: FailurePhase = .unknown,
                      evidence: Bool = true) -> FailureFacts {
        FailureFacts(status: status, hasProxyEvidence: evidence, signals: signals, phase: phase)
    }

    static let rows: [Row] = [
        Row(name: "F1 final 499 → client_closed", facts: facts(499), expected: .clientClosed, row: "F1"),
        Row(name: "F2 status 0 and the client aborted → client_closed", facts: facts(0, .clientAborted),
            expected: .clientClosed, row: "F2"),
        Row(name: "F2b a 503 never sent to a client that left → client_closed",
            facts: facts(503, [.clientAborted, .responseNotSent]), expected: .clientClosed, row: "F2"),
        Row(name: "F3 200 after a failed attempt → retried_ok", facts: facts(200, .retried), expected: .retriedOK, row: "F3"),
        Row(name: "F4 a 404 needs no class, whatever the signals", facts: facts(404, .localReply), expected: nil, row: "F4"),
        Row(name: "F4b a 200 whose client aborted during the body needs no class",
            facts: facts(200, .clientAborted), expected: nil, row: "F4"),
        Row(name: "F5 a 502 without evidence → by status, status_only", facts: facts(502, evidence: false),
            expected: .upstreamUnreachable, row: "F5"),
        Row(name: "F6 no healthy upstream → upstream_unavailable", facts: facts(503, .noHealthyUpstream),
            expected: .upstreamUnavailable, row: "F6"),
        Row(name: "F6b no healthy upstream wins over a timeout", facts: facts(503, [.timedOut, .noHealthyUpstream]),
            expected: .upstreamUnavailable, row: "F6"),
        Row(name: "F7 queue timeout → upstream_unavailable", facts: facts(503, .timedOut, phase: .queue),
            expected: .upstreamUnavailable, row: "F7"),
        Row(name: "F8 timeout waiting for the header → upstream_timeout", facts: facts(504, .timedOut, phase: .responseHeader),
            expected: .upstreamTimeout, row: "F8"),
        Row(name: "F8b a timeout wins over a connect failure", facts: facts(503, [.connectFailed, .timedOut]),
            expected: .upstreamTimeout, row: "F8"),
        Row(name: "F9 connect failed → upstream_unreachable", facts: facts(503, .connectFailed),
            expected: .upstreamUnreachable, row: "F9"),
        Row(name: "F9b upstream reset → upstream_unreachable", facts: facts(502, .upstreamReset),
            expected: .upstreamUnreachable, row: "F9"),
        Row(name: "F10 rate limited → proxy_error", facts: facts(503, .rateLimited), expected: .proxyError, row: "F10"),
        Row(name: "F10b local reply → proxy_error", facts: facts(500, [.localReply, .originAnswered]),
            expected: .proxyError, row: "F10"),
        Row(name: "F11 the upstream answered 503 itself → origin_error", facts: facts(503, .originAnswered),
            expected: .originError, row: "F11"),
        Row(name: "F12 evidence but no signal: 504 by status → upstream_timeout", facts: facts(504),
            expected: .upstreamTimeout, row: "F12"),
        Row(name: "F4a a cached 502 on a line with no upstream attempt → upstream_unreachable, from cache",
            facts: facts(502, [.servedFromCache, .localReply]), expected: .upstreamUnreachable, row: "F4a"),
        Row(name: "F4a a stale 500 after a failed refresh → origin_error, from cache, not the refresh's 504",
            facts: facts(500, [.servedFromCache, .timedOut]), expected: .originError, row: "F4a"),
        Row(name: "F4a a cached 503 on a line without upstream fields: by the status alone",
            facts: facts(503, .servedFromCache, evidence: false), expected: .upstreamUnavailable, row: "F4a"),
        Row(name: "F1 before F4a: a 499 is the client's, cache or not", facts: facts(499, .servedFromCache),
            expected: .clientClosed, row: "F1"),
        Row(name: "F4 before F4a: a cached 200 needs no class", facts: facts(200, .servedFromCache), expected: nil, row: "F4"),
    ]

    @Test("only row F4a marks a decision served from cache", arguments: rows)
    func servedFromCacheOnlyByF4a(row: Row) {
        let decision = Classifier.decide(row.facts)
        #expect((decision?.servedFromCache ?? false) == (decision?.row == "F4a"))
    }

    @Test("every word of the cache table is read as documented, in any case; other values are not from the cache",
          arguments: ProxyVocabulary.cacheWords.map(\.word))
    func cacheWords(word: String) throws {
        let entry = try #require(ProxyVocabulary.cacheWords.first { $0.word == word })
        for text in [word, word.lowercased(), word.capitalized] {
            let bytes = Array(text.utf8)
            let got = bytes.withUnsafeBufferPointer { ProxyVocabulary.isServedFromCache($0) }
            #expect(got == entry.isFromCache, "\(text)")
        }
    }

    @Test("'-', empty, padded and unknown cache values are not from the cache", arguments: ["-", "", " HIT", "HITS", "hit-synth", "DYNAMIC"])
    func notCacheWords(text: String) {
        let bytes = Array(text.utf8)
        #expect(!bytes.withUnsafeBufferPointer { ProxyVocabulary.isServedFromCache($0) })
    }

    @Test("facts decision table rows", arguments: rows)
    func decisionTable(row: Row) {
        let decision = Classifier.decide(row.facts)
        #expect(decision?.failureClass == row.expected)
        if let decision {
            #expect(decision.row == row.row)
            #expect(decision.confidence == (row.facts.hasProxyEvidence ? .upstreamFields : .statusOnly))
        } else {
            #expect(Classifier.rows.first { $0.matches(row.facts) }?.id == row.row)
        }
    }

    @Test("the shortcut for quiet answers gives what the table gives", arguments: [0, 1, 200, 301, 404, 429, 498, 499, 500, 503, 600])
    func shortcut(status: Int) {
        let sets: [FailureFacts.Signals] = [[], .retried, .clientAborted, [.clientAborted, .responseNotSent], .localReply,
                                           .originAnswered, .timedOut]
        for signals in sets {
            for evidence in [true, false] {
                let facts = FailureFacts(status: status, hasProxyEvidence: evidence, signals: signals)
                #expect(Classifier.decide(facts) == Classifier.walk(facts))
                #expect(Classifier.decide(facts)?.row == Classifier.walk(facts)?.row)
            }
        }
    }

    @Test("every row of the table is documented in Classification.md and tested here")
    func rowsDocumented() throws {
        let doc = try String(contentsOfFile: repositoryFile("Docs/Classification.md"), encoding: .utf8)
        let tested = Set(Self.rows.map(\.row))
        for row in Classifier.rows {
            #expect(doc.contains("| \(row.id) |"), "row \(row.id) missing from Docs/Classification.md")
            #expect(tested.contains(row.id), "row \(row.id) has no test")
        }
    }

    @Test("a cause and phase travel from the facts into the decision")
    func causeCarried() {
        let facts = FailureFacts(status: 502, hasProxyEvidence: true, signals: .connectFailed, phase: .connect,
                                 cause: .connectionRefused)
        let decision = Classifier.decide(facts)
        #expect(decision?.cause == .connectionRefused)
        #expect(decision?.phase == .connect)
        #expect(decision?.cause.description == "connection refused")
    }

    /// Facts from an Envoy flags field.
    func envoy(_ status: Int, _ flags: String, host: String = "-") -> FailureFacts {
        let line = Array("\(flags)|\(host)".utf8)
        var record = AccessRecord()
        record.status = status
        record.proxyFlags = FieldRange(start: 0, end: Int32(flags.utf8.count))
        record.upstreamAddr = FieldRange(start: Int32(flags.utf8.count + 1), end: Int32(line.count))
        return line.withUnsafeBufferPointer { buffer in
            let attempts = UpstreamAttempts(record: record, line: buffer)
            return ProxyVocabulary.envoy.facts(record, line: buffer, attempts: attempts, hasUpstreamFields: true)
        }
    }

    @Test("Envoy flags map onto facts", arguments: [
        ("UH", FailureFacts.Signals.noHealthyUpstream), ("UO", .noHealthyUpstream), ("UT", .timedOut),
        ("UF", .connectFailed), ("URX", .retried), ("UC", .upstreamReset), ("UR", .upstreamReset),
        ("NR", .localReply), ("RL", .rateLimited), ("LR", .localReply), ("DC", .clientAborted),
    ])
    func envoyFlags(flag: String, signal: FailureFacts.Signals) {
        #expect(envoy(503, flag).has(signal))
    }

    @Test("Envoy URX alone: the upstream answered and the request was retried, with or without a host")
    func envoyRetryLimitAlone() {
        for host in ["10.0.0.1:80", "-"] {
            let facts = envoy(503, "URX", host: host)
            #expect(facts.has(.originAnswered) && facts.has(.retried) && !facts.has(.connectFailed))
            #expect(Classifier.decide(facts)?.failureClass == .originError)
        }
        #expect(Classifier.decide(envoy(503, "UF,URX", host: "10.0.0.1:80"))?.failureClass == .upstreamUnreachable)
    }

    @Test("Envoy: without a failure flag a 5xx from an upstream host is the application's, without a host the proxy's")
    func envoyNoFlags() {
        #expect(Classifier.decide(envoy(503, "-", host: "10.0.0.1:80"))?.failureClass == .originError)
        #expect(Classifier.decide(envoy(503, "DC", host: "10.0.0.1:80"))?.failureClass == .originError)
        #expect(Classifier.decide(envoy(503, "-"))?.failureClass == .proxyError)
        #expect(Classifier.decide(envoy(503, "UF,UH"))?.failureClass == .upstreamUnavailable)
        #expect(Classifier.decide(envoy(0, "DC"))?.failureClass == .clientClosed)
        #expect(Classifier.decide(envoy(0, "UF")) == nil)
    }

    @Test("nginx attempts map onto facts: 502 connect, 504 timeout, 503 unavailable, '-' by the final status")
    func nginxAttempts() {
        func signal(_ attempt: Int, final: Int) -> FailureFacts.Signals {
            var facts = FailureFacts(status: final, hasProxyEvidence: true)
            ProxyVocabulary.noteAttempt(status: attempt, into: &facts)
            return facts.signals
        }
        #expect(signal(502, final: 502) == .connectFailed)
        #expect(signal(504, final: 504) == .timedOut)
        #expect(signal(503, final: 503) == .noHealthyUpstream)
        #expect(signal(500, final: 500) == .originAnswered)
        #expect(signal(200, final: 500) == .localReply)
        #expect(signal(0, final: 504) == .timedOut)
        #expect(signal(0, final: 500) == .localReply)
    }
}
