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
        var options = AnalysisOptions()
        options.limits.routes = 2
        options.limits.heavyHitterRoutes = 2
        options.top = 100
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
}
