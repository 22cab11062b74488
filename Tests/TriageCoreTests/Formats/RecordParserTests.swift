import Testing
@testable import TriageCore

@Suite struct RecordParserTests {
    let combined = preset("combined")

    @Test("a combined line yields every field")
    func combinedLine() {
        let line = #"203.0.113.7 - alice [21/Nov/2026:10:00:00 +0000] "GET /api/orders/48213?x=1 HTTP/1.1" 500 112 "https://shop.example/" "curl/8.0""#
        let r = parse(line, combined)
        #expect(r.ok)
        #expect(r.record.status == 500)
        #expect(r.record.bytesSent == 112)
        #expect(r.record.time == 1_795_255_200)
        #expect(r.text(r.record.remoteAddr) == "203.0.113.7")
        #expect(r.text(r.record.remoteUser) == "alice")
        #expect(r.text(r.record.method) == "GET")
        #expect(r.text(r.record.target) == "/api/orders/48213?x=1")
        #expect(r.text(r.record.protocolVersion) == "HTTP/1.1")
        #expect(r.text(r.record.userAgent) == "curl/8.0")
        #expect(r.record.hasValidRequestLine)
    }

    @Test("garbage request lines are records with their status, not errors", arguments: [
        (#""\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157"#, 400),
        (#""" 400 0"#, 400),
        (#""-" 408 0"#, 408),
        (#""SSH-2.0-PuTTY" 400 0"#, 400),
        (#""GET /" 200 10"#, 200),
    ])
    func garbageRequests(tail: String, status: Int) {
        let line = #"198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "# + tail + #" "-" "-""#
        let r = parse(line, combined)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == status)
        #expect(r.record.hasValidRequestLine == (status == 200))
    }

    @Test("IPv6 clients and any UTC offset")
    func ipv6AndOffset() {
        let line = #"2001:db8::1f - - [21/Nov/2026:12:00:00 +0200] "GET / HTTP/2.0" 200 5 "-" "x""#
        let r = parse(line, combined)
        #expect(r.ok)
        #expect(r.text(r.record.remoteAddr) == "2001:db8::1f")
        #expect(r.record.time == 1_795_255_200)
    }

    @Test("Apache \\\" and \\\\ escapes inside quoted fields")
    func apacheEscapes() {
        let line = #"10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "Mozilla \"quoted\" \\ end\\""#
        let r = parse(line, combined)
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.userAgent) == #"Mozilla \"quoted\" \\ end\\"#)
    }

    @Test("unescaped quotes inside the request (Apache 1.3, Nikto) still parse by backtracking")
    func unescapedQuotes() {
        let line = #"10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET" /hostadmin/?page=' HTTP/1.0" 501 300 "-" "Nikto""#
        let r = parse(line, combined)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 501)
        #expect(r.text(r.record.request) == #"GET" /hostadmin/?page=' HTTP/1.0"#)
    }

    @Test("`-` for bytes and the other numbers is absent, not an error")
    func dashes() {
        let line = #"10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 304 - "-" "-""#
        let r = parse(line, combined)
        #expect(r.ok)
        #expect(r.record.bytesSent == -1)
    }

    @Test("upstream preset: quoted lists stay lists")
    func upstreamLists() {
        let line = #"10.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" rt=0.020 uct="-, 0.001" uht="-, 0.019" urt="0.000, 0.019" us="502, 200" ua="10.0.1.12:8080, 10.0.1.13:8080" rid=abc123"#
        let r = parse(line, preset("upstream"))
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.upstreamStatus) == "502, 200")
        #expect(r.text(r.record.upstreamAddr) == "10.0.1.12:8080, 10.0.1.13:8080")
        #expect(r.text(r.record.requestID) == "abc123")
        #expect(r.record.requestMicros == 20_000)
    }

