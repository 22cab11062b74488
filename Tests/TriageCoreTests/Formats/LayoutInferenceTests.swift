import Foundation
import Testing
@testable import TriageCore

/// A server's own layout that no preset reads, read from its lines (request, status and time
/// by shape, the rest by place, key or shape), and read again like any format.
@Suite struct LayoutInferenceTests {
    func detect(_ lines: [String]) throws -> FormatDetector.Result {
        try FormatDetector.detect(lines.map { Array($0.utf8) }, path: "t")
    }

    func read(_ line: String, _ format: LogFormat) throws -> (record: AccessRecord, text: (FieldRange) -> String) {
        let r = parse(line, format)
        try #require(r.ok, "\(r.failure)")
        return (r.record, r.text)
    }

    static func isoLine(_ i: Int, status: Int, upstream: String) -> String {
        #"10.0.0.\#(i) - alice [2026-11-21T10:0\#(i):07+01:00] "GET /api/items/\#(i) HTTP/1.1" \#(status) 512 "-" "Mozilla/5.0 (X11)" 0.\#(i)25 0.\#(i)20 10.0.1.13:8080 \#(upstream) 6b14c0a8e3f14d2b9e6f0a1b2c3d4e5\#(i)"#
    }

    @Test("[$time_iso8601] in a combined-like layout with upstream fields after it: every field read")
    func iso8601Layout() throws {
        let lines = (0..<6).map { Self.isoLine($0, status: $0 % 2 == 0 ? 200 : 502, upstream: $0 % 2 == 0 ? "200" : "502") }
        let result = try detect(lines)
        #expect(result.format.name == LayoutInference.formatName)
        #expect(result.format.dialect == .nginx)
        #expect(result.format.hasUpstreamFields)
        #expect(result.format.hasRequestID)
        #expect(result.tail?.unknown.isEmpty == true)
        let r = try read(lines[1], result.format)
        #expect(r.record.status == 502)
        #expect(r.text(r.record.remoteAddr) == "10.0.0.1")
        #expect(r.record.time == Array("2026-11-21T10:01:07+01:00".utf8).withUnsafeBufferPointer { Timestamp.parseISO8601($0) })
        #expect(r.record.utcOffset == 3600)
        #expect(r.text(r.record.upstreamStatus) == "502")
        #expect(r.text(r.record.upstreamAddr) == "10.0.1.13:8080")
        #expect(r.text(r.record.requestID) == "6b14c0a8e3f14d2b9e6f0a1b2c3d4e51")
        #expect(r.text(r.record.userAgent) == "Mozilla/5.0 (X11)")
        #expect(r.record.requestMicros == 125_000)
        #expect(r.record.bytesSent == 512)
        #expect(!r.record.hasTrailingText)
    }

