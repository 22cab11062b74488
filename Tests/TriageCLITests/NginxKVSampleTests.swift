import Foundation
import Testing

/// The sample incident as an nginx with a key=value tail of its own names and order logs it
/// (SampleLogs/nginx-kv/access.log.gz), read with no options, against the generator's truth
/// (SampleLogs/expected.json `nginx_kv`): no preset matches it, so the tail is read by key name.
@Suite struct NginxKVSampleTests {
    func expected() throws -> [String: Any] {
        try CLI.json(String(decoding: try Data(contentsOf: CLI.sampleLogs.appendingPathComponent("expected.json")), as: UTF8.self))
    }

    @Test("with no options: the tail is read by key name; classes, 5xx, statuses and request IDs are the truth's")
    func sameTruth() throws {
        let all = try expected()
        let truth = all.object("nginx_kv")
        let result = try CLI.run(["--format", "json", "SampleLogs/nginx-kv/access.log.gz"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let input = report.list("inputs").first ?? [:]
        #expect(input["format"] as? String == "combined+tail")
        #expect(input.int("records") == truth.int("requests"))
        #expect(input.int("malformed") == 0 && input.int("other_lines") == 0 && input.int("trailing_text_lines") == 0)
        #expect(input["has_upstream_fields"] as? Bool == true)
        #expect(report.object("classes") as NSDictionary == truth.object("classes") as NSDictionary)
        #expect(report.object("status_counts") as NSDictionary == truth.object("status_counts") as NSDictionary)
        #expect(report.object("totals").int("server_errors") == truth.int("server_errors"))
        #expect(report.object("totals").int("server_errors_with_request_id") == truth.int("server_errors_with_request_id"))
        #expect(report.object("confidence").int("status_only") == 0)
        // Rate-limited 503s (no upstream attempt) are proxy errors; `502, 200` is retried_ok: as the nginx files say.
        #expect(report.object("classes") as NSDictionary == all.object("nginx").object("classes") as NSDictionary)
    }

    @Test("the request IDs read from the tail join the application logs as the upstream preset's do")
    func requestIDsFeedAppLogs() throws {
        let truth = try expected().object("correlation")
        let appLogs = ["SampleLogs/app/production.log", "SampleLogs/app/payments.log.gz"].flatMap { ["--app-log", $0] }
        let result = try CLI.run(["--format", "json", "SampleLogs/nginx-kv/access.log.gz"] + appLogs)
        #expect(result.status == 0, "\(result.stderr)")
        let correlation = try CLI.json(result.stdout).object("correlation")
        #expect(correlation.int("with_request_id") == truth.int("with_request_id"))
        #expect(correlation.int("matched") == truth.int("matched"))
    }
}
