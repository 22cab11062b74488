import Foundation
import Testing
@testable import TriageCore

@Suite struct AppEventAssemblerTests {
    static let chunkSizes = [1, 2, 3, 7, 64, 4096]

    /// What an emitted event says, in a form tests can compare.
    struct Emitted: Equatable, CustomStringConvertible {
        var line: Int
        var id: String
        var time: Int64?
        var severity: AppSeverity
        var lines: [String]
        var droppedLines: Int
        var exceptionType: String?
        var exceptionMessage: String?
        var message: String?
        var structuredFrames: [String]

        init(_ e: AppEvent) {
            line = e.line
            id = e.displayID
            time = e.time
            severity = e.severity
            lines = e.lines
            droppedLines = e.droppedLines
            exceptionType = e.exceptionType
            exceptionMessage = e.exceptionMessage
            message = e.message
            structuredFrames = e.structuredFrames
        }

        var description: String { "line \(line) [\(id)] \(severity) \(lines)" }
    }

    struct Assembled: Equatable {
        var events: [Emitted] = []
        var lines = 0
        var eventCount = 0
        var errorEvents = 0
        var errorEventsWithID = 0
    }

    /// Reads `text` through a LineReader over a memory source that returns at most `chunk` bytes a read.
    func assemble(_ text: String, chunk: Int = 4096, wants: @escaping (String) -> Bool = { _ in true }) throws -> Assembled {
        var result = Assembled()
        let assembler = AppEventAssembler(path: "app.log", scanner: try AppLineScanner(),
                                          wants: { wants(String(decoding: $0, as: UTF8.self)) }) { result.events.append(Emitted($0)) }
        let reader = LineReader(source: MemorySource(Array(text.utf8), chunkSize: chunk), maxLineLength: 4096, readSize: 64)
        try reader.forEachLine { assembler.feed($0.bytes, number: $0.number) }
        assembler.finish()
        result.lines = assembler.lines
        result.eventCount = assembler.events
        result.errorEvents = assembler.errorEvents
        result.errorEventsWithID = assembler.errorEventsWithID
        return result
    }

    /// The same input in every chunk size gives the same result as in one read.
    func assembleInAllChunkSizes(_ text: String, wants: @escaping (String) -> Bool = { _ in true }) throws -> Assembled {
        let whole = try assemble(text, chunk: .max, wants: wants)
        for chunk in Self.chunkSizes {
            #expect(try assemble(text, chunk: chunk, wants: wants) == whole, "chunk size \(chunk)")
        }
        return whole
    }

    static func lines(_ lines: String...) -> String { lines.joined(separator: "\n") + "\n" }

    // MARK: - Multi-line forms

    @Test("a Python traceback joins the error line that announced it")
    func pythonTraceback() throws {
        let text = Self.lines(
            "2026-11-21 10:00:04,100 ERROR [request_id=1111aaaa-0000-bbbb-0000-cccc0000dddd] payment failed",
            "Traceback (most recent call last):",
            #"  File "/srv/app/releases/42/app/payments.py", line 10, in charge"#,
            "    gateway.charge(card)",
            #"  File "/srv/app/releases/42/app/gateway.py", line 99, in charge"#,
            #"    raise TimeoutError("gateway did not answer in 30s")"#,
            "TimeoutError: gateway did not answer in 30s",
            "2026-11-21 10:00:05,000 INFO [request_id=2222aaaa-0000-bbbb-0000-cccc0000dddd] next request")
        let a = try assembleInAllChunkSizes(text)
        #expect(a.events.count == 1)
        let e = try #require(a.events.first)
        #expect(e.id == "1111aaaa-0000-bbbb-0000-cccc0000dddd")
        #expect(e.line == 1)
        #expect(e.severity == .error)
        #expect(e.lines.count == 7)
        #expect(e.lines.first == "payment failed")
        #expect(e.lines.last == "TimeoutError: gateway did not answer in 30s")
        #expect(a.eventCount == 2)
        #expect(a.errorEvents == 1)
        #expect(a.errorEventsWithID == 1)
    }

