import Testing
@testable import TriageCore

@Suite struct JSONRecordDecoderTests {
    func decode(_ line: String, _ flavour: String) -> (ok: Bool, record: AccessRecord, text: (FieldRange) -> String, failure: String) {
        guard let format = LogFormat.jsonPreset(named: flavour) else { fatalError("no flavour \(flavour)") }
        return parse(line, format)
    }

    /// Classifies one JSON line the way the aggregator does.
    func classify(_ line: String, _ flavour: String) -> FailureClass? {
        var options = AnalysisOptions()
        options.format = .fixed(LogFormat.jsonPreset(named: flavour)!)
        let analyzer = Analyzer(options: options)
        analyzer.analyze(try! InputOpener.wrap(source: MemorySource(Array(line.utf8)), displayPath: "t"))
        let s = analyzer.finish()
        return FailureClass.allCases.first { s.classes[$0] > 0 }
    }

    @Test("Caddy v2: nested request, header arrays, epoch ts, a docker compose prefix, escaped quotes")
    func caddy() {
        let line = #"caddy  | {"level":"info","ts":1795255200.25,"logger":"http.log.access","request":{"remote_ip":"203.0.113.9","method":"GET","host":"shop.example","uri":"/api/orders/7?x=1","headers":{"User-Agent":["curl \"8\""],"X-Request-Id":["req-1"]}},"duration":0.5,"size":12,"status":502}"#
        let r = decode(line, "caddy")
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 502)
        #expect(r.record.time == 1_795_255_200)
        #expect(r.text(r.record.method) == "GET")
        #expect(r.text(r.record.target) == "/api/orders/7?x=1")
        #expect(r.text(r.record.requestID) == "req-1")
        #expect(r.text(r.record.userAgent) == #"curl \"8\""#)
        #expect(r.record.requestMicros == 500_000)
        #expect(r.record.hasValidRequestLine)
    }

    @Test("numbers as strings, null, empty and - are handled; \\u escapes are valid JSON")
    func values() {
        let line = #"{"status":"500","request":"GET /x HTTP/1.1","remote_addr":"","request_id":null,"upstream_addr":"-","http_user_agent":"caf\u00e9","time_iso8601":"2026-11-21T10:00:00+00:00"}"#
        let r = decode(line, "nginx-json")
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 500)
        #expect(!r.record.remoteAddr.isPresent)
        #expect(!r.record.requestID.isPresent)
        #expect(r.text(r.record.method) == "GET")
        #expect(r.record.time == 1_795_255_200)
    }

    @Test("bad lines say why: not JSON, text after the object, a status that is not a number, no status")
    func failures() {
        #expect(decode("plain text", "caddy").failure.contains("no JSON object"))
        #expect(decode(#"{"status":200"#, "caddy").failure.contains("not valid JSON"))
        #expect(decode(#"{"status":200} trailing"#, "caddy").failure.contains("text after"))
        #expect(decode(#"{"status":"abc"}"#, "caddy").failure.contains("field status"))
        #expect(decode(#"{"level":"info","msg":"started"}"#, "caddy").failure.contains("not an access-log entry"))
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String, flavour: String, line: String, expected: FailureClass?
        var testDescription: String { name }
    }

    /// The JSON rows of Docs/Classification.md.
    @Test("proxy-specific signals decide the class", arguments: [
        Row(name: "J1 Traefik 502 with OriginStatus 0: no upstream answer", flavour: "traefik",
            line: #"{"DownstreamStatus":502,"OriginStatus":0,"ServiceURL":"http://10.0.0.5:8080","RequestMethod":"GET","RequestPath":"/a"}"#,
            expected: .upstreamUnreachable),
        Row(name: "J2 Traefik 504 with OriginStatus 0: timeout", flavour: "traefik",
            line: #"{"DownstreamStatus":504,"OriginStatus":0,"ServiceURL":"http://10.0.0.5:8080"}"#, expected: .upstreamTimeout),
        Row(name: "J3 Traefik 500 from the origin", flavour: "traefik",
            line: #"{"DownstreamStatus":500,"OriginStatus":500,"ServiceURL":"http://10.0.0.5:8080"}"#, expected: .originError),
        Row(name: "J3b Traefik 503 with a service and no server URL: no available server", flavour: "traefik",
            line: #"{"DownstreamStatus":503,"OriginStatus":0,"ServiceName":"shop@docker","RouterName":"shop@docker"}"#,
            expected: .upstreamUnavailable),
        Row(name: "J3e Traefik 500 with a service and no server URL (api@internal): Traefik's own → proxy_error",
            flavour: "traefik",
            line: #"{"DownstreamStatus":500,"RetryAttempts":0,"ServiceName":"api@internal","RouterName":"dashboard@internal"}"#,
            expected: .proxyError),
        Row(name: "J3f Traefik 502 with a service, OriginStatus 0 and no server URL: no server tried → proxy_error",
            flavour: "traefik", line: #"{"DownstreamStatus":502,"OriginStatus":0,"ServiceName":"shop@docker"}"#,
            expected: .proxyError),
        Row(name: "J3g Traefik 503 with a service and no OriginStatus or URL: no available server", flavour: "traefik",
            line: #"{"DownstreamStatus":503,"ServiceName":"shop@docker"}"#, expected: .upstreamUnavailable),
        Row(name: "J3h Traefik 502 with the service's name before its URL: the URL is the upstream", flavour: "traefik",
            line: #"{"DownstreamStatus":502,"OriginStatus":0,"ServiceName":"shop","ServiceURL":"http://10.0.0.5:8080"}"#,
            expected: .upstreamUnreachable),
        Row(name: "J3c Traefik 200 after RetryAttempts 2: retried then succeeded", flavour: "traefik",
            line: #"{"DownstreamStatus":200,"OriginStatus":200,"RetryAttempts":2,"ServiceName":"shop@docker","ServiceURL":"http://10.0.2.5:80"}"#,
            expected: .retriedOK),
        Row(name: "J3d Traefik 200 with RetryAttempts 0: not a failure", flavour: "traefik",
            line: #"{"DownstreamStatus":200,"OriginStatus":200,"RetryAttempts":0,"ServiceURL":"http://10.0.2.5:80"}"#,
            expected: nil),
        Row(name: "J4 Envoy 503 UH: no healthy upstream", flavour: "envoy",
            line: #"{"response_code":503,"response_flags":"UH","upstream_host":null,"method":"GET","path":"/"}"#,
            expected: .upstreamUnavailable),
        Row(name: "J5 Envoy 503 UF,URX: connection failures", flavour: "envoy",
            line: #"{"response_code":503,"response_flags":"UF,URX","upstream_host":"10.1.0.4:9080"}"#, expected: .upstreamUnreachable),
        Row(name: "J6 Envoy 504 UT: upstream timeout", flavour: "envoy",
            line: #"{"response_code":504,"response_flags":"UT","upstream_host":"10.1.0.4:9080"}"#, expected: .upstreamTimeout),
        Row(name: "J7 Envoy 0 DC: the client went away", flavour: "envoy",
            line: #"{"response_code":0,"response_flags":"DC","upstream_host":"10.1.0.4:9080"}"#, expected: .clientClosed),
        Row(name: "J7b Envoy 503 with DC and UF: still a server error, UF decides", flavour: "envoy",
            line: #"{"response_code":503,"response_flags":"DC,UF","upstream_host":"10.1.0.4:9080"}"#, expected: .upstreamUnreachable),
        Row(name: "J7c Envoy 503 URX via_upstream: retries on the upstream's own 503s ran out", flavour: "envoy",
            line: #"{"response_code":503,"response_flags":"URX","response_code_details":"via_upstream","upstream_host":"10.1.0.4:9080"}"#,
            expected: .originError),
        Row(name: "J7d Envoy 503 UF,URX with a connection-failure reset: still unreachable", flavour: "envoy",
            line: #"{"response_code":503,"response_flags":"UF,URX","response_code_details":"upstream_reset_before_response_started{connection_failure}","upstream_host":"10.1.0.4:9080"}"#,
            expected: .upstreamUnreachable),
        Row(name: "J8 Envoy 500 without flags from an upstream: the application's", flavour: "envoy",
            line: #"{"response_code":500,"response_flags":"-","upstream_host":"10.1.0.4:9080"}"#, expected: .originError),
        Row(name: "J9 Envoy 429/503 RL: rate limited by the proxy", flavour: "envoy",
            line: #"{"response_code":503,"response_flags":"RL","upstream_host":null}"#, expected: .proxyError),
        Row(name: "J10 Envoy 404 NR: not a failure", flavour: "envoy",
            line: #"{"response_code":404,"response_flags":"NR","upstream_host":null}"#, expected: nil),
        Row(name: "J11 nginx escape=json retried to 200", flavour: "nginx-json",
            line: #"{"status":200,"upstream_status":"502, 200","upstream_addr":"10.0.0.1:80, 10.0.0.2:80"}"#, expected: .retriedOK),
        Row(name: "J12 a line without upstream keys is judged on its status", flavour: "nginx-json",
            line: #"{"status":503}"#, expected: .upstreamUnavailable),
    ])
    func rows(row: Row) {
        #expect(classify(row.line, row.flavour) == row.expected)
    }

    /// Traefik writes its keys in alphabetical order (`ServiceName` before `ServiceURL`,
    /// `StartUTC` before `time`); either order must give the same record.
    @Test("Traefik: the request's start and the server's URL win over time and ServiceName, in any key order")
    func traefikPreferredKeys() throws {
        let format = try #require(LogFormat.jsonPreset(named: "traefik"))
        let decoder = format.makeDecoder()
        func read(_ line: String) -> (time: Int64, upstream: String) {
            let bytes = Array(line.utf8)
            var record = AccessRecord()
            #expect(bytes.withUnsafeBufferPointer { decoder.parse($0, into: &record) }, "\(line)")
            return (record.time, String(decoding: bytes[Int(record.upstreamAddr.start)..<Int(record.upstreamAddr.end)], as: UTF8.self))
        }
        let start: Int64 = 1_795_170_590 // 2026-11-20T10:29:50Z
        let sorted = #"{"DownstreamStatus":504,"OriginStatus":0,"ServiceName":"shop@docker","ServiceURL":"http://10.0.2.6:80","StartUTC":"2026-11-20T10:29:50Z","time":"2026-11-20T10:30:20Z"}"#
        let reversed = #"{"time":"2026-11-20T10:30:20Z","StartUTC":"2026-11-20T10:29:50Z","ServiceURL":"http://10.0.2.6:80","ServiceName":"shop@docker","DownstreamStatus":504}"#
        for line in [sorted, reversed] {
            let r = read(line)
            #expect(r.time == start)
            #expect(r.upstream == "http://10.0.2.6:80")
        }
        // Without StartUTC (dropped in Traefik's configuration) the entry's time is the request's.
        let noStart = #"{"DownstreamStatus":503,"OriginStatus":0,"ServiceName":"shop@docker","time":"2026-11-20T10:30:20Z"}"#
        let r = read(noStart)
        #expect(r.time == start + 30)
        #expect(r.upstream == "shop@docker")
    }

    /// Caddy's default logger writes `http.log.error` events, with the failed request's
    /// status, into the same stream as the access entries.
    @Test("Caddy: an error logger's event is an other line, not a second request")
    func caddyErrorEvents() throws {
        let access = #"{"level":"error","ts":1763632802.002,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"203.0.113.9","method":"GET","uri":"/api/items/2","proto":"HTTP/1.1","host":"shop"},"duration":0.0012,"size":0,"status":502}"#
        let error = #"{"level":"error","ts":1763632802.001,"logger":"http.log.error.log0","msg":"dial tcp 10.0.0.5:8080: connect: connection refused","request":{"remote_ip":"203.0.113.9","method":"GET","uri":"/api/items/2","proto":"HTTP/1.1","host":"shop"},"duration":0.0011,"status":502,"err_id":"a1b2c3d4e"}"#
        let lines = [access, error, access, error].map { Array($0.utf8) }
        let detected = try FormatDetector.detect(lines, path: "t")
        #expect(detected.format.name == "caddy")
        let decoder = detected.format.makeDecoder()
        var record = AccessRecord()
        #expect(lines[0].withUnsafeBufferPointer { decoder.parse($0, into: &record) })
        #expect(record.status == 502)
        lines[1].withUnsafeBufferPointer { buffer in
            #expect(!decoder.parse(buffer, into: &record))
            #expect(decoder.otherShapeReason(buffer)?.contains("http.log.error") == true)
        }
    }

    @Test("detection picks the flavour that reads the most of each line")
    func detection() throws {
        let caddy = #"{"ts":1795255200.1,"request":{"method":"GET","uri":"/"},"status":200}"#
        let traefik = #"{"DownstreamStatus":200,"OriginStatus":200,"RequestMethod":"GET","RequestPath":"/"}"#
        let envoy = #"{"response_code":200,"response_flags":"-","method":"GET","path":"/"}"#
        let nginx = #"{"status":"200","request":"GET / HTTP/1.1","remote_addr":"1.2.3.4","time_local":"21/Nov/2026:10:00:00 +0000"}"#
        for (line, name) in [(caddy, "caddy"), (traefik, "traefik"), (envoy, "envoy"), (nginx, "nginx-json")] {
            #expect(try FormatDetector.detect([Array(line.utf8)], path: "t").format.name == name)
        }
    }

    @Test("--field maps any JSON shape, dotted paths and all")
    func fieldMapping() throws {
        let format = try LogFormat.json(base: nil, overrides: ["status=resp.code", "request_id=headers.x-req-id", "uri=req.u"])
        let decoder = format.makeDecoder()
        let bytes = Array(#"{"resp":{"code":502},"headers":{"x-req-id":"r-9"},"req":{"u":"/a"}}"#.utf8)
        var record = AccessRecord()
        #expect(bytes.withUnsafeBufferPointer { decoder.parse($0, into: &record) })
        #expect(record.status == 502)
        #expect(throws: TriageError.self) { try LogFormat.json(base: nil, overrides: ["nonsense=x"]) }
        #expect(throws: TriageError.self) { try LogFormat.json(base: nil, overrides: ["status"]) }
    }

    /// Both decoding paths on one line: the flat-object fast path and the general one
    /// must read the same record (or fail the same way).
    func decodeBoth(_ line: String, _ format: LogFormat) -> (ok: Bool, record: AccessRecord, text: (FieldRange) -> String, failure: String) {
        let fast = parse(line, format)
        let bytes = Array(line.utf8)
        let general = JSONRecordDecoder(format: format, fastPath: false)
        var record = AccessRecord()
        let ok = bytes.withUnsafeBufferPointer { general.parse($0, into: &record) }
        #expect(ok == fast.ok)
        #expect(fast.text(record.remoteAddr) == fast.text(fast.record.remoteAddr))
        #expect(fast.text(record.target) == fast.text(fast.record.target))
        #expect(record.requestMicros == fast.record.requestMicros)
        if !ok { #expect(bytes.withUnsafeBufferPointer { general.describeFailure(in: $0) } == fast.failure) }
        return fast
    }

    /// ingress-nginx's `log-format-upstream` JSON example (docs and the gists that copy it):
    /// `"path": "$uri"`, `"request_query": "$args"`, `"vhost": "$host"`, `"remote_addr":
    /// "$proxy_protocol_addr"` (empty without the PROXY protocol), `"x_forwarded_for":
    /// "$proxy_add_x_forwarded_for"`.
    @Test("ingress-nginx's JSON example: path, vhost, request_proto, http_referrer, the forwarded client")
    func ingressNginxExample() throws {
        let line = #"{"time": "2026-11-21T10:00:00+00:00", "remote_addr": "", "x_forwarded_for": "203.0.113.7, 10.0.0.1", "request_id": "9f1c2e", "remote_user": "", "bytes_sent": 612, "request_time": 0.031, "status": 502, "vhost": "shop.example", "request_proto": "HTTP/2.0", "path": "/api/orders/7", "request_query": "x=1", "request_length": 420, "duration": 0.031, "method": "GET", "http_referrer": "https://shop.example/", "http_user_agent": "curl/8.5.0"}"#
        let r = decodeBoth(line, try #require(LogFormat.jsonPreset(named: "nginx-json")))
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.hasValidRequestLine)
        #expect(r.text(r.record.method) == "GET")
        #expect(r.text(r.record.target) == "/api/orders/7")
        #expect(r.text(r.record.host) == "shop.example")
        #expect(r.text(r.record.protocolVersion) == "HTTP/2.0")
        #expect(r.text(r.record.referer) == "https://shop.example/")
        #expect(r.text(r.record.remoteAddr) == "203.0.113.7")
        #expect(r.text(r.record.requestID) == "9f1c2e")
        #expect(r.record.requestMicros == 31_000)
        #expect(try FormatDetector.detect([Array(line.utf8)], path: "t").format.name == "nginx-json")
        // `$request_uri` (path and query) wins over `$uri`, in either order.
        let both = #"{"status":200,"method":"GET","path":"/a","request_uri":"/a?x=1"}"#
        let b = decodeBoth(both, try #require(LogFormat.jsonPreset(named: "nginx-json")))
        #expect(b.text(b.record.target) == "/a?x=1")
    }

    /// Envoy Gateway's default JSON access log (gateway.envoyproxy.io, "Proxy Access Logs").
    @Test("Envoy Gateway's default JSON: x-envoy-origin-path, :authority, the client without its port")
    func envoyGatewayDefault() throws {
        let format = try #require(LogFormat.jsonPreset(named: "envoy"))
        func line(xff: String, remote: String) -> String {
            #"{":authority":"backend:3000","bytes_received":0,"bytes_sent":466,"connection_termination_details":null,"downstream_local_address":"10.244.0.14:3000","downstream_remote_address":"\#(remote)","duration":3,"method":"GET","protocol":"HTTP/1.1","requested_server_name":null,"response_code":503,"response_code_details":"upstream_reset_before_response_started{connection_failure}","response_flags":"UF","route_name":"httproute/default/backend/rule/0/match/0","start_time":"2025-04-09T11:44:45.639Z","upstream_cluster":"httproute/default/backend/rule/0","upstream_host":"10.244.0.13:3000","upstream_local_address":"10.244.0.14:58822","upstream_transport_failure_reason":"delayed connect error: 111","user-agent":"curl/7.88.1","x-envoy-origin-path":"/api/items/2?x=1","x-envoy-upstream-service-time":null,"x-forwarded-for":\#(xff),"x-request-id":"ab1e4da7-5f1d-45ea-bb4a-fa1ccd03b82b"}"#
        }
        let r = decodeBoth(line(xff: "null", remote: "203.0.113.21:40313"), format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.hasValidRequestLine)
        #expect(r.text(r.record.target) == "/api/items/2?x=1")
        #expect(r.text(r.record.host) == "backend:3000")
        #expect(r.text(r.record.userAgent) == "curl/7.88.1")
        #expect(r.text(r.record.requestID) == "ab1e4da7-5f1d-45ea-bb4a-fa1ccd03b82b")
        #expect(r.text(r.record.remoteAddr) == "203.0.113.21")
        #expect(r.record.requestMicros == 3000)
        for (xff, remote, client) in [(#""-""#, "[2001:db8::7]:40313", "2001:db8::7"), (#""""#, "203.0.113.21:40313", "203.0.113.21"),
                                      (#""198.51.100.4,10.0.0.1""#, "10.0.0.1:40313", "198.51.100.4"),
                                      (#""198.51.100.4:5100, 10.0.0.1""#, "10.0.0.1:40313", "198.51.100.4"),
                                      (#""2001:db8::9""#, "10.0.0.1:40313", "2001:db8::9")] {
            let r = decodeBoth(line(xff: xff, remote: remote), format)
            #expect(r.text(r.record.remoteAddr) == client, "\(xff) \(remote)")
        }
        #expect(try FormatDetector.detect([Array(line(xff: "null", remote: "203.0.113.21:40313").utf8)], path: "t").format.name == "envoy")
    }

    /// Istio's JSON encoding (meshConfig accessLogEncoding: JSON): X-Forwarded-For first,
    /// whichever key comes first on the line.
    @Test("Istio JSON: the client is X-Forwarded-For's first address, else the connection's without its port")
    func istioClient() throws {
        let format = try #require(LogFormat.jsonPreset(named: "envoy"))
        let forwarded = #"{"downstream_remote_address":"10.0.0.9:51234","x_forwarded_for":"198.51.100.4, 10.0.0.1","authority":"shop","path":"/a","method":"GET","response_code":502,"response_flags":"UF"}"#
        let reversed = #"{"x_forwarded_for":"198.51.100.4","response_code":502,"downstream_remote_address":"10.0.0.9:51234","path":"/a","method":"GET"}"#
        let direct = #"{"downstream_remote_address":"10.0.0.9:51234","x_forwarded_for":null,"authority":"shop","path":"/a","method":"GET","response_code":502}"#
        let f = decodeBoth(forwarded, format)
        #expect(f.text(f.record.remoteAddr) == "198.51.100.4")
        let r = decodeBoth(reversed, format)
        #expect(r.text(r.record.remoteAddr) == "198.51.100.4")
        let d = decodeBoth(direct, format)
        #expect(d.text(d.record.remoteAddr) == "10.0.0.9")
        // A list in an address field keeps its first element, as the text parser does.
        let nginx = decodeBoth(#"{"status":502,"remote_addr":"203.0.113.9, 10.0.0.1","request":"GET / HTTP/1.1"}"#,
                               try #require(LogFormat.jsonPreset(named: "nginx-json")))
        #expect(nginx.text(nginx.record.remoteAddr) == "203.0.113.9")
    }

    /// Caddy's `duration_format string` and a Cloud Logging `httpRequest.latency` write a
    /// duration with its unit; a value that is no duration leaves it unknown.
    @Test("durations written as strings with a unit are read; an unreadable one leaves the duration unknown, the line read")
    func durationStrings() throws {
        let caddy = try #require(LogFormat.jsonPreset(named: "caddy"))
        for (value, micros) in [(#""12.345ms""#, Int64(12_345)), (#""1m2.5s""#, 62_500_000), (#""0.5""#, 500_000),
                                ("1.5e-05", 15), ("0.25", 250_000), (#""-""#, -1)] {
            let r = decodeBoth(#"{"ts":1795255200.25,"request":{"method":"GET","uri":"/a"},"duration":\#(value),"status":502}"#, caddy)
            #expect(r.ok, "\(r.failure)")
            #expect(r.record.requestMicros == micros, "\(value)")
        }
        let gcp = try LogFormat.json(base: nil, overrides: ["status=httpRequest.status", "duration=httpRequest.latency"])
        let g = decodeBoth(#"{"httpRequest":{"status":503,"latency":"0.012345s"}}"#, gcp)
        #expect(g.record.requestMicros == 12_345)
        let nginx = try #require(LogFormat.jsonPreset(named: "nginx-json"))
        let ms = decodeBoth(#"{"status":502,"request":"GET / HTTP/1.1","request_time":"1m0.002s"}"#, nginx)
        #expect(ms.record.requestMicros == 60_002_000)
        // A text no duration reads (a .NET TimeSpan) is not worth rejecting the line: every line
        // of the input may carry one, and the input would be skipped.
        for value in [#""abc""#, #""00:00:00.0123""#] {
            let bad = decodeBoth(#"{"status":502,"request":"GET / HTTP/1.1","request_time":\#(value)}"#, nginx)
            #expect(bad.ok, "\(bad.failure)")
            #expect(bad.record.requestMicros == -1)
        }
        // A generic `duration` key is no nginx field (it may be milliseconds): not read as seconds.
        let generic = decodeBoth(#"{"status":502,"request":"GET / HTTP/1.1","duration":12}"#, nginx)
        #expect(generic.ok && generic.record.requestMicros == -1)
    }

    /// One bad value in an nginx JSON file (a month 13) once made `caddy`, which reads only the
    /// shared `status` key, match more lines: the flavour whose keys the lines have must win.
    @Test("detection: one damaged line does not hand an nginx JSON file to a flavour that reads only its status")
    func detectionWithDamagedLine() throws {
        var lines: [[UInt8]] = []
        for i in 0..<30 {
            let time = i == 3 ? "2024-13-45T99:00:00+00:00" : "2024-10-10T13:55:\(String(format: "%02d", i))+00:00"
            lines.append(Array(#"{"time_iso8601": "\#(time)", "remote_addr": "10.0.0.1", "request": "GET /a HTTP/1.1", "status": "\#(i % 5 == 0 ? 502 : 200)", "body_bytes_sent": "5", "request_time": "0.001", "upstream_addr": "10.1.1.1:80", "upstream_status": "200", "upstream_response_time": "0.001", "http_user_agent": "curl"}"#.utf8))
        }
        let detected = try FormatDetector.detect(lines, path: "t")
        #expect(detected.format.name == "nginx-json", "\(detected.reason)")
        #expect(detected.matched == 29)
        let r = parse(String(decoding: lines[3], as: UTF8.self), detected.format)
        #expect(!r.ok)
        #expect(r.failure.contains("field time_iso8601"), "\(r.failure)")
        // A Caddy file with one bad `ts` stays Caddy's.
        var caddy: [[UInt8]] = []
        for i in 0..<10 {
            let ts = i == 2 ? #""yesterday""# : "1795255200.\(i)"
            caddy.append(Array(#"{"level":"info","ts":\#(ts),"logger":"http.log.access","request":{"remote_ip":"203.0.113.9","method":"GET","uri":"/a"},"duration":0.5,"size":12,"status":200}"#.utf8))
        }
        #expect(try FormatDetector.detect(caddy, path: "t").format.name == "caddy")
    }
}
