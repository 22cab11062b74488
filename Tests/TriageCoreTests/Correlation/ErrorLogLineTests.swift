import Testing
@testable import TriageCore

/// nginx and Apache error-log lines as their sources write them (FORMATS.md), read in place.
@Suite struct ErrorLogLineTests {
    func parse(_ text: String) -> (ErrorLogLine, [String: String])? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { p in
            guard let line = ErrorLogLine.parse(p) else { return nil }
            func s(_ r: FieldRange) -> String { String(decoding: r.bytes(in: p), as: UTF8.self) }
            return (line, ["level": s(line.level), "message": s(line.message), "client": s(line.client),
                           "server": s(line.server), "request": s(line.request), "upstream": s(line.upstream),
                           "host": s(line.host)])
        }
    }

    @Test("nginx: time, level, *N connection, message and the request's fields")
    func nginxFields() throws {
        let text = #"2026/11/20 13:30:01 [error] 31#31: *4711 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /api/x?q=1 HTTP/1.1", upstream: "http://10.0.1.13:8080/api/x?q=1", host: "shop.example""#
        let (line, f) = try #require(parse(text))
        #expect(line.dialect == .nginx)
        #expect(line.wallTime == Timestamp.seconds(year: 2026, month: 11, day: 20, hour: 13, minute: 30, second: 1))
        #expect(line.connection == 4711)
        #expect(f["level"] == "error")
        #expect(f["message"] == "connect() failed (111: Connection refused) while connecting to upstream")
        #expect(f["client"] == "203.0.113.9")
        #expect(f["server"] == "shop")
        #expect(f["request"] == "GET /api/x?q=1 HTTP/1.1")
        #expect(f["upstream"] == "10.0.1.13:8080")
        #expect(f["host"] == "shop.example")
        #expect(!line.isOpen)
    }

    @Test("nginx: a request line with a quote inside ends at the quote before the next field")
    func quotedRequest() throws {
        let text = #"2026/11/20 13:30:01 [error] 31#31: *1 upstream prematurely closed connection while reading response header from upstream, client: 198.51.100.2, server: , request: "GET /a"b HTTP/1.1", upstream: "http://[2001:db8::5]:8080/a", host: "x""#
        let (_, f) = try #require(parse(text))
        #expect(f["request"] == #"GET /a"b HTTP/1.1"#)
        #expect(f["server"] == "")
        #expect(f["upstream"] == "[2001:db8::5]:8080")
    }

    @Test("nginx: a unix-socket upstream keeps its path")
    func unixUpstream() throws {
        let text = #"2026/11/20 13:30:01 [error] 7#7: *3 connect() to unix:/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php-fpm.sock:", host: "a""#
        let (_, f) = try #require(parse(text))
        #expect(f["upstream"] == "unix:/run/php/php-fpm.sock")
    }

    @Test("nginx: FastCGI stderr opens a quote the line does not close")
    func openQuote() throws {
        let text = #"2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: "PHP message: PHP Warning:  Declaration of X should be compatible"#
        let (line, _) = try #require(parse(text))
        #expect(line.isOpen)
    }

    @Test("Apache 2.4: module:level, pid, errno, client with port, backend in the message")
    func apache24() throws {
        let text = "[Fri Nov 20 13:30:01.123456 2026] [proxy:error] [pid 9:tid 140] (111)Connection refused: [client 203.0.113.9:51234] AH00957: http: attempt to connect to 10.0.1.13:8080 (10.0.1.13:8080) failed"
        let (line, f) = try #require(parse(text))
        #expect(line.dialect == .apache)
        #expect(line.wallTime == Timestamp.seconds(year: 2026, month: 11, day: 20, hour: 13, minute: 30, second: 1))
        #expect(f["level"] == "error")
        #expect(f["client"] == "203.0.113.9")
        #expect(f["upstream"] == "10.0.1.13:8080")
        #expect(f["request"] == "")
    }

    @Test("Apache: a disabled worker's backend is named inside its parentheses (AH00940, AH00959)", arguments: [
        ("AH00940: HTTP: disabled connection for (10.0.1.13:8080)", "10.0.1.13:8080"),
        ("AH00940: http: disabled connection for (10.0.1.13)", "10.0.1.13"),
        ("AH00959: ap_proxy_connect_backend disabling worker for (10.0.1.13:8080) for 60s", "10.0.1.13:8080"),
        ("AH00959: ap_proxy_connect_backend disabling worker for (backend.internal) for 60s", "backend.internal"),
    ])
    func apacheDisabledWorker(message: String, upstream: String) throws {
        let (_, f) = try #require(parse("[Fri Nov 20 13:30:01.123456 2026] [proxy:error] [pid 9:tid 140] " + message))
        #expect(f["upstream"] == upstream)
    }

    @Test("Apache 1.3/2.2: [level] and [client ip] without a port")
    func apache13() throws {
        let text = "[Sun Jul 25 06:52:57 2004] [error] [client 63.127.49.73] request failed: URI too long"
        let (line, f) = try #require(parse(text))
        #expect(line.dialect == .apache)
        #expect(f["level"] == "error")
        #expect(f["client"] == "63.127.49.73")
        #expect(Array(text.utf8).withUnsafeBufferPointer { line.isErrorLevel($0) })
    }

    @Test("lines of other logs are not error-log lines", arguments: [
        #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#,
        "2026-11-20 13:30:01 ERROR something",
        "[21/Nov/2026:10:00:00 +0000] hello",
        "PHP message: PHP Warning: x",
        "",
    ])
    func notErrorLog(text: String) {
        #expect(parse(text) == nil)
    }

    struct CauseRow: Sendable, CustomTestStringConvertible {
        var message: String
        var cause: ErrorCause?
        var testDescription: String { message }
    }

    /// The table of messages in Docs/Correlation.md, one row each.
    static let causes: [CauseRow] = [
        .init(message: "connect() failed (111: Connection refused) while connecting to upstream", cause: .connectionRefused),
        .init(message: "recv() failed (104: Connection reset by peer) while reading response header from upstream", cause: .connectionReset),
        .init(message: "upstream prematurely closed connection while reading response header from upstream", cause: .prematurelyClosed),
        .init(message: "SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure) while SSL handshaking to upstream", cause: .tlsHandshakeFailed),
        .init(message: "upstream sent invalid header while reading response header from upstream", cause: .invalidResponse),
        .init(message: "upstream timed out (110: Connection timed out) while connecting to upstream", cause: .timeoutConnecting),
        .init(message: "upstream timed out (110: Connection timed out) while reading response header from upstream", cause: .timeoutReadingHeader),
        .init(message: "upstream timed out (110: Connection timed out) while sending request to upstream", cause: .timeoutSending),
        .init(message: "upstream timed out (110: Connection timed out) while reading upstream", cause: .timeoutReading),
        .init(message: "connect() failed (110: Connection timed out) while connecting to upstream", cause: .timeoutConnecting),
        .init(message: "connect() failed (113: No route to host) while connecting to upstream", cause: .hostUnreachable),
        .init(message: "no live upstreams while connecting to upstream", cause: .noLiveUpstreams),
        .init(message: #"limiting requests, excess: 20.400 by zone "api""#, cause: .rateLimited),
        .init(message: #"limiting requests, dry run, excess: 20.400 by zone "api""#, cause: nil),
        .init(message: #"limiting connections by zone "addr""#, cause: .connectionLimited),
        .init(message: "upstream server temporarily disabled while connecting to upstream", cause: .upstreamDisabled),
        .init(message: "client intended to send too large body: 2000000 bytes", cause: nil),
        .init(message: #"open() "/srv/www/favicon.ico" failed (2: No such file or directory)"#, cause: nil),
        .init(message: "(111)Connection refused: AH00957: http: attempt to connect to 10.0.1.13:8080 (*) failed", cause: .connectionRefused),
        .init(message: "AH01114: HTTP: failed to make connection to backend: 10.0.1.13", cause: .connectionRefused),
        .init(message: "(70007)The timeout specified has expired: AH01102: error reading status line from remote server 10.0.1.13:8080", cause: .timeoutReadingHeader),
        .init(message: "(104)Connection reset by peer: AH01102: error reading status line from remote server 10.0.1.13:8080", cause: .connectionReset),
        .init(message: "AH01102: error reading status line from remote server 10.0.1.13:8080", cause: .prematurelyClosed),
        .init(message: "AH00940: http: disabled connection for (10.0.1.13)", cause: .upstreamDisabled),
    ]

    @Test("each message of the table names its cause", arguments: causes)
    func cause(row: CauseRow) {
        let bytes = Array(row.message.utf8)
        #expect(bytes.withUnsafeBufferPointer { ErrorLogLine.cause(of: $0) } == row.cause)
    }
}
