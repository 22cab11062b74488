import Testing
@testable import TriageCore

@Suite struct ErrorSignatureTests {
    func normalize(_ message: String) throws -> String { try MessageNormalizer().normalize(message) }

    /// The signature of a text event: `lines` as the assembler keeps them (first line's message, then continuations).
    func signature(_ lines: [String], id: String = "abc123def456") throws -> ErrorSignature {
        var event = AppEvent(path: "app.log", line: 1, key: RequestID.key(id) ?? [], displayID: id, time: nil, severity: .error)
        event.lines = lines
        return try SignatureBuilder().signature(of: event)
    }

    // MARK: - Message placeholders

    @Test("each variable part becomes its placeholder", arguments: [
        ("fetch https://api.example.com/v1/users?id=5 failed", "fetch <url> failed"),
        ("no account for jane.doe+shop@example.co.uk", "no account for <email>"),
        ("order FBFE6A02-4C88-47F5-B2BE-5F970AE67D59 missing", "order <uuid> missing"),
        ("expired at 2026-11-21T10:00:00.123+03:00 today", "expired at <date> today"),
        ("not before 2026-11-21", "not before <date>"),
        ("locked since 10:00:00,123", "locked since <time>"),
        ("connect to 10.1.0.1:5432 refused", "connect to <ip> refused"),
        ("connect to 2001:db8:0:0:0:0:0:1 refused", "connect to <ip> refused"),
        (#"relation "users" does not exist"#, #"relation "<str>" does not exist"#),
        ("Couldn't find User with 'id'=5", "Couldn't find User with '<str>'=<num>"),
        ("timed out after 250ms", "timed out after <duration>"),
        ("timed out after 3.5 s", "timed out after <duration>"),
        ("waited 2 minutes", "waited <duration>"),
        ("bad pointer 0x7ffd1234", "bad pointer <hex>"),
        ("commit 9f86d081884c7d65 not found", "commit <hex> not found"),
        ("Order com.example.Order@5c9d96e has no customer", "Order com.example.Order@<hex> has no customer"),
        ("Order com.example.Order@50803cd4 has no customer", "Order com.example.Order@<hex> has no customer"),
        ("retry 3 of 5, cost -1.25", "retry <num> of <num>, cost <num>"),
    ])
    func placeholders(message: String, expected: String) throws {
        #expect(try normalize(message) == expected)
    }

    @Test("words with digits, versions and plain words stay", arguments: [
        "md5 mismatch in v2 api", "requires ruby 3.2.1", "deadbeef is a word", "h264 decoder",
    ])
    func unchanged(message: String) throws {
        #expect(try normalize(message) == message)
    }

    @Test("a number that ends a sentence is still a number", arguments: [
        ("Couldn't find User with id 5.", "Couldn't find User with id <num>."),
        ("balance is 10.50.", "balance is <num>."),
        ("found 3, expected 4.", "found <num>, expected <num>."),
    ])
    func sentenceEnd(message: String, expected: String) throws {
        #expect(try normalize(message) == expected)
    }

    @Test("quotes of any kind around non-ASCII text become <str>", arguments: [
        ("отношение «пользователи» не существует", "отношение «<str>» не существует"),
        ("отношение “пользователи” не существует", "отношение “<str>” не существует"),
        (#"отношение "пользователи" не существует"#, #"отношение "<str>" не существует"#),
    ])
    func nonASCIIQuotes(message: String, expected: String) throws {
        #expect(try normalize(message) == expected)
    }

    @Test("whitespace runs become one space and long messages are cut")
    func collapsed() throws {
        #expect(try normalize("  a \t\t b  \n c ") == "a b c")
        #expect(try normalize(String(repeating: "x", count: 300)).count == MessageNormalizer.maxLength)
        let words = try normalize(String(repeating: "word ", count: 100))
        #expect(words.count <= MessageNormalizer.maxLength)
        #expect(!words.hasSuffix(" "))
    }

    // MARK: - One bug, one ID

    @Test("the same bug with other numbers, IDs and release directories gives the same ID")
    func sameBugSameID() throws {
        func python(release: String, user: Int, request: String) throws -> ErrorSignature {
            try signature([
                "payment failed for user \(user) request \(request)",
                "Traceback (most recent call last):",
                #"  File "/srv/app/releases/\#(release)/app/payments.py", line \#(user % 7 + 10), in charge"#,
                "    gateway.charge(card)",
                #"  File "/srv/app/releases/\#(release)/app/gateway.py", line 99, in charge"#,
                #"    raise TimeoutError("gateway did not answer in 30s")"#,
                "TimeoutError: gateway \(request) did not answer for user \(user) after 30s",
            ], id: request)
        }
        let a = try python(release: "20261121100000", user: 5, request: "1111aaaa-0000-bbbb-0000-cccc0000dddd")
        let b = try python(release: "20261122093000", user: 70_001, request: "2222bbbb-1111-cccc-2222-dddd3333eeee")
        #expect(a.id == b.id)
        #expect(a.exceptionType == "TimeoutError")
        #expect(a.frames == ["app/gateway.py in charge", "app/payments.py in charge"])
        #expect(a.message == "gateway <id> did not answer for user <num> after <duration>")
    }

    static let railsFrame = "app/controllers/users_controller.rb:8:in `show'"

    @Test("a different exception or a different top frame on the same route gives another ID")
    func differentBugDifferentID() throws {
        let base = try signature(["ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):", "", Self.railsFrame])
        let otherType = try signature(["ActiveRecord::RecordInvalid (Couldn't find User with 'id'=5):", "", Self.railsFrame])
        let otherFrame = try signature(["ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):", "",
                                        "app/controllers/users_controller.rb:12:in `update'"])
        let sameButLine = try signature(["ActiveRecord::RecordNotFound (Couldn't find User with 'id'=7):", "",
                                         "app/controllers/users_controller.rb:9:in `show'"])
        #expect(base.id != otherType.id)
        #expect(base.id != otherFrame.id)
        #expect(base.id == sameButLine.id)
        #expect(base.exceptionType == "ActiveRecord::RecordNotFound")
        #expect(base.frames == ["controllers/users_controller.rb in show"])
    }

    @Test("a pinned input keeps its pinned ID")
    func pinnedID() throws {
        // Any change to what feeds the ID (normaliser, frame parsing, hashing) changes this value.
        // That is a new algorithm: bump ErrorSignature.algorithm (and Docs/Correlation.md), then re-pin.
        let s = try signature(["ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):", "", Self.railsFrame])
        #expect(ErrorSignature.algorithm == "sig-2")
        #expect(s.id == "985890813c4afc73")
        #expect(s.title == "ActiveRecord::RecordNotFound: Couldn't find User with '<str>'=<num>")
    }

    @Test("the ID is 16 lowercase hex digits, and the title is cut at 120 characters")
    func idAndTitleShape() throws {
        let s = ErrorSignature(exceptionType: "E", message: String(repeating: "m", count: 300), frames: [])
        #expect(s.id.count == 16)
        #expect(s.id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(s.title.count == 120)
        #expect(s.title.hasSuffix("…"))
        #expect(s.hasException)
        #expect(!ErrorSignature(exceptionType: "", message: "plain", frames: []).hasException)
    }

    // MARK: - Exceptions and frames per language

    @Test("Java: the first exception, its application frames, generated numbers dropped")
    func java() throws {
        let s = try signature([
            "order failed",
            "java.lang.IllegalStateException: could not place order 42",
            "    at com.example.OrderService.lambda$place$3(OrderService.java:42)",
            "    at org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)",
            "    at com.example.OrderController.create(OrderController.java:17)",
            "    at com.example.OrderController$1.run(OrderController.java:99)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "    at com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
        ])
        #expect(s.exceptionType == "java.lang.IllegalStateException")
        #expect(s.message == "could not place order <num>")
        #expect(s.frames == ["com.example.OrderService.lambda$place$N", "com.example.OrderController.create",
                             "com.example.OrderController$N.run"])
    }

