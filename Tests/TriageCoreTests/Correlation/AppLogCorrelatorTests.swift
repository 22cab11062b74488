import Foundation
import Testing
@testable import TriageCore

@Suite struct AppLogCorrelatorTests {
    /// 2026-11-21T10:00:00Z
    static let reference: Int64 = 1_795_255_200
    static let chunkSizes = [1, 3, 64, 4096]

    struct Failure {
        var id: String
        var time: Int64 = AppLogCorrelatorTests.reference
        var route: Int32 = 0
    }

    struct Outcome {
        var ledger: ServerErrorLedger
        var stats: TriageSummary.AppLogInput

        /// The title of the signature that explained the 5xx with `id`, if one did.
        func explanation(_ id: String) -> String? {
            guard let key = RequestID.key(id), let index = key.withUnsafeBufferPointer({ ledger.requests.find($0) }) else {
                return nil
            }
            let signature = ledger.requests.values[index].signature
            return signature >= 0 ? ledger.catalog[Int(signature)].signature.title : nil
        }
    }

    func correlate(_ failures: [Failure], app: String, logUTCOffset: Int = 0, tolerance: Int64 = 300,
                   chunk: Int = 4096) throws -> Outcome {
        let ledger = ServerErrorLedger(limit: 1000, sampleLimit: 5)
        for f in failures {
            Array(f.id.utf8).withUnsafeBufferPointer {
                ledger.add(requestID: $0, time: f.time, route: f.route, failureClass: .originError, upstreamStatus: 500)
            }
        }
        let correlator = try AppLogCorrelator(ledger: ledger, idPattern: nil, tolerance: tolerance,
                                              logUTCOffset: logUTCOffset, maxLineLength: 4096)
        var stats = TriageSummary.AppLogInput(path: "app.log", isGzip: false, lines: 0, events: 0, errorEvents: 0,
                                              errorEventsWithRequestID: 0, matchedEvents: 0, timeMismatches: 0, error: nil)
        let error = correlator.read(MemorySource(Array(app.utf8), chunkSize: chunk), path: "app.log", into: &stats)
        #expect(error == nil)
        return Outcome(ledger: ledger, stats: stats)
    }

    // MARK: - IDs

    @Test("an ID matches whatever its case, dashes, braces or req- prefix on either side", arguments: [
        ("FBFE6A024C8847F5B2BE5F970AE67D59", "[fbfe6a02-4c88-47f5-b2be-5f970ae67d59]"),
        ("fbfe6a02-4c88-47f5-b2be-5f970ae67d59", "request_id=FBFE6A024C8847F5B2BE5F970AE67D59"),
        ("{fbfe6a02-4c88-47f5-b2be-5f970ae67d59}", "request_id=fbfe6a024c8847f5b2be5f970ae67d59"),
        ("req-fbfe6a02-4c88-47f5-b2be-5f970ae67d59", "[req-fbfe6a02-4c88-47f5-b2be-5f970ae67d59 - - - - -]"),
        ("fbfe6a024c8847f5b2be5f970ae67d59", "[req-fbfe6a02-4c88-47f5-b2be-5f970ae67d59 admin demo - - -]"),
    ])
    func idForms(accessID: String, appTag: String) throws {
        let app = "2026-11-21T10:00:00Z ERROR \(appTag) NoMethodError: undefined method `name' for nil\n"
        let o = try correlate([Failure(id: accessID)], app: app)
        #expect(o.explanation(accessID) == "NoMethodError: undefined method `name' for nil")
        #expect(o.stats.matchedEvents == 1)
    }

    @Test("events with IDs no 5xx carried are counted but not kept")
    func unknownIDs() throws {
        let app = """
            2026-11-21T10:00:00Z ERROR request_id=other1234567 RuntimeError: boom
            2026-11-21T10:00:00Z ERROR request_id=other7654321 RuntimeError: bang

            """
        let o = try correlate([Failure(id: "known1234567")], app: app)
        #expect(o.stats.errorEventsWithRequestID == 2)
        #expect(o.stats.matchedEvents == 0)
        #expect(o.stats.timeMismatches == 0)
        #expect(o.ledger.catalog.isEmpty)
        #expect(o.explanation("known1234567") == nil)
    }

    @Test("info events with a 5xx's ID explain nothing")
    func infoDoesNotExplain() throws {
        let app = "2026-11-21T10:00:00Z INFO request_id=known1234567 Completed 500 Internal Server Error in 14ms\n"
        let o = try correlate([Failure(id: "known1234567")], app: app)
        #expect(o.stats.matchedEvents == 0)
        #expect(o.explanation("known1234567") == nil)
    }

    // MARK: - Times

    @Test("an event a little before or after the 5xx's access time matches", arguments: [-299, -60, -1, 0, 2, 299])
    func nearTimes(offsetSeconds: Int64) throws {
        let time = Timestamp.rfc3339(Self.reference + offsetSeconds)
        let app = "\(time) ERROR request_id=known1234567 RuntimeError: boom\n"
        let o = try correlate([Failure(id: "known1234567")], app: app)
        #expect(o.stats.matchedEvents == 1)
        #expect(o.stats.timeMismatches == 0)
    }

