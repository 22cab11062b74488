import Foundation
import Testing

/// The sample incident as HAProxy logs it (SampleLogs/haproxy/haproxy.log), read with no
/// options, against the generator's truth (SampleLogs/expected.json `haproxy`): the same
/// classes as the nginx logs of the same requests.
@Suite struct HAProxySampleTests {
    @Test("with no options: detected, every request read, the nginx ground truth's classes")
    func sameTruth() throws {
        let all = try CLI.json(String(decoding: try Data(contentsOf: CLI.sampleLogs.appendingPathComponent("expected.json")),
                                      as: UTF8.self))
        let truth = all.object("haproxy")
        let result = try CLI.run(["--format", "json", "SampleLogs/haproxy/haproxy.log"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let input = report.list("inputs").first ?? [:]
        #expect(input["format"] as? String == "haproxy")
        #expect((input["format_source"] as? String)?.contains("read as UTC") == true)
        #expect(input.int("records") == truth.int("requests"))
        #expect(input.int("other_lines") == truth.int("other_lines"))
        #expect(input.int("malformed") == 0)
        let classes = report.object("classes").compactMapValues { ($0 as? NSNumber)?.intValue }
        let expected = truth.object("classes").compactMapValues { ($0 as? NSNumber)?.intValue }
        #expect(classes == expected)
        #expect(report.object("totals").int("server_errors") == truth.int("server_errors"))
        // The same requests as the nginx files: the nginx section's classes too.
        let nginx = all.object("nginx").object("classes").compactMapValues { ($0 as? NSNumber)?.intValue }
        #expect(classes == nginx)
    }
}