    @Test("Java: one bug in pods with other Spring proxy classes and identity hashes has one signature")
    func javaProxiesAndHashes() throws {
        func event(hash: String, proxy: String, id: Int) throws -> ErrorSignature {
            try signature([
                "java.lang.IllegalStateException: Order com.example.orders.domain.Order@\(hash) has no customer (id=\(id))",
                "\tat com.example.orders.service.OrderService.total(OrderService.java:88)",
                "\tat com.example.orders.service.OrderService$$EnhancerBySpringCGLIB$$\(proxy).total(<generated>)",
                "\tat com.example.orders.web.OrderController.show(OrderController.java:41)",
            ])
        }
        let a = try event(hash: "50803cd4", proxy: "c41e0b9a", id: 44089)
        let b = try event(hash: "5c9d96e", proxy: "5e1d9c07", id: 24090)
        #expect(a.id == b.id)
        #expect(a.frames[1] == "com.example.orders.service.OrderService$$EnhancerBySpringCGLIB$$N.total")
    }

    @Test("Go: a panic's message and its application functions, runtime frames skipped")
    func goPanic() throws {
        let s = try signature([
            "request_id=abc123def456 panic: runtime error: index out of range [5] with length 3",
            "goroutine 42 [running]:",
            "runtime/debug.Stack()",
            "    /usr/local/go/src/runtime/debug/stack.go:24 +0x5e",
            "panic({0x6f2a40?, 0xc000012345?})",
            "    /usr/local/go/src/runtime/panic.go:770 +0x132",
            "github.com/acme/shop/internal/orders.(*Service).Place(0xc000120000, {0x7f1c, 0xc000134000})",
            "    /src/internal/orders/service.go:57 +0x1d4",
            "github.com/acme/shop/internal/http.handler.func7(0xc000100000?)",
            "    /src/internal/http/handler.go:12 +0x29",
            "net/http.HandlerFunc.ServeHTTP(0xc000100000?, {0x7f1c?, 0xc000134000?}, 0xc000138000?)",
        ])
        #expect(s.exceptionType == "panic")
        #expect(s.message == "runtime error: index out of range [<num>] with length <num>")
        #expect(s.frames == ["github.com/acme/shop/internal/orders.(*Service).Place", "github.com/acme/shop/internal/http.handler.funcN"])
    }

