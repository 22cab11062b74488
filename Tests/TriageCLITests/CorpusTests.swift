import Foundation
import Testing

/// Real logs from ../shared/corpus (see its SOURCES.md). Skipped when the corpus is absent.
@Suite(.enabled(if: CLI.hasCorpus, "../shared/corpus is not present"))
struct CorpusTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        var file: String
        var format: String
        var records: Int
        var malformed: Int
        /// Lines of another shape (error-log lines, start-up output, a server's own events).
        var other = 0
        var statuses: [String: Int]
        var classes: [String: Int]
        var testDescription: String { file }
    }

    static let expectations: [Expectation] = [
        // SOURCES.md: 10000 lines, 3 × 500; line 8899 really ends inside the user agent.
        .init(file: "elastic-examples/apache_logs.log", format: "combined", records: 9999, malformed: 1,
              statuses: ["500": 3], classes: ["origin_error": 3]),
        // 44 5xx: 31 × 500, 13 × 503, and 861 × 499; gzip as committed.
        .init(file: "slowlybomb-hakathon-wap/access.log.gz", format: "combined", records: 10_000, malformed: 0,
              statuses: ["499": 861, "500": 31, "503": 13],
              classes: ["origin_error": 31, "upstream_unavailable": 13, "client_closed": 861]),
        // ingress-nginx upstreaminfo: 2 × 502 with multi-upstream lists, IPv6, unix sockets.
        .init(file: "elastic-beats-fixtures/nginx-ingress-upstreaminfo.log", format: "upstreaminfo", records: 29, malformed: 0,
              statuses: ["502": 2], classes: ["upstream_unreachable": 2]),
        // Scanner probes with binary request lines: every line is a record.
        .init(file: "github-snippets/nginx-combined-binary-probes.log", format: "combined", records: 16, malformed: 0,
              statuses: [:], classes: [:]),
        .init(file: "meade-apache2logviewer/access.log.gz", format: "combined", records: 114, malformed: 0,
              statuses: [:], classes: [:]),
        // nginx "main" with +0330 times and percent-encoded Persian URLs.
        .init(file: "lnav/logfile_shop_access_log.0", format: "main", records: 1000, malformed: 0, statuses: [:], classes: [:]),
        // JSON access logs: Caddy v2 (2021 and 2024-26 forms), with a docker compose prefix and
        // the server's own events mixed in (35 lines without a status), Traefik v1/v2, Envoy/Istio.
        .init(file: "lnav/logfile_caddy_log.1", format: "caddy", records: 4, malformed: 0, statuses: ["200": 4], classes: [:]),
        .init(file: "lnav/logfile_caddy_log.0", format: "caddy", records: 4, malformed: 0, other: 35, statuses: ["304": 3], classes: [:]),
        .init(file: "github-snippets/caddy-json-access.log", format: "caddy", records: 6, malformed: 0,
              statuses: ["404": 2, "308": 1], classes: [:]),
        .init(file: "elastic-integrations-fixtures/traefik-json-access.log", format: "traefik", records: 7, malformed: 0,
              statuses: ["404": 3], classes: [:]),
        .init(file: "elastic-integrations-fixtures/istio-envoy-json-access.log", format: "envoy", records: 3, malformed: 0,
              statuses: ["400": 1], classes: [:]),
        // docker logs: 7 lines of entrypoint text are truly not access lines (other lines); the 2 Apache
        // error-log lines among them are read as an error log (ErrorLogCorpusTests).
        .init(file: "github-snippets/apache-docker-nextcloud-stdout.log", format: "combined", records: 15, malformed: 0, other: 7,
              statuses: ["500": 3], classes: ["origin_error": 3]),
    ]

    @Test("real logs parse, with true counts", arguments: expectations)
    func realLog(expected: Expectation) throws {
        let path = CLI.corpus.appendingPathComponent(expected.file).path
        let result = try CLI.run(["--format", "json", path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let input = report.list("inputs").first ?? [:]
        #expect(input["format"] as? String == expected.format)
        #expect(input.int("records") == expected.records)
        #expect(input.int("malformed") == expected.malformed)
        #expect(input.int("other_lines") == expected.other)
        let statuses = report.object("status_counts")
        for (status, count) in expected.statuses { #expect(statuses.int(status) == count, "status \(status)") }
        let classes = report.object("classes")
        for (name, count) in expected.classes { #expect(classes.int(name) == count, "class \(name)") }
    }

    @Test("honeynet Apache 1.3 set: 8 KB WebDAV overflow lines, raw non-UTF-8 bytes, 98 × 501")
    func honeynet() throws {
        let dir = CLI.corpus.appendingPathComponent("honeynet-redhat-2004")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasPrefix("access_log") }.map { dir.appendingPathComponent($0).path }
        let result = try CLI.run(["--format", "json", "--log-format", "combined"] + files)
        let report = try CLI.json(result.stdout)
        #expect(report.object("status_counts").int("501") == 98)
        let totals = report.object("totals")
        // Every line is a record or a malformed line with a reason; nothing is lost.
        let blank = report.list("inputs").reduce(0) { $0 + $1.int("blank") + $1.int("skipped") }
        #expect(totals.int("requests") + totals.int("malformed_lines") + blank == totals.int("lines"))
        #expect(totals.int("malformed_lines") * 100 < totals.int("lines"), "more than 1% malformed")
    }

    @Test("the same file read plain, CRLF, via stdin and as gzip gives the same counts")
    func sameAcrossTransports() throws {
        let path = CLI.corpus.appendingPathComponent("slowlybomb-hakathon-wap/access.log.gz").path
        let gz = try Data(contentsOf: URL(fileURLWithPath: path))
        let fromFile = try CLI.json(try CLI.run(["--format", "json", path]).stdout)
        let fromStdin = try CLI.json(try CLI.run(["--format", "json", "-"], stdin: gz).stdout)
        #expect(fromFile.object("classes") as NSDictionary == fromStdin.object("classes") as NSDictionary)
        #expect(fromFile.object("totals").int("requests") == fromStdin.object("totals").int("requests"))
    }
}
