import Testing
@testable import TriageCore

@Suite struct ClientTableTests {
    /// One request: (client, seconds, route id, status-like class).
    struct Hit {
        var client: String
        var time: Int64
        var route: Int32 = 0
        var failureClass: FailureClass? = nil
        var userAgent: String? = "ua"
        var isServerError: Bool { failureClass?.isServerError ?? false }
    }

    static func fail(_ client: String, _ time: Int64, route: Int32 = 0, _ c: FailureClass = .upstreamUnavailable) -> Hit {
        Hit(client: client, time: time, route: route, failureClass: c)
    }

    static func table(_ hits: [Hit], limit: Int = 100, sketch: Int = 10, pairs: Int = 1000) -> ClientTable {
        let t = ClientTable(limit: limit, sketchCapacity: sketch, pairLimit: pairs)
        add(hits, to: t)
        return t
    }

    /// - Parameter prepared: look each client up ahead (``ClientTable/prepare(_:)``, then
    ///   ``ClientTable/locate(_:_:)``), as the aggregator does.
    static func add(_ hits: [Hit], to t: ClientTable, prepared: Bool = false) {
        for h in hits {
            let address = Array(h.client.utf8)
            let ua = h.userAgent.map { Array($0.utf8) }
            address.withUnsafeBufferPointer { a in
                var lookup: ClientTable.Lookup?
                if prepared {
                    lookup = t.prepare(a)
                    t.locate(&lookup!, a)
                }
                if let ua {
                    ua.withUnsafeBufferPointer { u in
                        t.add(a, lookup: lookup, userAgent: u, failureClass: h.failureClass, isServerError: h.isServerError,
                              time: h.time, route: h.route)
                    }
                } else {
                    t.add(a, lookup: lookup, userAgent: nil, failureClass: h.failureClass, isServerError: h.isServerError,
                          time: h.time, route: h.route)
                }
            }
        }
    }

    static func summary(_ t: ClientTable, top: Int = 10) -> TriageSummary {
        t.settleRuns()
        var s = TriageSummary()
        s.classDetails = FailureClass.allCases.map {
            .init(failureClass: $0, count: 0, statusOnly: 0, firstSeen: nil, lastSeen: nil, sampleRequestIDs: [])
        }
        t.summarize(into: &s, top: top) { "GET /r\($0)" }
        return s
    }

    @Test("clients are counted per address and listed by 5xx, with their classes and a user agent")
    func countsPerClient() {
        var hits = (0..<10).map { Hit(client: "10.0.0.1", time: Int64($0 * 10)) }
        hits += (0..<3).map { Self.fail("10.0.0.2", Int64($0 * 10), .originError) }
        hits += [Self.fail("10.0.0.1", 500, .proxyError), Hit(client: "10.0.0.3", time: 1)]
        let s = Self.summary(Self.table(hits))
        #expect(s.clients.map(\.address) == ["10.0.0.2", "10.0.0.1"])
        #expect(s.clients[0].requests == 3 && s.clients[0].serverErrors == 3 && s.clients[0].classes[.originError] == 3)
        #expect(s.clients[1].requests == 11 && s.clients[1].serverErrors == 1 && s.clients[1].classes[.proxyError] == 1)
        #expect(s.clientCounts.distinct == 3 && s.clientCounts.approximate == 0)
        #expect(s.clients.allSatisfy { $0.serverErrorCountError == nil })
    }

    @Test("the sample user agent is the earliest 5xx's, whatever order the lines came in")
    func userAgentSample() {
        let hits = [Hit(client: "a", time: 1, userAgent: "browser"),
                    Hit(client: "a", time: 9, failureClass: .originError, userAgent: "late-5xx"),
                    Hit(client: "a", time: 5, failureClass: .originError, userAgent: "early-5xx")]
        #expect(Self.summary(Self.table(hits)).clients.first?.userAgent == "early-5xx")
        #expect(Self.summary(Self.table(hits.reversed())).clients.first?.userAgent == "early-5xx")
    }

    @Test("past the table, failing clients are tracked approximately and the rest count as other clients")
    func sketchBeyondTheTable() {
        var hits = (0..<5).map { Hit(client: "ok-\($0)", time: 0) }
        hits += (0..<40).map { Self.fail("loud", Int64($0)) }
        hits += (0..<20).map { Self.fail("noise-\($0)", 100) }
        hits += [Hit(client: "quiet", time: 200)]
        let s = Self.summary(Self.table(hits, limit: 5, sketch: 4))
        #expect(s.clientCounts.distinct == 5 && s.clientCounts.approximate == 4)
        #expect(s.clients.first?.address == "loud" && s.clients.first?.serverErrors == 40)
        #expect(s.clients.first?.serverErrorCountError == 0)
        // Every request is somewhere: listed clients, untracked clients with no 5xx, or other clients.
        let listed = s.clients.reduce(0) { $0 + $1.requests }
        #expect(listed + 5 + s.clientCounts.overflowRequests == hits.count)
    }

