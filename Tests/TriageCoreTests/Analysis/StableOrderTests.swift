import Testing
@testable import TriageCore

/// The same input gives the same report on every run. Swift seeds its dictionaries and
/// sets differently in every process (and every instance), so any list built from one
/// must be ordered, and any budget spent while walking one must be walked in order.
/// Each test builds the report many times: a result that followed a dictionary's
/// order would change between the builds.
@Suite struct StableOrderTests {
    func summary(_ lines: [String], options: AnalysisOptions) throws -> TriageSummary {
        let analyzer = Analyzer(options: options)
        let input = try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "mem.log")
        analyzer.analyze(input)
        return analyzer.finish()
    }

    /// A route table of `routes` and a sketch of `sketch`, every list in full.
    static func options(routes: Int, sketch: Int) -> AnalysisOptions {
        var options = AnalysisOptions()
        options.limits.routes = routes
        options.limits.heavyHitterRoutes = sketch
        options.top = 100
        return options
    }

    static func line(_ time: String, _ method: String, _ path: String, _ status: Int, client: String = "10.0.0.1") -> String {
        #"\#(client) - - [21/Nov/2026:\#(time) +0000] "\#(method) \#(path) HTTP/1.1" \#(status) 5 "-" "ua""#
    }

    @Test("routes whose 5xx rose by as much after a deploy are listed by route, then method, on every run")
    func regressedRoutesTieOrder() throws {
        var lines: [String] = []
        // Before the deploy: GET 0, POST 1, PUT 2 errors; after it: 4, 5, 6. Each rose by 4.
        for (method, before) in [("GET", 0), ("POST", 1), ("PUT", 2)] {
            for _ in 0..<before { lines.append(Self.line("10:30:00", method, "/api/x", 500)) }
            for _ in 0..<10 { lines.append(Self.line("10:31:00", method, "/api/x", 200)) }
        }
        for (method, after) in [("GET", 4), ("POST", 5), ("PUT", 6)] {
            for _ in 0..<after { lines.append(Self.line("10:50:00", method, "/api/x", 500)) }
            for _ in 0..<10 { lines.append(Self.line("10:51:00", method, "/api/x", 200)) }
        }
        lines.sort { $0.contains("10:3") && !$1.contains("10:3") }
        var options = AnalysisOptions()
        options.deploys = [try DeployMarker(argument: "2026-11-21T10:40:00Z=v2")]
        var seen: Set<[String]> = []
        for _ in 0..<8 {
            let routes = try #require(try summary(lines, options: options).deploys.first).regressedRoutes
            seen.insert(routes.map { "\($0.method) \($0.route) \($0.before)→\($0.after)" })
        }
        #expect(seen == [["GET /api/x 0→4", "POST /api/x 1→5", "PUT /api/x 2→6"]])
    }

    @Test("route ids that left the sketch read as one '(other routes)': one signature, one storm row, one deploy route, one incident route")
    func evictedSketchRoutesAreOne() throws {
        var options = Self.options(routes: 2, sketch: 2)
        options.deploys = [try DeployMarker(argument: "2026-11-21T10:40:00Z=v2")]
        var lines = [Self.line("10:30:00", "GET", "/a", 200), Self.line("10:30:00", "GET", "/b", 200)]
        // Failing routes past the table, each pushing another out of the two-entry sketch.
        for i in 0..<40 {
            let path = "/f\(String(repeating: "x", count: i))"
            // Five or more from one client within seconds: a retry storm on each.
            for _ in 0..<(5 + i % 3) { lines.append(Self.line("10:50:\(String(format: "%02d", i))", "GET", path, 502)) }
        }
        for _ in 0..<5 {
            let s = try summary(lines, options: options)
            let ids = s.signatures.map(\.id)
            #expect(Set(ids).count == ids.count, "signature ids: \(ids)")
            let other = s.signatures.filter { $0.title.contains("(other routes)") }
            #expect(other.count == 1)
            let names = s.deploys.first?.regressedRoutes.map { "\($0.method) \($0.route)" } ?? []
            #expect(Set(names).count == names.count, "regressed routes: \(names)")
            let counts = s.deploys.first?.signatureCounts.map { "\($0.method) \($0.route) \($0.failureClass)" } ?? []
            #expect(Set(counts).count == counts.count, "signature counts: \(counts)")
            let storms = s.retryStorms.routes.map { "\($0.method) \($0.route)" }
            #expect(Set(storms).count == storms.count, "storm routes: \(storms)")
            #expect(s.retryStorms.routes.contains { $0.route == "(other routes)" })
            #expect(!s.incidents.isEmpty)
            for incident in s.incidents {
                let top = incident.topRoutes.map(\.name)
                #expect(Set(top).count == top.count, "incident routes: \(top)")
            }
            // Every 5xx is in exactly one signature.
            #expect(s.signatures.reduce(0) { $0 + $1.count } == s.serverErrors)
        }
    }

    @Test("merging the threads' minutes spends the causes' budget in time order: the same cells every time")
    func mergedCausesBudget() throws {
        func aggregator(_ offset: Int) -> Aggregator {
            var limits = Aggregator.Limits()
            // Each side keeps 90 causes (30 minutes, 3 clients): under half the budget alone,
            // so the merge crosses it partway, and which minutes keep their clients is decided then.
            limits.causes = 200
            let a = Aggregator(limits: limits)
            let decoder = LogFormat.presets[0].makeDecoder()
            var record = AccessRecord()
            for minute in 0..<30 {
                for client in 0..<3 {
                    let text = Self.line(String(format: "10:%02d:00", minute), "GET", "/r\((minute + offset) % 7)", 500,
                                         client: "10.0.\(offset).\(client)")
                    Array(text.utf8).withUnsafeBufferPointer { line in
                        if decoder.parse(line, into: &record) {
                            a.add(record, line: line, hasUpstreamFields: decoder.hasUpstreamFields)
                        }
                    }
                }
            }
            return a
        }
        var results: Set<String> = []
        for _ in 0..<8 {
            let merged = aggregator(0)
            merged.merge(aggregator(1))
            #expect(merged.collapsedCauses > 0)
            // Which minutes kept their clients, cell by cell.
            let cells = merged.minutes.keys.sorted().map { minute in
                (merged.minutes[minute]?.causes ?? [:]).map { "\($0.key.route)/\($0.key.client)=\($0.value)" }.sorted()
                    .joined(separator: ",")
            }
            results.insert(cells.joined(separator: ";"))
        }
        #expect(results.count == 1)
    }

    /// Incidents by what a report shows of them: two alike are one problem shown twice.
    static func shown(_ i: Incident) -> String {
        "\(i.start)-\(i.end) \(i.failures) \(i.topRoutes.map(\.name)) \(i.topClients.map(\.name)) \(i.topUpstreams.map(\.name))"
    }

    /// The shape in which two untracked ids once made two identical problems: a table filled
    /// at the start, then every minute 40 failures on routes (or from clients) never seen
    /// before, churning through the sketch; at minute 100 two more fail 12 times each, and
    /// later churn pushes them out of the sketch too.
    static func churn(routes: Bool) -> [String] {
        var lines: [String] = []
        for i in 0..<20 { lines.append(line("00:00:00", "GET", "/t/r\(i)x", 200, client: "10.0.0.\(i)")) }
        var churn = 0
        for minute in 1..<130 {
            let time = String(format: "%02d:%02d:%02d", minute / 60, minute % 60, 0)
            for k in 0..<200 { lines.append(line(time, "GET", "/t/r\(k % 20)x", 200, client: "10.0.0.\(k % 20)")) }
            for _ in 0..<40 {
                lines.append(routes ? line(time, "GET", "/c/z\(churn)x", 500)
                                    : line(time, "GET", "/t/r0x", 503, client: "11.0.\(churn / 250).\(churn % 250)"))
                churn += 1
            }
            if minute == 100 {
                for k in 0..<12 {
                    let t = String(format: "%02d:%02d:%02d", minute / 60, minute % 60, k)
                    lines.append(routes ? line(t, "GET", "/a/alpha", 500) : line(t, "GET", "/t/r0x", 503, client: "172.16.0.1"))
                    lines.append(routes ? line(t, "GET", "/a/beta", 500) : line(t, "GET", "/t/r0x", 503, client: "172.16.0.2"))
                }
            }
        }
        return lines
    }

    @Test("routes that left the sketch are one key for incidents: never two identical problems, and (other routes) has its top client")
    func evictedRoutesOneProblem() throws {
        let s = try summary(Self.churn(routes: true), options: Self.options(routes: 20, sketch: 20))
        let shown = s.incidents.map(Self.shown)
        #expect(Set(shown).count == shown.count, "incidents: \(shown)")
        let other = try #require(s.routes.first { $0.route == "(other routes)" })
        #expect(other.topClient?.address == "10.0.0.1")
    }

    @Test("for incidents, route and client ids that left their sketch become -1 and their cells add up; tracked ids stay")
    func trackedIDs() {
        // Table ids 0..<10, sketch ids 10 and 12 still live; 11 and 13 left the sketch.
        let tracked = TrackedIDs(routes: 10, sketchRoutes: [10, 12], clients: 10, sketchClients: [12])
        #expect([-1, 0, 9, 10, 11, 12, 13].map(tracked.route) == [-1, 0, 9, 10, -1, 12, -1])
        #expect([-1, 0, 9, 10, 11, 12, 13].map(tracked.client) == [-1, 0, 9, -1, -1, 12, -1])
        let cell = { (route: Int32, client: Int32) in
            CauseCell(failureClass: .originError, status: 500, route: route, upstream: -1, client: client)
        }
        let causes = tracked.causes([cell(11, 3): 12, cell(13, 3): 12, cell(12, 11): 5, cell(12, 13): 2, cell(4, 4): 1])
        #expect(causes == [cell(-1, 3): 24, cell(12, -1): 7, cell(4, 4): 1])
    }
}