    @Test("zoned times further than the tolerance do not match, even by whole hours", arguments: [-3600, -301, 301, 900, 86_400])
    func farZonedTimes(offsetSeconds: Int64) throws {
        let time = Timestamp.rfc3339(Self.reference + offsetSeconds)
        let app = "\(time) ERROR request_id=known1234567 RuntimeError: boom\n"
        let o = try correlate([Failure(id: "known1234567")], app: app)
        #expect(o.stats.matchedEvents == 0)
        #expect(o.stats.timeMismatches == 1)
        #expect(o.explanation("known1234567") == nil)
    }

    @Test("--app-time-tolerance widens the window", arguments: [(300 as Int64, false), (900, true)])
    func tolerance(tolerance: Int64, matches: Bool) throws {
        let app = "\(Timestamp.rfc3339(Self.reference + 600)) ERROR request_id=known1234567 RuntimeError: boom\n"
        let o = try correlate([Failure(id: "known1234567")], app: app, tolerance: tolerance)
        #expect((o.stats.matchedEvents == 1) == matches)
    }

    /// The access log is at +03:00, its 5xx at 10:00:00Z (13:00:00 local).
    @Test("zoneless app times written in the access log's zone, in UTC or in another zone match", arguments: [
        "2026-11-21 13:00:01,250",  // the access log's zone
        "2026-11-21 10:00:01,250",  // UTC
        "2026-11-21 15:30:01,250",  // +05:30
        "2026-11-21 04:59:58,000",  // -05:00
        "2026/11/21 13:00:01",  // Go's log package, local time
    ])
    func zonelessInOtherZones(time: String) throws {
        let app = "\(time) ERROR request_id=known1234567 RuntimeError: boom\n"
        let o = try correlate([Failure(id: "known1234567")], app: app, logUTCOffset: 3 * 3600)
        #expect(o.stats.matchedEvents == 1)
    }

    @Test("a zoneless time a day off, or off by more than 14 hours, does not match and is a time mismatch", arguments: [
        "2026-11-22 13:00:01,250", "2026-11-20 13:00:01,250", "2026-11-22 04:00:01,250",
        // A quarter-hour shift is allowed, but not a time 7 minutes off it.
        "2026-11-21 10:07:30,000",
    ])
    func zonelessFarOff(time: String) throws {
        let app = "\(time) ERROR request_id=known1234567 RuntimeError: boom\n"
        let o = try correlate([Failure(id: "known1234567")], app: app, logUTCOffset: 3 * 3600)
        #expect(o.stats.matchedEvents == 0)
        #expect(o.stats.timeMismatches == 1)
    }

    @Test("once three events agree on a zoneless log's clock shift, an event off by another shift is a mismatch")
    func zoneShiftLocks() throws {
        // The app writes zoneless local time at +05:30; the access log is in UTC.
        let ids = (0..<5).map { String(format: "%032x", 0xabc000 + $0) }
        let failures = ids.map { Failure(id: $0) }
        var app = ""
        for id in ids.prefix(4) { app += "2026-11-21 15:30:00,100 ERROR request_id=\(id) KeyError: 'x'\n" }
        // The fifth reads +02:00 instead: a quarter-hour shift, but not this log's.
        app += "2026-11-21 12:00:00,100 ERROR request_id=\(ids[4]) KeyError: 'x'\n"
        let o = try correlate(failures, app: app)
        #expect(o.stats.matchedEvents == 4)
        #expect(o.stats.timeMismatches == 1)
        #expect(o.stats.zoneShiftSeconds == 19_800)
        #expect(o.explanation(ids[4]) == nil)
    }

    @Test("an event without a time matches by its ID alone")
    func untimedEvent() throws {
        let app = #"{"request_id":"known1234567","level":"error","exception":{"type":"KeyError","message":"'sku'"}}"# + "\n"
        let o = try correlate([Failure(id: "known1234567")], app: app)
        #expect(o.explanation("known1234567") == "KeyError: '<str>'")
    }

    @Test("a 5xx repeated with one ID matches an event near any of its times")
    func repeatedID() throws {
        let failures = [Failure(id: "known1234567", time: Self.reference), Failure(id: "known1234567", time: Self.reference + 3600)]
        let app = "\(Timestamp.rfc3339(Self.reference + 1800)) ERROR request_id=known1234567 RuntimeError: boom\n"
        let o = try correlate(failures, app: app)
        #expect(o.stats.matchedEvents == 1)
        #expect(o.ledger.matchedServerErrors == 2)
    }

    // MARK: - Choosing the explanation

    @Test("the event that says most explains the 5xx, whichever comes first", arguments: [false, true])
    func bestEventWins(exceptionFirst: Bool) throws {
        let plain = "2026-11-21T10:00:00Z ERROR request_id=known1234567 checkout failed"
        let exception = """
            2026-11-21T10:00:01Z ERROR request_id=known1234567 unhandled
            Traceback (most recent call last):
              File "/srv/app/shop/checkout.py", line 10, in pay
            KeyError: 'sku'
            """
        let app = (exceptionFirst ? [exception, plain] : [plain, exception]).joined(separator: "\n") + "\n"
        let o = try correlate([Failure(id: "known1234567")], app: app)
        #expect(o.explanation("known1234567") == "KeyError: '<str>'")
    }

