import Testing
@testable import TriageCore

@Suite struct AppLineScannerTests {
    /// 2026-11-21T10:00:00Z
    static let reference: Int64 = 1_795_255_200

    struct Scanned {
        var line: AppLine
        var id: String?
        var message: String
    }

    func scan(_ text: String, idPattern: String? = nil) throws -> Scanned {
        let scanner = try AppLineScanner(idPattern: idPattern)
        let bytes = Array(text.utf8)
        var line = AppLine()
        bytes.withUnsafeBufferPointer {
            scanner.scan($0, into: &line)
            scanner.readDetails($0, into: &line)
        }
        let id = line.id.map { String(decoding: bytes[$0], as: UTF8.self) }
        let message = line.isJSON ? "" : String(decoding: bytes[min(line.messageStart, bytes.count)...], as: UTF8.self)
        return Scanned(line: line, id: id, message: message)
    }

    // MARK: - Request IDs in text lines

    @Test("each built-in text form yields the ID as written", arguments: [
        // Rails tagged logging.
        (#"I, [2026-11-21T10:00:00.5 #1]  INFO -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] Started GET "/x""#,
         "fbfe6a02-4c88-47f5-b2be-5f970ae67d59"),
        // OpenStack: req- prefix, then user, project and more inside the brackets.
        ("2017-05-16 00:00:20.345 2931 WARNING nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Unknown base file",
         "addc1839-2ed5-4778-b57e-5854eb7b8b09"),
        ("2026-11-21 10:00:00,100 ERROR [request_id=1111aaaa-0000-bbbb-0000-cccc0000dddd] payment failed",
         "1111aaaa-0000-bbbb-0000-cccc0000dddd"),
        ("time=2026-11-21T10:00:00Z level=error msg=boom request_id=abc123def456", "abc123def456"),
        (#"2026-11-21T10:00:00Z ERROR request-id: "abc123def456" boom"#, "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR req_id=abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR reqId=abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR X-Request-ID: abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR x_request_id=abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR correlation_id=abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR trace_id=4bf92f3577b34da6a3ce929d0e0e4736 boom", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("2026-11-21T10:00:00Z ERROR req=abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR rid=abc123def456 boom", "abc123def456"),
        ("2026-11-21T10:00:00Z ERROR rid='abc123def456' boom", "abc123def456"),
    ])
    func textForms(text: String, expected: String) throws {
        #expect(try scan(text).id == expected)
    }

    @Test("words that merely end like an ID key, short values and bare UUIDs are not IDs", arguments: [
        "2026-11-21T10:00:00Z ERROR grid=abc123def456 boom",
        "2026-11-21T10:00:00Z ERROR request_id=abc12 boom",
        "2026-11-21T10:00:00Z ERROR user fbfe6a02-4c88-47f5-b2be-5f970ae67d59 not found",
        "2026-11-21T10:00:00Z ERROR prefer=abc123def456",
    ])
    func notIDs(text: String) throws {
        #expect(try scan(text).id == nil)
    }

    @Test("--app-id-pattern replaces the built-in forms and takes its group id")
    func userPattern() throws {
        let text = "2026-11-21T10:00:00Z ERROR corr:ABC-123-456 request_id=other123456 boom"
        #expect(try scan(text, idPattern: #"corr:(?<id>[A-Z0-9-]+)"#).id == "ABC-123-456")
        #expect(try scan("2026-11-21T10:00:00Z ERROR request_id=other123456", idPattern: #"corr:(?<id>\S+)"#).id == nil)
    }

    @Test("an --app-id-pattern without a group named id is refused")
    func userPatternNeedsGroup() {
        #expect(throws: TriageError.self) { try AppLineScanner(idPattern: #"corr:(\S+)"#) }
    }

    // MARK: - Times

    @Test("text times: zoned ones are exact, zoneless ones are read as UTC and marked", arguments: [
        ("2026-11-21T10:00:00Z ERROR x", reference, false),
        ("2026-11-21T13:00:00+03:00 ERROR x", reference, false),
        ("2026-11-21T13:00:00.123+0300 ERROR x", reference, false),
        ("2026-11-21 10:00:00,123 ERROR x", reference, true),
        ("2026-11-21 10:00:00.123456 ERROR x", reference, true),
        ("E, [2026-11-21T10:00:00.123456 #42] ERROR -- : x", reference, true),
        ("[21/Nov/2026:13:00:00 +0300] ERROR x", reference, false),
        // Go's log package.
        ("2026/11/21 10:00:00 request_id=abc123def456 boom", reference, true),
        ("2026/11/21 10:00:00.123456 request_id=abc123def456 boom", reference, true),
        // A file-name prefix that looks like a date is skipped (OpenStack).
        ("nova-api.log.1.2017-05-16_13:53:08 2026-11-21 10:00:00.008 25746 INFO x", reference, true),
    ])
    func textTimes(text: String, expected: Int64, isZoneless: Bool) throws {
        let s = try scan(text)
        #expect(s.line.time == expected)
        #expect(s.line.timeIsZoneless == isZoneless)
        #expect(s.line.isEventStart)
    }

    @Test("the message starts after the time, level and tags", arguments: [
        ("2026-11-21 10:00:00,100 ERROR [request_id=1111aaaa] payment failed", "payment failed"),
        (#"F, [2026-11-21T10:00:01.5 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] ActiveRecord::RecordNotFound (x):"#,
         "ActiveRecord::RecordNotFound (x):"),
        ("2026/11/21 10:00:00.123456 panic: boom", "panic: boom"),
        ("2026/11/21 10:00:00 http: panic serving 10.0.0.1:5000: boom", "http: panic serving 10.0.0.1:5000: boom"),
        ("2026/11/21 10:00:00.123456 handler failed", "handler failed"),
        ("ERROR:root:boom", "root:boom"),
        // An ID tag right before the message is left out; one inside it stays.
        ("2026-11-21T10:00:00Z ERROR request_id=abc123def456 NoMethodError: x", "NoMethodError: x"),
        (#"2026-11-21T10:00:00Z ERROR request_id="abc123def456" NoMethodError: x"#, "NoMethodError: x"),
        ("2026-11-21T10:00:00Z request_id=abc123def456 something", "something"),
        ("2026-11-21T10:00:00Z ERROR user 5 failed request_id=abc123def456", "user 5 failed request_id=abc123def456"),
        // After the logger's name, as OpenStack and log4j write it.
        ("2017-05-16 00:00:20.345 2931 WARNING nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Unknown base file",
         "Unknown base file"),
        ("2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 \"GET /v2 HTTP/1.1\" status: 200",
         "10.11.10.1 \"GET /v2 HTTP/1.1\" status: 200"),
        ("2026-11-21 10:00:00.123 ERROR [exec-1] c.e.OrderController request_id=abc123def456 - order failed", "order failed"),
        ("2026-11-21T10:00:00Z ERROR failed: request_id=abc123def456", "failed: request_id=abc123def456"),
        ("2026-11-21T10:00:00Z ERROR request_id=abc123def456", "request_id=abc123def456"),
        // A level word inside the message's prose is no level field to skip.
        ("2026-11-21 10:00:00 [request_id=abc123def456] Failed with error foo", "Failed with error foo"),
        // Spring Boot's default line (2.x, and 3.x with the application's name): PID, ---, thread, logger.
        ("2026-03-10 14:04:34.680 ERROR 1 --- [http-nio-8080-exec-80] c.s.checkout.CheckoutController  : request_id=92359749e4a64ab197724116632a68af Checkout failed for user 9706",
         "Checkout failed for user 9706"),
        ("2024-01-11T10:00:00.000Z ERROR 12345 --- [shop] [           main] o.s.boot.SpringApplication               : Application run failed",
         "Application run failed"),
    ])
    func messageStart(text: String, expected: String) throws {
        #expect(try scan(text).message == expected)
    }

    // MARK: - Severity

    @Test("the first level word decides the severity", arguments: [
        ("2026-11-21T10:00:00Z INFO request_id=abc123def456 Completed 500 Internal Server Error", AppSeverity.info),
        ("2026-11-21T10:00:00Z WARNING x", .warning),
        ("2026-11-21T10:00:00Z FATAL x", .error),
        ("2026-11-21T10:00:00Z CRITICAL x", .error),
        ("2026-11-21T10:00:00Z DEBUG x", .debug),
        ("2026-11-21T10:00:00Z something happened", .unknown),
    ])
    func textSeverity(text: String, expected: AppSeverity) throws {
        #expect(try scan(text).line.severity == expected)
    }

    // MARK: - JSON lines

    @Test("JSON request-ID keys under their usual names", arguments: [
        #"{"request_id":"abc123def456","level":"error"}"#,
        #"{"requestId":"abc123def456","level":"error"}"#,
        #"{"reqId":"abc123def456","level":"error"}"#,
        #"{"x_request_id":"abc123def456","level":"error"}"#,
        #"{"x-request-id":"abc123def456","level":"error"}"#,
        #"{"trace_id":"abc123def456","level":"error"}"#,
        #"{"correlation_id":"abc123def456","level":"error"}"#,
        #"{"context":{"request_id":"abc123def456"},"level":"error"}"#,
        #"{"http":{"request":{"id":"abc123def456"}},"log":{"level":"error"}}"#,
        #"web-1  | {"request_id":"abc123def456","level":"error"}"#,
    ])
    func jsonIDKeys(text: String) throws {
        let s = try scan(text)
        #expect(s.line.isJSON)
        #expect(s.line.isEventStart)
        #expect(s.id == "abc123def456")
        #expect(s.line.severity == .error)
    }

    @Test("a request ID wins over a correlation ID over a trace ID, whatever the key order", arguments: [
        #"{"trace_id":"tttttttt","correlation_id":"cccccccc","request_id":"rrrrrrrr"}"#,
        #"{"request_id":"rrrrrrrr","correlation_id":"cccccccc","trace_id":"tttttttt"}"#,
        #"{"correlation_id":"cccccccc","trace_id":"tttttttt","requestId":"rrrrrrrr"}"#,
    ])
    func jsonIDPriority(text: String) throws {
        #expect(try scan(text).id == "rrrrrrrr")
    }

    @Test("JSON levels: names, pino numbers and the numbers both Nextcloud and syslog call errors", arguments: [
        (#"{"level":"error"}"#, AppSeverity.error),
        (#"{"severity":"ERROR"}"#, .error),
        (#"{"levelname":"CRITICAL"}"#, .error),
        (#"{"log":{"level":"warn"}}"#, .warning),
        (#"{"level":"info"}"#, .info),
        (#"{"level":50}"#, .error),
        (#"{"level":60}"#, .error),
        (#"{"level":40}"#, .warning),
        (#"{"level":30}"#, .info),
        (#"{"level":3}"#, .error),
        (#"{"level":"info","exception":"boom"}"#, .error),
        (#"{"level":"info","error":{"message":"boom"}}"#, .error),
        (#"{"level":"info","error":true}"#, .error),
        (#"{"level":4,"exception":{"Exception":"Doctrine\\DBAL\\Exception"}}"#, .error),
    ])
    func jsonLevels(text: String, expected: AppSeverity) throws {
        #expect(try scan(text).line.severity == expected)
    }

    @Test("Nextcloud's info (1), warning (2) and debug (0) levels are not errors", arguments: [0, 1, 2])
    func nextcloudLowLevels(level: Int) throws {
        let text = #"{"reqId":"twvbRFk1OwgHo2bqggnx","level":\#(level),"time":"2023-10-01T02:39:09+00:00","message":"Tried to scan non file"}"#
        #expect(try scan(text).line.severity != .error)
    }

    @Test("an error key holding false, null or nothing does not make the line an error", arguments: [
        #"{"level":"info","error":false}"#,
        #"{"level":"info","error":null}"#,
        #"{"level":"info","error":""}"#,
        #"{"level":"info","err":[]}"#,
        #"{"level":"info","err":{}}"#,
    ])
    func jsonErrorKeyWithoutError(text: String) throws {
        #expect(try scan(text).line.severity == .info)
    }

    @Test("JSON times: ISO with or without zone, epoch seconds and milliseconds", arguments: [
        (#"{"time":"2026-11-21T10:00:00Z"}"#, reference, false),
        (#"{"timestamp":"2026-11-21T13:00:00+03:00"}"#, reference, false),
        (#"{"@timestamp":"2026-11-21T10:00:00.123Z"}"#, reference, false),
        (#"{"asctime":"2026-11-21 10:00:00,123"}"#, reference, true),
        (#"{"ts":1795255200}"#, reference, false),
        (#"{"ts":1795255200.25}"#, reference, false),
        (#"{"time":1795255200000}"#, reference, false),
    ])
    func jsonTimes(text: String, expected: Int64, isZoneless: Bool) throws {
        let s = try scan(text)
        #expect(s.line.time == expected)
        #expect(s.line.timeIsZoneless == isZoneless)
    }

    @Test("a line that only looks like JSON is read as text")
    func brokenJSON() throws {
        let s = try scan(#"2026-11-21T10:00:00Z ERROR request_id=abc123def456 payload {"a": }"#)
        #expect(!s.line.isJSON)
        #expect(s.id == "abc123def456")
        #expect(s.line.severity == .error)
    }

    // MARK: - Event starts and continuations

    @Test("lines that start an event", arguments: [
        "2026-11-21T10:00:00Z anything",
        "E, [2026-11-21T10:00:00.1 #42] ERROR -- : x",
        "Nov 21 10:00:00 host app[1]: x",
        "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708] AH00037: x",
        "ERROR:root:boom",
        "WARNING something",
        "panic: runtime error: invalid memory address",
        #"Exception in thread "main" java.lang.IllegalStateException: boom"#,
        #"{"msg":"x"}"#,
    ])
    func eventStarts(text: String) throws {
        #expect(try scan(text).line.isEventStart)
    }

    @Test("lines that continue the event before them", arguments: [
        "\tat com.example.Handler.handle(Handler.java:42)",
        #"  File "/srv/app/payments.py", line 10, in charge"#,
        "    at charge (/srv/app/dist/pay.js:10:5)",
        "Traceback (most recent call last):",
        "Caused by: java.sql.SQLException: timeout",
        "goroutine 7 [running]:",
        "main.handler(0xc000010000)",
        "LINE 8:                WHERE a.attrelid = '\"currencies\"'::regclass",
        "):",
        "TimeoutError: gateway did not answer in 30s",
        // JavaScript prints an exception as `Error: message` on its own line.
        "Error: connect ECONNREFUSED 127.0.0.1:5432",
        "TypeError: Cannot read properties of undefined (reading 'id')",
        "",
    ])
    func continuations(text: String) throws {
        #expect(try !scan(text).line.isEventStart)
    }

    @Test("an indented line is a continuation even with a time and an ID in it")
    func indentedIsContinuation() throws {
        let s = try scan("  2026-11-21T10:00:00Z ERROR request_id=abc123def456")
        #expect(s.line.isIndented)
        #expect(!s.line.isEventStart)
    }
}
