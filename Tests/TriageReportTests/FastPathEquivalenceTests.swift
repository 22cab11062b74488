import Foundation
import Testing
import TriageCore
@testable import TriageReport

/// The fast paths (plain files read in chunks on several threads; gzip
/// inflated by ISA-L on a second thread, its lines parsed in blocks by worker
/// threads) must give exactly the report of the
/// plain path (one pass, zlib): the same JSON, byte for byte. The decoders'
/// own fast paths are on for the fast side and off for the plain side
/// (``AnalysisOptions/referenceDecoding``): JSON lines take the flat-object
/// scanner or the general one, text formats the one-scan token matcher or the
/// two-scan one. Every format read without options is checked on the same
/// requests (``DialectLogs``), detected as a user's file would be.
@Suite struct FastPathEquivalenceTests {
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// - Parameter blockSize: on the fast side, read every input as a stream whose
    ///   lines go to worker threads in blocks of this many bytes, instead of in chunks.
    static func report(_ paths: [String], fast: Bool, format: LogFormat? = nil, deploys: Bool = false,
                       blockSize: Int? = nil) throws -> String {
        var options = AnalysisOptions()
        if var format {
            if !fast { format.useReferenceDecoding() }
            options.format = .fixed(format)
        }
        options.referenceDecoding = !fast
        if deploys { options.deploys = try DeployFile.read(path: repo.appendingPathComponent("SampleLogs/deploys.txt").path) }
        options.threads = fast ? 3 : 1
        options.parallelThreshold = 0
        if let blockSize, fast {
            options.parallelThreshold = .max
            options.blockSize = blockSize
        }
        options.inflateEngine = fast ? .isal : .zlib
        return JSONRenderer().render(Analyzer(options: options).run(paths: paths).summary)
    }