    @Test("Go: zap's stacktrace, functions without arguments, gives the same frames")
    func goZapStacktrace() throws {
        var event = AppEvent(path: "app.log", line: 1, key: Array("abc123def456".utf8), displayID: "abc123def456",
                             time: nil, severity: .error)
        event.message = "place failed"
        event.exceptionMessage = "context deadline exceeded"
        event.lines = [
            "github.com/acme/shop/internal/orders.(*Service).Place",
            "    /src/internal/orders/service.go:57",
            "github.com/acme/shop/internal/http.handler.func7",
            "    /src/internal/http/handler.go:12",
            "net/http.HandlerFunc.ServeHTTP",
            "    /usr/local/go/src/net/http/server.go:2171",
        ]
        let s = try SignatureBuilder().signature(of: event)
        #expect(s.message == "context deadline exceeded")
        #expect(s.frames == ["github.com/acme/shop/internal/orders.(*Service).Place", "github.com/acme/shop/internal/http.handler.funcN"])
    }

    @Test("Java frames with logback's packaging data and .NET frames with their file are frames", arguments: [
        ("    at com.example.OrderService.place(OrderService.java:42) ~[classes/:na]", "com.example.OrderService.place"),
        ("    at com.example.OrderService.place(OrderService.java:42) [shop-1.0.jar:1.0]", "com.example.OrderService.place"),
        ("   at Shop.Orders.OrderService.Place(Int32 id) in /src/Shop/Orders/OrderService.cs:line 42", "Shop.Orders.OrderService.Place"),
        ("   at Shop.Orders.OrderService.Place(Int32 id)", "Shop.Orders.OrderService.Place"),
    ])
    func javaAndDotNetFrames(line: String, expected: String) throws {
        let s = try signature(["System.InvalidOperationException: boom", line,
                               "   at System.Linq.ThrowHelper.ThrowNoElementsException()"])
        #expect(s.frames == [expected])
    }

