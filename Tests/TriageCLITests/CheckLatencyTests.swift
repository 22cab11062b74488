import Foundation
import Testing
import _TriageTestSupport

/// The request time's p95 around a deploy: `triage check --max-p95-increase` and the
/// report's `latency_regression` (Docs/Deploys.md#latency), on logs built in the test.
@Suite struct CheckLatencyTests {
    /// The deploy: 10:30, 15-minute windows.
    static let deploy: Int64 = 1800
    static let window: Int64 = 900

    func gate(_ log: LogBuilder, _ extra: [String] = []) throws -> CLI.Result {
        let file = try CLI.temporaryFile(log.data)
        return try CLI.run(["check", "--deploy", "\(LogBuilder.iso(Self.deploy))=v2.4.0", "--window", "15m"] + extra + [file.path])
    }

    // MARK: - Latency

    /// 1,000 requests a side; after the deploy each takes `after` seconds instead of 20 ms.
    static func slowerLog(after: String) -> LogBuilder {
        var log = LogBuilder()
        log.add(1000, from: deploy - window, to: deploy)
        log.add(1000, from: deploy, to: deploy + window, requestTime: after)
        return log
    }

    @Test("--max-p95-increase 2x fails a deploy that quadruples the request time's p95; without it the gate passes")
    func p95IncreaseFailsTheGate() throws {
        let log = Self.slowerLog(after: "0.080")
        let failed = try gate(log, ["--max-p95-increase", "2x"])
        #expect(failed.status == 1, "\(failed.stdout)")
        #expect(failed.stdout.contains("FAILED max_p95_increase 2x: observed 4x"), "\(failed.stdout)")
        #expect(failed.stdout.contains("request time p95: before 20 ms, after 80 ms."))
        let json = try CLI.json(try gate(log, ["--max-p95-increase", "2x", "--format", "json"]).stdout)
        let check = json.list("checks").first { $0["name"] as? String == "max_p95_increase" } ?? [:]
        #expect(check["breached"] as? Bool == true)
        #expect((json.object("after").object("latency")["p95"] as? Double).map { abs($0 - 0.08) < 0.001 } == true)
        let passed = try gate(log)
        #expect(passed.status == 0, "\(passed.stdout)")
        #expect(!passed.stdout.contains("max_p95_increase"))
    }

    @Test("a 1.5x slower p95 passes --max-p95-increase 2x")
    func smallP95IncreasePasses() throws {
        let result = try gate(Self.slowerLog(after: "0.030"), ["--max-p95-increase", "2x"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("max_p95_increase 2x: observed 1.50x, p = 1 → ok"), "\(result.stdout)")
    }

    @Test("the report calls a deploy that quadruples the p95 a latency regression, in JSON and in the verdict")
    func reportNamesLatencyRegression() throws {
        let file = try CLI.temporaryFile(Self.slowerLog(after: "0.080").data)
        let arguments = ["--deploy-window", "15m", "--deploy", "\(LogBuilder.iso(Self.deploy))=v2.4.0", file.path]
        let report = try CLI.json(try CLI.run(["--format", "json"] + arguments).stdout)
        let deploy = report.list("deploys").first ?? [:]
        #expect(deploy.object("latency_regression")["regression"] as? Bool == true)
        #expect(deploy.object("before").object("latency").int("count") == 1000)
        let terminal = try CLI.run(arguments).stdout
        #expect(terminal.contains("Deploy v2.4.0 at 10:30 UTC slowed requests: request time p95 20 ms → 80 ms"), "\(terminal)")
        #expect(terminal.contains("(4.0×), latency regression, p = 0.005"), "\(terminal)")
    }

    @Test("--max-p95-increase belongs to --deploy and takes a factor")
    func p95IncreaseUsage() throws {
        let file = try CLI.temporaryFile(Self.slowerLog(after: "0.080").data)
        let wrong = try CLI.run(["check", "--deploy", LogBuilder.iso(Self.deploy), "--max-p95-increase", "half", file.path])
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("--max-p95-increase: 'half' is not a factor like 2x"))
        let sustained = try CLI.run(["check", "--for", "5m", "--max-p95-increase", "2x", file.path])
        #expect(sustained.status == 64)
        #expect(sustained.stderr.contains("--max-p95-increase belongs to --deploy"))
    }
}
