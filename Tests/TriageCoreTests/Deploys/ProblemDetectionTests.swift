import Testing
@testable import TriageCore

/// Issue #12's incident log: four problems at once, each found on its own cause.
@Suite struct ProblemDetectionTests {
    static let t0: Int64 = 1_795_262_400  // 2026-11-21 12:00 UTC
    static let routes = ["GET /api/products", "POST /api/checkout", "GET /api/cart", "POST /api/pay"]
    static let upstreams = ["10.0.1.11:8080", "10.0.1.12:8080", "10.0.1.13:8080", "10.0.2.21:9000"]
    static let scraper: Int32 = 7
    static let perMinute = 400

    static func clientName(_ i: Int32) -> String { i == scraper ? "203.0.113.9" : "192.0.2.\(i)" }

    /// 12:00–18:00, 400 requests a minute: a scraper rate-limited all day (503 from the proxy on
    /// half of its 40 requests a minute); v3.1.0 at 13:00 makes 10% of POST /api/checkout fail in
    /// the application until the end; 10.0.1.13 refuses connections 14:00–14:15 (POSTs get 502,
    /// GETs are retried); the payments backend stalls 15:30–15:40 (504s and 499s); an origin 500
    /// on a random route every half hour.
    static func series() -> [IncidentDetector.Minute] {
        var rng = SplitMix(seed: 12)
        return (0..<360).map { m in
            var causes: [CauseCell: Int] = [:]
            func add(_ c: FailureClass, _ status: Int16, route: Int32, upstream: Int32, client: Int32, _ n: Int = 1) {
                guard n > 0 else { return }
                causes[CauseCell(failureClass: c, status: status, route: route, upstream: upstream, client: client), default: 0] += n
            }
            func someone() -> Int32 { Int32(8 + rng.next() % 190) }
            add(.proxyError, 503, route: 0, upstream: -1, client: scraper, 20)
            if m >= 60 {
                for _ in 0..<6 { add(.originError, 500, route: 1, upstream: Int32(rng.next() % 3), client: someone()) }
            }
            if (120..<135).contains(m) {
                for _ in 0..<8 { add(.upstreamUnreachable, 502, route: 1, upstream: 2, client: someone()) }
                for _ in 0..<30 { add(.retriedOK, 200, route: Int32([0, 2][rng.next() % 2]), upstream: 2, client: someone()) }
            }
            if (210..<220).contains(m) {
                for _ in 0..<6 { add(.upstreamTimeout, 504, route: 3, upstream: 3, client: someone()) }
                for _ in 0..<3 { add(.clientClosed, 499, route: 3, upstream: 3, client: someone()) }
            }
            if m % 30 == 17 { add(.originError, 500, route: Int32(rng.next() % 4), upstream: Int32(rng.next() % 3), client: someone()) }
            var classes = ClassCounts()
            var serverErrors = 0
            for (cell, n) in causes {
                classes[cell.failureClass] += n
                if cell.status >= 500 && cell.failureClass != .clientClosed { serverErrors += n }
            }
            return .init(start: t0 + Int64(m) * 60, requests: perMinute, serverErrors: serverErrors, classes: classes,
                         causes: causes)
        }
    }

    static func detect() -> [Incident] {
        let total = 360 * perMinute
        let routeShares = [0.4, 0.15, 0.35, 0.1], upstreamShares = [0.3, 0.3, 0.3, 0.1]
        return IncidentDetector.detect(series(), keys: .init(
            routeName: { routes[Int($0)] }, upstreamName: { upstreams[Int($0)] }, clientName: clientName,
            routeRequests: { Int(Double(total) * routeShares[Int($0)]) },
            upstreamRequests: { Int(Double(total) * upstreamShares[Int($0)]) },
            clientRequests: { $0 == scraper ? total / 10 : total / 200 }))
    }

    @Test("#12: a deploy's 500s, a refusing upstream, a stall and an all-day scraper are four problems, most 5xx first")
    func fourProblems() throws {
        let problems = Self.detect()
        #expect(problems.count == 4, "\(problems.map { ($0.dominantClass, $0.start, $0.end) })")
        guard problems.count == 4 else { return }
        let (scraper, deploy, refused, stall) = (problems[0], problems[1], problems[2], problems[3])

        #expect(scraper.dominantClass == .proxyError)
        #expect(scraper.topClients.first?.name == "203.0.113.9")
        #expect(scraper.topRoutes.first?.name == "GET /api/products")
        #expect(scraper.start == Self.t0 && scraper.end == Self.t0 + 360 * 60)
        #expect(scraper.classes[.proxyError] == 360 * 20)

        #expect(deploy.dominantClass == .originError)
        #expect(deploy.topRoutes.first?.name == "POST /api/checkout")
        #expect(deploy.start == Self.t0 + 60 * 60)
        #expect(deploy.classes[.originError] >= 300 * 6)

        #expect(refused.dominantClass == .upstreamUnreachable)
        #expect(refused.topUpstreams.first?.name == "10.0.1.13:8080")
        #expect(refused.start == Self.t0 + 120 * 60 && refused.end == Self.t0 + 135 * 60)
        #expect(refused.classes[.upstreamUnreachable] == 15 * 8 && refused.classes[.retriedOK] == 15 * 30)

        #expect(stall.dominantClass == .upstreamTimeout)
        #expect(stall.topUpstreams.first?.name == "10.0.2.21:9000")
        #expect(stall.start == Self.t0 + 210 * 60 && stall.end == Self.t0 + 220 * 60)
        #expect(stall.classes[.upstreamTimeout] == 60 && stall.classes[.clientClosed] == 30)
    }

