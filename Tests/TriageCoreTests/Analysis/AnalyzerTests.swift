import Testing
@testable import TriageCore

@Suite struct AnalyzerTests {
    static let ok = #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET /api/orders/1 HTTP/1.1" 200 5 "-" "ua""#
    static let fail = #"203.0.113.8 - - [21/Nov/2026:10:01:00 +0000] "POST /api/orders/2 HTTP/1.1" 500 5 "-" "ua""#

    func analyze(_ text: String, chunk: Int = 4096, options: AnalysisOptions = AnalysisOptions()) throws -> AnalysisOutcome {
        let analyzer = Analyzer(options: options)
        let input = try InputOpener.wrap(source: MemorySource(Array(text.utf8), chunkSize: chunk), displayPath: "mem.log")
        analyzer.analyze(input)
        return AnalysisOutcome(summary: analyzer.finish(), errors: analyzer.errors)
    }

    @Test("more start-up lines than the detection sample before the first request: the next lines decide, none is lost", arguments: [70, 300])
    func startUpLinesFirst(count: Int) throws {
        let startUp = (0..<count).map { "2026-11-21 10:00:00.123  INFO 1 --- [main] o.s.b.w.TomcatWebServer : starting, step \($0)" }
        let text = (startUp + [Self.ok, Self.fail, Self.ok]).joined(separator: "\n") + "\n"
        let outcome = try analyze(text)
        #expect(outcome.errors.isEmpty)
        #expect(outcome.summary.requests == 3)
        #expect(outcome.summary.serverErrors == 1)
        #expect(outcome.summary.otherLines == count)
        #expect(outcome.summary.inputs.first?.formatSource.contains("the lines before fit no format") == true)
        // Only start-up lines: refused, with the first line as the example.
        let refused = try analyze(startUp.joined(separator: "\n") + "\n")
        #expect(refused.summary.requests == 0)
        guard case let .noFormatFits(_, explanation)? = refused.errors.first else {
            Issue.record("expected noFormatFits, got \(refused.errors)")
            return
        }
        #expect(explanation.contains("step 0"))
    }

    @Test("bad lines are counted with line number and reason; the rest is still analysed", arguments: [1, 9, 4096])
    func malformedCounted(chunk: Int) throws {
        let bad = #"203.0.113.9 - - [21/Nov/2026:10:00:30 +0000] "GET / HTTP/1.1" abc 5 "-" "ua""#
        let text = [Self.ok, bad, Self.fail, "", Self.ok].joined(separator: "\n") + "\n"
        let outcome = try analyze(text, chunk: chunk)
        let s = outcome.summary
        #expect(s.requests == 3)
        #expect(s.serverErrors == 1)
        #expect(s.malformedLines == 1)
        #expect(s.inputs.first?.blank == 1)
        #expect(s.malformedExamples.first?.line == 2)
        #expect(s.malformedExamples.first?.path == "mem.log")
        #expect(s.classes[.originError] == 1)
        #expect(s.classDetails[0].statusOnly == 1)
        #expect(outcome.errors.isEmpty)
    }

    @Test("lines of another shape are other lines with a reason: neither requests nor malformed")
    func otherLines() throws {
        let text = [Self.ok, "2026/11/21 10:00:30 [error] 7#7: *1 connect() failed (111: Connection refused)", Self.fail,
                    "Starting the application", Self.ok, "Starting again"].joined(separator: "\n") + "\n"
        let s = try analyze(text).summary
        #expect(s.requests == 3)
        #expect(s.malformedLines == 0)
        #expect(s.otherLines == 3)
        #expect(s.inputs.first?.otherLines == 3)
        #expect(s.otherByReason.map(\.reason) == ["not a line of format 'combined'", "nginx error-log line"])
        #expect(s.otherByReason.map(\.count) == [2, 1])
        #expect(s.otherByReason.first?.example.line == 4)
    }

    @Test("a cut-off last line without newline is malformed and says so")
    func truncatedLastLine() throws {
        let text = Self.ok + "\n" + String(Self.fail.prefix(60))
        let s = try analyze(text).summary
        #expect(s.requests == 1)
        #expect(s.malformedLines == 1)
        #expect(s.malformedExamples.first?.reason.contains("no line break") == true)
    }

