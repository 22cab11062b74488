import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

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

    // MARK: - Found by the fuzzer

    @Test("fuzz: a trailing field holding NUL and ESC bytes is shown escaped in every report's unread-fields note")
    func unreadFieldExampleIsEscaped() throws {
        var text = ""
        for i in 0..<8 {
            text += #"203.0.113.7 - - [21/Nov/2026:10:00:0\#(i) +0000] "GET /a HTTP/1.1" 500 5 "-" "ua" 37"#
                + "\u{0}\u{0}\u{1B}]0;owned\u{7}" + " 159 29b09826-f8b3-445c-ac5d-b4974654b0cb\n"
        }
        let file = try CLI.temporaryFile(Data(text.utf8), name: "access.log")
        for format in ["terminal", "markdown", "html", "json"] {
            let out = file.deletingLastPathComponent().appendingPathComponent("report.\(format)")
            let result = try CLI.run(["--format", format, "-q", "-o", out.path, file.path])
            #expect(result.status == 0)
            let bytes = try Data(contentsOf: out)
            let raw = bytes.filter { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }
            #expect(raw.isEmpty, "\(format): \(raw.count) raw control bytes")
            if format == "terminal" {
                #expect(String(decoding: bytes, as: UTF8.self).contains("not understood"))
            }
        }
    }

    @Test("fuzz: an Envoy --log-format whose operator has ')' before '(' is read, not a crash")
    func envoyOperatorWithCloseBeforeOpen() throws {
        // Found by FuzzFormatSpec: `%RESP)x(y%` trapped on an inverted range (exit 132).
        let file = try CLI.temporaryFile(Data("x 2026-11-21T10:00:00.000Z 502\n".utf8), name: "access.log")
        let result = try CLI.run(["--format", "json", "-q", "--log-format", "envoy:%RESP)x(y% %START_TIME% %RESPONSE_CODE%",
                                  file.path])
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let totals = try #require(report["totals"] as? [String: Any])
        #expect(totals["server_errors"] as? Int == 1)
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

/// Issue #10, items 7-10 and 12: output failures, the ID pattern's limit, gzip
/// headers, deploy labels, and the messages that named the wrong thing.
@Suite struct HostileOutputTests {
    static let log = String(repeating: HostileInputTests.line("21/Nov/2026:10:00:00 +0000"), count: 10)

    static func file(_ text: String = log, name: String = "access.log") throws -> URL {
        try CLI.temporaryFile(Data(text.utf8), name: name)
    }

    /// Runs the binary with standard output on /dev/full.
    static func runToFullDevice(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        let full = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("triage-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = full
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try err.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    // MARK: - 7. A report that cannot be written

    @Test("#10.7: report and check onto a full standard output exit 2 and say why", arguments: [
        ["-q"], ["-q", "--format", "json"], ["check", "--deploy", "2026-11-21T09:59:00Z"],
    ])
    func fullStandardOutput(arguments: [String]) throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
        let result = try Self.runToFullDevice(arguments + [try Self.file().path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write the report to standard output: No space left on device"))
    }

    // MARK: - 8. PCRE2's match limit in --app-id-pattern

    @Test("#10.8: a --app-id-pattern that hits PCRE2's match limit is counted, and warned of once with the pattern and a line")
    func matchLimit() throws {
        var app = "2026-11-21T10:00:00Z INFO started\n"
        for i in 0..<3 { app += "2026-11-21T10:00:0\(i)Z ERROR boom " + String(repeating: "a", count: 40) + "!\n" }
        let appLog = try Self.file(app, name: "app.log")
        let pattern = #"(?<id>(\w+\s?)+)$"#
        let result = try CLI.run(["--format", "json", "-q", "--app-log", appLog.path, "--app-id-pattern", pattern,
                                  try Self.file().path])
        #expect(result.status == 0)
        let warnings = result.stderr.components(separatedBy: "\n").filter { $0.contains("match limit") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(pattern) == true)
        #expect(warnings.first?.contains("3 lines (first: line 2)") == true)
        let logs = try CLI.json(result.stdout).object("correlation").list("app_logs")
        #expect(logs.first?.int("id_pattern_limit_lines") == 3)
        #expect(logs.first?.int("id_pattern_limit_first_line") == 2)
    }

    @Test("a --route-rule that hits PCRE2's match limit is counted, and warned of once with the rule and a line")
    func routeRuleMatchLimit() throws {
        // Two good lines, then three whose path makes the rule backtrack without end.
        var text = HostileInputTests.line("21/Nov/2026:10:00:00 +0000") + HostileInputTests.line("21/Nov/2026:10:00:01 +0000")
        let runaway = "/" + String(repeating: "a", count: 40) + "!"
        for i in 0..<3 {
            text += #"203.0.113.7 - - [21/Nov/2026:10:00:0\#(i) +0000] "GET \#(runaway) HTTP/1.1" 500 5 "-" "ua""# + "\n"
        }
        let rule = #"^/((\w+\s?)+)$=>/slow"#
        let result = try CLI.run(["--format", "json", "-q", "--threads", "1", "--route-rule", rule, try Self.file(text).path])
        #expect(result.status == 0)
        let warnings = result.stderr.components(separatedBy: "\n").filter { $0.contains("match limit") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("--route-rule '\(rule)'") == true)
        #expect(warnings.first?.contains("3 lines (first: line 3)") == true)
        let notes = try CLI.json(result.stdout)["hints"] as? [String] ?? []
        #expect(notes.contains { $0.contains("match limit on 3 lines") })
    }

    // MARK: - 9. Reserved gzip header bits

    @Test("#10.9: a gzip member with reserved FLG bits is refused by ISA-L and zlib alike (RFC 1952)",
          arguments: ["isal", "zlib"])
    func reservedFlags(engine: String) throws {
        var gz = [UInt8](try ExitCodeTests().gzip(Data(Self.log.utf8)))
        gz[3] |= 0x20
        let input = try CLI.temporaryFile(Data(gz), name: "access.log.gz")
        let result = try CLI.run(["-q", "--inflate", engine, input.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("reserved header flag bits"))
    }

    @Test("#10.12: damage found by ISA-L is labelled ISA-L's, by zlib zlib's", arguments: ["isal", "zlib"])
    func engineLabels(engine: String) throws {
        var gz = [UInt8](try ExitCodeTests().gzip(Data(String(repeating: Self.log, count: 50).utf8)))
        for i in 30..<40 { gz[i] = 0xFF }
        let input = try CLI.temporaryFile(Data(gz), name: "access.log.gz")
        let result = try CLI.run(["-q", "--inflate", engine, input.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(engine == "isal" ? "ISA-L error" : "zlib error"))
        #expect(!result.stderr.contains(engine == "isal" ? "zlib" : "ISA-L"))
    }

    // MARK: - 10. Deploy labels

    static let hostileLabel = "v2\u{1B}]0;pwned\u{07}\u{1B}[31m<b>|x|</b>"

    /// True when `text` holds a control byte other than a line break or tab.
    static func hasRawControl(_ text: String) -> Bool {
        text.utf8.contains { ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || $0 == 0x7F }
    }

    @Test("#10.10: deploy labels from --deploy and --deploys JSON are escaped in every renderer",
          arguments: ["terminal", "markdown", "html", "json"])
    func deployLabels(format: String) throws {
        let deploys = try Self.file(#"{"time":"2026-11-21T09:59:00Z","label":"file\u001b]0;owned\u0007"}"# + "\n",
                                    name: "deploys.json")
        let result = try CLI.run(["-q", "--format", format, "--color", "never",
                                  "--deploy", "2026-11-21T09:59:30Z=" + Self.hostileLabel,
                                  "--deploys", deploys.path, try Self.file().path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!Self.hasRawControl(result.stdout))
        #expect(!Self.hasRawControl(result.stderr))
        if format != "json" { #expect(result.stdout.contains("pwned")) }
    }

    @Test("#10.10: triage check shows a hostile deploy label escaped")
    func checkLabel() throws {
        let result = try CLI.run(["check", "--deploy", "2026-11-21T09:59:00Z=" + Self.hostileLabel, try Self.file().path])
        #expect(result.status != 64, "\(result.stderr)")
        #expect(!Self.hasRawControl(result.stdout))
        #expect(!Self.hasRawControl(result.stderr))
        #expect(result.stdout.contains("pwned"))
    }

    @Test("#10.10: a usage error quotes the option's hostile value escaped")
    func usageErrorEscaped() throws {
        let result = try CLI.run(["--since", "x" + Self.hostileLabel, try Self.file().path])
        #expect(result.status == 64)
        #expect(!Self.hasRawControl(result.stderr))
        #expect(result.stderr.contains("\\x1B]0;pwned\\x07"))
    }

    // MARK: - 12. Interrupted writes and messages

    @Test("#10.12: SIGINT while the report file is being written leaves no .tmp.<pid> file")
    func interruptedWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-sigint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("report.json")
        // 3,000 routes make a report far larger than a pipe holds, so the write blocks.
        var log = ""
        for i in 0..<3000 { log += #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET /r\#(i)x/a HTTP/1.1" 500 5 "-" "ua""# + "\n" }
        // Foundation's Process starts children with the test runner's signal mask, in
        // which SIGINT is blocked: spawn with an empty mask, as a shell would.
        var stdinPipe: [Int32] = [0, 0]
        #expect(pipe(&stdinPipe) == 0)
        // The child must not hold the write end, or it would never see the end of its input.
        _ = fcntl(stdinPipe[1], F_SETFD, FD_CLOEXEC)
        let arguments = [CLI.binary.path, "-q", "--format", "json", "--top", "3000", "-o", target.path, "-"]
        let pid = try Self.spawn(arguments, stdin: stdinPipe[0])
        close(stdinPipe[0])
        // The child waits for standard input: make its temporary file a FIFO we read
        // from, so its write is known to be under way (and blocked) when SIGINT comes.
        let temporary = target.path + ".tmp.\(pid)"
        #expect(mkfifo(temporary, 0o600) == 0)
        let reader = open(temporary, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let bytes = Array(log.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(stdinPipe[1], $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            written += n
        }
        close(stdinPipe[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        var got = 0
        for _ in 0..<3000 where got <= 0 {
            got = read(reader, &buffer, buffer.count)
            if got <= 0 { usleep(10_000) }
        }
        #expect(got > 0, "the report write never started")
        kill(pid, SIGINT)
        var status: Int32 = 0
        // Bounded: a child that ignores SIGINT is killed, and the test fails.
        var exited = false
        for _ in 0..<500 where !exited {
            exited = waitpid(pid, &status, WNOHANG) == pid
            if !exited { usleep(10_000) }
        }
        if !exited {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        #expect(exited)
        #expect(status & 0x7F == SIGINT, "the child should die of SIGINT, as with no handler")
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    /// posix_spawn with an empty signal mask and default actions; standard input from `stdin`.
    static func spawn(_ arguments: [String], stdin: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        return pid
    }

    @Test("#10.12: -o into a missing directory names the target, as a write failure")
    func badOutputDirectory() throws {
        let result = try CLI.run(["-q", "-o", "/nonexistent-dir/report.html", try Self.file().path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent-dir/report.html: cannot write"))
        #expect(!result.stderr.contains(".tmp."))
        #expect(!result.stderr.contains("read failed"))
    }

    static func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    static func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("-o into a named pipe writes the report into the pipe, and the pipe is still a pipe")
    func outputIntoPipe() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("report.pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Another program reading the pipe, as `triage -o pipe` would be used. Opened
        // without blocking before triage runs (so triage's open does not wait), and read
        // after it exits: the report of ten lines fits in the pipe's buffer. Before the
        // fix, a file was renamed over the pipe and nothing ever came through it.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let result = try CLI.run(["-q", "--format", "json", "-o", fifo, try Self.file().path])
        #expect(result.status == 0, "\(result.stderr)")
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(reader, &chunk, chunk.count)
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        #expect(Self.fileType(fifo) == S_IFIFO)
        #expect(String(decoding: received, as: UTF8.self).contains("\"server_errors\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.pipe"])
    }

    @Test("-o through a symbolic link replaces the file it names and keeps the link")
    func outputThroughLink() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real.json"), link = dir.appendingPathComponent("latest.json")
        try Data("old".utf8).write(to: real)
        #expect(symlink(real.path, link.path) == 0)
        let result = try CLI.run(["-q", "--format", "json", "-o", link.path, try Self.file().path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.fileType(link.path) == S_IFLNK)
        #expect(try String(contentsOf: real, encoding: .utf8).contains("\"server_errors\""))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["real.json", "latest.json"])
    }

    @Test("-o over an existing report keeps the file's permissions")
    func outputKeepsMode() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("report.json")
        try Data("old".utf8).write(to: target)
        #expect(chmod(target.path, 0o600) == 0)
        let result = try CLI.run(["-q", "--format", "json", "-o", target.path, try Self.file().path])
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat(target.path, &info) == 0 && info.st_mode & 0o7777 == 0o600)
        #expect(try String(contentsOf: target, encoding: .utf8).contains("\"server_errors\""))
    }

    /// A device node of our own (the null device, made with mknod: root only), so that a
    /// regression replaces it and not the machine's /dev/null.
    @Test("-o onto a device (a copy of /dev/null) writes to the device and leaves it a device",
          .enabled(if: geteuid() == 0))
    func outputOntoDevice() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let device = dir.appendingPathComponent("null").path
        var null = stat()
        guard stat("/dev/null", &null) == 0, null.st_mode & S_IFMT == S_IFCHR,
              mknod(device, S_IFCHR | 0o666, null.st_rdev) == 0 else { return }
        let result = try CLI.run(["-q", "--format", "json", "-o", device, try Self.file().path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.fileType(device) == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["null"])
    }

    @Test("#10.12: --route-rule syntax errors name --route-rule, not the log format", arguments: ["abc", "(=>/x", "=>/x"])
    func routeRuleMessages(rule: String) throws {
        let result = try CLI.run(["-q", "--route-rule", rule, try Self.file().path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--route-rule"))
        #expect(!result.stderr.contains("invalid log format"))
    }
}