    @Test("unquoted list fields (ingress-nginx upstreaminfo) with `, ` and ` : ` separators")
    func unquotedLists() {
        let line = #"10.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 502 5 "-" "ua" 300 0.500 [default-svc-80] [] 10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 0, 0 : 12 0.100, 0.200 : 0.200 502, 502 : 504 4f2a"#
        let r = parse(line, preset("upstreaminfo"))
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.upstreamAddr) == "10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80")
        #expect(r.text(r.record.upstreamStatus) == "502, 502 : 504")
        #expect(r.text(r.record.requestID) == "4f2a")
        let bytes = Array(line.utf8)
        let attempts = bytes.withUnsafeBufferPointer { UpstreamAttempts(record: r.record, line: $0) }
        #expect(attempts.count == 3)
        #expect(attempts[0].status == 502 && attempts[2].status == 504)
    }

    @Test("a last token ends at a space, a tab or a bracket, and a list goes on past `, `")
    func lastTokenEnds() throws {
        let head = #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 502 1 "-" "a" rt=0.1 uct="-" uht="-" urt="0.1" us="502" ua="10.0.0.1:80" rid="#
        let upstream = preset("upstream")
        for (tail, id) in [("4f2a9c0e", "4f2a9c0e"), ("4f2a 443", "4f2a"), ("4f2a\t443", "4f2a"),
                           ("4f[2a]", "4f"), ("4f2a, 5b", "4f2a,")] {
            let r = parse(head + tail, upstream)
            #expect(r.ok, "\(tail): \(r.failure)")
            #expect(r.text(r.record.requestID) == id, "\(tail)")
            #expect(r.record.hasTrailingText == (id != tail), "\(tail)")
        }
        // A list kind as the last field keeps `a, b` whole; a user format allows no text after it.
        let listLast = try LogFormat.nginx("$remote_addr $status $upstream_addr")
        let whole = parse("203.0.113.7 502 10.0.0.1:80, 10.0.0.2:80", listLast)
        #expect(whole.ok, "\(whole.failure)")
        #expect(whole.text(whole.record.upstreamAddr) == "10.0.0.1:80, 10.0.0.2:80")
        #expect(!parse("203.0.113.7 502 10.0.0.1:80 x", listLast).ok)
        #expect(!parse("203.0.113.7 502 10.0.0.1:80\tx", listLast).ok)
    }

    @Test("a bad status names the field, the column and the text", arguments: [
        (#"1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" abc 5 "-" "-""#, "$status"),
        (#"1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5x "-" "-""#, "$body_bytes_sent"),
        (#"1.2.3.4 - - [21/Nov/2026:99:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-""#, "$time_local"),
    ])
    func failureNamesField(line: String, field: String) {
        let r = parse(line, combined)
        #expect(!r.ok)
        #expect(r.failure.contains(field), "\(r.failure)")
    }

    @Test("a line cut short is rejected with a reason")
    func truncatedLine() {
        let r = parse(#"1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET /api/ord"#, combined)
        #expect(!r.ok)
        #expect(r.failure.contains("$request"), "\(r.failure)")
    }

    @Test("user formats must match whole lines; presets tolerate trailing fields")
    func trailingText() throws {
        let line = #"1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" 443"#
        #expect(parse(line, combined).ok)
        #expect(parse(line, combined).record.hasTrailingText)
        let strict = try LogFormat.nginx(preset("combined").definition)
        let r = parse(line, strict)
        #expect(!r.ok)
        #expect(r.failure.contains("unexpected text"), "\(r.failure)")
    }

    @Test("hostile lines cost bounded work and fail cleanly")
    func hostileLine() {
        let line = "1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] \"" + String(repeating: "\" ", count: 5000)
        let r = parse(line, combined)
        #expect(!r.ok)
    }

    @Test("Apache LogFormat with %D and a request-ID header")
    func apacheCustom() throws {
        let format = try LogFormat.apache(#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{X-Request-ID}i"#)
        let line = #"10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "POST /api/orders HTTP/1.1" 500 - "-" "curl" 183004 req-77"#
        let r = parse(line, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.requestMicros == 183_004)
        #expect(r.text(r.record.requestID) == "req-77")
        #expect(r.record.status == 500)
    }

    @Test("Apache %{…}t with a custom layout and %v:%p vhost prefix")
    func apacheTimeAndVhost() throws {
        let format = try LogFormat.apache(#"%v:%p %h %{%Y-%m-%dT%H:%M:%S%z}t "%r" %>s %b"#)
        let r = parse(#"shop.example:443 10.0.0.1 2026-11-21T11:00:00+0100 "GET / HTTP/1.1" 503 0"#, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.time == 1_795_255_200)
        #expect(r.text(r.record.host) == "shop.example")
    }
}

@Suite struct FieldValidationTests {
    let combined = preset("combined")

    /// Lines in other formats must be rejected, not parsed into wrong clients (corpus sweep findings).
    @Test("lines of other formats are malformed under combined, not misparsed", arguments: [
        #"lessons.example.com 192.168.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#,
        #""10.5.102.222, 199.96.1.1" 10.2.1.185 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#,
        " 218.92.0.208 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"",
        "2023-12-25 19:09:29.000\t80.66.83.114 - - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"",
        #"vhost1.example 1.2.3.4 - - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#,
    ])
    func rejectsOtherFormats(line: String) {
        let r = parse(line, combined)
        #expect(!r.ok, "parsed with client '\(r.text(r.record.remoteAddr))'")
    }

    @Test("X-Forwarded-For style client lists, IPv6 with zone and brackets are still addresses; a list's client is its first", arguments: [
        ("10.0.0.1, 10.0.0.2", "10.0.0.1"), ("10.0.0.1,10.0.0.2,10.0.0.3", "10.0.0.1"), ("[2001:db8::1], 10.0.0.2", "[2001:db8::1]"),
        ("fe80::1%eth0", "fe80::1%eth0"), ("[2001:db8::1]", "[2001:db8::1]"), ("host-name.example", "host-name.example"), ("-", "-"),
    ])
    func acceptsAddresses(client: String, first: String) {
        let r = parse(client + #" - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#, combined)
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.remoteAddr) == first)
    }

    /// The fast path (first splits in one loop, token ends and literals found in one scan)
    /// must give the reference matcher's answer on every line, including those that need
    /// backtracking or fail: client lists, a quoted or bracketed first field, IPv6, a tab.
    @Test("the first-split loop and one-scan tokens give the backtracking matcher's records and failures")
    func fastPathMatchesReference() {
        let lines = [
            #"2001:db8::1, 10.0.0.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /t HTTP/1.1" 404 85 "-" "x""#,
            #""10.5.1.2, 199.96.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /a HTTP/1.1" 200 25 "-" "y""#,
            #"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /o HTTP/1.1" 200 571 "-" "z""#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "a" "-" rt=0.1 uct="0.001" uht="0.1" urt="0.1" us="502, 200" ua="10.0.0.1:80, 10.0.0.2:80" rid=abc"#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "a" rt=0.1 uct="0.001 : 0.002" uht="-" urt="-" us="502 : 504" ua="a : b" rid=abc"#,
            #"203.0.113.7 - [x] - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "a""#,
            "203.0.113.7\t- - [21/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
            #"2001:db8::7:4711 [21/Nov/2026:10:00:00.123] www~ app/<NOSRV> 0/-1/-1/-1/0 503 212 - - SC-- 1/1/0/0/+3 0/0 "GET / HTTP/1.1""#,
            #"198.51.100.9:5123 [21/Nov/2026:10:00:00.123] www~ app/web1 0/0/1/2/3 200 5 - - ---- 1/1/0/0/0 0/0 {a b|c} {} "GET / HTTP/1.1""#,
            #"[2026-11-21T10:00:00.000Z] "GET / HTTP/1.1" 503 UF,URX 0 91 2 - "10.0.0.1, 10.0.0.2" "-" "id" "h" "10.0.0.9:80""#,
            #"vhost:80 203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "a""#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 2000 1"#,
            "",
        ]
        // Numeric tokens, whose ends the first-split loop finds with a digit scan: signs,
        // empty values, too many digits, a letter after the digits, a dash for a count.
        let haproxy = #"[21/Nov/2026:10:00:00.123] www~ app/web1 "#
        let request = #" - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1""#
        let numericLines = [
            "198.51.100.9:123456 " + haproxy + "0/0/1/2/3 200 5" + request,
            "198.51.100.9:-1 " + haproxy + "0/0/1/2/3 200 5" + request,
            "198.51.100.9:+80 " + haproxy + "0/0/1/2/3 200 5" + request,
            "198.51.100.9: " + haproxy + "0/0/1/2/3 200 5" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1/2/+3 200 5" + request,
            "198.51.100.9:5123 " + haproxy + "0//1/2/3 200 5" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1/1234567890123456789/3 200 5" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1/123456789012345678/3 200 5" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1x/2/3 200 5" + request,
            "198.51.100.9:5123 " + haproxy + "-1/-1/-1/-1/0 -1 0" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1/2/3 200 -5" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1/2/3 +200 5" + request,
            "198.51.100.9:5123 " + haproxy + "0/0/1/2/3 200 5 - - ---- 1/1/0/0/-0 0/0 \"GET / HTTP/1.1\"",
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 - "-" "a""#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 -5 "-" "a""#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" +200 5 "-" "a""#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5x "-" "a""#,
            #"203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5-"-" "a""#,
        ]
        let formats = LogFormat.presets.filter { $0.dialect != .json && $0.dialect != .logfmt }
        #expect(formats.count > 10)
        for format in formats {
            var reference = format
            reference.useReferenceDecoding()
            for line in lines + numericLines {
                let fast = parse(line, format), slow = parse(line, reference)
                #expect(fast.ok == slow.ok && fast.failure == slow.failure
                        && String(describing: fast.record) == String(describing: slow.record),
                        "\(format.name): \(line)")
            }
        }
    }
}
