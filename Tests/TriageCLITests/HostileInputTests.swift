import Foundation
import Testing

/// Issue #10: hostile and careless input never takes triage down, never
/// vanishes silently, and never gives a wrong answer. Each test runs the built
/// binary on an input the reliability audit found, and failed before its fix.
@Suite struct HostileInputTests {
    static func line(_ time: String, status: Int = 500) -> String {
        #"203.0.113.7 - - [\#(time)] "GET /a HTTP/1.1" \#(status) 5 "-" "ua""# + "\n"
    }

    static func report(_ text: String, _ arguments: [String] = [], name: String = "access.log") throws -> (CLI.Result, [String: Any]) {
        let file = try CLI.temporaryFile(Data(text.utf8), name: name)
        let result = try CLI.run(["--format", "json", "-q"] + arguments + [file.path])
        return (result, try CLI.json(result.stdout))
    }

    static func reasons(_ report: [String: Any]) -> [String: Int] {
        var out: [String: Int] = [:]
        for r in report.object("malformed").list("by_reason") { out[r["reason"] as? String ?? ""] = (r["count"] as? NSNumber)?.intValue }
        return out
    }

    // MARK: - 1. Memory follows traffic, not the time span

    @Test("#10.1: lines dated 1970 and 9999 are malformed as implausible times, and the run ends")
    func implausibleTimes() throws {
        let text = Self.line("01/Jan/1970:00:00:00 +0000") + Self.line("31/Dec/9999:23:59:00 +0000")
            + Self.line("21/Nov/2026:10:00:00 +0000")
        let (result, report) = try Self.report(text)
        #expect(result.status == 0)
        #expect(report.object("totals").int("requests") == 1)
        #expect(report.object("totals").int("malformed_lines") == 2)
        #expect(Self.reasons(report)["implausible time"] == 2)
        let examples = report.object("malformed").list("examples").compactMap { $0["reason"] as? String }
        #expect(examples.contains { $0.contains("9999-12-31T23:59:00Z") && $0.contains("not a plausible log time") })
        #expect(examples.contains { $0.contains("before 1990-01-01T00:00:00Z") })
    }

    @Test("#10.1: traffic in 1991 and in 2026 gives a report without a per-minute array over 35 years")
    func longSpan() throws {
        // Both plausible: the incident detector must walk minutes with traffic only.
        var text = ""
        for m in 0..<20 { text += Self.line(String(format: "02/Jan/1991:10:%02d:00 +0000", m), status: m >= 10 ? 500 : 200) }
        for m in 0..<20 { text += Self.line(String(format: "21/Nov/2026:10:%02d:00 +0000", m), status: 200) }
        let (result, report) = try Self.report(text)
        #expect(result.status == 0)
        #expect(report.object("totals").int("requests") == 40)
        #expect(report.object("totals").int("malformed_lines") == 0)
    }

    @Test("#10.1/#10.3: a 19-digit epoch in $msec and in %{%s}t is a malformed line, not a wrapped time")
    func hugeEpochs() throws {
        let nginx = "20000000000000000000.000 500 /a\n1795255200.000 500 /a\n9223372036854775807.999 500 /a\n"
        let (r1, j1) = try Self.report(nginx, ["--log-format", "nginx:$msec $status $uri"])
        #expect(r1.status == 0)
        #expect(j1.object("totals").int("requests") == 1)
        #expect(j1.object("totals").int("malformed_lines") == 2)
        let apache = "99999999999999999999 500 /a\n1795255200 500 /a\n9223372036854775807 500 /a\n"
        let (r2, j2) = try Self.report(apache, ["--log-format", "apache:%{%s}t %>s %U"])
        #expect(r2.status == 0)
        #expect(j2.object("totals").int("requests") == 1)
        #expect(j2.object("totals").int("malformed_lines") == 2)
    }

    // MARK: - 3. Checked arithmetic on numbers from the log

