import Foundation
import Testing
import _TriageTestSupport

/// `triage check` as a pipeline uses it, on logs built in the test: per-class and
/// per-route judgement, low traffic, exit-code precedence, usage errors.
@Suite struct CheckGateTests {
    /// The deploy: 10:30, 15-minute windows.
    static let deploy: Int64 = 1800
    static let window: Int64 = 900

    func gate(_ log: LogBuilder, _ extra: [String] = [], label: String = "v2.4.0") throws -> CLI.Result {
        let file = try CLI.temporaryFile(log.data)
        return try CLI.run(["check", "--deploy", "\(LogBuilder.iso(Self.deploy))=\(label)", "--window", "15m"] + extra + [file.path])
    }

    /// Steady traffic, a rate-limited scraper's 503s on both sides, and a new
    /// origin bug on one route after the deploy.
    static func proxyNoiseLog() -> LogBuilder {
        var log = LogBuilder()
        for (from, to) in [(deploy - window, deploy), (deploy, deploy + window)] {
            log.add(2000, from: from, to: to)
            log.add(60, from: from, to: to, path: "/search", kind: .proxy(503))
        }
        log.add(42, from: deploy, to: deploy + window, path: "/api/orders/1234", kind: .origin(500))
        return log
    }

    @Test("a per-class regression hidden by proxy noise fails the gate, and the report's deploy section agrees")
    func perClassRegressionUnderProxyNoise() throws {
        let log = Self.proxyNoiseLog()
        let result = try gate(log)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("REGRESSION"))
        #expect(result.stdout.contains("deploy v2.4.0"))
        #expect(result.stdout.contains("not proxy_error"))
        #expect(result.stdout.contains("FAILED class origin_error rose: 0 → 42"))
        #expect(result.stdout.contains("FAILED route GET /api/orders/{id} rose: 0 → 42"))
        // The same deploy in the report is a regression too.
        let file = try CLI.temporaryFile(log.data)
        let report = try CLI.json(try CLI.run(["--format", "json", "--deploy-window", "15m",
                                               "--deploy", "\(LogBuilder.iso(Self.deploy))=v2.4.0", file.path]).stdout)
        let deploy = report.list("deploys").first ?? [:]
        #expect(deploy["verdict"] as? String == "regression")
        #expect((deploy["findings"] as? [[String: Any]])?.contains { $0["subject"] as? String == "GET /api/orders/{id}" } == true)
    }

    @Test("two deploys six minutes apart: the first one's window ends at the second, which alone is blamed")
    func nextDeployCutsTheWindow() throws {
        // vA at 10:30, vB at 10:36; the bug (500s on POST /api/cart) comes with vB. One
        // ordinary 500 a minute after vA.
        var log = LogBuilder()
        log.add(1800, from: 0, to: 5400)
        log.add(1, from: 1860, to: 1861, method: "POST", path: "/api/cart", kind: .origin(500))
        log.add(120, from: 2160, to: 4000, method: "POST", path: "/api/cart", kind: .origin(500))
        let file = try CLI.temporaryFile(log.data)
        let result = try CLI.run(["--format", "json", "--deploy", LogBuilder.iso(1800) + "=vA",
                                  "--deploy", LogBuilder.iso(2160) + "=vB", file.path])
        let deploys = try CLI.json(result.stdout).list("deploys")
        #expect(deploys.map { $0["label"] as? String } == ["vA", "vB"])
        #expect(deploys[0]["after_seconds"] as? Int == 360)
        #expect(deploys[0]["verdict"] as? String != "regression", "\(deploys[0])")
        #expect(deploys[1]["verdict"] as? String == "regression")
        #expect(deploys[1]["after_seconds"] is NSNull)
        let text = try CLI.run(["--deploy", LogBuilder.iso(1800) + "=vA", "--deploy", LogBuilder.iso(2160) + "=vB", file.path])
        #expect(text.stdout.contains("vA at 2026-11-20 10:30 UTC; after it 6 min until the next"), "\(text.stdout)")
        // The problem starts with the stray 500 after vA, but came with vB.
        #expect(text.stdout.contains("POST /api/cart failing in the application after vB"), "\(text.stdout)")
    }

    @Test("judging only proxy_error (--classes) sees no change in the scraper's steady 503s")
    func classesChooseOthers() throws {
        let result = try gate(Self.proxyNoiseLog(), ["--classes", "proxy_error", "--max-error-rate", "off"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("judged: proxy_error (--classes)"))
    }

    @Test("a total outage on a low-traffic service fails (60 of 60 5xx), not 'not enough traffic'")
    func lowTrafficOutage() throws {
        var log = LogBuilder()
        log.add(60, from: Self.deploy - Self.window, to: Self.deploy)
        log.add(60, from: Self.deploy, to: Self.deploy + Self.window, kind: .origin(500))
        let result = try gate(log)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("FAILED max_error_rate 5.0%: observed 100.0%"))
        // A handful of errors on that traffic is still not enough to judge.
        var quiet = LogBuilder()
        quiet.add(60, from: Self.deploy - Self.window, to: Self.deploy)
        quiet.add(58, from: Self.deploy, to: Self.deploy + Self.window)
        quiet.add(2, from: Self.deploy, to: Self.deploy + Self.window, kind: .origin(500))
        #expect(try gate(quiet).status == 3)
    }

    @Test("a regression next to a missing input exits 1; the input problem is on stderr and in the JSON")
    func regressionBesideMissingInput() throws {
        let file = try CLI.temporaryFile(Self.proxyNoiseLog().data)
        let result = try CLI.run(["check", "--format", "json", "--deploy", LogBuilder.iso(Self.deploy), "--window", "15m",
                                  file.path, "/nonexistent/access.log"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/access.log"))
        let json = try CLI.json(result.stdout)
        #expect(json.int("exit_code") == 1)
        #expect((json["input_errors"] as? [String])?.count == 1)
        // Without a regression, the input problem decides: 2.
        var quiet = LogBuilder()
        quiet.add(500, from: Self.deploy - Self.window, to: Self.deploy + Self.window)
        let healthy = try CLI.temporaryFile(quiet.data)
        let damaged = try CLI.run(["check", "--deploy", LogBuilder.iso(Self.deploy), healthy.path, "/nonexistent/access.log"])
        #expect(damaged.status == 2)
        // ...and is not called healthy (ExitCodes.md): the unread part may hold the failures.
        #expect(damaged.stdout.hasPrefix("INPUT PROBLEM: "), "\(damaged.stdout)")
        #expect(!damaged.stdout.contains("HEALTHY"))
        let sustained = try CLI.run(["check", "--for", "20m", healthy.path, "/nonexistent/access.log"])
        #expect(sustained.status == 2)
        #expect(sustained.stdout.hasPrefix("INPUT PROBLEM: "), "\(sustained.stdout)")
    }

    @Test("--format json of check follows its own schema, with one finding per failed condition")
    func jsonSchema() throws {
        #expect(try JSONSchemaValidator.checkSchema().unsupportedKeywords().isEmpty)
        let result = try gate(Self.proxyNoiseLog(), ["--format", "json"])
        let json = try CLI.json(result.stdout) // validated against Docs/triage-check.schema.json
        #expect(json["schema"] as? String == "triage-check")
        #expect(json["mode"] as? String == "deploy")
        #expect(json.object("deploy")["label"] as? String == "v2.4.0")
        #expect((json["classes"] as? [String])?.contains("proxy_error") == false)
        let kinds = json.list("findings").map { $0["kind"] as? String ?? "" }
        #expect(kinds.contains("class") && kinds.contains("route"))
        #expect(json.object("after").int("judged_errors") == 42)
    }

    @Test("usage errors exit 64: a rate over 100%, a negative or zero window, an unknown class")
    func usageErrors() throws {
        let file = try CLI.temporaryFile(Self.proxyNoiseLog().data)
        let deploy = ["check", "--deploy", LogBuilder.iso(Self.deploy)]
        for extra in [["--max-error-rate", "150%"], ["--max-error-rate", "1.5"], ["--max-error-rate", "-1%"],
                      ["--window=-5m"], ["--window", "0"], ["--classes", "teapot"], ["--classes", "client_closed"]] {
            let result = try CLI.run(deploy + extra + [file.path])
            #expect(result.status == 64, "\(extra): \(result.stderr)")
        }
    }
}

@Suite struct GateAgreesWithReportTests {
    let logs = ["SampleLogs/nginx/access.log", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log.2.gz"]

    @Test("for every deploy time, the default gate fails whenever the report's deploy section says regression, and with its thresholds off exactly then",
          arguments: ["2026-11-20T08:30:00Z", "2026-11-20T09:00:00Z", "2026-11-20T10:30:00Z", "2026-11-20T11:00:00Z",
                      "2026-11-20T12:10:00Z", "2026-11-20T13:15:00Z", "2026-11-20T13:40:00Z"])
    func agreement(time: String) throws {
        let report = try CLI.json(try CLI.run(["--format", "json", "--deploy", time, "--deploy-window", "15m"] + logs).stdout)
        let isRegression = report.list("deploys").first?["verdict"] as? String == "regression"
        let gate = try CLI.run(["check", "--deploy", time, "--window", "15m"] + logs)
        if isRegression { #expect(gate.status == 1, "\(time): \(gate.stdout)") }
        let findingsOnly = try CLI.run(["check", "--deploy", time, "--window", "15m", "--max-error-rate", "off",
                                        "--max-increase", "off"] + logs)
        #expect((findingsOnly.status == 1) == isRegression, "\(time): \(findingsOnly.stdout)")
    }

}
