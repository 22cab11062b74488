import Foundation
import Testing
import _TriageTestSupport
import TriageCore
@testable import TriageReport

/// JSON reports of real analyses (the sample incident, with deploys and a time
/// filter; the Apache sample; real corpus logs when present) against the schema.
@Suite struct RealReportSchemaTests {
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func analyze(_ paths: [String], configure: (inout AnalysisOptions) throws -> Void = { _ in }) throws -> String {
        var options = AnalysisOptions()
        try configure(&options)
        let outcome = Analyzer(options: options).run(paths: paths)
        return JSONRenderer().render(outcome.summary)
    }

    static func validate(_ json: String) throws -> [String] {
        try JSONReportSchemaTests.validator(checksKeyOrder: true).validate(try JSONValue.parse(json))
    }

    static var samples: String { repo.appendingPathComponent("SampleLogs").path }

    @Test("the sample incident with deploys, incidents and a time filter validates")
    func sampleIncident() throws {
        let json = try Self.analyze(["access.log", "access.log.1", "access.log.2.gz"].map { "\(Self.samples)/nginx/\($0)" }) {
            $0.deploys = try DeployFile.read(path: "\(Self.samples)/deploys.txt")
            $0.since = TimeSpec("2026-11-20T09:00:00Z")
        }
        let errors = try Self.validate(json)
        #expect(errors.isEmpty, "\(errors.prefix(10).joined(separator: "\n"))")
        #expect(json.contains("\"incidents\""))
    }

    @Test("the Apache sample (status-only) validates")
    func apacheSample() throws {
        let json = try Self.analyze(["\(Self.samples)/apache/access_log"]) {
            $0.format = .fixed(try LogFormat.apache(#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Request-ID}i"#))
        }
        let errors = try Self.validate(json)
        #expect(errors.isEmpty, "\(errors.prefix(10).joined(separator: "\n"))")
    }

    @Test("reports of real corpus logs validate, damaged and unreadable inputs included")
    func corpus() throws {
        let corpus = Self.repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        guard FileManager.default.fileExists(atPath: corpus.path) else { return }
        for file in ["slowlybomb-hakathon-wap/access.log.gz", "elastic-beats-fixtures/nginx-ingress-upstreaminfo.log",
                     "github-snippets/docker-jsonfile-nginx-proxy-tls.log", "github-snippets/apache-docker-nextcloud-stdout.log"] {
            let json = try Self.analyze([corpus.appendingPathComponent(file).path, "/nonexistent/access.log"])
            let errors = try Self.validate(json)
            #expect(errors.isEmpty, "\(file): \(errors.prefix(10).joined(separator: "\n"))")
        }
    }
}
