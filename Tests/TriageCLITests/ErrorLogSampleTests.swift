import Foundation
import Testing

/// The sample's nginx error log against the generator's truth (SampleLogs/expected.json `nginx_error_log`).
@Suite struct ErrorLogSampleTests {
    func expected() throws -> [String: Any] {
        try CLI.json(String(decoding: try Data(contentsOf: CLI.sampleLogs.appendingPathComponent("expected.json")), as: UTF8.self))
    }

    func classes(_ report: [String: Any]) -> [String: Int] {
        report.object("classes").compactMapValues { ($0 as? NSNumber)?.intValue }.filter { $0.value > 0 }
    }

    func truthClasses(_ object: [String: Any]) -> [String: Int] {
        object.compactMapValues { ($0 as? NSNumber)?.intValue }.filter { $0.value > 0 }
    }

    @Test("alone, the combined variant is classified by status, as the truth says")
    func combinedAlone() throws {
        let truth = try expected().object("nginx_error_log")
        let result = try CLI.run(["--format", "json", "SampleLogs/nginx-combined/access.log.gz"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(report.list("inputs").first?["format"] as? String == "combined")
        #expect(classes(report) == truthClasses(truth.object("combined_status_only_classes")))
    }

    @Test("with the error log, the combined variant reaches the classes of the upstream-field log")
    func combinedWithErrorLog() throws {
        let all = try expected()
        let truth = all.object("nginx_error_log")
        let result = try CLI.run(["--format", "json", "SampleLogs/nginx-combined/access.log.gz",
                                  "--error-log", "SampleLogs/nginx/error.log"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(classes(report) == truthClasses(truth.object("combined_with_error_log_classes")))
        #expect(classes(report) == truthClasses(all.object("nginx").object("classes")))
        let e = report.object("error_log")
        #expect(e.int("explained_server_errors") == truth.int("explained_server_errors"))
        #expect(e.int("explained_retried") == truth.int("explained_retried"))
        #expect(e.int("unmatched_lines") == 0)
        let input = e.list("inputs").first ?? [:]
        #expect(input.int("lines") == truth.int("lines"))
        #expect(input.int("unrecognised") == 0)
        #expect(input.object("causes") as NSDictionary == truth.object("causes") as NSDictionary)
        // Per upstream: the refusing server and the stalled payments backend, with their causes.
        let causes = e.list("upstream_causes").map { "\($0["upstream"] as? String ?? "") \($0["cause"] as? String ?? "") \($0.int("count"))" }
        let c = truth.object("causes")
        #expect(causes == ["10.0.1.12:8080 connection_refused \(c.int("connection_refused"))",
                           "10.0.2.21:9000 timeout_reading_response_header \(c.int("timeout_reading_response_header"))"])
    }

    @Test("with the error log next to the upstream-field logs, classes are unchanged and gain their causes")
    func upstreamLogWithErrorLog() throws {
        let all = try expected()
        let paths = ["access.log", "access.log.1", "access.log.2.gz"].map { "SampleLogs/nginx/" + $0 }
        // error.log given as an input beside the access logs: recognised, and said so.
        let result = try CLI.run(["--format", "json"] + paths + ["SampleLogs/nginx/error.log"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(classes(report) == truthClasses(all.object("nginx").object("classes")))
        #expect(report.object("error_log").list("inputs").first?["detected"] as? Bool == true)
        #expect((report["hints"] as? [String] ?? []).contains { $0.contains("recognised as an nginx error log") })
        let bad = report.list("upstreams").first { $0["address"] as? String == "10.0.1.12:8080" } ?? [:]
        #expect(bad.list("causes").first?["cause"] as? String == "connection_refused")
    }
}
