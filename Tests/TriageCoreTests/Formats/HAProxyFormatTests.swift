import Testing
@testable import TriageCore

/// HAProxy `option httplog` lines, and their termination states through the facts table.
@Suite struct HAProxyFormatTests {
    static func line(server: String = "app/web1", timers: String = "0/0/1/45/46", status: String = "200",
                     state: String = "----", conns: String = "1/1/0/0/0", captures: String = "") -> String {
        "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in \(server) \(timers) \(status) 2750 - - \(state) \(conns) 0/0 \(captures)\"GET /index.html HTTP/1.1\""
    }

    func haproxy() throws -> LogFormat { try #require(LogFormat.preset(named: "haproxy")) }

    @Test("an httplog line is read field by field, captures or not")
    func parsesLine() throws {
        for captures in ["", "{Mozilla/5.0 (X11; Linux)|example.com} {} "] {
            let r = parse(Self.line(captures: captures), try haproxy())
            #expect(r.ok, "\(r.failure)")
            #expect(r.record.status == 200)
            #expect(r.text(r.record.remoteAddr) == "10.0.1.2")
            #expect(r.text(r.record.upstreamAddr) == "web1")
            #expect(r.text(r.record.proxyFlags) == "----")
            #expect(r.text(r.record.method) == "GET")
            #expect(r.text(r.record.target) == "/index.html")
            #expect(r.record.requestMicros == 46_000)
            #expect(r.record.time == 1_233_922_454) // 2009-02-06T12:14:14Z: no zone, read as UTC
            #expect(r.record.retries == 0)
        }
    }

    @Test("a captured X-Request-ID among the header captures is the request ID; a Host or User-Agent capture is not")
    func capturedRequestID() throws {
        let cases: [(String, String)] = [
            ("{6b14c0a8-e3f1-4d2b-9e6f-0a1b2c3d4e5f} ", "6b14c0a8-e3f1-4d2b-9e6f-0a1b2c3d4e5f"),
            ("{example.com|6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f} {} ", "6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f"),
            ("{Mozilla/5.0 (X11; Linux)|example.com} {} ", "<absent>"),
            ("{cafe|} {0A000001:C7B2_0A000002:01BB_6744B2C5_0001:2F01} ", "0A000001:C7B2_0A000002:01BB_6744B2C5_0001:2F01"),
            ("", "<absent>"),
        ]
        for (captures, id) in cases {
            let r = parse(Self.line(status: "502", captures: captures), try haproxy())
            #expect(r.ok, "\(r.failure)")
            #expect(r.text(r.record.requestID) == id, "\(captures)")
            #expect(r.text(r.record.method) == "GET")
        }
    }

    @Test("a field after the httplog fields (a log-format ending in %ID) leaves the line a request, its tail noted")
    func trailingField() throws {
        let line = Self.line() + " 00000000000000000000000000abc001"
        let r = parse(line, try haproxy())
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 200)
        #expect(r.record.hasTrailingText)
        let detected = try FormatDetector.detect([Array(line.utf8), Array((Self.line(status: "503") + " 00000000000000000000000000abc002").utf8)], path: "t")
        // Detection reads the ID as httplog + %ID.
        #expect(detected.format.name == "haproxy+tail")
        #expect(detected.format.definition == LogFormat.haproxyHTTPLog + " %ID")
        let read = parse(line, detected.format)
        #expect(read.ok && !read.record.hasTrailingText)
        #expect(read.text(read.record.requestID) == "00000000000000000000000000abc001")
        // The --log-format the report gives for it compiles, and reads the line the same way.
        #expect(detected.format.specification.hasPrefix("haproxy:"))
        let given = parse(line, try LogFormat.parse(specification: detected.format.specification))
        #expect(given.ok && given.text(given.record.requestID) == "00000000000000000000000000abc001")
        // Another field after httplog is left unread (and reported), the preset still reads the lines.
        let other = try FormatDetector.detect([Array((Self.line() + " worker-7").utf8), Array((Self.line() + " worker-8").utf8)], path: "t")
        #expect(other.format.name == "haproxy")
        // A user's own format still has to match whole lines.
        #expect(!parse(line, try LogFormat.haproxy(LogFormat.haproxyHTTPLog)).ok)
    }

    @Test("HAProxy's documented unique-id-format value after httplog is the request ID")
    func uniqueIDAfterRequest() throws {
        let lines = [Self.line() + " CB007115:C863_0A000001:01BB_65F2C1A2_0002:0861",
                     Self.line(status: "503") + " CB007115:C864_0A000001:01BB_65F2C1A3_0003:0861"]
        let detected = try FormatDetector.detect(lines.map { Array($0.utf8) }, path: "t")
        #expect(detected.format.name == "haproxy+tail")
        let r = parse(lines[1], detected.format)
        #expect(r.text(r.record.requestID) == "CB007115:C864_0A000001:01BB_65F2C1A3_0003:0861")
        // A full IPv6 address (hex and colons, no `_`) is not one.
        #expect(TailInference.shape("2001:0db8:85a3:0000:0000:8a2e:0370:7334"[...]) != .hexParts)
    }