    @Test("Node: the Error line and the frames outside node_modules and node:")
    func node() throws {
        let s = try signature([
            "request_id=abc123def456 unhandled error in GET /api/orders",
            "Error: connect ECONNREFUSED 127.0.0.1:5432",
            "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)",
            "    at Pool.connect (/srv/app/node_modules/pg-pool/index.js:45:11)",
            "    at async OrderRepo.find (/srv/app/releases/42/dist/repo.js:10:5)",
            "    at /srv/app/releases/42/dist/server.js:99:3",
        ])
        #expect(s.exceptionType == "Error")
        #expect(s.message == "connect ECONNREFUSED <ip>")
        #expect(s.frames == ["dist/repo.js in OrderRepo.find", "dist/server.js"])
    }

    @Test("Ruby: frames of gems as Rails' backtrace cleaner writes them are library frames")
    func rubyGemFrames() throws {
        let gemsOnly = try signature([
            #"ActionController::RoutingError (No route matches [GET] "/"):"#,
            "",
            "actionpack (5.1.5) lib/action_dispatch/middleware/debug_exceptions.rb:63:in `call'",
            "railties (5.1.5) lib/rails/rack/logger.rb:36:in `call_app'",
        ])
        #expect(gemsOnly.frames == ["middleware/debug_exceptions.rb in call", "rack/logger.rb in call_app"])
        let withApp = try signature([
            "NoMethodError (undefined method `name' for nil:NilClass):",
            "",
            "activerecord (5.1.5) lib/active_record/relation.rb:10:in `load'",
            "app/controllers/orders_controller.rb:8:in `show'",
            "/usr/local/bundle/gems/actionpack-5.1.5/lib/action_controller/metal/basic_implicit_render.rb:4:in `send_action'",
        ])
        #expect(withApp.frames == ["controllers/orders_controller.rb in show"])
        #expect(withApp.exceptionType == "NoMethodError")
    }

    @Test("library frames count only when there is nothing else")
    func libraryOnly() throws {
        let s = try signature([
            "java.net.SocketTimeoutException: Read timed out",
            "    at java.base/java.net.SocketInputStream.socketRead0(Native Method)",
            "    at org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)",
        ])
        #expect(s.frames.count == 2)
    }

    @Test("which locations are libraries", arguments: [
        ("/usr/local/bundle/gems/actionpack-5.1.5/lib/action_dispatch/x.rb", true),
        ("/srv/app/venv/lib/python3.11/site-packages/django/core/handlers/base.py", true),
        ("/srv/app/node_modules/express/lib/router/index.js", true),
        ("node:internal/process/task_queues", true),
        ("internal/poll.(*FD).Read", true),
        ("runtime.gopanic", true),
        ("org.springframework.web.servlet.FrameworkServlet.service", true),
        ("System.Linq.Enumerable.First", true),
        ("/srv/app/app/models/user.rb", false),
        ("com.example.OrderService.place", false),
        // An application's own internal packages and directories are not libraries.
        ("github.com/acme/shop/internal/orders.(*Service).Place", false),
        ("/srv/app/src/internal/handler.js", false),
    ])
    func libraries(location: String, isLibrary: Bool) {
        #expect(SignatureBuilder.isLibrary(location) == isLibrary)
    }

    @Test("one template error from two Rails processes (compiled method names differ) has one signature")
    func railsTemplateAcrossProcesses() throws {
        let builder = try SignatureBuilder()
        func signature(_ method: String) -> ErrorSignature {
            var event = AppEvent(path: "p.log", line: 1, key: [], displayID: "", time: nil, severity: .error)
            event.lines = ["ActionView::Template::Error (undefined method `total' for nil:NilClass):",
                           "app/views/orders/show.html.erb:12:in `\(method)'",
                           "app/controllers/orders_controller.rb:9:in `show'"]
            return builder.signature(of: event)
        }
        let a = signature("_app_views_orders_show_html_erb__3071245961042937744_47181060")
        let b = signature("_app_views_orders_show_html_erb___1129441785323051377_70212145")
        #expect(a.id == b.id)
        #expect(a.frames.first == "orders/show.html.erb in _app_views_orders_show_html_erb_N_N")
    }