    @Test("a client looked up ahead is counted as one looked up on the spot, in the table, the sketch and past both")
    func preparedLookups() {
        var hits: [Hit] = []
        for i in 0..<300 {
            let client = "198.51.100.\(i % 37)" + (i % 5 == 0 ? "-with-a-name-longer-than-23-bytes" : "")
            hits.append(i % 3 == 0 ? Self.fail(client, Int64(i), route: Int32(i % 4)) : Hit(client: client, time: Int64(i)))
        }
        let plain = ClientTable(limit: 20, sketchCapacity: 6, pairLimit: 1000)
        Self.add(hits, to: plain)
        let ahead = ClientTable(limit: 20, sketchCapacity: 6, pairLimit: 1000)
        Self.add(hits, to: ahead, prepared: true)
        let (a, b) = (Self.summary(plain), Self.summary(ahead))
        #expect(a.clients == b.clients)
        #expect(a.clientCounts == b.clientCounts)
        #expect(a.retryStorms == b.retryStorms)
        #expect(plain.exact.keys == ahead.exact.keys)
        #expect(a.clientCounts.distinct == 20 && a.clientCounts.approximate == 6 && a.clientCounts.overflowRequests > 0)
    }

    @Test("a client repeating a failing request within 2 s, 5 times or more, is one retry storm")
    func stormRule() {
        // 6 failures 1–2 s apart, a success between (does not end it), then a 3 s gap: a new run of 4 (no storm).
        var hits = [0, 1, 3, 4, 6, 8].map { Self.fail("c", Int64($0)) }
        hits.insert(Hit(client: "c", time: 5), at: 4)
        hits += [11, 12, 13, 14].map { Self.fail("c", Int64($0)) }
        let s = Self.summary(Self.table(hits))
        #expect(s.retryStorms.storms == 1 && s.retryStorms.requests == 6 && s.retryStorms.clients == 1)
        #expect(s.retryStorms.routes.first?.largest == .init(client: "c", requests: 6, first: 0, last: 8))
        #expect(s.clients.first?.retryStorms == 1 && s.clients.first?.retryStormRequests == 6)
    }

    @Test("a failing request on another route ends a run; 499s count as failing")
    func otherRouteEndsRun() {
        var hits = (0..<4).map { Self.fail("c", Int64($0), route: 1) }
        hits.append(Self.fail("c", 4, route: 2))
        hits += (5..<10).map { Self.fail("c", Int64($0), route: 1, .clientClosed) }
        let s = Self.summary(Self.table(hits))
        #expect(s.retryStorms.storms == 1 && s.retryStorms.requests == 5)
        #expect(s.retryStorms.routes.map(\.route) == ["/r1"])
    }

    @Test("threads merged in order find the storm a single pass finds across their boundary",
          arguments: [1, 3, 4, 7, 11])
    func stitchedAcrossThreads(cut: Int) {
        let hits = (0..<12).map { Self.fail("c", Int64($0 / 2), route: 3) } + [Hit(client: "d", time: 40)]
        let whole = Self.summary(Self.table(hits))
        let first = Self.table(Array(hits.prefix(cut))), second = Self.table(Array(hits.dropFirst(cut)))
        _ = first.merge(second) { $0 }
        let merged = Self.summary(first)
        #expect(whole.retryStorms.storms == 1)
        #expect(merged.retryStorms == whole.retryStorms)
        #expect(merged.clients == whole.clients)
    }

    @Test("the client with the most 5xx on a route is named with its count")
    func topClientPerRoute() {
        var hits = (0..<9).map { Self.fail("scraper", Int64($0 * 10), route: 2) }
        hits += [Self.fail("other", 1, route: 2), Self.fail("other", 2, route: 5)]
        let t = Self.table(hits)
        let top = t.topClientByRoute()
        #expect(top[2] == .init(address: "scraper", count: 9, userAgent: "ua"))
        #expect(top[5]?.address == "other")
    }

    @Test("(client, route) pairs past their limit are not counted, and that is said")
    func pairLimit() {
        let hits = (0..<5).map { Self.fail("c\($0)", 0, route: Int32($0)) }
        let s = Self.summary(Self.table(hits, pairs: 3))
        #expect(s.clientCounts.pairsOverflowed)
    }
}
