import Testing
@testable import TriageCore

@Suite struct ServerErrorLedgerTests {
    static let t0: Int64 = 1_795_255_200

    func add(_ ledger: ServerErrorLedger, _ id: String?, time: Int64 = t0, route: Int32 = 0,
             failureClass: FailureClass = .originError, upstream: Int = 500) {
        if let id {
            Array(id.utf8).withUnsafeBufferPointer {
                ledger.add(requestID: $0, time: time, route: route, failureClass: failureClass, upstreamStatus: upstream)
            }
        } else {
            ledger.add(requestID: nil, time: time, route: route, failureClass: failureClass, upstreamStatus: upstream)
        }
    }

    func routeName(_ index: Int32) -> String { "GET /r\(index)" }

    @Test("every 5xx is under exactly one signature, with or without an ID, within the limit or beyond it")
    func everyServerErrorOnce() {
        let ledger = ServerErrorLedger(limit: 3, sampleLimit: 5)
        for i in 0..<6 { add(ledger, String(format: "%032x", i), time: Self.t0 + Int64(i), route: Int32(i % 2)) }
        add(ledger, nil, route: 0)
        add(ledger, nil, route: 1, failureClass: .upstreamTimeout, upstream: 504)
        add(ledger, String(format: "%032x", 0)) // the same ID again (a retry)
        let signatures = ledger.signatures(routeName: routeName)
        #expect(signatures.reduce(0) { $0 + $1.count } == 9)
        #expect(ledger.serverErrorsWithRequestID == 7)
        #expect(ledger.untracked == 3)
        #expect(ledger.requests.count == 3)
        #expect(signatures.allSatisfy { $0.source == .accessLog })
        let timeout = signatures.first { $0.classes[.upstreamTimeout] > 0 }
        #expect(timeout?.title == "upstream_timeout on GET /r1 (upstream 504)")
        #expect(timeout?.upstreamStatus == 504)
    }

    @Test("untracked 5xx still show their request IDs as samples")
    func untrackedSamples() {
        let ledger = ServerErrorLedger(limit: 1, sampleLimit: 5)
        add(ledger, "aaaaaaaaaaaaaaaa")
        add(ledger, "bbbbbbbbbbbbbbbb")
        let signatures = ledger.signatures(routeName: routeName)
        #expect(signatures.count == 1)
        #expect(Set(signatures[0].sampleRequestIDs) == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"])
    }

    @Test("two ledgers merged (routes remapped) give the signatures of one ledger fed everything")
    func mergeEqualsOnePass() {
        let one = ServerErrorLedger(limit: 100, sampleLimit: 5)
        let a = ServerErrorLedger(limit: 100, sampleLimit: 5)
        let b = ServerErrorLedger(limit: 100, sampleLimit: 5)
        for i in 0..<10 {
            let id = i % 3 == 0 ? nil : String(format: "%032x", i % 7)
            add(one, id, time: Self.t0 + Int64(i), route: Int32(i % 2))
            // In b, route indexes are swapped: merging maps them back.
            if i < 5 { add(a, id, time: Self.t0 + Int64(i), route: Int32(i % 2)) } else {
                add(b, id, time: Self.t0 + Int64(i), route: Int32(1 - i % 2))
            }
        }
        a.merge(b) { 1 - $0 }
        func view(_ l: ServerErrorLedger) -> [String] {
            l.signatures(routeName: routeName).map { "\($0.id) \($0.count) \($0.firstSeen ?? 0) \($0.lastSeen ?? 0)" }.sorted()
        }
        #expect(view(a) == view(one))
        #expect(a.serverErrorsWithRequestID == one.serverErrorsWithRequestID)
    }

    @Test("access-log signature IDs depend only on class, route and upstream status")
    func accessIDsAreStable() {
        let a = ServerErrorLedger.accessSignatureID(failureClass: .originError, route: "POST /api/orders", upstreamStatus: 500)
        let b = ServerErrorLedger.accessSignatureID(failureClass: .originError, route: "POST /api/orders", upstreamStatus: 500)
        let c = ServerErrorLedger.accessSignatureID(failureClass: .originError, route: "POST /api/orders", upstreamStatus: 502)
        #expect(a == b)
        #expect(a != c)
        #expect(a.hasPrefix("access-") && a.count == 23)
    }
}