    @Test("5xx with the same bug share one catalogued signature")
    func sharedSignature() throws {
        let app = """
            2026-11-21T10:00:00Z ERROR request_id=first1234567 ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):
            2026-11-21T10:00:00Z ERROR request_id=second123456 ActiveRecord::RecordNotFound (Couldn't find User with 'id'=7):

            """
        let o = try correlate([Failure(id: "first1234567"), Failure(id: "second123456")], app: app)
        #expect(o.ledger.catalog.count == 1)
        #expect(o.explanation("first1234567") == o.explanation("second123456"))
        let signatures = o.ledger.signatures { _ in "GET /users/{id}" }
        #expect(signatures.count == 1)
        #expect(signatures.first?.count == 2)
        #expect(signatures.first?.source == .appLog)
    }

    @Test("the outcome does not depend on the read size", arguments: chunkSizes)
    func chunkSizeIndependent(chunk: Int) throws {
        let app = """
            I, [2026-11-21T10:00:00.500000 #1]  INFO -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] Started GET "/api/users/5"
            F, [2026-11-21T10:00:01.591992 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59]
            F, [2026-11-21T10:00:01.592088 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):
            F, [2026-11-21T10:00:01.592100 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05]
            F, [2026-11-21T10:00:01.592214 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] app/controllers/users_controller.rb:8:in `show'
            F, [2026-11-21T10:00:02.592088 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05] NoMethodError (undefined method `x' for nil):
            """
        let failures = [Failure(id: "fbfe6a024c8847f5b2be5f970ae67d59"), Failure(id: "88d4b851d7aa43ea84a8cf9a44154e05")]
        let whole = try correlate(failures, app: app, chunk: .max)
        let cut = try correlate(failures, app: app, chunk: chunk)
        #expect(cut.stats.lines == whole.stats.lines)
        #expect(cut.stats.events == whole.stats.events)
        #expect(cut.stats.matchedEvents == 2)
        #expect(cut.explanation("fbfe6a024c8847f5b2be5f970ae67d59") == "ActiveRecord::RecordNotFound: Couldn't find User with '<str>'=<num>")
        #expect(cut.explanation("88d4b851d7aa43ea84a8cf9a44154e05") == "NoMethodError: undefined method `x' for nil")
    }
    // MARK: - Through the Analyzer

    @Test("the Analyzer reads zoneless app times in the access log's zone and reports matches and mismatches")
    func throughAnalyzer() throws {
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.nginx(#"$remote_addr [$time_local] "$request" $status $request_id"#))
        let access = [
            #"10.0.0.1 [21/Nov/2026:13:00:00 +0300] "GET /api/users/5 HTTP/1.1" 500 FBFE6A02-4C88-47F5-B2BE-5F970AE67D59"#,
            #"10.0.0.1 [21/Nov/2026:13:00:02 +0300] "GET /api/users/7 HTTP/1.1" 500 88d4b851d7aa43ea84a8cf9a44154e05"#,
            #"10.0.0.1 [21/Nov/2026:13:00:03 +0300] "GET /api/orders HTTP/1.1" 500 0000aaaa0000bbbb0000cccc0000dddd"#,
        ].joined(separator: "\n") + "\n"
        // Written in the access log's zone without saying so; the third is a day late.
        let app = """
            2026-11-21 13:00:00,400 ERROR [request_id=fbfe6a02-4c88-47f5-b2be-5f970ae67d59] KeyError: 'user'
            2026-11-21 13:00:02,100 ERROR [request_id=88d4b851-d7aa-43ea-84a8-cf9a44154e05] KeyError: 'email'
            2026-11-22 13:00:03,100 ERROR [request_id=0000aaaa-0000-bbbb-0000-cccc0000dddd] ValueError: late

            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let appURL = dir.appendingPathComponent("app.log")
        try Data(app.utf8).write(to: appURL)

        options.appLogs = [appURL.path]  // so the access pass keeps the 5xx request IDs
        let analyzer = Analyzer(options: options)
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(access.utf8)), displayPath: "access.log"))
        analyzer.correlate(options.appLogs)
        let s = analyzer.finish()
        #expect(analyzer.errors.isEmpty)
        #expect(s.correlation.serverErrors == 3)
        #expect(s.correlation.withRequestID == 3)
        #expect(s.correlation.matched == 2)
        #expect(s.correlation.appLogs.first?.matchedEvents == 2)
        #expect(s.correlation.appLogs.first?.timeMismatches == 1)
        let first = try #require(s.signatures.first)
        #expect(first.source == .appLog)
        #expect(first.count == 2)
        #expect(first.title == "KeyError: '<str>'")
        #expect(first.routes == ["GET /api/users/{id}"])
        #expect(s.signatures.last?.source == .accessLog)
    }
}