    @Test("routes group by normalised route and method; samples are the failures' request IDs")
    func routesAndSamples() throws {
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.nginx(#"$remote_addr [$time_local] "$request" $status $request_id"#))
        let lines = (1...7).map { i in
            #"10.0.0.\#(i) [21/Nov/2026:10:00:0\#(i) +0000] "GET /api/orders/\#(i * 1000) HTTP/1.1" \#(i % 2 == 0 ? 502 : 200) rid-\#(i)"#
        }
        let s = try analyze(lines.joined(separator: "\n"), options: options).summary
        #expect(s.routes.count == 1)
        #expect(s.routes[0].route == "/api/orders/{id}")
        #expect(s.routes[0].requests == 7)
        #expect(s.routes[0].serverErrors == 3)
        #expect(s.routes[0].sampleRequestIDs == ["rid-2", "rid-4", "rid-6"])
        #expect(s.clientsAffected == 3)
        #expect(s.serverErrorsWithRequestID == 3)
    }

    @Test("upstream attempts are counted per address and retries classified")
    func upstreams() throws {
        let base = #"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" "#
        let lines = [
            base + #"200 5 "-" "ua" rt=0.1 uct="-, 0.001" uht="-, 0.1" urt="0.0, 0.1" us="502, 200" ua="10.0.0.2:80, 10.0.0.3:80" rid=a"#,
            base + #"502 5 "-" "ua" rt=0.0 uct="-" uht="-" urt="0.0" us="502" ua="10.0.0.2:80" rid=b"#,
            base + #"503 5 "-" "ua" rt=0.0 uct="-" uht="-" urt="-" us="-" ua="-" rid=c"#,
        ]
        let s = try analyze(lines.joined(separator: "\n")).summary
        #expect(s.inputs.first?.format == "upstream")
        #expect(s.classes[.retriedOK] == 1)
        #expect(s.classes[.upstreamUnreachable] == 1)
        #expect(s.classes[.proxyError] == 1)
        let failing = s.upstreams.first
        #expect(failing?.address == "10.0.0.2:80")
        #expect(failing?.requests == 2)
        #expect(failing?.failures == 2)
        #expect(s.upstreams.count == 2)
    }

    @Test("the route table and the sketch are bounded; what neither holds is counted, not dropped")
    func boundedRoutes() throws {
        var options = AnalysisOptions()
        options.limits.routes = 5
        options.limits.heavyHitterRoutes = 2
        options.top = 100
        let lines = (0..<50).map { i in
            #"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /page-\#(String(repeating: "x", count: i % 20))z HTTP/1.1" 500 5 "-" "ua""#
        }
        let s = try analyze(lines.joined(separator: "\n"), options: options).summary
        #expect(s.distinctRoutes == 5)
        #expect(s.approximateRoutes == 2)
        #expect(s.routesOverflowRequests > 0)
        #expect(s.routes.reduce(0) { $0 + $1.requests } == 50)
        #expect(s.requests == 50)
    }

    @Test("a route that starts failing after the table is full still ranks first, marked approximate")
    func lateHeavyHitter() throws {
        var options = AnalysisOptions()
        options.limits.routes = 10
        options.limits.heavyHitterRoutes = 4
        options.top = 100
        var lines = (0..<300).map { i in
            #"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /p/item-\#(i)x HTTP/1.1" \#(i % 3 == 0 ? 502 : 200) 5 "-" "ua""#
        }
        for i in 0..<40 {
            lines.insert(#"1.1.1.2 - - [21/Nov/2026:10:01:00 +0000] "POST /api/checkout HTTP/1.1" 500 5 "-" "ua""#, at: 200 + i * 2)
        }
        let s = try analyze(lines.joined(separator: "\n"), options: options).summary
        #expect(s.routes.first?.route == "/api/checkout")
        #expect(s.routes.first?.serverErrors == 40)
        #expect(s.routes.first?.failureCountError != nil)
        #expect(s.routes.last?.route == "(other routes)")
    }

    @Test("a given format that fits none of the first lines stops that input with the failing field")
    func givenFormatMismatch() throws {
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.nginx(#"$remote_addr $status"#))
        let outcome = try analyze(Self.ok + "\n", options: options)
        #expect(outcome.summary.requests == 0)
        #expect(outcome.errors.count == 1)
        #expect(outcome.errors.first?.description.contains("given format does not fit") == true)
    }
}

@Suite struct UpstreamOverflowTests {
    @Test("attempts to upstreams beyond the table are counted, not dropped")
    func counted() throws {
        var options = AnalysisOptions()
        options.limits.upstreams = 2
        let lines = (0..<5).map { i in
            #"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 502 5 "-" "ua" rt=0.1 uct="-" uht="-" urt="0.0" us="502" ua="10.0.0.\#(i):80" rid=r\#(i)"#
        }
        let analyzer = Analyzer(options: options)
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
        let s = analyzer.finish()
        #expect(s.upstreams.count == 2)
        #expect(s.upstreamsOverflowAttempts == 3)
    }
}
