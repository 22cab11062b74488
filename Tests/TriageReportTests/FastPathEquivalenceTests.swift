import Foundation
import Testing
import TriageCore
@testable import TriageReport

/// The fast paths (plain files read in chunks on several threads; gzip
/// inflated by ISA-L on a second thread) must give exactly the report of the
/// plain path (one pass, zlib): the same JSON, byte for byte.
@Suite struct FastPathEquivalenceTests {
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func report(_ paths: [String], fast: Bool, format: LogFormat? = nil, deploys: Bool = false) throws -> String {
        var options = AnalysisOptions()
        if let format { options.format = .fixed(format) }
        if deploys { options.deploys = try DeployFile.read(path: repo.appendingPathComponent("SampleLogs/deploys.txt").path) }
        options.threads = fast ? 3 : 1
        options.parallelThreshold = 0
        options.inflateEngine = fast ? .isal : .zlib
        return JSONRenderer().render(Analyzer(options: options).run(paths: paths).summary)
    }

    static var cases: [(name: String, paths: [String], format: String?)] {
        let samples = repo.appendingPathComponent("SampleLogs").path
        var list: [(String, [String], String?)] = [
            ("nginx sample set", ["access.log", "access.log.1", "access.log.2.gz"].map { "\(samples)/nginx/\($0)" }, nil),
            ("apache sample", ["\(samples)/apache/access_log"],
             #"apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Request-ID}i"#),
        ]
        let corpus = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        for file in ["elastic-examples/apache_logs.log", "slowlybomb-hakathon-wap/access.log.gz",
                     "poufy-nginx-behind-elb/access.log.1", "meade-apache2logviewer/access.log.gz",
                     "elastic-beats-fixtures/nginx-ingress-upstreaminfo.log"] {
            let path = corpus.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path) { list.append((file, [path], nil)) }
        }
        return list
    }

    @Test("chunked + ISA-L report equals one-pass + zlib report")
    func sameReports() throws {
        for c in Self.cases {
            let format = try c.format.map { try LogFormat.parse(specification: $0) }
            let slow = try Self.report(c.paths, fast: false, format: format, deploys: true)
            let fast = try Self.report(c.paths, fast: true, format: format, deploys: true)
            if slow != fast {
                let a = slow.split(separator: "\n"), b = fast.split(separator: "\n")
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                Issue.record("\(c.name): reports differ at line \((first?.offset ?? min(a.count, b.count)) + 1): \(first.map { "\($0.element.0) vs \($0.element.1)" } ?? "length")")
            }
        }
    }
}