    static var cases: [(name: String, paths: [String], format: String?)] {
        let samples = repo.appendingPathComponent("SampleLogs").path
        let corpus = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        var list: [(String, [String], String?)] = [
            ("nginx sample set", ["access.log", "access.log.1", "access.log.2.gz"].map { "\(samples)/nginx/\($0)" }, nil),
            ("apache sample", ["\(samples)/apache/access_log"],
             #"apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Request-ID}i"#),
        ]
        list.append(("generated nginx escape=json", [jsonLog], "nginx-json"))
        for kind in DialectLogs.kinds { list.append(("dialect \(kind)", [DialectLogs.file(kind)], nil)) }
        // The same files gzipped: one pass over zlib against parts (each thread inflating from
        // the start with ISA-L), or blocks of lines parsed by workers.
        for kind in DialectLogs.kinds { list.append(("dialect \(kind) (gzip)", [DialectLogs.gzipFile(kind)], nil)) }
        for (file, flavour) in [("elastic-integrations-fixtures/traefik-json-access.log", "traefik"),
                                ("elastic-integrations-fixtures/istio-envoy-json-access.log", "envoy")] {
            let path = corpus.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path) { list.append((file, [path], flavour)) }
        }
        for file in ["elastic-examples/apache_logs.log", "slowlybomb-hakathon-wap/access.log.gz",
                     "poufy-nginx-behind-elb/access.log.1", "meade-apache2logviewer/access.log.gz",
                     "elastic-beats-fixtures/nginx-ingress-upstreaminfo.log"] {
            let path = corpus.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path) { list.append((file, [path], nil)) }
        }
        return list
    }

    /// A JSON log written once per test process: flat nginx escape=json lines with
    /// 5xx of each kind, escapes, nulls, booleans, plus lines the fast path
    /// hands back (nested values) and lines that fail (each failure counted the same way).
    static let jsonLog: String = {
        var text = ""
        let statuses = [200, 200, 201, 304, 404, 500, 502, 503, 504, 499]
        for i in 0..<3000 {
            let status = statuses[i % statuses.count]
            let second = 10 + i / 60
            let upstream = status == 503 ? "-" : "10.0.1.\(i % 4 + 11):8080"
            let us = status == 503 ? "-" : (i % 97 == 0 ? "502, \(status)" : "\(status)")
            text += #"{"time_iso8601":"2026-11-21T10:"# + String(format: "%02d:%02d", second / 60 % 60, second % 60)
                + #"+00:00","remote_addr":"198.51.100.\#(i % 200)","request":"\#(i % 3 == 0 ? "POST" : "GET") /api/orders/\#(i * 7)?q=\"x\" HTTP/1.1","#
                + #""status": \#(status),"body_bytes_sent": \#(i * 13 % 5000),"request_time":"0.\#(String(format: "%03d", i % 1000))","#
                + #""http_user_agent":"Mozilla/5.0 (X11; Linux x86_64) caf\u00e9 \\ \#(i % 5)","http_referer":"","request_id":\#(i % 11 == 0 ? "null" : "\"r\(i)\"")"#
                + #","upstream_status":"\#(us)","upstream_addr":"\#(upstream)","upstream_response_time":"0.\#(i % 10)00","ssl":true}"# + "\n"
            if i % 250 == 0 { text += #"{"status":502,"upstream":{"addr":"10.0.0.9:80"},"request":"GET /nested HTTP/1.1"}"# + "\n" }
            // ingress-nginx's example keys: the client from X-Forwarded-For, durations with units.
            if i % 30 == 0 {
                text += #"{"time":"2026-11-21T10:00:\#(String(format: "%02d", i / 30 % 60))+00:00","remote_addr":"","x_forwarded_for":"203.0.113.\#(i % 9), 10.0.0.1","#
                    + #""status":\#(statuses[i / 30 % statuses.count]),"vhost":"shop","path":"/api/items/\#(i)","request_query":"a=1","method":"GET","#
                    + #""duration":"\#(i % 60 == 0 ? "1m0.\(i % 1000)s" : "\(i % 900)µs")","upstream_status":"502","upstream_addr":"10.0.1.9:80"}"# + "\n"
            }
            if i % 700 == 0 { text += #"{"status":502,"request":"GET /d HTTP/1.1","request_time":"forever"}"# + "\n" }
            if i % 400 == 0 { text += #"{"status":"bad","request":"GET / HTTP/1.1"}"# + "\n" + #"{"status":500} tail"# + "\n" + "plain text line\n" }
        }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("triage-fastpath-\(ProcessInfo.processInfo.processIdentifier).jsonl")
        try? text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }()

    /// Each dialect file is read as its format, every line a record: otherwise the
    /// equivalence above would compare two reports of a misread file.
    @Test("every dialect's generated file is detected and read whole")
    func dialectFilesReadWhole() throws {
        for kind in DialectLogs.kinds {
            var options = AnalysisOptions()
            options.threads = 1
            let summary = Analyzer(options: options).run(paths: [DialectLogs.file(kind)]).summary
            let input = try #require(summary.inputs.first)
            #expect(input.records == 1500, "\(kind): \(input.format) read \(input.records) of 1500 lines")
            #expect(summary.serverErrors > 0, "\(kind): no 5xx counted")
        }
    }

    @Test("chunked + ISA-L report equals one-pass + zlib report")
    func sameReports() throws {
        try expectSameReports(blockSize: nil)
    }

    /// Blocks of 4 KiB: a dozen lines each, so every input is many blocks, merged in order.
    @Test("lines parsed in blocks on worker threads + ISA-L report equals one-pass + zlib report")
    func sameReportsInBlocks() throws {
        try expectSameReports(blockSize: 4096)
    }

    func expectSameReports(blockSize: Int?) throws {
        for c in Self.cases {
            let format = try c.format.map { try LogFormat.jsonPreset(named: $0) ?? LogFormat.parse(specification: $0) }
            let slow = try Self.report(c.paths, fast: false, format: format, deploys: true)
            let fast = try Self.report(c.paths, fast: true, format: format, deploys: true, blockSize: blockSize)
            if slow != fast {
                let a = slow.split(separator: "\n"), b = fast.split(separator: "\n")
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                Issue.record("\(c.name): reports differ at line \((first?.offset ?? min(a.count, b.count)) + 1): \(first.map { "\($0.element.0) vs \($0.element.1)" } ?? "length")")
            }
        }
    }
}
