import Foundation
import Testing

/// The README's first command, checked against the generator's ground truth (SampleLogs/expected.json).
@Suite struct SampleLogsTests {
    static let apacheFormat = #"apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Request-ID}i"#
    /// Kinds of the truth's malformed lines that are other logs' lines or lose their head: other lines.
    static let otherKinds: Set<String> = ["error_log_line", "json_app_log", "head_truncated"]

    func expected() throws -> [String: Any] {
        try CLI.json(String(decoding: try Data(contentsOf: CLI.sampleLogs.appendingPathComponent("expected.json")), as: UTF8.self))
    }

    func nginxPaths() -> [String] {
        // Given newest first on purpose: triage must read the rotated set oldest first.
        ["access.log", "access.log.1", "access.log.2.gz"].map { "SampleLogs/nginx/" + $0 }
    }

    @Test("nginx rotated set (gzip multi-member, plain): every count matches the ground truth")
    func nginxSet() throws {
        let truth = try expected().object("nginx")
        let result = try CLI.run(["--format", "json"] + nginxPaths())
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let totals = report.object("totals")
        #expect(totals.int("lines") == truth.int("lines"))
        #expect(totals.int("requests") == truth.int("requests"))
        #expect(totals.int("server_errors") == truth.int("server_errors"))
        // The truth's malformed lines include other logs' lines and a line whose head was cut:
        // those are other lines (they do not start like the format), the rest malformed.
        let truthOther = truth.list("malformed_lines").filter { Self.otherKinds.contains($0["kind"] as? String ?? "") }
        #expect(totals.int("malformed_lines") + report.object("other_lines").int("count") == truth.int("malformed"))
        #expect(report.object("other_lines").int("count") == truthOther.count)
        #expect(totals.int("clients_affected") == truth.int("unique_clients_5xx"))
        #expect(totals.int("server_errors_with_request_id") == truth.int("server_errors_with_request_id"))
        #expect(report.object("classes") as NSDictionary == truth.object("classes") as NSDictionary)
        #expect(report.object("status_counts") as NSDictionary == truth.object("status_counts") as NSDictionary)
        #expect(report.list("inputs").map { $0["path"] as? String ?? "" }
                == ["SampleLogs/nginx/access.log.2.gz", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log"])
        #expect(report.list("inputs").allSatisfy { $0["format"] as? String == "upstream" })

        let failing = truth.object("top_failing_upstream")
        for upstream in report.list("upstreams") {
            let address = upstream["address"] as? String ?? ""
            #expect(upstream.int("failures") == failing.int(address), "\(address)")
        }
        let originByRoute = truth.object("origin_error_by_route")
        for route in report.list("routes") {
            let key = "\(route["method"] as? String ?? "") \(route["route"] as? String ?? "")"
            if originByRoute[key] != nil { #expect(route.object("classes").int("origin_error") == originByRoute.int(key), "\(key)") }
        }
        let malformed = report.object("malformed").list("examples").map { "\($0["path"] as? String ?? ""):\($0.int("line"))" }
        let expectedMalformed = truth.list("malformed_lines").filter { !Self.otherKinds.contains($0["kind"] as? String ?? "") }
            .map { "\($0["file"] as? String ?? ""):\($0.int("line"))" }
        #expect(malformed == expectedMalformed)
    }

    @Test("clients: the top clients by 5xx, in the truth's order, with their requests, 5xx, class counts and sample user agent")
    func clients() throws {
        let truth = try expected().object("nginx").list("clients")
        let result = try CLI.run(["--format", "json"] + nginxPaths())
        let got = try CLI.json(result.stdout).list("clients")
        #expect(got.count == truth.count)
        for (have, want) in zip(got, truth) {
            let name = want["client"] as? String ?? ""
            #expect(have["client"] as? String == name)
            #expect(have.int("requests") == want.int("requests"), "\(name)")
            #expect(have.int("server_errors") == want.int("server_errors"), "\(name)")
            #expect(have.object("classes") as NSDictionary == want.object("classes") as NSDictionary, "\(name)")
            #expect(have["user_agent"] as? String == want["user_agent"] as? String, "\(name)")
            #expect(have["approximate"] as? Bool == false, "\(name)")
        }
    }

    @Test("latency: p50, p95, p99 of request and upstream response time, overall, per route and per upstream, within the stated error of the ground truth; max exact")
    func latency() throws {
        let truth = try expected().object("nginx").object("latency")
        let result = try CLI.run(["--format", "json"] + nginxPaths())
        let report = try CLI.json(result.stdout)
        let totals = report.object("totals")
        let tolerance = (totals["latency_relative_error"] as? Double ?? 0) + 1e-6
        func check(_ got: [String: Any], _ want: [String: Any], _ what: String) {
            #expect(got.int("count") == want.int("count"), "\(what) count")
            for key in ["p50", "p95", "p99"] {
                let g = got[key] as? Double ?? -1, w = want[key] as? Double ?? -2
                #expect(abs(g - w) <= w * tolerance + 0.0000005, "\(what) \(key): \(g) vs exact \(w)")
            }
            #expect(abs((got["max"] as? Double ?? -1) - (want["max"] as? Double ?? -2)) < 0.0000005, "\(what) max")
        }
        check(totals.object("latency"), truth.object("request_time"), "request time")
        check(totals.object("upstream_latency"), truth.object("upstream_response_time"), "upstream response time")
        let byRoute = truth.object("request_time_by_route")
        for route in report.list("routes") {
            let key = "\(route["method"] as? String ?? "") \(route["route"] as? String ?? "")"
            guard let want = byRoute[key] as? [String: Any] else { continue }
            check(route.object("latency"), want, key)
        }
        let byUpstream = truth.object("upstream_response_time_by_upstream")
        #expect(report.list("upstreams").count == byUpstream.count)
        for upstream in report.list("upstreams") {
            let address = upstream["address"] as? String ?? ""
            check(upstream.object("latency"), byUpstream.object(address), address)
        }
    }

    @Test("Apache file with an explicit LogFormat: status-only classification matches the ground truth")
    func apache() throws {
        let truth = try expected().object("apache")
        let result = try CLI.run(["--format", "json", "--log-format", Self.apacheFormat, "SampleLogs/apache/access_log"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(report.object("totals").int("requests") == truth.int("requests"))
        #expect(report.object("totals").int("malformed_lines") + report.object("other_lines").int("count") == truth.int("malformed"))
        #expect(report.object("classes") as NSDictionary == truth.object("classes") as NSDictionary)
        #expect(report.object("confidence").int("status_only") == truth.int("server_errors"))
        // Apache's own advice, never nginx's.
        let hints = report["hints"] as? [String] ?? []
        #expect(hints.contains { $0.contains("Apache") && $0.contains("%{UNIQUE_ID}e") })
        #expect(!hints.contains { $0.contains("$upstream_status") || $0.contains("log_format") })
    }

    @Test("Apache file with no options: the %D and X-Request-ID after combined are read, every count as with the format given")
    func apacheDetected() throws {
        let truth = try expected().object("apache")
        let result = try CLI.run(["--format", "json", "SampleLogs/apache/access_log"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(report.object("totals").int("requests") == truth.int("requests"))
        #expect(report.object("totals").int("server_errors_with_request_id") == truth.int("server_errors_with_request_id"))
        #expect(report.object("totals").int("server_errors_with_request_id") == 111)
        #expect(report.object("classes") as NSDictionary == truth.object("classes") as NSDictionary)
        let input = report.list("inputs").first ?? [:]
        #expect(input["format"] as? String == "combined+tail")
        #expect(input.int("trailing_text_lines") == 0)
        #expect(input["unread_fields"] is NSNull)
    }

    @Test("app logs explain the nginx 5xx by request ID, whatever its case and dashes, grouped by exception type")
    func appLogsExplainServerErrors() throws {
        let truth = try expected().object("correlation")
        let appLogs = ["SampleLogs/app/production.log", "SampleLogs/app/payments.log.gz"].flatMap { ["--app-log", $0] }
        let result = try CLI.run(["--format", "json", "--top", "50"] + nginxPaths() + appLogs)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let correlation = report.object("correlation")
        #expect(correlation.int("server_errors") == truth.int("server_errors"))
        #expect(correlation.int("with_request_id") == truth.int("with_request_id"))
        #expect(correlation.int("matched") == truth.int("matched"))
        // A Rails FATAL block is one error event whether or not its request was a 5xx.
        let counts = ["lines", "error_events", "error_events_with_request_id", "matched_events"]
        let perLog = correlation.list("app_logs").map { log in counts.map { log.int($0) } }
        #expect(perLog == truth.list("app_logs").map { log in counts.map { log.int($0) } })

        let signatures = report.list("signatures")
        var byType: [String: Int] = [:]
        for signature in signatures {
            let type = signature["source"] as? String == "access_log"
                ? "access_log" : signature["exception_type"] as? String ?? "(no exception type)"
            byType[type, default: 0] += signature.int("count")
        }
        #expect(byType as NSDictionary == truth.object("signatures") as NSDictionary)

        // The v2.14.0 bug is one signature, on the route and in the window of the deploy.
        let bug = signatures.filter { $0["exception_type"] as? String == "NoMethodError" }
        #expect(bug.count == 1)
        let deploy = try expected().object("incident")
        let from = deploy.object("deploy")["time"] as? String ?? "", to = deploy.object("rollback")["time"] as? String ?? ""
        for signature in bug {
            #expect(signature["routes"] as? [String] == ["POST /api/orders"])
            let first = signature["first_seen"] as? String ?? "", last = signature["last_seen"] as? String ?? ""
            #expect(from <= first && first <= last && last < to, "\(first)–\(last) outside \(from)–\(to)")
        }
    }

    @Test("#12: each problem of the story is a separate incident with the truth's window, class, route, upstream, client and deploy, most 5xx first")
    func problems() throws {
        let truth = try expected().object("nginx").list("problems")
        let result = try CLI.run(["--format", "json", "--deploys", "SampleLogs/deploys.txt"] + nginxPaths())
        #expect(result.status == 0, "\(result.stderr)")
        let incidents = try CLI.json(result.stdout).list("incidents")
        #expect(incidents.count == truth.count, "\(incidents.map { $0["summary"] as? String ?? "" })")
        for (got, want) in zip(incidents, truth) {
            let name = want["name"] as? String ?? ""
            #expect(got["start"] as? String == want["from"] as? String, "\(name)")
            #expect(got["end"] as? String == want["to"] as? String, "\(name)")
            #expect(got["dominant_class"] as? String == want["dominant_class"] as? String, "\(name)")
            // A window may also hold a background failure of its class on a route it covers.
            for (c, n) in want.object("classes") {
                let count = got.object("classes").int(c), expected = (n as? NSNumber)?.intValue ?? -1
                #expect(count >= expected && count <= expected + 3, "\(name): \(c) \(count) vs \(expected)")
            }
            #expect(got.list("top_routes").first?["name"] as? String == want["top_route"] as? String, "\(name)")
            if let upstream = want["top_upstream"] as? String {
                #expect(got.list("top_upstreams").first?["name"] as? String == upstream, "\(name)")
            }
            if let client = want["top_client"] as? String {
                #expect(got.list("top_clients").first?["name"] as? String == client, "\(name)")
            }
            #expect(got["follows_deploy"] as? String == want["follows_deploy"] as? String, "\(name)")
        }
    }

    @Test("#12: the verdict lists every problem of the story on a line of its own")
    func verdictProblems() throws {
        let result = try CLI.run(["--deploys", "SampleLogs/deploys.txt"] + nginxPaths())
        let problems = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  Problem: ") }
        #expect(problems.count == 5)
        #expect(result.stdout.contains("198.51.100.77"))
        #expect(result.stdout.contains("POST /api/orders failing in the application after"))
        #expect(result.stdout.contains("10.0.1.12:8080 unreachable: 26 × 502, 109"))
        #expect(result.stdout.contains("10.0.2.21:9000 timed out on POST /api/payments: 28 × 504, 8 × 499"))
        #expect(result.stdout.contains("upstreams unavailable after v2.14.0: 8 × 503"))
    }

    @Test("the terminal report leads with the verdict and names the worst route and upstream")
    func terminalVerdict() throws {
        let result = try CLI.run(nginxPaths())
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("triage 3 inputs, 10,029 requests") == true)
        #expect(lines.count > 3 && lines[2].contains("296 server errors (5xx) in 10,029 requests"))
        #expect(result.stdout.contains("Worst upstream: 10.0.1.12:8080"))
        #expect(result.stdout.contains("POST   /api/orders"))
        #expect(!result.stdout.contains("\u{1B}"), "no colour when piped")
    }
}