    @Test("PHP stack frames (Laravel's [stacktrace]) are read innermost first, vendor frames after the application's")
    func phpFrames() throws {
        let builder = try SignatureBuilder()
        var event = AppEvent(path: "laravel.log", line: 1, key: [], displayID: "", time: nil, severity: .error)
        event.lines = [
            "Call to a member function total() on null",
            "[stacktrace]",
            #"#0 /var/www/vendor/laravel/framework/src/Illuminate/Routing/Controller.php(54): App\Http\Controllers\OrderController->show()"#,
            #"#1 /var/www/app/Services/Billing.php(17): App\Services\Billing->charge()"#,
            #"#2 /var/www/app/Http/Controllers/OrderController.php(42): App\Http\Controllers\OrderController->store()"#,
            "#3 {main}",
        ]
        let signature = builder.signature(of: event)
        #expect(signature.frames == [#"Services/Billing.php in App\Services\Billing->charge"#,
                                     #"Controllers/OrderController.php in App\Http\Controllers\OrderController->store"#])
    }

    @Test("compiler-made numbers in names are dropped", arguments: [
        ("lambda$handle$3", "lambda$handle$N"),
        ("Foo$12.run", "Foo$N.run"),
        ("main.handler.func7", "main.handler.funcN"),
        ("block (2 levels) in call", "block in call"),
        ("handle2", "handle2"),
        ("_app_views_orders_show_html_erb__3071245961042937744_47181060", "_app_views_orders_show_html_erb_N_N"),
        ("v2024", "v2024"),
        ("OrderService$$EnhancerBySpringCGLIB$$c41e0b9a.total", "OrderService$$EnhancerBySpringCGLIB$$N.total"),
        ("OrderService$$EnhancerBySpringCGLIB$$5e1d9c07.total", "OrderService$$EnhancerBySpringCGLIB$$N.total"),
        ("OrderService$$Lambda$17/0x0000000801234567.apply", "OrderService$$Lambda$N/0xN.apply"),
        ("Handler$deadbeef.run", "Handler$deadbeef.run"),
    ])
    func stripNumbers(name: String, expected: String) {
        #expect(SignatureBuilder.stripNumbers(name) == expected)
    }

    @Test("the short path is the file and its directory", arguments: [
        ("/srv/app/releases/20261121100000/app/models/user.rb", "models/user.rb"),
        (#"C:\inetpub\app\Controllers\Home.cs"#, "Controllers/Home.cs"),
        ("user.rb", "user.rb"),
        // A release directory right above the file is no part of it.
        ("/srv/app/releases/42/main.py", "main.py"),
        ("/srv/app/releases/20261121100000/main.py", "main.py"),
        ("/deploy/2026-11-21_1000/server.js", "server.js"),
        ("/deploy/3f2a9c1e/server.js", "server.js"),
        ("/srv/app/v2/handler.py", "v2/handler.py"),
        ("/srv/app/cafe/handler.py", "cafe/handler.py"),
    ])
    func shortPath(path: String, expected: String) {
        #expect(ErrorSignature.shortPath(path) == expected)
    }

    @Test("JSON events: the named exception, message and structured frames")
    func jsonEvent() throws {
        var event = AppEvent(path: "app.log", line: 1, key: Array("twvbrfk1owgho2bqggnx".utf8), displayID: "twvbRFk1OwgHo2bqggnx",
                             time: nil, severity: .error)
        event.message = "Exception thrown"
        event.exceptionType = #"Doctrine\DBAL\Exception"#
        event.exceptionMessage = "Table oc_x not found for user 12"
        event.structuredFrames = [#"DB/Connection.php in OC\DB\Connection::executeQuery"#]
        let s = try SignatureBuilder().signature(of: event)
        #expect(s.exceptionType == #"Doctrine\DBAL\Exception"#)
        #expect(s.message == "Table oc_x not found for user <num>")
        #expect(s.frames == [#"DB/Connection.php in OC\DB\Connection::executeQuery"#])
    }

    @Test("a plain error line without exception or frames is its message")
    func plainLine() throws {
        let s = try signature(["request_id=abc123def456 payment declined for order 77"])
        #expect(s.exceptionType == "")
        #expect(s.message == "request_id=<id> payment declined for order <num>")
        #expect(!s.hasException)
    }
}
