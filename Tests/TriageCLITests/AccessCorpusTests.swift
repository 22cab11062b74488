import Foundation
import Testing

/// Real nginx, Apache and ingress-nginx access logs from ../shared/corpus, read without
/// options: the format is detected (with the fields after a preset read, and lines of
/// other shapes counted apart) and the status counts agree with an independent count by
/// awk over the same file. Skipped when the corpus or awk is absent.
@Suite(.enabled(if: CLI.hasCorpus && FileManager.default.isExecutableFile(atPath: "/usr/bin/awk")
                && FileManager.default.isExecutableFile(atPath: "/bin/gzip"),
                "../shared/corpus, awk or gzip is not present"))
struct AccessCorpusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var format: String
        /// An awk pattern selecting the lines of the format; the status is the 3 digits after the
        /// quoted request (`] "…" NNN `). Written from the format, not from triage.
        var lines: String
        var otherLines = 0
        /// Lines of the format that are damaged (counted as malformed), counted by hand.
        var malformed = 0
        /// What stands right before the status (a regular expression): by default the quoted request after the time.
        var statusAfter = #"\] "# + AccessCorpusTests.q + " "
        var testDescription: String { file }
    }

    /// A quoted field (with backslash escapes) in awk's regular expressions.
    static let q = #""([^"\\]|\\.)*""#
    /// `client - user [time] "request" status bytes`, a client being an address list.
    static let common = #"^([^ ]+, )*[^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "# + q + #" [0-9][0-9][0-9] [0-9-]+"#
    static let combined = common + " " + q + " " + q

    static let cases: [Case] = [
        // combined; one line really ends inside the user agent (malformed, not counted by either).
        .init(file: "elastic-examples/apache_logs.log", format: "combined", lines: "/" + combined + "$/",
              malformed: 1),
        .init(file: "meade-apache2logviewer/access.log.gz", format: "combined", lines: "/" + combined + "$/"),
        .init(file: "slowlybomb-hakathon-wap/access.log.gz", format: "combined", lines: "/" + combined + "$/"),
        // Two formats interleaved (combined, and main's X-Forwarded-For on half the lines).
        .init(file: "poufy-nginx-behind-elb/access.log", format: "combined", lines: "/" + combined + #"( "# + q + ")?$/"),
        .init(file: "poufy-nginx-behind-elb/access.log.1", format: "combined", lines: "/" + combined + "$/"),
        // `$server_addr $remote_addr - - […] … $server_port`, the first field often empty.
        .init(file: "hanxen-honeypot/access.log", format: "combined+prefix+tail",
              lines: #"/^[^ ]* [^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "# + q + #" [0-9][0-9][0-9] [0-9]+ "# + q + " " + q + #" [0-9]+$/"#),
        .init(file: "hanxen-honeypot/access.log.1", format: "combined+prefix+tail",
              lines: #"/^[^ ]* [^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "# + q + #" [0-9][0-9][0-9] [0-9]+ "# + q + " " + q + #" [0-9]+$/"#),
        .init(file: "lnav/logfile_shop_access_log.0", format: "main", lines: "/" + combined + " " + q + "$/"),
        .init(file: "lnav/logfile_access_log.0", format: "combined", lines: "/" + combined + "$/"),
        // `%v:%p` + combined + `%D`.
        .init(file: "lnav/logfile_regexp_access_log.0", format: "vhost_combined+tail",
              lines: #"/^[^ ]+:[0-9]+ [^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "# + q + #" [0-9][0-9][0-9] [0-9-]+ "# + q + " " + q + #" [0-9]+$/"#),
        .init(file: "elastic-beats-fixtures/nginx-ingress-upstreaminfo.log", format: "upstreaminfo",
              lines: "/" + combined + #" [0-9]+ [0-9.]+ \[/"#),
        .init(file: "elastic-beats-fixtures/nginx-access-localdev.log", format: "combined", lines: "/" + combined + "$/",
              otherLines: 1),
        .init(file: "elastic-beats-fixtures/nginx-access-test.log", format: "combined", lines: "/" + combined + #"( "# + q + ")?$/",
              otherLines: 2),
        .init(file: "github-snippets/nginx-combined-binary-probes.log", format: "combined", lines: "/" + combined + "$/"),
        // `$request_length $request_time` between the bytes and the referer; the client is masked with `*`.
        .init(file: "github-snippets/nginx-custom-tls-alert-netdata.log", format: "common+tail",
              lines: #"/^[^ ]+ - - \[[^]]+\] "# + q + #" [0-9][0-9][0-9] [0-9]+ [0-9]+ [0-9.]+ "# + q + " " + q + "$/"),
        // nginx error lines between combined + `"$http_x_forwarded_for"` access lines (counted as error-log lines).
        .init(file: "github-snippets/nginx-502-error-and-access-interleaved.log", format: "main",
              lines: "/" + combined + " " + q + "$/"),
        .init(file: "github-snippets/ingress-nginx-upstreaminfo-502-redacted.log", format: "upstreaminfo",
              lines: "/" + combined + #" [0-9]+ [0-9.]+ \[/"#),
        // docker logs of the nextcloud image: entrypoint text and Apache error lines around combined lines.
        .init(file: "github-snippets/apache-docker-nextcloud-stdout.log", format: "combined", lines: "/" + combined + "$/",
              otherLines: 7),
        // Traefik v1 CLF: combined + `count "frontend" "backend URL" Nms`. The second line lost the
        // frontend's closing quote (`"Host-host1 "http://…"`): a damaged Traefik line, malformed.
        .init(file: "elastic-beats-fixtures/traefik-v1-clf.log", format: "traefik-clf",
              lines: "/" + combined + #" [0-9]+ "# + q + " " + q + #" [0-9]+ms$/"#, malformed: 1),
        // Grafana's "Download logs" text: `YYYY-MM-DD hh:mm:ss.SSS<TAB>` before each line; SafeLine's
        // format has a quoted host between the time and the request.
        .init(file: "github-snippets/nginx-custom-loki-prefixed-safeline.log", format: "main",
              lines: #"/^[0-9-]+ [0-9:.]+\t[^ ]+ - - \[[^]]+\] "# + q + " " + q + #" [0-9][0-9][0-9] /"#,
              statusAfter: #"\] "# + q + " " + q + " "),
        // Docker json-file around forego's coloured `nginx.1    | ` prefix around nginx-proxy's
        // `$host $remote_addr - …` line (`$host` is `_`, the catch-all server); the quotes are escaped.
        .init(file: "github-snippets/docker-jsonfile-nginx-proxy-tls.log", format: "combined+prefix",
              lines: #"/^\{"log":".*\\" [0-9][0-9][0-9] [0-9-]+ \\"/"#, statusAfter: #"\\" "#),
        // Tomcat access lines without a time, through syslog (`Mmm dd hh:mm:ss host tomcat.log: `),
        // among other programs' lines: the time is the header's.
        .init(file: "lnav/logfile_syslog_with_access_log.0", format: "common-untimed+tail",
              lines: #"/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]+ [^ ]+ tomcat[^ ]*: [^ ]+ [^ ]+ [^ ]+ "# + q + " [0-9][0-9][0-9] /",
              otherLines: 3, statusAfter: q + " "),
    ]

    static func awkCounts(_ pattern: String, _ path: String, statusAfter: String = #"\] "# + q + " ") throws -> [String: Int] {
        let program = pattern + " { if (match($0, /" + statusAfter + #"[0-9][0-9][0-9] /)) c[substr($0, RSTART + RLENGTH - 4, 3)]++ }"#
            + " END { for (k in c) print k, c[k] }"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // gzip -dcf passes plain files through unchanged.
        process.arguments = ["-c", "gzip -dcf \"$1\" | /usr/bin/awk \"$2\"", "sh", path, program]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var counts: [String: Int] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        return counts
    }

    @Test("detected without options; status counts agree with awk", arguments: cases)
    func corpusFile(c: Case) throws {
        let path = CLI.corpus.appendingPathComponent(c.file).path
        let result = try CLI.run(["--format", "json", path])
        let report = try CLI.json(result.stdout)
        let input = report.list("inputs").first ?? [:]
        #expect(input["format"] as? String == c.format, "\(result.stderr)")
        #expect(input.int("other_lines") == c.otherLines)
        #expect(input.int("malformed") == c.malformed)
        let expected = try Self.awkCounts(c.lines, path, statusAfter: c.statusAfter)
        #expect(!expected.isEmpty)
        let statuses = report.object("status_counts")
        var seen: [String: Int] = [:]
        for key in statuses.keys { seen[key] = statuses.int(key) }
        #expect(seen == expected)
    }
}
