import Testing
@testable import TriageCore

/// Generic logfmt access lines: keys in any order, quoted or bare values.
@Suite struct LogfmtRecordDecoderTests {
    func format() throws -> LogFormat { try #require(LogFormat.preset(named: "logfmt")) }

    @Test("slog-style and lograge-style lines, keys in any order")
    func parses() throws {
        let slog = parse(#"time=2026-11-20T10:00:00Z level=INFO msg="request done" method=GET path="/api/orders/12" status=502 duration=1.5ms request_id=abc123 remote_ip=10.0.0.9"#, try format())
        #expect(slog.ok, "\(slog.failure)")
        #expect(slog.record.status == 502)
        #expect(slog.text(slog.record.target) == "/api/orders/12")
        #expect(slog.text(slog.record.requestID) == "abc123")
        #expect(slog.record.requestMicros == 1500)
        #expect(slog.record.time == 1_795_168_800)
        let lograge = parse("status=500 method=POST path=/api/pay format=json controller=Pay action=create duration=89.57 view=0.61", try format())
        #expect(lograge.ok, "\(lograge.failure)")
        #expect(lograge.record.requestMicros == 89_570)
        #expect(lograge.text(lograge.record.method) == "POST")
    }

    @Test("durations: bare (lograge's ms), and every form of Go's Duration.String()", arguments: [
        ("2s", Int64(2_000_000)), ("350us", 350), ("350µs", 350), ("1500ns", 1), ("300ns", 0), ("12.5", 12_500),
        ("1.25ms", 1250), ("1m0.002s", 60_002_000), ("2m0s", 120_000_000), ("1h2m3s", 3_723_000_000),
    ])
    func durations(value: String, micros: Int64) {
        let bytes = Array(value.utf8)
        #expect(bytes.withUnsafeBufferPointer { LogfmtRecordDecoder.durationMicros($0, 0, $0.count) } == micros)
    }

    @Test("events without status= are other lines; a line starting with another format's words is not logfmt")
    func otherLines() throws {
        let decoder = try format().makeDecoder()
        var record = AccessRecord()
        for (text, reason) in [(#"time=2026-11-20T10:00:01Z level=INFO msg="cache warm""#, "logfmt event without status= (not an access-log entry)"),
                               ("2018-04-10T03:30:53Z heroku[router]: at=info method=GET status=200", nil as String?)] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                #expect(!decoder.parse(buffer, into: &record))
                if let reason { #expect(decoder.otherShapeReason(buffer) == reason) }
            }
        }
        let lines = ["time=2026-11-20T10:00:00Z method=GET path=/a status=200 duration=3ms",
                     #"time=2026-11-20T10:00:01Z level=INFO msg="cache warm""#,
                     "time=2026-11-20T10:00:02Z method=GET path=/b status=503 duration=3ms"].map { Array($0.utf8) }
        #expect(try FormatDetector.detect(lines, path: "t").format.name == "logfmt")
    }

    @Test("a duration of a minute or more is read, not dropped")
    func longDurations() throws {
        let r = parse("time=2026-11-20T10:00:00Z method=GET path=/slow status=504 duration=1m0.002s", try format())
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.requestMicros == 60_002_000)
    }

    /// go-kit's examples log `code` and `took`; Heroku's router writes `code=H12` beside `status=`.
    @Test("code=503 is the status when three digits and no status= is on the line; took= is a duration")
    func goKitCode() throws {
        let goKit = parse("ts=2026-11-20T10:00:00Z method=GET path=/a code=503 took=1.5ms", try format())
        #expect(goKit.ok, "\(goKit.failure)")
        #expect(goKit.record.status == 503)
        #expect(goKit.record.requestMicros == 1500)
        for line in [#"at=error code=H12 desc="Request timeout" method=GET path="/a" status=503"#,
                     #"status=503 at=error code=H12 desc="Request timeout" method=GET path="/a""#,
                     "method=GET path=/a status=503 code=200"] {
            let r = parse(line, try format())
            #expect(r.ok, "\(r.failure)")
            #expect(r.record.status == 503, "\(line)")
        }
        #expect(!parse(#"level=error msg="failed" code=H12"#, try format()).ok)
        #expect(!parse(#"level=error msg="failed" code=42"#, try format()).ok)
    }

    /// logfmt lines carry any keys: what an input has is judged from its records, so the
    /// report neither claims request IDs no line held nor hides the hint to log them, and a
    /// syslog or CRI envelope's time is still each line's time.
    @Test("an input's request IDs and upstream fields are the ones its records held; envelope times still apply")
    func fieldsFromRecords() throws {
        let format = try format()
        #expect(format.judgesFieldsPerRecord)
        let r = parse("method=GET path=/a status=502 upstream=10.0.0.5:8080", format)
        #expect(r.text(r.record.upstreamAddr) == "10.0.0.5:8080")
        func input(_ lines: [String]) throws -> TriageSummary.Input {
            let analyzer = Analyzer(options: AnalysisOptions())
            analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
            return try #require(analyzer.finish().inputs.first)
        }
        let bare = try input((0..<5).map { "time=2024-05-01T10:00:0\($0)Z method=GET path=/a status=502 duration=12ms" })
        #expect(bare.format == "logfmt")
        #expect(!bare.hasRequestID && !bare.hasUpstreamFields)
        let full = try input((0..<5).map { "time=2024-05-01T10:00:0\($0)Z method=GET path=/a status=502 request_id=abc12345def\($0) upstream=10.0.0.5:8080" })
        #expect(full.hasRequestID && full.hasUpstreamFields)
        // In a syslog envelope, lines without a time of their own take the header's.
        var options = AnalysisOptions()
        options.now = 1_714_600_000
        let analyzer = Analyzer(options: options)
        let syslog = (0..<5).map { "<134>May  1 10:05:0\($0) myapp[12]: method=GET path=/a status=502 duration=12ms" }
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(syslog.joined(separator: "\n").utf8)), displayPath: "s"))
        let s = analyzer.finish()
        #expect(s.requests == 5)
        #expect(s.firstTime != nil)
    }
}