    @Test("a status of -1 (no response sent) and logasap '+' values are read")
    func minusOneAndLogasap() throws {
        let r = parse(Self.line(timers: "0/0/-1/-1/+5001", status: "-1", state: "CC--"), try haproxy())
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 0)
        #expect(r.record.requestMicros == 5_001_000)
    }

    @Test("the 1.5/1.6 httplog (%Tq, %Tt) is read")
    func legacy() throws {
        let format = try #require(LogFormat.preset(named: "haproxy-1.5"))
        #expect(parse(Self.line(), format).ok)
    }

    /// HAProxy's own httpslog example (configuration manual, `option httpslog`).
    @Test("option httpslog (HAProxy 2.5+) is detected and read, its TLS fields after the request")
    func httpsLog() throws {
        let line = #"Feb  6 12:14:14 localhost haproxy[3098]: 192.168.50.1:61818 [27/Jan/2021:21:52:56.086] fe_main be_servers/s1 0/0/1/1/2 502 517 - - SH-- 1/1/0/0/0 0/0 {1wt.eu} {} "GET / HTTP/1.1" 0/0/0/0/0 1wt.eu/TLSv1.3/TLS_AES_256_GCM_SHA384"#
        let detected = try FormatDetector.detect([Array(line.utf8)], path: "t")
        #expect(detected.format.name == "haproxy-https")
        #expect(detected.matched == 1)
        let parser = detected.format.makeDecoder()
        let peeler = try #require(EnvelopePeeler(format: detected.format))
        var record = AccessRecord()
        let decision: Classifier.Decision? = try Array(line.utf8).withUnsafeBufferPointer { buffer in
            let payload = peeler.peel(buffer).payload
            try #require(parser.parse(payload, into: &record))
            return Classifier.decide(detected.format.vocabulary.facts(record, line: payload,
                                                                      attempts: UpstreamAttempts(record: record, line: payload),
                                                                      hasUpstreamFields: true))
        }
        #expect(record.status == 502)
        #expect(decision?.failureClass == .upstreamUnreachable)
    }

    @Test("--log-timezone: a zoneless accept date is read in the given zone")
    func timeZone() throws {
        var format = try haproxy()
        format.logTimeZone = try LogTimeZone.parse("+02:00")
        let r = parse(Self.line(), format)
        #expect(r.record.time == 1_233_922_454 - 7200)
        #expect(r.record.utcOffset == 7200)
    }

    @Test("a combined line is not HAProxy, an HAProxy line is not vhost_combined")
    func honestDetection() throws {
        let combined = #"10.0.0.1 - - [06/Feb/2009:12:14:14 +0000] "GET / HTTP/1.1" 200 12 "-" "curl""#
        #expect(!parse(combined, try haproxy()).ok)
        let result = try FormatDetector.detect([Array(Self.line().utf8)], path: "t")
        #expect(result.format.name == "haproxy")
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var status: String
        var state: String
        var server = "app/web1"
        var conns = "1/1/0/0/0"
        var expected: FailureClass?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "H1 sH-- 504: server timeout waiting for headers → upstream_timeout", status: "504", state: "sH--", expected: .upstreamTimeout),
        Row(name: "H2 sD-- 200: timeout during the body of a 200 → no class", status: "200", state: "sD--", expected: nil),
        Row(name: "H3 sC-- 503: connect timeout → upstream_timeout", status: "503", state: "sC--", expected: .upstreamTimeout),
        Row(name: "H4 SC-- 503: connection refused → upstream_unreachable", status: "503", state: "SC--", expected: .upstreamUnreachable),
        Row(name: "H5 SH-- 502: server closed before headers → upstream_unreachable", status: "502", state: "SH--", expected: .upstreamUnreachable),
        Row(name: "H6 SD-- 502: server reset during the body of its own 502 → origin_error (the status was the server's)",
            status: "502", state: "SD--", expected: .originError),
        Row(name: "H6b SD-- 500: server reset during the body of its own 500 → origin_error", status: "500", state: "SD--",
            expected: .originError),
        Row(name: "H6c sD-- 500: server timeout during the body of its own 500 → origin_error", status: "500", state: "sD--",
            expected: .originError),
        Row(name: "H6d sD-- 504: the server's own 504, then a body timeout → origin_error", status: "504", state: "sD--",
            expected: .originError),
        Row(name: "H6e SL-- 503: the server's 503 was sent, last data pending → origin_error", status: "503", state: "SL--",
            expected: .originError),
        Row(name: "H6f DD-- 500: killed in the data phase as the server went down → origin_error", status: "500", state: "DD--",
            expected: .originError),
        Row(name: "H6g PD-- 502: the proxy cut the body of the server's 502 → origin_error", status: "502", state: "PD--",
            expected: .originError),
        Row(name: "H6h SD-- 500 with <NOSRV>: no server, the data phase does not make it the origin's", status: "500",
            state: "SD--", server: "app/<NOSRV>", expected: .upstreamUnavailable),
        Row(name: "H6i DH-- 503: killed before the headers as the server went down → upstream_unreachable", status: "503",
            state: "DH--", expected: .upstreamUnreachable),
        Row(name: "H7 CQ-- 503: client left while queued → client_closed, not a 5xx", status: "503", state: "CQ--", expected: .clientClosed),
        Row(name: "H8 CC-- -1: client left while connecting → client_closed", status: "-1", state: "CC--", expected: .clientClosed),
        Row(name: "H9 cD-- 503: client timeout during the body of the server's 503 → origin_error (it was sent)", status: "503",
            state: "cD--", expected: .originError),
        Row(name: "H9b CH-- 503: client left before the headers → client_closed", status: "503", state: "CH--", expected: .clientClosed),
        Row(name: "H22 CD-- 500: client aborted during the body of the server's 500 → origin_error", status: "500",
            state: "CD--", expected: .originError),
        Row(name: "H10 CD-- 200: client aborted a 200's body → no class", status: "200", state: "CD--", expected: nil),
        Row(name: "H11 PR-- 403: denied by the proxy → no class (4xx)", status: "403", state: "PR--", expected: nil),
        Row(name: "H12 PR-- 503: proxy-made 503 → proxy_error", status: "503", state: "PR--", expected: .proxyError),
        Row(name: "H13 PT-- 500: tarpit → proxy_error", status: "500", state: "PT--", expected: .proxyError),
        Row(name: "H14 LR-- 503: local reply → proxy_error", status: "503", state: "LR--", expected: .proxyError),
        Row(name: "H15 <NOSRV> SC-- 503: no server available → upstream_unavailable", status: "503", state: "SC--",
            server: "app/<NOSRV>", expected: .upstreamUnavailable),
        Row(name: "H16 sQ-- 503: queue timeout → upstream_unavailable", status: "503", state: "sQ--", expected: .upstreamUnavailable),
        Row(name: "H17 ---- 500: the server's own 500 → origin_error", status: "500", state: "----", expected: .originError),
        Row(name: "H18 ---- 503 from the server → origin_error", status: "503", state: "----", expected: .originError),
        Row(name: "H19 retries +1 then 200 → retried_ok", status: "200", state: "----", conns: "1/1/0/0/+1", expected: .retriedOK),
        Row(name: "H20 retries 2 then 200 → retried_ok", status: "200", state: "----", conns: "1/1/0/0/2", expected: .retriedOK),
        Row(name: "H21 PH-- 502: the server's response blocked as invalid → upstream_unreachable", status: "502", state: "PH--",
            expected: .upstreamUnreachable),
    ]

    @Test("termination states through the facts table", arguments: rows)
    func termination(row: Row) throws {
        let text = Self.line(server: row.server, status: row.status, state: row.state, conns: row.conns)
        let bytes = Array(text.utf8)
        let parser = try haproxy().makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try bytes.withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record))
            let attempts = UpstreamAttempts(record: record, line: buffer)
            return Classifier.decide(ProxyVocabulary.haproxy.facts(record, line: buffer, attempts: attempts,
                                                                   hasUpstreamFields: true))
        }
        #expect(decision?.failureClass == row.expected)
    }

    @Test("TCP-mode lines and HAProxy's own events are other lines, each with its reason")
    func otherLines() throws {
        let format = try haproxy()
        func shape(_ s: String) -> String? {
            Array(s.utf8).withUnsafeBufferPointer { OtherLine.dialectShape($0, format: format) }
        }
        #expect(shape("10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0")
                == "HAProxy TCP-mode line (not HTTP)")
        #expect(shape("Proxy www started.") == "HAProxy event (not a request)")
        #expect(shape("95.216.197.33:56224 [25/Feb/2019:16:20:10.111] prod_http_in/sktst2: SSL handshake failure")
                == "HAProxy event (not a request)")
        #expect(shape(Self.line()) == nil)
    }

    @Test("haproxy:FORMAT compiles a user's log-format")
    func userDialect() throws {
        let format = try LogFormat.parse(specification: "haproxy:%ci [%tr] %ST %tsc %[unique-id] %{+Q}r")
        let r = parse(#"10.0.0.9 [06/Feb/2009:12:14:14.655] 503 sH-- 4f2a-11 "POST /pay HTTP/1.1""#, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 503)
        #expect(r.text(r.record.requestID) == "4f2a-11")
        #expect(r.text(r.record.proxyFlags) == "sH--")
        #expect(format.vocabulary == .haproxy)
    }
}
