import Foundation
import Testing

/// `triage check` exit codes (Docs/ExitCodes.md) on the sample incident.
@Suite struct CheckCommandTests {
    let logs = ["SampleLogs/nginx/access.log", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log.2.gz"]

    @Test("1: the deploy that introduced origin 500s is a regression")
    func regression() throws {
        let result = try CLI.run(["check", "--deploy", "2026-11-20T10:30:00Z", "--window", "30m"] + logs)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("REGRESSION"))
        #expect(result.stdout.contains("POST /api/orders"))
    }

    @Test("0: a quiet deploy is healthy")
    func healthy() throws {
        let result = try CLI.run(["check", "--deploy", "2026-11-20T09:00:00Z", "--window", "30m"] + logs)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("HEALTHY"))
    }

    @Test("3: too little traffic to decide, unless the report's own rule already calls it a regression")
    func insufficient() throws {
        let quiet = try CLI.run(["check", "--deploy", "2026-11-20T09:00:00Z", "--min-requests", "100000"] + logs)
        #expect(quiet.status == 3, "\(quiet.stdout)")
        let regression = try CLI.run(["check", "--deploy", "2026-11-20T10:30:00Z", "--min-requests", "100000"] + logs)
        #expect(regression.status == 1, "\(regression.stdout)")
        // A deploy after the newest line (a wrong time, or a log not caught up) says so.
        let late = try CLI.run(["check", "--deploy", "2027-06-01T00:00:00Z"] + logs)
        #expect(late.status == 3, "\(late.stdout)")
        #expect(late.stdout.contains("the deploy is after the newest line (2026-11-20T13:59"), "\(late.stdout)")
    }

    @Test("2: an unreadable input; 64: a deploy time that is not a time")
    func inputAndUsage() throws {
        #expect(try CLI.run(["check", "--deploy", "2026-11-20T10:30:00Z", "/nonexistent.log"]).status == 2)
        #expect(try CLI.run(["check", "--deploy", "soonish"] + logs).status == 64)
        #expect(try CLI.run(["check"] + logs).status == 64)
        #expect(try CLI.run(["check", "--deploy", "now", "--max-error-rate", "lots"] + logs).status == 64)
    }

    @Test("--format json carries the verdict, the windows and each check")
    func json() throws {
        let result = try CLI.run(["check", "--format", "json", "--deploy", "2026-11-20T10:30:00Z", "--window", "30m",
                                  "--max-error-rate", "1%", "--max-increase", "2x", "--min-requests", "200"] + logs)
        #expect(result.status == 1)
        let report = try CLI.json(result.stdout)
        #expect(report["verdict"] as? String == "regression")
        #expect(report.int("exit_code") == 1)
        #expect(report.object("after").int("requests") == 917)
        #expect(report.list("checks").count == 2)
    }

    @Test("the report shows deploy verdicts and incidents from the deploys file")
    func reportWithDeploys() throws {
        let result = try CLI.run(["--format", "json", "--deploys", "SampleLogs/deploys.txt"] + logs)
        #expect(result.status == 0)
        let report = try CLI.json(result.stdout)
        let deploys = report.list("deploys")
        #expect(deploys.map { $0["verdict"] as? String ?? "" } == ["regression", "improvement"])
        #expect(deploys.first?["origin_verdict"] as? String == "regression")
        #expect((deploys.first?["new_signatures"] as? [[String: Any]])?.first?["title"] as? String == "origin_error on POST /api/orders")
        let incidents = report.list("incidents")
        let anomalous = incidents.flatMap { $0["anomalous_classes"] as? [String] ?? [] }
        for c in ["origin_error", "upstream_unreachable", "upstream_timeout", "proxy_error"] {
            #expect(anomalous.contains(c), "\(c) incident missing")
        }
    }
}

@Suite struct TimeFilterTests {
    let logs = ["SampleLogs/nginx/access.log", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log.2.gz"]

    func totals(_ args: [String]) throws -> (requests: Int, first: String, last: String, outside: Int) {
        let result = try CLI.run(["--format", "json"] + args + logs)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let t = report.object("totals")
        return (t.int("requests"), t["first_time"] as? String ?? "", t["last_time"] as? String ?? "",
                report.list("inputs").reduce(0) { $0 + $1.int("outside_time_range") })
    }

    @Test("--since/--until with absolute times keep exactly that range, and count what they leave out")
    func absolute() throws {
        let r = try totals(["--since", "2026-11-20T10:30:00Z", "--until", "2026-11-20T11:00:00Z"])
        #expect(r.requests == 917)
        #expect(r.first >= "2026-11-20T10:30:00Z" && r.last < "2026-11-20T11:00:00Z")
        #expect(r.requests + r.outside == 10_029)
    }

    @Test("a relative --since counts back from the newest line, or from --now")
    func relative() throws {
        let lastHour = try totals(["--since", "1h"])
        #expect(lastHour.first >= "2026-11-20T12:59:53Z")
        let fromNow = try totals(["--since", "90m", "--until", "now", "--now", "2026-11-20T12:00:00Z"])
        #expect(fromNow.first >= "2026-11-20T10:30:00Z" && fromNow.last < "2026-11-20T12:00:00Z")
    }

    @Test("a relative --since on standard input needs --now (usage error)")
    func stdinNeedsNow() throws {
        #expect(try CLI.run(["--since", "1h", "-"], stdin: Data()).status == 64)
        #expect(try CLI.run(["--since", "yesterday"] + logs).status == 64)
    }
}