    @Test("$request_time before the client: a decimal first column is the request time")
    func requestTimeFirst() throws {
        let lines = (0..<5).map { #"0.\#($0)23 10.0.0.\#($0) - - [21/Nov/2026:10:00:0\#($0) +0100] "POST /pay HTTP/2.0" 50\#($0 % 2 * 4) 12 "-" "curl/8""# }
        let result = try detect(lines)
        #expect(result.format.name == LayoutInference.formatName)
        let r = try read(lines[1], result.format)
        #expect(r.record.requestMicros == 123_000)
        #expect(r.record.status == 504)
        #expect(r.text(r.record.remoteAddr) == "10.0.0.1")
        #expect(r.text(r.record.method) == "POST")
    }

    @Test("Apache %{%Y-%m-%d %H:%M:%S}t, bracketed or bare, is read in Apache's syntax", arguments: [true, false])
    func apacheStrftime(bracketed: Bool) throws {
        let lines = (0..<5).map { i in
            let time = "2026-11-21 10:0\(i):00"
            return #"10.0.0.\#(i) - - \#(bracketed ? "[\(time)]" : time) "GET /a/\#(i) HTTP/1.1" 500 12"#
        }
        let result = try detect(lines)
        #expect(result.format.name == LayoutInference.formatName)
        #expect(result.format.dialect == .apache)
        #expect(result.format.definition.contains("%{%Y-%m-%d %H:%M:%S}t"))
        let r = try read(lines[2], result.format)
        #expect(r.record.time == Array("2026-11-21T10:02:00Z".utf8).withUnsafeBufferPointer { Timestamp.parseISO8601($0) })
        #expect(r.record.status == 500)
        #expect(r.record.bytesSent == 12)
    }

    @Test("the Apache manual's time in parts ([%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]) is read as one time", arguments: [
        ("08/Apr/2021 11:33:2", ".101 -0300", -3 * 3600), ("08/Apr/2021:11:33:2", ".101234 +0100", 3600), ("08/Apr/2021 11:33:2", " +0000", 0),
    ])
    func apacheTimeInParts(head: String, tail: String, offset: Int) throws {
        let lines = (0..<5).map { i in
            #"177.158.215.6\#(i) - - [\#(head)\#(i)\#(tail)] "GET /api/\#(i) HTTP/1.1" 50\#(i % 3) 512 "-" "curl/7""#
        }
        let result = try detect(lines)
        #expect(result.format.name == LayoutInference.formatName)
        #expect(result.format.dialect == .apache)
        let r = try read(lines[3], result.format)
        let local = Array("2021-04-08T11:33:23Z".utf8).withUnsafeBufferPointer { Timestamp.parseISO8601($0) }!
        #expect(r.record.time == local - Int64(offset))
        #expect(r.record.status == 500)
        // Given as a LogFormat, the parts are one time field too.
        let given = try LogFormat.parse(specification: #"apache:%h %l %u [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] "%r" %>s %b "%{Referer}i" "%{User-agent}i""#)
        #expect(given.fields.filter { $0.kind.isTime }.count == 1)
        if offset == -3 * 3600 { #expect(try read(lines[3], given).record.time == local + 3 * 3600) }
    }

    @Test("a key=value layout led by the time reads its keys as a tail's")
    func keyValueLayout() throws {
        let lines = (0..<5).map { i in
            #"[2026-11-21T10:00:0\#(i)Z] 10.0.0.\#(i) "GET /x HTTP/1.1" 502 rt=0.0\#(i)1 us="502" ua="10.0.1.1:80" rid=6b14c0a8e3f14d2b9e6f0a1b2c3d4e5\#(i)"#
        }
        let result = try detect(lines)
        #expect(result.format.name == LayoutInference.formatName)
        #expect(result.format.definition == #"[$time_iso8601] $remote_addr "$request" $status rt=$request_time us="$upstream_status" ua="$upstream_addr" rid=$request_id"#)
        let r = try read(lines[3], result.format)
        #expect(r.text(r.record.upstreamStatus) == "502")
        #expect(r.record.requestMicros == 31_000)
    }

    @Test("a host name before the client is the virtual host; a column nothing names is reported with its example")
    func hostAndUnknown() throws {
        let lines = (0..<5).map { i in
            #"shop.example.com 10.0.0.\#(i) [2026-11-21T10:00:0\#(i)+00:00] "GET /x HTTP/1.1" 200 12 worker-\#(i)"#
        }
        let result = try detect(lines)
        let r = try read(lines[0], result.format)
        #expect(r.text(r.record.host) == "shop.example.com")
        #expect(result.tail?.unknown.map(\.name) == ["$field7"])
        #expect(result.tail?.unknown.first?.example == "worker-0")
    }

    @Test("fields between separators (|), a CLF time and the request unquoted: the separators are written, the fields read")
    func separatorsAndUnquotedValues() throws {
        let lines = (0..<5).map { i in
            "10.0.0.\(i) | 21/Nov/2026:10:0\(i):00 +0100 | GET /a/\(i) HTTP/1.1 | 50\(i % 2 * 2) | 12 | 0.\(i)23"
        }
        let result = try detect(lines)
        #expect(result.format.definition == "$remote_addr | $time_local | $request | $status | $body_bytes_sent | $request_time")
        #expect(result.tail?.unknown.isEmpty == true)
        let r = try read(lines[1], result.format)
        #expect(r.record.status == 502)
        #expect(r.text(r.record.target) == "/a/1")
        #expect(r.record.utcOffset == 3600)
        #expect(r.record.requestMicros == 123_000)
        #expect(r.record.bytesSent == 12)
    }

    @Test("an unquoted request line and a lone quoted product/version: request and user agent")
    func unquotedRequestAndAgent() throws {
        let lines = (0..<5).map { i in #"2026-11-21T10:0\#(i):00+01:00 10.0.0.\#(i) GET /a/\#(i) HTTP/1.1 504 0.\#(i)23 "curl/8.5.0""# }
        let result = try detect(lines)
        #expect(result.format.definition == #"$time_iso8601 $remote_addr $request $status $request_time "$http_user_agent""#)
        let r = try read(lines[2], result.format)
        #expect(r.record.status == 504)
        #expect(r.text(r.record.method) == "GET")
        #expect(r.text(r.record.userAgent) == "curl/8.5.0")
    }

    @Test("lines without a quoted request, a status after it and a time are no layout", arguments: [
        #"I, [2018-04-08T13:44:35.453355 #15810]  INFO -- : Started POST "/api/x" for 127.0.0.1 at 2018-04-08 13:44:35 +0300"#,
        #"10.0.0.1 [2026-11-21T10:00:00Z] "GET /x HTTP/1.1" OK len=12"#,
        #"10.0.0.1 "GET /x HTTP/1.1" 200 12"#,
    ])
    func noLayout(line: String) {
        #expect(LayoutInference.infer(Array(repeating: Array(line.utf8), count: 4)) == nil)
    }

    @Test("lines of more columns than any server's layout are no layout (a format of thousands of fields is never built)")
    func tooManyColumns() {
        let line = #"10.0.0.1 - - [2026-11-21T10:00:00Z] "GET /a HTTP/1.1" 200 12 "# + (0..<100).map { "x\($0)" }.joined(separator: " ")
        #expect(LayoutInference.infer(Array(repeating: Array(line.utf8), count: 4)) == nil)
        let short = #"10.0.0.1 - - [2026-11-21T10:00:00Z] "GET /a HTTP/1.1" 200 12"#
        #expect(LayoutInference.infer(Array(repeating: Array(short.utf8), count: 4)) != nil)
    }

    @Test("the analyzer names the inferred layout as the --log-format that reads it")
    func analyzerSaysSo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("access.log").path
        let lines = (0..<8).map { Self.isoLine($0, status: $0 < 4 ? 200 : 502, upstream: $0 < 4 ? "200" : "502") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = Analyzer(options: AnalysisOptions()).run(paths: [path]).summary
        let input = try #require(summary.inputs.first)
        #expect(input.format == LayoutInference.formatName)
        #expect(input.formatSource.contains("--log-format 'nginx:$remote_addr"))
        #expect(summary.requests == 8)
        #expect(summary.classes[.upstreamUnreachable] == 4)
        #expect(input.hasUpstreamFields)
    }

    @Test("the sample incident with $time_iso8601 in place of $time_local gives the same report as the upstream preset")
    func sameReportAsThePreset() throws {
        let text = try String(contentsOfFile: repositoryFile("SampleLogs/nginx/access.log"), encoding: .utf8)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        // [20/Nov/2026:12:00:00 +0000] → [2026-11-20T12:00:00+00:00]
        let iso = text.split(separator: "\n").map { line -> String in
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return String(line) }
            let t = line[line.index(after: open)..<close]
            let p = Array(t)
            let month = (months.firstIndex(of: String(p[3...5])) ?? 0) + 1
            let stamp = "\(String(p[7...10]))-\(month < 10 ? "0" : "")\(month)-\(String(p[0...1]))T\(String(p[12...19]))"
                + "\(p[21])\(String(p[22...23])):\(String(p[24...25]))"
            return String(line[..<open]) + "[" + stamp + String(line[close...])
        }.joined(separator: "\n") + "\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("iso.log").path
        try iso.write(toFile: path, atomically: true, encoding: .utf8)
        let preset = Analyzer(options: AnalysisOptions()).run(paths: [repositoryFile("SampleLogs/nginx/access.log")]).summary
        let inferred = Analyzer(options: AnalysisOptions()).run(paths: [path]).summary
        #expect(inferred.inputs.first?.format == LayoutInference.formatName)
        #expect(preset.inputs.first?.format == "upstream")
        #expect(inferred.requests == preset.requests && inferred.requests > 1000)
        #expect(inferred.serverErrors == preset.serverErrors)
        #expect(FailureClass.allCases.allSatisfy { inferred.classes[$0] == preset.classes[$0] })
        #expect(inferred.routes.map(\.route) == preset.routes.map(\.route))
        #expect(inferred.clients.map(\.address) == preset.clients.map(\.address))
        #expect(inferred.latency?.p95 == preset.latency?.p95)
        #expect(inferred.incidents.map(\.start) == preset.incidents.map(\.start))
    }
}
