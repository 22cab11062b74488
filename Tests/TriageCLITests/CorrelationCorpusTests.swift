import Foundation
import Testing

/// `--app-log` on real application logs from ../shared/corpus (see its SOURCES.md), with
/// access logs built here from what those logs say. Skipped when the corpus is absent.
@Suite(.enabled(if: CLI.hasCorpus, "../shared/corpus is not present"))
struct CorrelationCorpusTests {
    /// One line in the `upstream` preset (Docs/Formats.md), as SampleLogs/nginx/access.log has them.
    static func accessLine(time: String, method: String = "GET", path: String, status: Int = 500, requestID: String) -> String {
        #"127.0.0.1 - - [\#(time)] "\#(method) \#(path) HTTP/1.1" \#(status) 12 "-" "curl/8.5" rt=0.015 uct="0.001" uht="0.014" urt="0.014" us="\#(status)" ua="10.1.0.1:8080" rid=\#(requestID)"#
    }

    /// `2018-04-08 13:57:35` and `+0300` as CLF: `08/Apr/2018:13:57:35 +0300`.
    static func clf(_ dateTime: Substring, zone: Substring = "+0000") -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let d = Array(dateTime)
        let month = months[Int(String(d[5...6]))! - 1]
        return "\(String(d[8...9]))/\(month)/\(String(d[0...3])):\(String(d[11...18])) \(zone)"
    }

    static func corpusLines(_ file: String) throws -> [Substring] {
        let data = try Data(contentsOf: CLI.corpus.appendingPathComponent(file))
        // Some corpus files end their lines with CRLF, which Swift reads as one Character.
        return String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    /// Runs triage on `access` lines (upstream preset) with `appLogs`; returns the JSON report.
    static func run(access: [String], appLogs: [String], extra: [String] = []) throws -> [String: Any] {
        let accessURL = try CLI.temporaryFile(Data((access.joined(separator: "\n") + "\n").utf8))
        defer { try? FileManager.default.removeItem(at: accessURL.deletingLastPathComponent()) }
        let result = try CLI.run(["--format", "json", "--log-format", "upstream", accessURL.path]
                                 + appLogs.flatMap { ["--app-log", $0] } + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try CLI.json(result.stdout)
    }

    // MARK: - Rails

    static let railsLog = "rails-production-logs/alex6alex-api-exchanger-production.log"

    /// One 500 per `Completed 500`, at its `Started … at 2018-04-08 13:57:35 +0300` time and route.
    static func railsFailures() throws -> [String] {
        var started: [Substring: (method: Substring, path: Substring, time: String)] = [:]
        var access: [String] = []
        for line in try corpusLines(railsLog) {
            // I, [2018-04-08T13:57:35.574401 #15888]  INFO -- : [fbfe6a02-…] Started GET …
            guard let tagStart = line.range(of: "-- : [")?.upperBound, let tagEnd = line[tagStart...].firstIndex(of: "]")
            else { continue }
            let id = line[tagStart..<tagEnd]
            let rest = line[line.index(after: tagEnd)...].dropFirst()
            if rest.hasPrefix("Started ") {
                let words = rest.split(separator: " ")
                // Started GET "/api/…" for 127.0.0.1 at 2018-04-08 13:57:35 +0300
                guard words.count >= 9 else { continue }
                let path = words[2].dropFirst().dropLast()
                started[id] = (words[1], path, clf(Substring(words[6] + " " + words[7]), zone: words[8]))
            } else if rest.hasPrefix("Completed 500"), let request = started[id] {
                access.append(accessLine(time: request.time, method: String(request.method), path: String(request.path),
                                         requestID: String(id)))
            }
        }
        return access
    }

    @Test("Rails: all 58 'Completed 500' requests are matched to their FATAL blocks")
    func railsAllMatched() throws {
        let access = try Self.railsFailures()
        #expect(access.count == 58)
        let report = try Self.run(access: access, appLogs: [CLI.corpus.appendingPathComponent(Self.railsLog).path])
        let c = report.object("correlation")
        #expect(c.int("server_errors") == 58)
        #expect(c.int("with_request_id") == 58)
        #expect(c.int("matched") == 58)
        #expect(c.int("unmatched") == 0)
        #expect(c["hint"] is NSNull)
        let app = try #require(c.list("app_logs").first)
        #expect(app.int("lines") == 1440)
        // 58 PG errors and 4 RoutingError blocks (404s), each one event however many FATAL lines it has.
        #expect(app.int("error_events") == 62)
        #expect(app.int("error_events_with_request_id") == 62)
        #expect(app.int("matched_events") == 58)
        #expect(app.int("time_mismatches") == 0)
    }

    /// The 58 are one missing table ("currencies", PG's message in Russian) reached from two
    /// controller actions. A signature is a bug at a place in the code, so the two actions are
    /// two signatures; the table name is a quoted value, so the same error on another table
    /// from the same action would join its signature rather than split it.
    @Test("Rails: the PG::UndefinedTable errors group by the action that raised them")
    func railsSignatures() throws {
        let report = try Self.run(access: try Self.railsFailures(),
                                  appLogs: [CLI.corpus.appendingPathComponent(Self.railsLog).path])
        let signatures = report.list("signatures")
        for s in signatures { print("\(s.int("count")) × \(s["title"] ?? "") \(s["frames"] ?? "")") }
        try #require(signatures.count == 2)
        #expect(signatures.map { $0.int("count") } == [39, 19])
        for s in signatures {
            #expect(s["source"] as? String == "app_log")
            #expect(s["exception_type"] as? String == "ActiveRecord::StatementInvalid")
            #expect(s["title"] as? String == #"ActiveRecord::StatementInvalid: PG::UndefinedTable: ОШИБКА: отношение "<str>" не существует"#)
            #expect((s["message"] as? String)?.contains(#"отношение "currencies" не существует"#) == true)
        }
        #expect(signatures[0]["frames"] as? [String] == ["api/currencies_controller.rb in currency_reserves"])
        #expect(signatures[1]["frames"] as? [String] == ["api/currencies_controller.rb in currency_list"])
        #expect(signatures[0]["routes"] as? [String] == ["GET /api/currencies/currency_reserves", "GET /api/currencies/currency_reserves.json"])
        #expect(signatures[1]["routes"] as? [String] == ["GET /api/currencies/currency_list"])
        #expect(Set(signatures.map { $0["id"] as? String }).count == 2)
    }

    @Test("Rails: an access log that holds one of the 500s gives the same application-log counts")
    func railsCountsIndependentOfAccessLog() throws {
        let one = try Self.run(access: Array(try Self.railsFailures().prefix(1)),
                               appLogs: [CLI.corpus.appendingPathComponent(Self.railsLog).path])
        let app = try #require(one.object("correlation").list("app_logs").first)
        #expect(app.int("error_events") == 62)
        #expect(app.int("matched_events") == 1)
        #expect(one.object("correlation").int("matched") == 1)
    }

    // MARK: - OpenStack

    static let openStackLog = "loghub/OpenStack_2k.log"
    /// nova-compute's periodic task: its 31 WARNING lines are the log's only ones above INFO.
    static let periodicTask = "req-addc1839-2ed5-4778-b57e-5854eb7b8b09"

    /// The nova-api requests as access-log lines (`[req-UUID …] 10.11.10.1 "GET … HTTP/1.1" status: 200`),
    /// the first three turned into 500s, and a 500 for the periodic task at its 00:09:41 warning.
    static func openStackAccess() throws -> (lines: [String], failedIDs: [String]) {
        var lines: [String] = []
        var failed: [String] = []
        for line in try corpusLines(openStackLog) where line.contains("nova.osapi_compute.wsgi.server") {
            let words = line.split(separator: " ")
            guard words.count > 14, words[6].hasPrefix("[req-"), let quote = line.firstIndex(of: "\""),
                  let statusRange = line.range(of: "status: ") else { continue }
            let request = line[line.index(after: quote)...].prefix { $0 != "\"" }.split(separator: " ")
            let status = Int(line[statusRange.upperBound...].prefix { $0.isNumber }) ?? 0
            let id = String(words[6].dropFirst())
            let isFailure = failed.count < 3 && status == 200
            if isFailure { failed.append(id) }
            lines.append(accessLine(time: clf(Substring(words[1] + " " + words[2].prefix(8))), method: String(request[0]),
                                    path: String(request[1]), status: isFailure ? 500 : status, requestID: id))
        }
        lines.append(accessLine(time: "16/May/2017:00:09:41 +0000", path: "/v2/servers/sync", requestID: periodicTask))
        return (lines, failed + [periodicTask])
    }

    @Test("OpenStack: [req-UUID …] IDs are read, but INFO and WARNING lines explain no 5xx")
    func openStackWarningsExplainNothing() throws {
        let (access, failed) = try Self.openStackAccess()
        #expect(failed.count == 4)
        let report = try Self.run(access: access, appLogs: [CLI.corpus.appendingPathComponent(Self.openStackLog).path])
        let c = report.object("correlation")
        #expect(c.int("server_errors") == 4)
        #expect(c.int("with_request_id") == 4)
        #expect(c.int("matched") == 0)
        let app = try #require(c.list("app_logs").first)
        #expect(app.int("lines") == 2000)
        #expect(app.int("error_events") == 0)
        #expect(app.int("time_mismatches") == 0)
        #expect((c["hint"] as? String)?.contains("no error events with a request ID") == true)
        #expect(report.list("signatures").allSatisfy { $0["source"] as? String == "access_log" })
    }

    @Test("OpenStack: with its warnings raised to ERROR, the periodic task's 500 is explained by one near it")
    func openStackErrorsExplain() throws {
        let original = try Data(contentsOf: CLI.corpus.appendingPathComponent(Self.openStackLog))
        let raised = String(decoding: original, as: UTF8.self).replacingOccurrences(of: " WARNING ", with: " ERROR ")
        let appURL = try CLI.temporaryFile(Data(raised.utf8), name: "nova.log")
        defer { try? FileManager.default.removeItem(at: appURL.deletingLastPathComponent()) }
        let (access, _) = try Self.openStackAccess()
        let report = try Self.run(access: access, appLogs: [appURL.path])
        let c = report.object("correlation")
        #expect(c.int("matched") == 1)
        let app = try #require(c.list("app_logs").first)
        #expect(app.int("error_events_with_request_id") == app.int("error_events"))
        #expect(app.int("error_events") >= 20)
        // Warnings of that task minutes away from 00:09:41 are counted, not used.
        #expect(app.int("time_mismatches") > 0)
        let explained = try #require(report.list("signatures").first { $0["source"] as? String == "app_log" })
        #expect(explained.int("count") == 1)
        #expect(explained["sample_request_ids"] as? [String] == [Self.periodicTask])
        #expect(explained["title"] as? String == "Unknown base file: /var/lib/nova/instances/_base/<hex>")
    }

    // MARK: - Nextcloud

    static let nextcloudLog = "lnav/logfile_nextcloud.0"

    /// A 500 for each request of the Nextcloud log, at its time.
    static func nextcloudAccess() throws -> [String] {
        var access: [String] = []
        var seen: Set<Substring> = []
        for line in try corpusLines(nextcloudLog) where line.hasPrefix("{") {
            guard let idStart = line.range(of: #""reqId":""#)?.upperBound, let timeStart = line.range(of: #""time":""#)?.upperBound
            else { continue }
            let id = line[idStart...].prefix { $0 != "\"" }
            guard seen.insert(id).inserted else { continue }
            let time = line[timeStart...].prefix(19).replacingOccurrences(of: "T", with: " ")
            access.append(accessLine(time: clf(Substring(time)), path: "/index.php/apps/files", requestID: String(id)))
        }
        return access
    }

    @Test("Nextcloud: reqId and the numeric level are read; level 1 is info and explains nothing")
    func nextcloudInfoIsNoError() throws {
        let access = try Self.nextcloudAccess()
        #expect(access.count == 4)
        let report = try Self.run(access: access, appLogs: [CLI.corpus.appendingPathComponent(Self.nextcloudLog).path])
        let c = report.object("correlation")
        #expect(c.int("matched") == 0)
        let app = try #require(c.list("app_logs").first)
        #expect(app.int("lines") == 5)
        #expect(app.int("events") == 5)
        #expect(app.int("error_events") == 0)
    }

    @Test("Nextcloud: at level 3 (error) each request's event explains its 500, the nested JSON in data notwithstanding")
    func nextcloudErrorsExplain() throws {
        let original = try Data(contentsOf: CLI.corpus.appendingPathComponent(Self.nextcloudLog))
        let raised = String(decoding: original, as: UTF8.self).replacingOccurrences(of: #""level":1,"#, with: #""level":3,"#)
        let appURL = try CLI.temporaryFile(Data(raised.utf8), name: "nextcloud.log")
        defer { try? FileManager.default.removeItem(at: appURL.deletingLastPathComponent()) }
        let report = try Self.run(access: try Self.nextcloudAccess(), appLogs: [appURL.path])
        let c = report.object("correlation")
        #expect(c.int("matched") == 4)
        let app = try #require(c.list("app_logs").first)
        #expect(app.int("error_events") == 5)
        #expect(app.int("error_events_with_request_id") == 5)
        #expect(app.int("time_mismatches") == 0)
        let titles = Set(report.list("signatures").compactMap { $0["title"] as? String })
        for t in titles.sorted() { print(t) }
        #expect(titles.contains("Tried to scan non file"))
        #expect(titles.contains("Request: PUT <url>"))
        #expect(titles.contains("Memories: Updated item successfully"))
    }
}
