import Foundation
import Testing

/// `--error-log` end to end: the binary, files on disk, every renderer.
@Suite struct ErrorLogCommandTests {
    static let access = [
        #"203.0.113.9 - - [20/Nov/2026:13:30:02 +0000] "GET /api/x HTTP/1.1" 502 5 "-" "ua""#,
        #"203.0.113.9 - - [20/Nov/2026:13:30:03 +0000] "POST /api/pay HTTP/1.1" 504 5 "-" "ua""#,
        #"203.0.113.9 - - [20/Nov/2026:13:30:04 +0000] "GET /api/y HTTP/1.1" 200 5 "-" "ua""#,
    ].joined(separator: "\n") + "\n"
    static let errorOld = #"2026/11/20 13:30:01 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /api/x HTTP/1.1", upstream: "http://10.0.1.13:8080/api/x", host: "shop""# + "\n"
    static let errorNew = [
        #"2026/11/20 13:30:03 [error] 31#31: *2 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.9, server: shop, request: "POST /api/pay HTTP/1.1", upstream: "http://10.0.1.14:8080/api/pay", host: "shop""#,
        #"2026/11/20 13:30:04 [error] 31#31: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /api/y HTTP/1.1", upstream: "http://10.0.1.13:8080/api/y", host: "shop""#,
    ].joined(separator: "\n") + "\n"

    func files() throws -> (access: String, errors: [String]) {
        let access = try CLI.temporaryFile(Data(Self.access.utf8))
        let dir = access.deletingLastPathComponent()
        let rotated = dir.appendingPathComponent("error.log.1")
        try Data(Self.errorOld.utf8).write(to: rotated)
        let current = dir.appendingPathComponent("error.log")
        try Data(Self.errorNew.utf8).write(to: current)
        return (access.path, [current.path, rotated.path])
    }

    @Test("a rotated error-log set, given newest first, explains a 502, a 504 and a retried 200")
    func rotatedSet() throws {
        let (access, errors) = try files()
        let result = try CLI.run(["--format", "json", access, "--error-log", errors[0], "--error-log", errors[1]])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let e = report.object("error_log")
        #expect(e.list("inputs").map { ($0["path"] as? String ?? "").hasSuffix(".1") } == [true, false])
        #expect(e.int("explained_server_errors") == 2)
        #expect(e.int("explained_retried") == 1)
        let classes = report.object("classes")
        #expect(classes.int("upstream_unreachable") == 1)
        #expect(classes.int("upstream_timeout") == 1)
        #expect(classes.int("retried_ok") == 1)
        let timeout = report.list("class_details").first { $0["class"] as? String == "upstream_timeout" } ?? [:]
        #expect(timeout.list("causes").first?["cause"] as? String == "timeout_reading_response_header")
    }

    @Test("terminal, Markdown and HTML show the causes per upstream")
    func renderers() throws {
        let (access, errors) = try files()
        for format in ["terminal", "markdown", "html"] {
            let result = try CLI.run(["--format", format, access, "--error-log", errors[0], "--error-log", errors[1]])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(result.stdout.contains("Error logs"), "\(format)")
            #expect(result.stdout.contains("10.0.1.13:8080"), "\(format)")
            #expect(result.stdout.contains("connection refused"), "\(format)")
            #expect(result.stdout.contains("timed out reading response header"), "\(format)")
        }
    }

    @Test("a missing error log is a damaged input (exit 2), the report still written")
    func missing() throws {
        let (access, _) = try files()
        let result = try CLI.run(["--format", "json", access, "--error-log", "/nonexistent/error.log"])
        #expect(result.status == 2)
        let report = try CLI.json(result.stdout)
        #expect(report.object("error_log").list("inputs").first?["error"] is String)
        #expect(report.object("totals").int("requests") == 3)
    }

    @Test("standard input cannot be both the access log and the error log")
    func stdinTwice() throws {
        let result = try CLI.run(["--error-log", "-", "-"])
        #expect(result.status == 64)
    }
}
