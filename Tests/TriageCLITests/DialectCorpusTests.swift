import Foundation
import Testing

/// Real HAProxy, Envoy/Istio and AWS load balancer logs from ../shared/corpus, read
/// without options: the format is detected and the status counts agree with an
/// independent count by awk over the same file. Skipped when the corpus is absent.
@Suite(.enabled(if: CLI.hasCorpus && FileManager.default.isExecutableFile(atPath: "/usr/bin/awk"),
                "../shared/corpus or awk is not present"))
struct DialectCorpusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var format: String
        /// Prints `status count` per status; written from the format's documentation, not from triage.
        var awk: String
        var classes: [String: Int] = [:]
        var otherLines: Int?
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        // syslog header, then `client [accept date] frontend backend/server timers STATUS`: field 11.
        .init(file: "lnav/logfile_haproxy.0", format: "haproxy",
              awk: #"$7 ~ /^\[/ && $10 ~ /^-?[0-9]+\/-?[0-9]+\// { c[$11]++ }"#),
        // `[time] "METHOD PATH PROTOCOL" STATUS …`: field 5.
        .init(file: "elastic-integrations-fixtures/istio-envoy-text-access.log", format: "istio",
              awk: #"$1 ~ /^\[/ { c[$5]++ }"#),
        .init(file: "elastic-integrations-fixtures/istio-envoy-text-failures.log", format: "istio",
              awk: #"$1 ~ /^\[/ { c[$5]++ }"#,
              classes: ["upstream_unavailable": 2, "upstream_unreachable": 1, "client_closed": 1]),
        .init(file: "github-snippets/envoy-istio-text-kubefrog.log", format: "istio", awk: #"$1 ~ /^\[/ { c[$5]++ }"#),
        // A TCP proxy line (`"- - -"`, status 0) is not a request: an other line.
        .init(file: "elastic-beats-fixtures/envoy-default-format.log", format: "envoy-text",
              awk: #"$1 ~ /^\[/ && $0 !~ /\] "- - -" / { c[$5]++ }"#, otherLines: 1),
        // The same line inside a Kubernetes JSON wrapper after `ACCESS `: the status follows the escaped quote.
        .init(file: "elastic-beats-fixtures/envoy-in-docker-json.log", format: "envoy-text",
              awk: #"match($0, /HTTP\/[0-9.]+\\" [0-9]+ /) { s = substr($0, RSTART, RLENGTH); n = split(s, a, " "); c[a[n]]++ }"#),
        // ALB: type time elb client target 3 timings ELB_STATUS: field 9.
        .init(file: "elastic-beats-fixtures/aws-elb-application-lb-http.log", format: "alb",
              awk: #"$1 ~ /^(http|https|h2|grpcs|ws|wss)$/ { c[$9]++ }"#,
              classes: ["upstream_timeout": 6, "client_closed": 1]),
        // The documentation examples: one line was hand-edited without a space (`"-"1`); it is not a line of the format.
        .init(file: "elastic-beats-fixtures/aws-alb-docs-examples.NOT-REAL.log", format: "alb",
              awk: #"$1 ~ /^(http|https|h2|grpcs|ws|wss)$/ && $0 !~ /"-"[0-9]/ { c[$9]++ }"#,
              classes: ["upstream_unreachable": 1]),
        // ALB lines among NLB TLS and ALB connection-log lines (those are other lines).
        .init(file: "elastic-integrations-fixtures/aws-alb-nlb-connlog-mixed.log", format: "alb",
              awk: #"$1 ~ /^(http|https|h2|grpcs|ws|wss)$/ { c[$9]++ }"#),
        // Classic ELB: time elb client backend 3 timings ELB_STATUS: field 8.
        .init(file: "elastic-beats-fixtures/aws-elb-classic-http.log", format: "elb",
              awk: #"$1 ~ /^[0-9][0-9][0-9][0-9]-/ && NF > 8 { c[$8]++ }"#),
    ]

    static func awkCounts(_ program: String, _ path: String) throws -> [String: Int] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/awk")
        process.arguments = [program + " END { for (k in c) print k, c[k] }", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var counts: [String: Int] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(Int(parts[0]) ?? -1)] = n }
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
        let expected = try Self.awkCounts(c.awk, path)
        #expect(!expected.isEmpty)
        let statuses = report.object("status_counts")
        var seen: [String: Int] = [:]
        for key in statuses.keys { seen[key] = statuses.int(key) }
        #expect(seen == expected)
        let classes = report.object("classes")
        for (name, count) in c.classes { #expect(classes.int(name) == count, "class \(name)") }
        if let other = c.otherLines { #expect(input.int("other_lines") == other) }
    }
}
