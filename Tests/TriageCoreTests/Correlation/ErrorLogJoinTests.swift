import Foundation
import Testing
@testable import TriageCore

/// The error log's rows of the decision table (Docs/Classification.md, E1–E9): an access line
/// joined to the error line about it gets the cause, and a status-only class gets the precise one.
@Suite struct ErrorLogJoinTests {
    static func access(_ time: String, _ request: String, _ status: Int, client: String = "203.0.113.9") -> String {
        #"\#(client) - - [20/Nov/2026:\#(time) +0100] "\#(request) HTTP/1.1" \#(status) 5 "-" "ua""#
    }

    static func error(_ time: String, _ message: String, request: String, client: String = "203.0.113.9",
                      upstream: String = "10.0.1.13:8080") -> String {
        let path = request.split(separator: " ").last.map(String.init) ?? "/"
        return #"2026/11/20 \#(time) [error] 31#31: *7 \#(message), client: \#(client), server: shop, request: "\#(request) HTTP/1.1", upstream: "http://\#(upstream)\#(path)", host: "shop""#
    }

    /// Runs the analyzer over files holding `access` and `errors` (error times are local, +0100 like the access log's).
    static func run(access: [String], errors: [String], options: AnalysisOptions = AnalysisOptions()) throws -> TriageSummary {
        try analyze(access: access, errors: errors, options: options).summary
    }

