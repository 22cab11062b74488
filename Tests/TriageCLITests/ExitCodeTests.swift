import Foundation
import Testing

/// The exit-code contract of Docs/ExitCodes.md, run on the real binary.
@Suite struct ExitCodeTests {
    static let line = #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 500 5 "-" "ua""# + "\n"

    @Test("0: a readable log gives a report and exit 0")
    func success() throws {
        let file = try CLI.temporaryFile(Data(Self.line.utf8))
        let result = try CLI.run([file.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 server error (5xx) in 1 request (100.0%)"))
    }

    @Test("2: a truncated gzip still reports the lines before the damage, names file and offset")
    func truncatedGzip() throws {
        let text = String(repeating: Self.line, count: 20_000)
        let gz = try gzip(Data(text.utf8))
        let cut = gz.prefix(gz.count / 2)
        let file = try CLI.temporaryFile(Data(cut), name: "access.log.1")
        let result = try CLI.run(["--format", "json", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("access.log.1"))
        #expect(result.stderr.contains("truncated at compressed byte"))
        let report = try CLI.json(result.stdout)
        let requests = report.object("totals").int("requests")
        #expect(requests > 1000 && requests < 20_000)
        #expect(report.list("inputs").first?["error"] is String)
    }

    @Test("2: a missing file among good ones: the others are still reported")
    func missingFile() throws {
        let file = try CLI.temporaryFile(Data(Self.line.utf8))
        let result = try CLI.run([file.path, "/nonexistent/access.log"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/access.log: cannot open"))
        #expect(result.stdout.contains("2 inputs, 1 request,"))
    }

    @Test("2: text in no known format stops with the line, the closest preset and the field")
    func noFormat() throws {
        let file = try CLI.temporaryFile(Data("2026-11-21 ERROR app crashed\n".utf8))
        let result = try CLI.run([file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no known log format fits"))
        #expect(result.stderr.contains("closest format"))
    }

    @Test("2: a given format that does not fit names the field that failed")
    func givenFormatMismatch() throws {
        let file = try CLI.temporaryFile(Data(Self.line.utf8))
        let result = try CLI.run(["--log-format", "nginx:$remote_addr $status", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("$status"))
    }

    @Test("64: usage errors", arguments: [
        ["--no-such-option", "x"],
        ["--log-format", "nosuchpreset", "x"],
        ["--format", "yaml", "x"],
        ["--nginx-conf", "/etc/nginx/nginx.conf", "x"],
        ["--top", "0", "x"],
        ["-", "-"],
        ["--deploy", "notatime", "x"],
        ["merge", "--deploy", "2026-13-01T00:00:00Z", "x.partial"],
        ["check", "--deploy", "2026-11-20T10:00:00Z", "--deploy", "2026-11-20T10:06:00Z", "x"],
    ])
    func usage(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("--help and --version exit 0")
    func help() throws {
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--log-format"))
        #expect(help.stdout.contains("Exit status"))
        #expect(try CLI.run(["--version"]).status == 0)
    }

    func gzip(_ data: Data) throws -> Data {
        let input = try CLI.temporaryFile(data, name: "plain")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-k", "-f", input.path]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: URL(fileURLWithPath: input.path + ".gz"))
    }
}

@Suite struct InputHandlingTests {
    static let line = ExitCodeTests.line

    @Test("stdin (-) works plain and gzip; gzip is detected from the bytes, not the name")
    func stdinAndSniffing() throws {
        let plain = try CLI.run(["--format", "json", "-"], stdin: Data(String(repeating: Self.line, count: 3).utf8))
        #expect(plain.status == 0)
        #expect(try CLI.json(plain.stdout).object("totals").int("requests") == 3)

        let gz = try ExitCodeTests().gzip(Data(String(repeating: Self.line, count: 5).utf8))
        let piped = try CLI.run(["--format", "json", "-"], stdin: gz)
        #expect(try CLI.json(piped.stdout).object("totals").int("requests") == 5)
        let named = try CLI.temporaryFile(gz, name: "access.log.1")
        let report = try CLI.json(try CLI.run(["--format", "json", named.path]).stdout)
        #expect(report.list("inputs").first?["gzip"] as? Bool == true)
        #expect(report.object("totals").int("requests") == 5)
    }

    @Test("CRLF files read like LF files")
    func crlf() throws {
        let file = try CLI.temporaryFile(Data(String(repeating: Self.line.replacingOccurrences(of: "\n", with: "\r\n"), count: 4).utf8))
        let report = try CLI.json(try CLI.run(["--format", "json", file.path]).stdout)
        #expect(report.object("totals").int("requests") == 4)
        #expect(report.object("totals").int("malformed_lines") == 0)
    }

    @Test("--nginx-conf reads the named log_format")
    func nginxConf() throws {
        let conf = try CLI.temporaryFile(Data("""
            http {
              log_format short '$remote_addr [$time_local] '
                               '"$request" $status';
            }
            """.utf8), name: "nginx.conf")
        let log = try CLI.temporaryFile(Data(#"10.0.0.1 [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 502"#.utf8))
        let result = try CLI.run(["--nginx-conf", conf.path, "--log-format", "short", "--format", "json", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(report.object("classes").int("upstream_unreachable") == 1)
        #expect(report.list("inputs").first?["format"] as? String == "short")
        let missing = try CLI.run(["--nginx-conf", conf.path, "--log-format", "nope", log.path])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("found: short"))
    }
}

@Suite struct TerminalOutputTests {
    @Test("log content cannot inject terminal escapes; colour only when asked")
    func hostileContent() throws {
        let hostile = #"10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET /"# + "\u{1B}]0;pwned\u{07}\u{1B}[2J" + #" HTTP/1.1" 500 5 "-" "<script>alert(1)</script>""# + "\n"
        let file = try CLI.temporaryFile(Data(hostile.utf8))
        let plain = try CLI.run([file.path])
        #expect(plain.status == 0)
        #expect(!plain.stdout.contains("\u{1B}"))
        #expect(!plain.stdout.contains("\u{07}"))
        let colored = try CLI.run(["--color", "always", file.path])
        #expect(colored.stdout.contains("\u{1B}[1;31m"))
        #expect(!colored.stdout.contains("\u{1B}]0;"))
        #expect(!colored.stdout.contains("\u{1B}[2J"))
    }
}

@Suite struct TerminalWidthTests {
    @Test("piped to another program, the sample report keeps within 80 columns (COLUMNS unset or 80)",
          arguments: [[:], ["COLUMNS": "80"]])
    func pipedFitsEightyColumns(environment: [String: String]) throws {
        var env = environment
        if env.isEmpty { env["COLUMNS"] = "" }
        let result = try CLI.run(["--deploys", "SampleLogs/deploys.txt", "--app-log", "SampleLogs/app/production.log",
                                  "--app-log", "SampleLogs/app/payments.log.gz",
                                  "SampleLogs/nginx/access.log", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log.2.gz"],
                                 environment: env)
        #expect(result.status == 0)
        let long = result.stdout.split(separator: "\n").filter { $0.unicodeScalars.count > 80 }
        #expect(long.isEmpty, "\(long.count) lines over 80 columns, e.g. \(long.first ?? "")")
    }
}

@Suite struct OutputOptionTests {
    let logs = ["SampleLogs/nginx/access.log", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log.2.gz"]

    @Test("-o writes each format to a file and nothing to stdout; no progress when stderr is not a terminal")
    func outputFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-o-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (format, marker) in [("html", "<!DOCTYPE html>"), ("markdown", "| class |"), ("json", "\"schema_version\""), ("terminal", "Timeline")] {
            let out = dir.appendingPathComponent("report.\(format)")
            let result = try CLI.run(["--format", format, "-o", out.path, "--deploys", "SampleLogs/deploys.txt"] + logs)
            #expect(result.status == 0)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.isEmpty, "progress or noise on a non-terminal stderr: \(result.stderr)")
            let text = String(decoding: try Data(contentsOf: out), as: UTF8.self)
            #expect(text.contains(marker), "\(format)")
            #expect(!text.contains("\u{1B}["), "\(format) has escape sequences")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
        #expect(try CLI.run(["-o", "/nonexistent-dir/report.html", "--format", "html"] + logs).status == 2)
    }

    @Test("--verbose explains the reading order, the format choice and the classification fields")
    func verbose() throws {
        let result = try CLI.run(["--verbose"] + logs)
        #expect(result.stderr.contains("reading order"))
        #expect(result.stderr.contains("chose 'upstream'"))
        #expect(result.stderr.contains("classification uses the status and"))
    }
}
