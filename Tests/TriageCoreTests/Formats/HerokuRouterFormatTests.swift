import Testing
@testable import TriageCore

/// Heroku router lines, with the H codes through the facts table.
@Suite struct HerokuRouterFormatTests {
    static func line(at: String = "info", path: String = "\"/poll\"", dyno: String = "web.1", connect: String = "1ms",
                     service: String = "45ms", status: String = "200") -> String {
        "2018-04-10T03:30:53.848866+00:00 heroku[router]: at=\(at) method=POST path=\(path) host=fast-depths-22674.herokuapp.com request_id=50a4bf5b-0932-45bd-89ff-95a4fb89cc3d fwd=\"36.71.232.235\" dyno=\(dyno) connect=\(connect) service=\(service) status=\(status) bytes=0 protocol=https"
    }

    func format() throws -> LogFormat { try #require(LogFormat.preset(named: "heroku-router")) }

    @Test("a router line: quoted or bare values, empty ones, the request ID")
    func parses() throws {
        for path in ["\"/poll\"", "/poll"] {
            let r = parse(Self.line(path: path), try format())
            #expect(r.ok, "\(r.failure)")
            #expect(r.text(r.record.target) == "/poll")
            #expect(r.text(r.record.remoteAddr) == "36.71.232.235")
            #expect(r.text(r.record.requestID) == "50a4bf5b-0932-45bd-89ff-95a4fb89cc3d")
            #expect(r.record.requestMicros == 45_000)
            #expect(r.record.time == 1_523_331_053)
        }
        let crashed = parse(Self.line(at: #"error code=H10 desc="App crashed""#, dyno: "", connect: "", service: "", status: "503"),
                            try format())
        #expect(crashed.ok, "\(crashed.failure)")
        #expect(crashed.record.requestMicros == -1)
    }

    /// Heroku's Error Codes article: H18 and H27 lines start with `sock=`, H27 is
    /// `at=warning`, and the H25/H26 examples write `connect=0 service=1` without units.
    @Test("documented variants: sock= before at=, at=warning, times without ms", arguments: [
        (#"2010-10-06T21:51:37-07:00 heroku[router]: sock=backend at=error code=H18 desc="Server Request Interrupted" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=1ms status=503 bytes=0"#,
         FailureClass?.some(.upstreamUnreachable), Int64(1_000)),
        (#"2010-10-06T21:51:37-07:00 heroku[router]: sock=client at=warning code=H27 desc="Client Request Interrupted" method=POST path="/submit/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=0ms status=499 bytes=0"#,
         .clientClosed, 0),
        (#"2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H25 desc="HTTP restriction: oversized cookie" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=0 service=1 status=502 bytes=0"#,
         .proxyError, 1_000),
    ])
    func documentedVariants(line: String, expected: FailureClass?, micros: Int64) throws {
        let lines = [Array(line.utf8)]
        let detected = try FormatDetector.detect(lines, path: "t").format
        #expect(detected.dialect == .heroku, "\(detected.name)")
        let parser = detected.makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try lines[0].withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record))
            return Classifier.decide(detected.vocabulary.facts(record, line: buffer,
                                                               attempts: UpstreamAttempts(record: record, line: buffer),
                                                               hasUpstreamFields: true))
        }
        #expect(decision?.failureClass == expected)
        #expect(record.requestMicros == micros)
    }

    @Test("keys after bytes= (protocol=, newer ones) are left unread without a hint that fields were missed")
    func knownKeysAfterTheLast() throws {
        let analyzer = Analyzer(options: AnalysisOptions())
        let text = [Self.line(), Self.line(status: "500")].joined(separator: "\n")
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(text.utf8)), displayPath: "m"))
        let summary = analyzer.finish()
        #expect(summary.requests == 2)
        #expect(summary.inputs.first?.trailingTextLines == 0)
        #expect(summary.inputs.first?.unreadFields == nil)
    }

    @Test("detected without options among the app's own output, which counts as other lines")
    func mixedStream() throws {
        let app = "2018-04-10T03:30:53.900000+00:00 app[web.1]: Completed 200 OK in 12ms"
        let lines = [Self.line(), app, Self.line(status: "500"), app].map { Array($0.utf8) }
        #expect(try FormatDetector.detect(lines, path: "t").format.name == "heroku-router")
        #expect(Array(app.utf8).withUnsafeBufferPointer { OtherLine.dialectShape($0, format: try! format()) }
                == "application output (not a router line)")
        // The app's own key=value lines (lograge) are not read as a second access log of the
        // same requests: the router's lines are the access log.
        let lograge = "2018-04-10T03:30:53.900000+00:00 app[web.1]: method=POST path=/poll format=html controller=PollsController action=create status=200 duration=43.10 view=1.2 db=3.4"
        let mixed = [Self.line(), lograge, Self.line(status: "500"), lograge].map { Array($0.utf8) }
        let detected = try FormatDetector.detect(mixed, path: "t")
        #expect(detected.format.name == "heroku-router")
        #expect(detected.format.envelope == .none)
    }

    @Test("H codes through the facts table", arguments: [
        ("H10", "503", FailureClass?.some(.upstreamUnavailable)), ("H11", "503", .upstreamUnavailable),
        ("H12", "503", .upstreamTimeout), ("H13", "503", .upstreamUnreachable), ("H14", "503", .upstreamUnavailable),
        ("H15", "503", .upstreamTimeout), ("H18", "503", .upstreamUnreachable), ("H19", "503", .upstreamTimeout),
        ("H20", "503", .upstreamUnavailable), ("H21", "503", .upstreamUnreachable), ("H27", "499", .clientClosed),
        ("H80", "503", .proxyError), ("H99", "503", .proxyError), ("-", "500", .originError), ("-", "200", nil),
    ])
    func codes(code: String, status: String, expected: FailureClass?) throws {
        let at = code == "-" ? "info" : "error code=\(code) desc=\"x\""
        let bytes = Array(Self.line(at: at, status: status).utf8)
        let format = try format()
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try bytes.withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record))
            return Classifier.decide(format.vocabulary.facts(record, line: buffer,
                                                             attempts: UpstreamAttempts(record: record, line: buffer),
                                                             hasUpstreamFields: true))
        }
        #expect(decision?.failureClass == expected)
    }
}