    /// ``run(access:errors:options:)`` with the analyzer, to write its partial.
    static func analyze(access: [String], errors: [String],
                        options: AnalysisOptions = AnalysisOptions()) throws -> (analyzer: Analyzer, summary: TriageSummary) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("errorlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let accessPath = dir.appendingPathComponent("access.log").path
        let errorPath = dir.appendingPathComponent("error.log").path
        try (access.joined(separator: "\n") + "\n").write(toFile: accessPath, atomically: true, encoding: .utf8)
        try (errors.joined(separator: "\n") + "\n").write(toFile: errorPath, atomically: true, encoding: .utf8)
        var options = options
        options.errorLogs = [errorPath]
        let analyzer = Analyzer(options: options)
        return (analyzer, analyzer.run(paths: [accessPath]).summary)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var message: String
        var expected: FailureClass
        var cause: ErrorCause
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        .init(name: "E1 status-only 502 + connection refused → upstream_unreachable", status: 502,
              message: "connect() failed (111: Connection refused) while connecting to upstream",
              expected: .upstreamUnreachable, cause: .connectionRefused),
        .init(name: "E2 status-only 502 + reset, prematurely closed, TLS → upstream_unreachable", status: 502,
              message: "SSL_do_handshake() failed (SSL: error) while SSL handshaking to upstream",
              expected: .upstreamUnreachable, cause: .tlsHandshakeFailed),
        .init(name: "E3 status-only 504 + timed out reading the header → upstream_timeout with its phase", status: 504,
              message: "upstream timed out (110: Connection timed out) while reading response header from upstream",
              expected: .upstreamTimeout, cause: .timeoutReadingHeader),
        .init(name: "E3b status-only 504 + timed out connecting → upstream_timeout (connecting)", status: 504,
              message: "upstream timed out (110: Connection timed out) while connecting to upstream",
              expected: .upstreamTimeout, cause: .timeoutConnecting),
        .init(name: "E4 status-only 503 + limiting requests → proxy_error (rate limit)", status: 503,
              message: #"limiting requests, excess: 20.400 by zone "api""#, expected: .proxyError, cause: .rateLimited),
        .init(name: "E5 status-only 502 + no live upstreams → upstream_unavailable", status: 502,
              message: "no live upstreams while connecting to upstream", expected: .upstreamUnavailable, cause: .noLiveUpstreams),
        .init(name: "E6 a request that ended 200 after connect() failed → retried_ok", status: 200,
              message: "connect() failed (111: Connection refused) while connecting to upstream",
              expected: .retriedOK, cause: .connectionRefused),
    ]

    @Test("an explained request gets the precise class and cause, marked error_log", arguments: rows)
    func row(row: Row) throws {
        let s = try Self.run(access: [Self.access("13:30:02", "GET /api/x", row.status)],
                             errors: [Self.error("13:30:01", row.message, request: "GET /api/x")])
        #expect(s.classes[row.expected] == 1)
        #expect(s.classes.total == 1)
        let detail = s.classDetails[row.expected.rawValue]
        #expect(detail.causes.first?.cause == row.cause)
        #expect(detail.errorLog == 1)
        #expect(detail.statusOnly == 0)
        let e = try #require(s.errorLog)
        #expect(e.matchedLines == 1)
        #expect(e.explainedServerErrors + e.explainedRetried == 1)
        if row.status >= 500 { #expect(s.signatures.first?.cause == row.cause) }
    }

    @Test("E7 an error line too far in time, for another client or another request explains nothing")
    func noJoin() throws {
        let s = try Self.run(access: [Self.access("13:30:10", "GET /api/x", 502),
                                      Self.access("13:30:01", "GET /api/y", 502),
                                      Self.access("13:30:01", "GET /api/x", 502, client: "198.51.100.1")],
                             errors: [Self.error("13:30:01", "connect() failed (111: Connection refused) while connecting to upstream",
                                                 request: "GET /api/x")])
        #expect(s.classes[.upstreamUnreachable] == 3)
        #expect(s.classDetails[FailureClass.upstreamUnreachable.rawValue].statusOnly == 3)
        let e = try #require(s.errorLog)
        #expect(e.explainedServerErrors == 0)
        #expect(e.unmatchedLines == 1)
    }

    @Test("E7b a refused connect does not make a final 500 a proxy failure: the 500 stays origin_error")
    func causeMustFitStatus() throws {
        let s = try Self.run(access: [Self.access("13:30:02", "GET /api/x", 500)],
                             errors: [Self.error("13:30:01", "connect() failed (111: Connection refused) while connecting to upstream",
                                                 request: "GET /api/x")])
        #expect(s.classes[.originError] == 1)
        #expect(s.errorLog?.explainedServerErrors == 0)
    }

    @Test("nginx's error log writes the request line raw, its access log escaped: they still join")
    func escapedRequestLine() throws {
        let s = try Self.run(access: [Self.access("13:30:02", #"GET /search?q=caf\xC3\xA9\x22"#, 503)],
                             errors: [Self.error("13:30:02", #"limiting requests, excess: 5.100 by zone "search""#,
                                                 request: "GET /search?q=café\"")])
        #expect(s.classes[.proxyError] == 1)
    }

    @Test("the server joins: an access log's host field may be the Host header or the server_name; another virtual host does not join")
    func server() throws {
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.nginx(#"$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#))
        let line = { (host: String) in #"\#(host) 203.0.113.9 - - [20/Nov/2026:13:30:02 +0100] "GET /api/x HTTP/1.1" 502 5"# }
        let error = Self.error("13:30:01", "connect() failed (111: Connection refused) while connecting to upstream", request: "GET /api/x")
        // The error line names server "shop" and host "shop": both a $host and a $server_name of "shop" join.
        let same = try Self.run(access: [line("shop")], errors: [error], options: options)
        #expect(same.errorLog?.explainedServerErrors == 1)
        let other = try Self.run(access: [line("admin.example")], errors: [error], options: options)
        #expect(other.errorLog?.explainedServerErrors == 0)
    }

    @Test("the tolerance is a setting: 10 s joins what 2 s does not")
    func tolerance() throws {
        var options = AnalysisOptions()
        options.errorTimeTolerance = 10
        let s = try Self.run(access: [Self.access("13:30:10", "GET /api/x", 502)],
                             errors: [Self.error("13:30:01", "connect() failed (111: Connection refused) while connecting to upstream",
                                                 request: "GET /api/x")], options: options)
        #expect(s.errorLog?.explainedServerErrors == 1)
    }

    @Test("E8 with upstream fields the class stays theirs and the error log adds the cause; join by upstream and time")
    func upstreamFields() throws {
        // nginx "upstream" preset without a request line match (the client is a load balancer the error log names differently).
        let line = #"10.9.9.9 - - [20/Nov/2026:13:30:02 +0100] "GET /api/x HTTP/1.1" 502 5 "-" "ua" 10.0.1.13:8080 502 0.001 - 0.001"#
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.nginx(#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time"#))
        let s = try Self.run(access: [line], errors: [Self.error("13:30:01", "connect() failed (111: Connection refused) while connecting to upstream",
                                                                 request: "GET /api/x", client: "203.0.113.50")], options: options)
        #expect(s.classes[.upstreamUnreachable] == 1)
        let detail = s.classDetails[FailureClass.upstreamUnreachable.rawValue]
        #expect(detail.errorLog == 0)
        #expect(detail.causes.first?.cause == .connectionRefused)
        #expect(s.upstreams.first?.causes.first?.cause == .connectionRefused)
    }

    @Test("E9 Apache: joined by client and time (its error log writes no request line); 503 after a refused connect")
    func apache() throws {
        let error = "[Fri Nov 20 13:30:02.5 2026] [proxy_http:error] [pid 9:tid 7] [client 203.0.113.9:50000] AH01114: HTTP: failed to make connection to backend: 10.0.1.13"
        let s = try Self.run(access: [Self.access("13:30:02", "GET /api/x", 503)], errors: [error])
        #expect(s.classes[.upstreamUnreachable] == 1)
        #expect(s.classDetails[FailureClass.upstreamUnreachable.rawValue].causes.first?.cause == .connectionRefused)
    }

    /// Six refused connects as mod_proxy logs them: AH00957 (the backend's host:port, no client),
    /// with `disabling` an AH00959 (the worker put in error), then AH01114 (the client, the
    /// backend's host alone) [httpd `proxy_util.c` `ap_proxy_connect_backend`, `mod_proxy_http.c`].
    static func apacheRefusals(disabling: Bool) -> (access: [String], errors: [String]) {
        var access: [String] = []
        var errors: [String] = []
        for k in 0..<6 {
            let t = String(format: "13:30:%02d", k * 5)
            let client = "203.0.113.\(10 + k)"
            access.append(Self.access(t, "GET /api/\(k)", 503, client: client))
            errors.append("[Fri Nov 20 \(t).306227 2026] [proxy:error] [pid 2817:tid 140231] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1:8080) failed")
            if disabling {
                errors.append("[Fri Nov 20 \(t).306260 2026] [proxy:error] [pid 2817:tid 140231] AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:8080) for 60s")
            }
            errors.append("[Fri Nov 20 \(t).306301 2026] [proxy_http:error] [pid 2817:tid 140231] [client \(client):31652] AH01114: HTTP: failed to make connection to backend: 127.0.0.1")
        }
        return (access, errors)
    }

    @Test("E9b Apache: AH00957 and the AH01114 after it are one refused connect, named by the AH00957's host:port")
    func apachePairs() throws {
        var (access, errors) = Self.apacheRefusals(disabling: false)
        // An AH00957 without its AH01114 still counts, alone.
        errors.append("[Fri Nov 20 13:31:00.1 2026] [proxy:error] [pid 2817:tid 140231] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1:8080) failed")
        let s = try Self.run(access: access, errors: errors)
        let e = try #require(s.errorLog)
        #expect(s.classes[.upstreamUnreachable] == 6)
        #expect(e.explainedServerErrors == 6)
        #expect(e.unmatchedLines == 1)
        #expect(e.upstreamCauses.map(\.address) == ["127.0.0.1:8080"])
        #expect(e.upstreamCauses.first?.count == 6)
    }

    @Test("E9c Apache: an AH00959 between the AH00957 and its AH01114 (the worker put in error) does not part the pair")
    func apachePairsAroundDisabling() throws {
        let (access, errors) = Self.apacheRefusals(disabling: true)
        let s = try Self.run(access: access, errors: errors)
        let e = try #require(s.errorLog)
        #expect(s.classes[.upstreamUnreachable] == 6)
        #expect(e.explainedServerErrors == 6)
        // The six AH00959 lines explain no request; the refused connects are all named host:port.
        #expect(e.unmatchedLines == 6)
        #expect(e.upstreamCauses.map(\.address) == ["127.0.0.1:8080"])
        #expect(e.upstreamCauses.first?.cause == .connectionRefused)
        #expect(e.upstreamCauses.first?.count == 6)
    }

    @Test("Apache: 503s to a worker in error, each with an AH00940 naming it and no client, name the problem's upstream")
    func apacheDisabledWorkerNamesProblem() throws {
        var access: [String] = []
        var errors: [String] = []
        for m in 0..<60 {
            for k in 0..<20 { access.append(Self.access(String(format: "12:%02d:%02d", m, k * 3), "GET /ok", 200)) }
        }
        for m in 0..<15 {
            for k in 0..<12 {
                let t = String(format: "13:%02d:%02d", m, k * 5)
                access.append(Self.access(t, "GET /api/\(m)-\(k)", 503, client: "203.0.113.\(k + 20)"))
                errors.append("[Fri Nov 20 \(t).306227 2026] [proxy:error] [pid 2817:tid 140231] AH00940: HTTP: disabled connection for (10.0.1.13:8080)")
            }
        }
        let s = try Self.run(access: access, errors: errors)
        let incident = try #require(s.incidents.first)
        #expect(incident.dominantClass == .upstreamUnavailable)
        #expect(incident.upstreamsFromErrorLog)
        #expect(incident.topUpstreams.first?.name == "10.0.1.13:8080")
        #expect(incident.topUpstreams.first?.count == 180)
    }

    @Test("an access log in UTC beside an error log in the server's zone joins with --error-log-timezone")
    func errorLogTimeZone() throws {
        // The access log written in UTC (+0000); the error log at 13:30 Paris time (+0100) is 12:30 UTC.
        let access = (0..<6).map { k in
            #"203.0.113.9 - - [20/Nov/2026:12:30:0\#(k) +0000] "GET /api/\#(k) HTTP/1.1" 502 5 "-" "ua""#
        }
        let errors = (0..<6).map { k in
            Self.error("13:30:0\(k)", "connect() failed (111: Connection refused) while connecting to upstream", request: "GET /api/\(k)")
        }
        #expect(try Self.run(access: access, errors: errors).errorLog?.explainedServerErrors == 0)
        var options = AnalysisOptions()
        options.errorLogTimeZone = try LogTimeZone.parse("+01:00")
        let s = try Self.run(access: access, errors: errors, options: options)
        #expect(s.errorLog?.explainedServerErrors == 6)
        #expect(s.classes[.upstreamUnreachable] == 6)
    }

    @Test("per upstream: the causes with counts and times; unexplaining lines are the incident's context")
    func upstreamCausesAndContext() throws {
        var access: [String] = []
        var errors: [String] = []
        // An hour of quiet traffic, then 15 minutes of refusals preceded by a warning.
        for m in 0..<60 {
            for k in 0..<20 { access.append(Self.access(String(format: "12:%02d:%02d", m, k * 3), "GET /ok", 200)) }
        }
        errors.append(#"2026/11/20 13:00:30 [warn] 31#31: *9 upstream server temporarily disabled while connecting to upstream, client: 192.0.2.1, server: shop, request: "GET /z HTTP/1.1", upstream: "http://10.0.1.13:8080/z", host: "shop""#)
        for m in 0..<15 {
            for k in 0..<20 {
                let t = String(format: "13:%02d:%02d", m, k * 3)
                access.append(Self.access(t, "GET /api/\(m)-\(k)", 502))
                errors.append(Self.error(t, "connect() failed (111: Connection refused) while connecting to upstream", request: "GET /api/\(m)-\(k)"))
            }
        }
        let s = try Self.run(access: access, errors: errors)
        let e = try #require(s.errorLog)
        #expect(e.explainedServerErrors == 300)
        #expect(e.upstreamCauses.first?.address == "10.0.1.13:8080")
        #expect(e.upstreamCauses.first?.count == 300)
        #expect(e.upstreamCauses.first?.firstSeen == Timestamp.seconds(year: 2026, month: 11, day: 20, hour: 12, minute: 0, second: 0))
        #expect(e.unmatchedLines == 1)
        let incident = try #require(s.incidents.first)
        #expect(incident.causes.first?.cause == .connectionRefused)
        #expect(incident.context.first?.cause == .upstreamDisabled)
    }

    @Test("an access log without upstream fields: a problem's upstreams are those its error lines name, and survive a partial")
    func incidentUpstreamsFromErrorLog() throws {
        var access: [String] = []
        var errors: [String] = []
        for m in 0..<60 {
            for k in 0..<20 { access.append(Self.access(String(format: "12:%02d:%02d", m, k * 3), "GET /ok", 200)) }
        }
        // 15 minutes of 502s: 290 refused by 10.0.1.13, 10 by 10.0.1.14. An hour before, 10
        // refusals by 10.0.1.15 for requests not in the access log count toward nothing.
        for k in 0..<10 {
            let t = String(format: "12:%02d:00", k)
            errors.append(Self.error(t, "connect() failed (111: Connection refused) while connecting to upstream",
                                     request: "GET /gone", upstream: "10.0.1.15:8080"))
        }
        for m in 0..<15 {
            for k in 0..<20 {
                let t = String(format: "13:%02d:%02d", m, k * 3)
                access.append(Self.access(t, "GET /api/\(m)-\(k)", 502))
                errors.append(Self.error(t, "connect() failed (111: Connection refused) while connecting to upstream",
                                         request: "GET /api/\(m)-\(k)", upstream: k == 0 && m < 10 ? "10.0.1.14:8080" : "10.0.1.13:8080"))
            }
        }
        let (analyzer, s) = try Self.analyze(access: access, errors: errors)
        #expect(s.upstreams.isEmpty)
        let incident = try #require(s.incidents.first)
        #expect(incident.upstreamsFromErrorLog)
        #expect(incident.topUpstreams.map(\.name) == ["10.0.1.13:8080", "10.0.1.14:8080"])
        #expect(incident.topUpstreams.map(\.count) == [290, 10])
        #expect(incident.topUpstreams.map(\.failures) == [290, 10])

        // The same from a partial: the tally keeps the upstreams per minute by name.
        let partialPath = FileManager.default.temporaryDirectory.appendingPathComponent("errorlog-\(UUID().uuidString).partial").path
        defer { try? FileManager.default.removeItem(atPath: partialPath) }
        try Data(try analyzer.partial(host: "web-1")).write(to: URL(fileURLWithPath: partialPath))
        var mergeOptions = AnalysisOptions()
        mergeOptions.now = analyzer.options.now
        let (merged, problems) = Analyzer.merge(partials: [partialPath], options: mergeOptions)
        #expect(problems.isEmpty)
        let again = try #require(merged.finish().incidents.first)
        #expect(again.upstreamsFromErrorLog)
        #expect(again.topUpstreams == incident.topUpstreams)
    }

    @Test("with upstream fields, a problem's upstreams stay the access log's")
    func incidentUpstreamsFromAccessLog() throws {
        var access: [String] = []
        var errors: [String] = []
        let format = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ua="$upstream_addr" us="$upstream_status""#
        for m in 0..<60 {
            for k in 0..<20 {
                access.append(Self.access(String(format: "12:%02d:%02d", m, k * 3), "GET /ok", 200) + #" ua="10.0.1.13:8080" us="200""#)
            }
        }
        for m in 0..<15 {
            for k in 0..<20 {
                let t = String(format: "13:%02d:%02d", m, k * 3)
                access.append(Self.access(t, "GET /api/\(m)-\(k)", 502) + #" ua="10.0.1.13:8080" us="502""#)
                errors.append(Self.error(t, "connect() failed (111: Connection refused) while connecting to upstream",
                                         request: "GET /api/\(m)-\(k)", upstream: "10.0.1.99:8080"))
            }
        }
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.nginx(format))
        let s = try Self.run(access: access, errors: errors, options: options)
        let incident = try #require(s.incidents.first)
        #expect(!incident.upstreamsFromErrorLog)
        #expect(incident.topUpstreams.first?.name == "10.0.1.13:8080")
    }

    @Test("several threads give the same report as one pass")
    func parallel() throws {
        var access: [String] = []
        var errors: [String] = []
        for k in 0..<3000 {
            let t = String(format: "13:%02d:%02d", (k / 60) % 60, k % 60)
            access.append(Self.access(t, "GET /p/\(k)", k % 3 == 0 ? 502 : 200))
            if k % 3 == 0 || k % 7 == 0 {
                errors.append(Self.error(t, "connect() failed (111: Connection refused) while connecting to upstream", request: "GET /p/\(k)"))
            }
        }
        var one = AnalysisOptions()
        one.threads = 1
        var two = AnalysisOptions()
        two.threads = 2
        two.parallelThreshold = 1
        let a = try Self.run(access: access, errors: errors, options: one)
        let b = try Self.run(access: access, errors: errors, options: two)
        #expect(a.classes == b.classes)
        #expect(a.errorLog?.matchedLines == b.errorLog?.matchedLines)
        #expect(a.errorLog?.explainedRetried == b.errorLog?.explainedRetried)
        #expect(a.classes[.retriedOK] == b.classes[.retriedOK])
        #expect(a.classes[.retriedOK] > 0)
    }

    @Test("a container log holding both streams: the error lines inside its envelope explain the 5xx beside them",
          arguments: ["docker", "cri"])
    func containerLog(envelope: String) throws {
        var lines: [String] = []
        for minute in 0..<12 {
            let time = String(format: "13:%02d:00", minute)
            let request = minute % 3 == 0 ? "GET /api/x" : "GET /api/y"
            let access = Self.access(time, request, minute % 3 == 0 ? 502 : 200)
            if minute % 3 == 0 {
                let error = Self.error(time, "connect() failed (111: Connection refused) while connecting to upstream", request: request)
                lines.append(envelope == "docker" ? ErrorLogReaderTests.docker(error) : ErrorLogReaderTests.cri(error))
            }
            lines.append(envelope == "docker" ? ErrorLogReaderTests.docker(access, stream: "stdout")
                                              : ErrorLogReaderTests.cri(access, stream: "stdout"))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("container-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("container.log").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = Analyzer(options: AnalysisOptions()).run(paths: [path]).summary
        #expect(summary.requests == 12)
        #expect(summary.inputs.first?.otherLines == 0)
        #expect(summary.inputs.first?.errorLogLines == 4)
        #expect(summary.errorLog?.explainedServerErrors == 4)
        #expect(summary.classes[.upstreamUnreachable] == 4)
    }
}
