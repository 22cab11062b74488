import Foundation
import Testing

/// `--app-log` and its options as a user runs them: matching, reports, usage errors, damaged inputs.
@Suite struct AppLogCommandTests {
    static let access = [
        #"10.0.0.1 - - [21/Nov/2026:10:00:01 +0000] "GET /api/users/5 HTTP/1.1" 500 12 "-" "curl" rt=0.010 uct="0.001" uht="0.009" urt="0.010" us="500" ua="10.1.0.1:8080" rid=fbfe6a024c8847f5b2be5f970ae67d59"#,
        #"10.0.0.1 - - [21/Nov/2026:10:00:02 +0000] "GET /api/users/7 HTTP/1.1" 500 12 "-" "curl" rt=0.010 uct="0.001" uht="0.009" urt="0.010" us="500" ua="10.1.0.1:8080" rid=88d4b851d7aa43ea84a8cf9a44154e05"#,
        #"10.0.0.1 - - [21/Nov/2026:10:00:03 +0000] "GET /api/orders HTTP/1.1" 502 12 "-" "curl" rt=0.010 uct="-" uht="-" urt="0.001" us="502" ua="10.1.0.2:8080" rid=0000aaaa0000bbbb0000cccc0000dddd"#,
    ].joined(separator: "\n") + "\n"

    static let app = [
        "I, [2026-11-21T10:00:00.500000 #1]  INFO -- : [FBFE6A02-4C88-47F5-B2BE-5F970AE67D59] Started GET \"/api/users/5\"",
        "F, [2026-11-21T10:00:01.592088 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):",
        "F, [2026-11-21T10:00:01.592100 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05] ActiveRecord::RecordNotFound (Couldn't find User with 'id'=7):",
        "F, [2026-11-21T10:00:01.592214 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] app/controllers/users_controller.rb:8:in `show'",
        "F, [2026-11-21T10:00:02.592214 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05] app/controllers/users_controller.rb:8:in `show'",
    ].joined(separator: "\n") + "\n"

    @Test("two 500s of one bug (IDs in other case and with dashes) share one app-log signature; the 502 keeps its access-log one")
    func matchesAcrossIDForms() throws {
        let access = try CLI.temporaryFile(Data(Self.access.utf8))
        let app = try CLI.temporaryFile(Data(Self.app.utf8), name: "production.log")
        let result = try CLI.run(["--format", "json", access.path, "--app-log", app.path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        let correlation = report.object("correlation")
        #expect(correlation.int("with_request_id") == 3)
        #expect(correlation.int("matched") == 2)
        #expect(correlation.int("unmatched") == 1)
        let signatures = report.list("signatures")
        #expect(signatures.count == 2)
        let bug = try #require(signatures.first)
        #expect(bug["source"] as? String == "app_log")
        #expect(bug["title"] as? String == "ActiveRecord::RecordNotFound: Couldn't find User with '<str>'=<num>")
        #expect(bug.int("count") == 2)
        #expect(bug["routes"] as? [String] == ["GET /api/users/{id}"])
        #expect(bug["frames"] as? [String] == ["controllers/users_controller.rb in show"])
        #expect(signatures.last?["source"] as? String == "access_log")
        #expect(signatures.last?["upstream_status"] as? Int == 502)
    }

    @Test("the terminal, Markdown and HTML reports name the bug, its count and an example request")
    func humanReports() throws {
        let access = try CLI.temporaryFile(Data(Self.access.utf8))
        let app = try CLI.temporaryFile(Data(Self.app.utf8), name: "production.log")
        for format in ["terminal", "markdown", "html"] {
            let result = try CLI.run(["--format", format, access.path, "--app-log", app.path])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(result.stdout.contains("RecordNotFound"), "\(format)")
            #expect(result.stdout.contains("fbfe6a024c8847f5b2be5f970ae67d59"), "\(format)")
            #expect(result.stdout.contains("2 of 3 5xx") || result.stdout.contains("3 of 3 5xx carry a request ID, 2 matched"),
                    "\(format)")
        }
    }

    @Test("--app-id-pattern finds IDs the built-in forms miss")
    func userPattern() throws {
        let access = try CLI.temporaryFile(Data(Self.access.utf8))
        let app = "2026-11-21 10:00:01 ERROR corr<<fbfe6a024c8847f5b2be5f970ae67d59>> KeyError: 'user'\n"
        let file = try CLI.temporaryFile(Data(app.utf8), name: "app.log")
        let without = try CLI.json(try CLI.run(["--format", "json", access.path, "--app-log", file.path]).stdout)
        #expect(without.object("correlation").int("matched") == 0)
        let with = try CLI.run(["--format", "json", access.path, "--app-log", file.path,
                                "--app-id-pattern", "corr<<(?<id>[0-9a-f]+)>>"])
        #expect(with.status == 0, "\(with.stderr)")
        let report = try CLI.json(with.stdout)
        #expect(report.object("correlation").int("matched") == 1)
        let title = report.list("signatures").first?["title"] as? String ?? ""
        #expect(title.contains("KeyError: '<str>'") && !title.contains("fbfe6a02"), "\(title)")
    }

    @Test("64: a pattern without (?<id>…), a bad pattern, standard input twice, a bad tolerance", arguments: [
        ["--app-id-pattern", "req=([0-9a-f]+)"],
        ["--app-id-pattern", "(?<id>[0-9a-f"],
        ["--app-log", "-", "-"],
        ["--app-time-tolerance", "soon"],
    ])
    func usageErrors(arguments: [String]) throws {
        let access = try CLI.temporaryFile(Data(Self.access.utf8))
        let args = arguments.contains("-") ? arguments : arguments + [access.path]
        let result = try CLI.run(args)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("2: a missing or damaged application log is named; the report still covers the access log")
    func damagedAppLog() throws {
        let access = try CLI.temporaryFile(Data(Self.access.utf8))
        let missing = try CLI.run(["--format", "json", access.path, "--app-log", "/nonexistent/app.log"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/app.log"))
        let report = try CLI.json(missing.stdout)
        #expect(report.object("totals").int("server_errors") == 3)
        #expect(report.object("correlation").list("app_logs").first?["error"] is String)

        // A gzip header followed by garbage.
        var broken = Data([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03])
        broken.append(Data(repeating: 0xAB, count: 64))
        let gz = try CLI.temporaryFile(broken, name: "app.log.gz")
        let damaged = try CLI.run(["--format", "json", access.path, "--app-log", gz.path])
        #expect(damaged.status == 2)
        #expect(damaged.stderr.contains("app.log.gz"))
    }

    @Test("without request IDs in the access log the report says what to add")
    func hintWithoutIDs() throws {
        let line = #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 500 5 "-" "ua""# + "\n"
        let access = try CLI.temporaryFile(Data(line.utf8))
        let app = try CLI.temporaryFile(Data(Self.app.utf8), name: "production.log")
        let report = try CLI.json(try CLI.run(["--format", "json", access.path, "--app-log", app.path]).stdout)
        let hint = report.object("correlation")["hint"] as? String ?? ""
        #expect(hint.contains("$request_id"))
        #expect(report.list("signatures").first?["source"] as? String == "access_log")
    }
}