    @Test("#12: after an hour without traffic, the next run's problems are found on their keys with their counts")
    func problemsAcrossGaps() throws {
        // Minutes 140..<200 absent: the series is two runs, and every keyed series reads its
        // failures per minute across both (the stall at 210–220 is in the second).
        let minutes = Self.series().filter { !(Self.t0 + 140 * 60..<Self.t0 + 200 * 60).contains($0.start) }
        let total = minutes.count * Self.perMinute
        let routeShares = [0.4, 0.15, 0.35, 0.1], upstreamShares = [0.3, 0.3, 0.3, 0.1]
        let problems = IncidentDetector.detect(minutes, keys: .init(
            routeName: { Self.routes[Int($0)] }, upstreamName: { Self.upstreams[Int($0)] }, clientName: Self.clientName,
            routeRequests: { Int(Double(total) * routeShares[Int($0)]) },
            upstreamRequests: { Int(Double(total) * upstreamShares[Int($0)]) },
            clientRequests: { $0 == Self.scraper ? total / 10 : total / 200 }))
        let stall = try #require(problems.first { $0.dominantClass == .upstreamTimeout })
        #expect(stall.topUpstreams.first?.name == "10.0.2.21:9000")
        #expect(stall.start == Self.t0 + 210 * 60 && stall.end == Self.t0 + 220 * 60)
        #expect(stall.classes[.upstreamTimeout] == 60 && stall.classes[.clientClosed] == 30)
        let refused = try #require(problems.first { $0.dominantClass == .upstreamUnreachable })
        #expect(refused.topUpstreams.first?.name == "10.0.1.13:8080")
        #expect(refused.start == Self.t0 + 120 * 60 && refused.end == Self.t0 + 135 * 60)
    }

    @Test("#12: problems that overlap in time keep their own failures: none is counted twice")
    func noFailureTwice() {
        let problems = Self.detect()
        let all = Self.series().reduce(0) { $0 + $1.classes.total }
        #expect(problems.reduce(0) { $0 + $1.failures } <= all)
        // The refused upstream's window lies inside the deploy's and the scraper's.
        #expect(problems.filter { $0.start <= Self.t0 + 125 * 60 && $0.end > Self.t0 + 125 * 60 }.count == 3)
    }

    @Test("#12: a problem of 499s alone names its peak by its 499s, not by 0 5xx")
    func clientClosedAlone() {
        let t0 = Self.t0
        let minutes: [IncidentDetector.Minute] = (0..<120).map { m in
            var causes: [CauseCell: Int] = [:]
            if (60..<70).contains(m) { causes[CauseCell(failureClass: .clientClosed, status: 499, route: 0, upstream: -1, client: -1)] = 8 + m % 3 }
            var classes = ClassCounts()
            classes[.clientClosed] = causes.values.reduce(0, +)
            return .init(start: t0 + Int64(m) * 60, requests: 200, serverErrors: 0, classes: classes, causes: causes)
        }
        let problems = IncidentDetector.detect(minutes, keys: .init(routeName: { _ in "GET /slow" }, upstreamName: { _ in "?" },
                                                                    routeRequests: { _ in 24_000 }))
        #expect(problems.count == 1)
        #expect(problems.first?.serverErrors == 0)
        #expect(problems.first?.peakServerErrors == 0)
        #expect(problems.first?.peakFailures == 10)
        #expect(problems.first?.dominantClass == .clientClosed)
    }

    @Test("#12: past the budget a cause loses its client, then its route, never its failures")
    func boundedCauses() {
        var causes: [CauseCell: Int] = [:]
        var budget = CauseCell.Budget(limit: 16)
        var collapsed = 0
        for client in 0..<100 {
            collapsed += CauseCell.add(CauseCell(failureClass: .originError, status: 500, route: Int32(client % 40), upstream: 0,
                                                 client: Int32(client)), 1, to: &causes, budget: &budget)
        }
        #expect(causes.values.reduce(0, +) == 100)
        #expect(causes.count == 17)
        #expect(budget.used == causes.count)
        #expect(causes.keys.filter { $0.client >= 0 }.count == 8)
        // 8 with their client, 8 new routes without one (and 16 more failures later on those
        // routes), the other 68 under their class and status alone.
        #expect(causes[CauseCell(failureClass: .originError, status: 500, route: -1, upstream: -1, client: -1)] == 68)
        #expect(collapsed == 100 - 8)
    }
}
