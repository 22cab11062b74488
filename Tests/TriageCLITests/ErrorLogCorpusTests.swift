import Foundation
import Testing

/// The corpus's real nginx and Apache error logs (../shared/corpus, SOURCES.md). Skipped when absent.
@Suite(.enabled(if: CLI.hasCorpus, "../shared/corpus is not present"))
struct ErrorLogCorpusTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        var files: [String]
        /// `wc -l` of the files, plus one for a last line without a newline.
        var lines: Int
        var entries: Int
        var continuationLines: Int
        var testDescription: String { files.joined(separator: ", ") }
    }

    static let expectations: [Expectation] = [
        // 4 entries, two of them FastCGI stderr with `PHP message:` continuation lines.
        .init(files: ["elastic-beats-fixtures/nginx-error-test.log"], lines: 6, entries: 4, continuationLines: 2),
        // Apache 2.0 with mod_jk; 1999 newlines and a last line without one.
        .init(files: ["loghub/Apache_2k.log"], lines: 2000, entries: 2000, continuationLines: 0),
        // Apache 1.3: "URI too long", "File does not exist" (3615 lines in four rotated files).
        .init(files: ["honeynet-redhat-2004/error_log.11", "honeynet-redhat-2004/error_log.16",
                      "honeynet-redhat-2004/error_log.18", "honeynet-redhat-2004/error_log.20"],
              lines: 3615, entries: 3615, continuationLines: 0),
    ]

    @Test("real error logs given with --error-log are read whole: every line counted, none unrecognised", arguments: expectations)
    func errorLog(expected: Expectation) throws {
        let access = try CLI.temporaryFile(Data(#"203.0.113.9 - - [20/Nov/2026:13:30:01 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#.utf8 + [10]))
        let paths = expected.files.map { CLI.corpus.appendingPathComponent($0).path }
        let result = try CLI.run(["--format", "json", access.path] + paths.flatMap { ["--error-log", $0] })
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let inputs = report.object("error_log").list("inputs")
        #expect(inputs.count == expected.files.count)
        let sum = { (key: String) in inputs.reduce(0) { $0 + $1.int(key) } }
        #expect(sum("lines") == expected.lines)
        #expect(sum("entries") == expected.entries)
        #expect(sum("continuation_lines") == expected.continuationLines)
        #expect(sum("unrecognised") == 0)
        #expect(sum("entries") + sum("continuation_lines") + sum("blank") + sum("access_lines") + sum("unrecognised") == sum("lines"))
    }

    @Test("an error log given as an input is recognised, read as one, and the report says so")
    func detected() throws {
        let path = CLI.corpus.appendingPathComponent("loghub/Apache_2k.log").path
        let result = try CLI.run(["--format", "json", path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let input = report.object("error_log").list("inputs").first ?? [:]
        #expect(input["detected"] as? Bool == true)
        #expect(input.int("apache_entries") == 2000)
        let hints = report["hints"] as? [String] ?? []
        #expect(hints.contains { $0.contains("recognised as an Apache error log") })
    }

    @Test("the interleaved error+access file: both 502s are explained as prematurely closed by 10.244.3.84:5601")
    func interleaved() throws {
        let path = CLI.corpus.appendingPathComponent("github-snippets/nginx-502-error-and-access-interleaved.log").path
        let result = try CLI.run(["--format", "json", path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let input = report.list("inputs").first ?? [:]
        #expect(input.int("records") == 2)
        #expect(input.int("malformed") == 0)
        #expect(input.int("error_log_lines") == 2)
        let e = report.object("error_log")
        #expect(e.int("server_errors") == 2)
        #expect(e.int("explained_server_errors") == 2)
        #expect(e.int("unmatched_lines") == 0)
        let cause = e.list("upstream_causes").first ?? [:]
        #expect(cause["upstream"] as? String == "10.244.3.84:5601")
        #expect(cause["cause"] as? String == "prematurely_closed")
        #expect(cause.int("count") == 2)
        #expect(report.object("classes").int("upstream_unreachable") == 2)
        #expect(report.object("confidence").int("error_log") == 2)
    }

    @Test("docker stdout with Apache 2.4 error lines among access lines: every line is counted once")
    func dockerStdout() throws {
        let path = CLI.corpus.appendingPathComponent("github-snippets/apache-docker-nextcloud-stdout.log").path
        let result = try CLI.run(["--format", "json", path])
        let report = try CLI.json(result.stdout)
        let input = report.list("inputs").first ?? [:]
        #expect(input.int("records") + input.int("malformed") + input.int("error_log_lines") + input.int("other_lines") + input.int("blank") == input.int("lines"))
        #expect(input.int("error_log_lines") == 2)
        #expect(report.object("error_log").list("inputs").first?["interleaved"] as? Bool == true)
    }
}
