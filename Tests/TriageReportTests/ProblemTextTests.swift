import Testing
@testable import TriageCore
@testable import TriageReport

@Suite struct ProblemTextTests {
    static let t0: Int64 = 1_795_169_400 // 2026-11-20 10:10 UTC

    static func incident(_ counts: [(FailureClass, Int)], routes: [(String, Int)], upstreams: [(String, Int)] = [],
                         statuses: [(Int, Int)]) -> Incident {
        var classes = ClassCounts()
        for (c, n) in counts { classes[c] = n }
        let serverErrors = counts.filter { $0.0.isServerError }.reduce(0) { $0 + $1.1 }
        var i = Incident(start: t0, end: t0 + 600, peak: t0 + 60, peakServerErrors: serverErrors > 0 ? 9 : 0,
                         requests: 1000, serverErrors: serverErrors, classes: classes,
                         anomalousClasses: counts.map(\.0),
                         topRoutes: routes.map { .init(name: $0.0, count: $0.1, failures: $0.1) },
                         topUpstreams: upstreams.map { .init(name: $0.0, count: $0.1, failures: $0.1) })
        i.peakFailures = 9
        i.statusCounts = statuses.map { (status: $0.0, count: $0.1) }
        return i
    }

    @Test("a problem spread over several routes names none of them; a route with most of its failures is named, with its own count")
    func routeNamedOnlyWhenDominant() {
        let spread = Self.incident([(.originError, 235)],
                                   routes: [("GET /health", 65), ("POST /api/orders", 59), ("GET /api/users/{id}", 58)],
                                   statuses: [(500, 235)])
        #expect(ProblemText.what(spread) == "routes failing in the application: 235 × 500")
        let one = Self.incident([(.originError, 71)], routes: [("POST /api/orders", 69), ("GET /", 2)], statuses: [(500, 71)])
        // The counts are the problem's; the route's own share follows them.
        #expect(ProblemText.what(one) == "POST /api/orders failing in the application: 71 × 500, 69 of them on it")
        let all = Self.incident([(.originError, 71)], routes: [("POST /api/orders", 71)], statuses: [(500, 71)])
        #expect(ProblemText.what(all) == "POST /api/orders failing in the application: 71 × 500")
        let timeouts = Self.incident([(.upstreamTimeout, 58)], routes: [("GET /health", 19), ("GET /a", 18)],
                                     upstreams: [("web2", 58)], statuses: [(504, 58)])
        #expect(ProblemText.what(timeouts) == "web2 timed out: 58 × 504")
    }

    @Test("upstreams: one holding most failures is named, two each holding a quarter and together nine in ten are both named")
    func upstreamsNamed() {
        func refused(_ upstreams: [(String, Int)], total: Int) -> String {
            ProblemText.what(Self.incident([(.upstreamUnreachable, total)], routes: [], upstreams: upstreams, statuses: [(502, total)]))
        }
        #expect(refused([("10.0.1.13:8080", 180), ("10.0.1.14:8080", 20)], total: 200)
                == "10.0.1.13:8080 unreachable: 200 × 502")
        // Two backends behind one problem (an access log without upstream fields): both, not the larger alone.
        #expect(refused([("10.0.2.21:9000", 143), ("10.0.3.31:9200", 49)], total: 192)
                == "10.0.2.21:9000 and 10.0.3.31:9200 unreachable: 192 × 502")
        #expect(refused([("10.0.1.12:8080", 62), ("10.0.1.13:8080", 61)], total: 123)
                == "10.0.1.12:8080 and 10.0.1.13:8080 unreachable: 123 × 502")
        // Three sharing it (a restart of every backend: 4, 3 and 1), or the largest with a third of it: none.
        #expect(refused([("a:1", 40), ("b:1", 40), ("c:1", 40)], total: 120) == "upstreams unreachable: 120 × 502")
        #expect(refused([("a:1", 4), ("b:1", 3), ("c:1", 1)], total: 8) == "upstreams unreachable: 8 × 502")
        #expect(refused([("a:1", 40)], total: 120) == "upstreams unreachable: 120 × 502")
    }

    @Test("a route is named by its 5xx first: most of a problem's 499s on another route do not name that one")
    func routeNamedBy5xxFirst() {
        var i = Self.incident([(.originError, 10), (.clientClosed, 90)], routes: [], statuses: [(500, 10), (499, 90)])
        i.topRoutes = [.init(name: "GET /a", count: 10, failures: 10), .init(name: "GET /b", count: 0, failures: 90)]
        #expect(ProblemText.what(i).hasPrefix("routes failing in the application"))
    }

    @Test("a problem of several 5xx classes under one status says which: Heroku's 503s of H13 and H12")
    func mixedClasses() {
        let mixed = Self.incident([(.upstreamUnreachable, 58), (.upstreamTimeout, 23)], routes: [("GET /a", 30)],
                                  upstreams: [("web.2", 81)], statuses: [(503, 81)])
        #expect(ProblemText.what(mixed) == "web.2 unreachable: 81 × 503 (58 upstream_unreachable, 23 upstream_timeout)")
        let mostlyOne = Self.incident([(.upstreamUnreachable, 95), (.upstreamTimeout, 5)], routes: [("GET /a", 30)],
                                      upstreams: [("web.2", 100)], statuses: [(503, 100)])
        #expect(ProblemText.what(mostlyOne) == "web.2 unreachable: 100 × 503")
        // The statuses already tell the classes apart.
        let told = Self.incident([(.upstreamUnreachable, 58), (.upstreamTimeout, 23)], routes: [("GET /a", 30)],
                                 upstreams: [("web.2", 81)], statuses: [(502, 58), (504, 23)])
        #expect(ProblemText.what(told) == "web.2 unreachable: 58 × 502, 23 × 504")
    }

    @Test("client aborts show the status the log gave them: 499, ALB's 460, or none sent", arguments: [
        ([(499, 8)], "8 × 499", "9 × 499"),
        ([(460, 9)], "9 × 460", "9 × 460"),
        ([(0, 3)], "3 client aborts", "9 client aborts"),
        ([(460, 5), (0, 4)], "5 × 460, 4 client aborts", "9 client aborts"),
    ])
    func clientAbortStatuses(statuses: [(Int, Int)], counted: String, peak: String) {
        let closed = statuses.reduce(0) { $0 + $1.1 }
        let i = Self.incident([(.clientClosed, closed)], routes: [("GET /health", closed)], statuses: statuses)
        #expect(ProblemText.what(i) == "clients gave up on GET /health: " + counted)
        // The peak minute holds 9 of them (``incident``).
        #expect(ProblemText.peak(i, withDate: false) == "10:11 with " + peak)
    }
}