    @Test("in a Kubernetes container log the prefix of every line is set aside and its time used")
    func containerLog() throws {
        let text = Self.lines(
            "2026-11-21T10:00:04.100000001Z stderr F 2026-11-21 13:00:04,100 ERROR [request_id=1111aaaa-0000-bbbb-0000-cccc0000dddd] payment failed",
            "2026-11-21T10:00:04.100000002Z stderr F Traceback (most recent call last):",
            #"2026-11-21T10:00:04.100000003Z stderr F   File "/srv/app/payments.py", line 10, in charge"#,
            "2026-11-21T10:00:04.100000004Z stderr F TimeoutError: gateway did not answer in 30s",
            "2026-11-21T10:00:05.000000000Z stdout F {\"level\":\"error\",\"request_id\":\"fff123def456\",\"msg\":\"json\"}")
        let a = try assembleInAllChunkSizes(text)
        #expect(a.events.count == 2)
        let e = try #require(a.events.first)
        #expect(e.time == 1_795_255_204)
        #expect(e.lines == ["payment failed", "Traceback (most recent call last):", #"  File "/srv/app/payments.py", line 10, in charge"#,
                            "TimeoutError: gateway did not answer in 30s"])
        #expect(a.events.last?.message == "json")
        #expect(a.eventCount == 2)
    }

    @Test("a Java stack with Caused by and '... N more' stays one event")
    func javaCausedBy() throws {
        let text = Self.lines(
            "2026-11-21 10:00:00.123 ERROR [http-nio-8080-exec-1] c.e.OrderController request_id=abc123def456 - order failed",
            "java.lang.IllegalStateException: could not place order 42",
            "\tat com.example.OrderService.place(OrderService.java:42)",
            "\tat com.example.OrderController.create(OrderController.java:17)",
            "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
            "\t... 12 more",
            "2026-11-21 10:00:01.000 INFO [main] c.e.App request_id=fff123def456 - next")
        let a = try assembleInAllChunkSizes(text)
        #expect(a.events.count == 1)
        let e = try #require(a.events.first)
        #expect(e.id == "abc123def456")
        #expect(e.lines.count == 8)
        #expect(e.lines[5].hasPrefix("Caused by: java.sql.SQLTransientConnectionException"))
        #expect(e.lines.last == "    ... 12 more")
    }

    @Test("a Go panic with its goroutine dump stays one event")
    func goPanic() throws {
        let text = Self.lines(
            "2026/11/21 10:00:00 request_id=abc123def456 panic: runtime error: index out of range [5] with length 3",
            "goroutine 42 [running]:",
            "main.(*Server).handleOrder(0xc000120000, {0x7f1c, 0xc000134000})",
            "\t/src/app/internal/server/orders.go:57 +0x1d4",
            "net/http.HandlerFunc.ServeHTTP(0xc000100000?, {0x7f1c?, 0xc000134000?}, 0xc000138000?)",
            "\t/usr/local/go/src/net/http/server.go:2171 +0x29",
            "",
            "2026/11/21 10:00:01 request_id=fff123def456 served /health")
        let a = try assembleInAllChunkSizes(text)
        let e = try #require(a.events.first { $0.id == "abc123def456" })
        #expect(e.severity == .error)
        #expect(e.lines.count == 7)
        #expect(e.lines[1] == "goroutine 42 [running]:")
        #expect(e.lines[5] == "    /usr/local/go/src/net/http/server.go:2171 +0x29")
        #expect(a.errorEvents == 1)
    }

    @Test("a goroutine dump after a line of unknown level joins it and makes it an error")
    func goroutineDumpAfterUnknownLevel() throws {
        let text = Self.lines(
            "2026/11/21 10:00:00 request_id=abc123def456 recovered: boom",
            "goroutine 42 [running]:",
            "main.handler(0xc000120000)",
            "\t/src/app/main.go:57 +0x1d4",
            "2026/11/21 10:00:01 request_id=fff123def456 served /health")
        let a = try assembleInAllChunkSizes(text)
        let e = try #require(a.events.first { $0.id == "abc123def456" })
        #expect(e.severity == .error)
        #expect(e.lines == ["recovered: boom", "goroutine 42 [running]:", "main.handler(0xc000120000)",
                           "    /src/app/main.go:57 +0x1d4"])
        #expect(a.eventCount == 2)
        #expect(a.errorEvents == 1)
        #expect(a.errorEventsWithID == 1)
    }

    @Test("a Node stack, with JavaScript's 'Error:' line, stays one event")
    func nodeStack() throws {
        let text = Self.lines(
            "2026-11-21T10:00:00.000Z error request_id=abc123def456 unhandled error in GET /api/orders",
            "Error: connect ECONNREFUSED 127.0.0.1:5432",
            "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)",
            "    at async OrderRepo.find (/srv/app/releases/42/dist/repo.js:10:5)",
            "2026-11-21T10:00:01.000Z info request_id=fff123def456 GET /health 200")
        let a = try assembleInAllChunkSizes(text)
        #expect(a.events.count == 1)
        let e = try #require(a.events.first)
        #expect(e.lines.count == 4)
        #expect(e.lines[1] == "Error: connect ECONNREFUSED 127.0.0.1:5432")
        #expect(a.eventCount == 2)
    }

    static let railsInterleaved = lines(
        #"I, [2026-11-21T10:00:00.500000 #1]  INFO -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] Started GET "/api/users/5" for 127.0.0.1"#,
        #"I, [2026-11-21T10:00:00.600000 #1]  INFO -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05] Started GET "/api/users/7" for 127.0.0.1"#,
        "I, [2026-11-21T10:00:01.590245 #1]  INFO -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] Completed 500 Internal Server Error in 14ms",
        "F, [2026-11-21T10:00:01.591992 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59]   ",
        #"F, [2026-11-21T10:00:01.592088 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] ActiveRecord::StatementInvalid (PG::UndefinedTable: ERROR:  relation "users" does not exist"#,
        "LINE 1: SELECT \"users\".* FROM \"users\" WHERE \"users\".\"id\" = $1",
        "                               ^",
        ": SELECT \"users\".* FROM \"users\" WHERE \"users\".\"id\" = $1 LIMIT $2):",
        "F, [2026-11-21T10:00:01.592100 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05]   ",
        "I, [2026-11-21T10:00:01.592120 #1]  INFO -- : [0ccd0000-0000-4000-8000-000000000000] Started GET \"/health\" for 127.0.0.1",
        "F, [2026-11-21T10:00:01.592152 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59]   ",
        "F, [2026-11-21T10:00:01.592214 #1] FATAL -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] app/controllers/users_controller.rb:8:in `show'",
        "F, [2026-11-21T10:00:02.592088 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05] ActiveRecord::RecordNotFound (Couldn't find User with 'id'=7):",
        "F, [2026-11-21T10:00:02.592152 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05]   ",
        "F, [2026-11-21T10:00:02.592214 #1] FATAL -- : [88d4b851-d7aa-43ea-84a8-cf9a44154e05] app/controllers/users_controller.rb:8:in `show'",
        "I, [2026-11-21T10:00:03.000000 #1]  INFO -- : [fbfe6a02-4c88-47f5-b2be-5f970ae67d59] next line of the same request")

    @Test("a Rails FATAL block is one event per request, whatever other requests write between its lines")
    func railsFatalInterleaved() throws {
        let a = try assembleInAllChunkSizes(Self.railsInterleaved)
        #expect(a.events.map(\.id) == ["fbfe6a02-4c88-47f5-b2be-5f970ae67d59", "88d4b851-d7aa-43ea-84a8-cf9a44154e05"])
        let first = a.events[0]
        #expect(first.line == 4)
        #expect(first.lines == [
            "",
            #"ActiveRecord::StatementInvalid (PG::UndefinedTable: ERROR:  relation "users" does not exist"#,
            "LINE 1: SELECT \"users\".* FROM \"users\" WHERE \"users\".\"id\" = $1",
            "                               ^",
            ": SELECT \"users\".* FROM \"users\" WHERE \"users\".\"id\" = $1 LIMIT $2):",
            "",
            "app/controllers/users_controller.rb:8:in `show'",
        ])
        #expect(a.events[1].lines == [
            "", "ActiveRecord::RecordNotFound (Couldn't find User with 'id'=7):", "", "app/controllers/users_controller.rb:8:in `show'",
        ])
        #expect(a.errorEvents == 2)
        #expect(a.errorEventsWithID == 2)
    }

    @Test("an error line repeating an ID more than a second after its block is a new event (a periodic task's ID)",
          arguments: [Set(["addc18392ed54778b57e5854eb7b8b09"]), Set<String>()])
    func recurringIDStartsNewEvents(wanted: Set<String>) throws {
        let text = [
            "2017-05-16 00:00:20.345 2931 ERROR nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Unknown base file: /a",
            "2017-05-16 00:00:20.346 2931 ERROR nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Removable base files: /a",
            "2017-05-16 00:00:21.100 2931 INFO nova.compute.manager [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Running periodic task",
            "2017-05-16 00:01:01.698 2931 ERROR nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Unknown base file: /b",
        ].joined(separator: "\n") + "\n"
        let a = try assembleInAllChunkSizes(text) { wanted.contains($0) }
        #expect(a.errorEvents == 2)
        #expect(a.eventCount == 3)
        if !wanted.isEmpty {
            #expect(a.events.map(\.line) == [1, 4])
            #expect(a.events.first?.lines == ["Unknown base file: /a", "Removable base files: /a"])
        }
    }

    @Test("only events whose ID is wanted are handed over; the counts do not depend on which", arguments: [
        Set<String>(), ["fbfe6a024c8847f5b2be5f970ae67d59"], ["88d4b851d7aa43ea84a8cf9a44154e05"],
        ["fbfe6a024c8847f5b2be5f970ae67d59", "88d4b851d7aa43ea84a8cf9a44154e05"],
    ])
    func wantedOnly(wanted: Set<String>) throws {
        let all = try assemble(Self.railsInterleaved)
        let a = try assembleInAllChunkSizes(Self.railsInterleaved) { wanted.contains($0) }
        #expect(Set(a.events.map { String(decoding: RequestID.key($0.id) ?? [], as: UTF8.self) }) == wanted)
        #expect(a.eventCount == all.eventCount)
        #expect(a.errorEvents == all.errorEvents)
        #expect(a.errorEventsWithID == all.errorEventsWithID)
    }

    @Test("lines of an unkept event do not attach to the kept event before it")
    func continuationOfUnkeptEvent() throws {
        let text = Self.lines(
            "2026-11-21T10:00:00Z ERROR request_id=keep12345678 first",
            "2026-11-21T10:00:01Z ERROR request_id=drop12345678 second",
            "\tat com.example.Other.run(Other.java:1)",
            "2026-11-21T10:00:02Z ERROR no id here",
            "\tat com.example.NoID.run(NoID.java:1)")
        let a = try assembleInAllChunkSizes(text) { $0 == "keep12345678" }
        #expect(a.events.map(\.lines) == [["first"]])
        #expect(a.errorEvents == 3)
        #expect(a.errorEventsWithID == 2)
    }

    @Test("info and warning events are not kept; an event of unknown level is, until its ID recurs")
    func levelsKept() throws {
        let text = Self.lines(
            "2026-11-21T10:00:00Z INFO request_id=info12345678 fine",
            "2026-11-21T10:00:00Z WARN request_id=warn12345678 careful",
            "2026-11-21T10:00:00Z request_id=unkn12345678 something",
            "2026-11-21T10:00:01Z request_id=unkn12345678 something else")
        let a = try assembleInAllChunkSizes(text)
        #expect(a.events.map(\.lines) == [["something"], ["something else"]])
        #expect(a.events.map(\.line) == [3, 4])
    }

    @Test("a JSON event keeps its message, exception and structured frames")
    func jsonDetails() throws {
        let text = #"{"reqId":"twvbRFk1OwgHo2bqggnx","level":3,"time":"2023-10-01T02:39:09+00:00","message":"Exception thrown","exception":{"Exception":"Doctrine\\DBAL\\Exception","Message":"Table oc_x not found","Trace":[{"file":"/var/www/html/lib/private/DB/Connection.php","line":12,"function":"executeQuery","class":"OC\\DB\\Connection"},{"file":"/var/www/html/apps/files/lib/Controller/ApiController.php","line":99,"function":"getFiles","class":"OCA\\Files\\Controller\\ApiController"}]}}"# + "\n"
        let a = try assembleInAllChunkSizes(text)
        let e = try #require(a.events.first)
        #expect(e.id == "twvbRFk1OwgHo2bqggnx")
        #expect(e.severity == .error)
        #expect(e.message == "Exception thrown")
        #expect(e.exceptionType == #"Doctrine\DBAL\Exception"#)
        #expect(e.exceptionMessage == "Table oc_x not found")
        #expect(e.structuredFrames == [
            #"DB/Connection.php in OC\DB\Connection::executeQuery"#,
            #"Controller/ApiController.php in OCA\Files\Controller\ApiController::getFiles"#,
        ])
    }

    @Test("a JSON stack string becomes the event's lines")
    func jsonStackString() throws {
        let text = #"{"level":"error","request_id":"abc123def456","msg":"boom","stack":"Error: boom\n    at f (/srv/app/x.js:1:2)\n    at g (/srv/app/y.js:3:4)"}"# + "\n"
        let e = try #require(try assembleInAllChunkSizes(text).events.first)
        #expect(e.lines == ["Error: boom", "    at f (/srv/app/x.js:1:2)", "    at g (/srv/app/y.js:3:4)"])
        #expect(e.message == "boom")
    }

    @Test("tabs in stack lines, text or JSON, become four spaces")
    func tabsExpanded() throws {
        let text = Self.lines(
            "2026-11-21T10:00:00Z ERROR request_id=abc123def456 boom",
            "\tat com.example.C.m(C.java:1)",
            #"{"level":"error","request_id":"fff123def456","stack":"java.lang.X: y\n\tat com.example.D.n(D.java:2)"}"#)
        let a = try assembleInAllChunkSizes(text)
        #expect(a.events.map(\.lines) == [
            ["boom", "    at com.example.C.m(C.java:1)"],
            ["java.lang.X: y", "    at com.example.D.n(D.java:2)"],
        ])
    }

    // MARK: - Bounds

    @Test("beyond maxOpenEvents open events the least recently extended one is handed over at once")
    func openEventsBounded() throws {
        var emitted: [String] = []
        let assembler = AppEventAssembler(path: "app.log", scanner: try AppLineScanner(), wants: { _ in true }) {
            emitted.append($0.displayID)
        }
        let extra = 10
        for i in 0..<(AppEventAssembler.maxOpenEvents + extra) {
            let line = Array("2026-11-21T10:00:00Z ERROR request_id=id\(100_000 + i) boom".utf8)
            line.withUnsafeBufferPointer { assembler.feed($0, number: i + 1) }
        }
        #expect(emitted == (0..<extra).map { "id\(100_000 + $0)" })
        assembler.finish()
        #expect(emitted.count == AppEventAssembler.maxOpenEvents + extra)
        #expect(Set(emitted).count == emitted.count)
    }

    @Test("with many FATAL blocks open at once the counts still do not depend on the wanted IDs", arguments: [0, 1, 2])
    func manyOpenBlocks(wantedEvery: Int) throws {
        // Each request's block is two FATAL lines; the second lines come after all the first ones.
        let ids = (0..<(AppEventAssembler.maxOpenEvents - 6)).map { String(format: "%08x-0000-4000-8000-000000000000", $0) }
        let first = ids.map { "F, [2026-11-21T10:00:01.5 #1] FATAL -- : [\($0)] RuntimeError (boom):" }
        let second = ids.map { "F, [2026-11-21T10:00:01.6 #1] FATAL -- : [\($0)] app/models/x.rb:1:in `y'" }
        let text = (first + second).joined(separator: "\n") + "\n"
        let a = try assemble(text) { id in wantedEvery > 0 && (Int(id.prefix(8), radix: 16) ?? 0) % wantedEvery == 0 }
        #expect(a.eventCount == ids.count)
        #expect(a.errorEvents == ids.count)
        #expect(a.events.allSatisfy { $0.lines.count == 2 })
    }

    @Test("an event keeps at most maxLines lines and counts the rest", arguments: [1, 7, 4096])
    func linesBounded(chunk: Int) throws {
        let frames = (0..<(AppEventAssembler.maxLines + 50)).map { "\tat com.example.C.m\($0)(C.java:\($0))" }
        let text = (["2026-11-21T10:00:00Z ERROR request_id=abc123def456 boom"] + frames).joined(separator: "\n") + "\n"
        let e = try #require(try assemble(text, chunk: chunk).events.first)
        #expect(e.lines.count == AppEventAssembler.maxLines)
        #expect(e.droppedLines == 51)
    }

    @Test("a long line is kept to its first maxLineBytes bytes")
    func longLineCut() throws {
        let text = "2026-11-21T10:00:00Z ERROR request_id=abc123def456 " + String(repeating: "x", count: 3000) + "\n"
        let e = try #require(try assembleInAllChunkSizes(text).events.first)
        #expect(e.lines[0].utf8.count <= AppEventAssembler.maxLineBytes)
    }
}