    @Test("#10.3: a $request_time past Int64 microseconds is an invalid value, not a trap or a wrap")
    func hugeRequestTime() throws {
        let format = #"nginx:$remote_addr [$time_local] "$request" $status rt=$request_time"#
        let good = #"203.0.113.7 [21/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 500 rt=0.123"# + "\n"
        let bad = #"203.0.113.7 [21/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 500 rt=9223372036854.775808"# + "\n"
        let (result, report) = try Self.report(String(repeating: good, count: 8) + bad + bad, ["--log-format", format])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report.object("totals").int("requests") == 8)
        #expect(Self.reasons(report)["$request_time"] == 2)
    }

    // MARK: - 4. Over-long lines

    @Test("#10.4: input made only of over-long lines is malformed, 'line over N bytes', exit 2 (with and without --log-format)",
          arguments: [[], ["--log-format", "combined"]])
    func onlyOverlong(arguments: [String]) throws {
        let text = String(repeating: String(repeating: "x", count: 70_000) + "\n", count: 3)
        let (result, report) = try Self.report(text, arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("over 65536 bytes"))
        #expect(report.object("totals").int("malformed_lines") == 3)
        #expect(Self.reasons(report)["overlong line"] == 3)
        let reason = report.object("malformed").list("examples").first?["reason"] as? String
        #expect(reason == "line over 65536 bytes (--max-line-length)")
    }

    @Test("#10.4: a gzip of NULs without a line break is one over-long line and exit 2, not empty input")
    func gzipOfNULs() throws {
        let zeros = Data(count: 4 << 20)
        let gz = try ExitCodeTests().gzip(zeros)
        let file = try CLI.temporaryFile(gz, name: "bomb.log.gz")
        let result = try CLI.run(["--format", "json", "-q", file.path])
        #expect(result.status == 2)
        let report = try CLI.json(result.stdout)
        #expect(report.object("totals").int("malformed_lines") == 1)
        #expect(report.list("inputs").first?["format_source"] as? String != "empty input")
    }

    @Test("#10.4: over-long lines before the first good lines do not hide the rest of the file")
    func overlongFirst() throws {
        let long = String(repeating: "y", count: 70_000) + "\n"
        let text = String(repeating: long, count: 12) + String(repeating: Self.line("21/Nov/2026:10:00:00 +0000"), count: 30)
        let (result, report) = try Self.report(text)
        #expect(result.status == 0)
        #expect(report.object("totals").int("requests") == 30)
        #expect(report.object("totals").int("malformed_lines") == 12)
        #expect(report.object("totals").int("lines") == 42)
    }

    // MARK: - 5. CR-only line endings

    @Test("#10.5: 30 requests separated by lone CRs are 30 records, and the report says so")
    func crOnly() throws {
        let lines = (0..<30).map { Self.line(String(format: "21/Nov/2026:10:00:%02d +0000", $0)).dropLast() }
        let (result, report) = try Self.report(lines.joined(separator: "\r") + "\r")
        #expect(result.status == 0)
        #expect(report.object("totals").int("requests") == 30)
        #expect(report.object("totals").int("lines") == 30)
        let hints = report["hints"] as? [String] ?? []
        #expect(hints.contains { $0.contains("lone carriage return") })
    }

    @Test("#10.5: a lone CR inside an LF file splits the line instead of hiding a request as trailing text")
    func crInsideLF() throws {
        let a = Self.line("21/Nov/2026:10:00:00 +0000").dropLast()
        let text = "\(a)\r\(a)\n\(a)\r\n"
        let (result, report) = try Self.report(text)
        #expect(result.status == 0)
        #expect(report.object("totals").int("requests") == 3)
    }

    // MARK: - 6. Impossible dates

    @Test("#10.6: 30/Feb and 29/Feb of a common year are malformed; 29/Feb of a leap year is a date")
    func impossibleDates() throws {
        let text = Self.line("30/Feb/2026:10:00:00 +0000") + Self.line("29/Feb/2026:10:00:00 +0000")
            + Self.line("31/Apr/2026:10:00:00 +0000") + Self.line("29/Feb/2024:10:00:00 +0000")
            + String(repeating: Self.line("21/Nov/2026:10:00:00 +0000"), count: 8)
        let (result, report) = try Self.report(text)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report.object("totals").int("requests") == 9)
        #expect(report.object("totals").int("malformed_lines") == 3)
        #expect(report.object("totals")["first_time"] as? String == "2024-02-29T10:00:00Z")
    }
}
