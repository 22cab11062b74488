import Testing
@testable import TriageCore

/// The flat-object fast path must decode every line exactly as the general
/// scanner does: the same verdict, the same record, the same failure message.
@Suite struct JSONFlatScannerTests {
    static let lines: [String] = [
        #"{"time_iso8601":"2026-11-21T10:00:00+00:00","remote_addr":"203.0.113.9","request":"GET /api/orders/7?x=1 HTTP/1.1","status": 502,"body_bytes_sent": 157,"request_time":"0.001","http_user_agent":"curl/8.5.0","upstream_status":"502","upstream_addr":"10.0.1.13:8080","request_id":"abc"}"#,
        // Escaped quotes and backslashes inside values and keys, across 16-byte blocks.
        #"{"http_user_agent":"Mozilla \"quoted\" \\ back\\slash and a long tail to cross the sixteen-byte blocks \"","status":500,"request":"GET / HTTP/1.1"}"#,
        #"{"sta\u0074us":500,"status":"503","request":"POST /x HTTP/2.0","http_referer":"caf\u00e9 \ud83d\ude00"}"#,
        // null, empty, "-" values; booleans; negative and exponent numbers.
        #"{"status":200,"request_id":null,"remote_addr":"","upstream_addr":"-","cache":true,"gzip":false,"x":-1.5e+3,"request_time":1e-3}"#,
        // Duplicate keys: the last wins on both paths.
        #"{"status":200,"status":504,"request":"GET /a HTTP/1.1","request":"GET /b HTTP/1.1"}"#,
        // Whitespace everywhere JSON allows it, a prefix, trailing blanks.
        "caddy  | { \"status\" : 404 ,\t\"request\" :\"GET /c HTTP/1.1\" }  \t",
        "{}",
        "{ }",
        // Nested values: the fast path gives way to the general scanner.
        #"{"status":502,"upstream":{"addr":"10.0.0.1:80","status":"502"},"request":"GET / HTTP/1.1"}"#,
        #"{"status":502,"tags":["a","b"]}"#,
        // Failures: each must be explained the same way.
        #"{"request":"GET / HTTP/1.1"}"#,
        #"{"status":"abc","request":"GET / HTTP/1.1"}"#,
        #"{"status":1500}"#,
        #"{"status":500,"time_iso8601":"yesterday"}"#,
        #"{"status":500,"request":"GET / HTTP/1.1"} trailing"#,
        #"{"status":500,"request":"unterminated"#,
        "{\"status\":500,\"request\":\"raw\ttab\"}",
        #"{"status":500,,"request":"x"}"#,
        #"{"status":500 "request":"x"}"#,
        #"{"status":tru}"#,
        #"{"status":-}"#,
        #"{"status":500,"x":nul"#,
        #"{"status":500,"x":"ends in a backslash\"#,
        // ingress-nginx's example keys; a forwarded client before and after the connection's.
        #"{"time": "2026-11-21T10:00:00+00:00", "remote_addr": "", "x_forwarded_for": "203.0.113.7, 10.0.0.1", "status": 502, "vhost": "shop", "request_proto": "HTTP/1.1", "path": "/a", "request_query": "x=1", "duration": 0.031, "method": "GET", "http_referrer": "-"}"#,
        #"{"x-forwarded-for":"198.51.100.4:5100","downstream_remote_address":"[2001:db8::7]:40313","response_code":503,":authority":"b","x-envoy-origin-path":"/i","method":"GET","user-agent":"curl"}"#,
        #"{"downstream_remote_address":"203.0.113.21:40313","x_forwarded_for":"-","response_code":503,"path":"/i","method":"GET"}"#,
        #"{"downstream_remote_address":"203.0.113.21:40313","x-forwarded-for":"2001:db8::9, 10.0.0.1","response_code":503}"#,
        #"{"status":502,"remote_addr":"203.0.113.9,10.0.0.1","request":"GET / HTTP/1.1"}"#,
        // Durations with units, and one that is no duration.
        #"{"status":502,"request_time":"1m0.002s","duration":"12.5ms","Duration":"300ns","response_code":503}"#,
        #"{"status":502,"request_time":"500µs","response_code":503,"duration":"2m0s"}"#,
        #"{"status":502,"request_time":"abc","response_code":503,"duration":"1d"}"#,
        "no object here",
        #"{"status":"#,
        #"{"#,
    ]

    func decode(_ line: String, _ format: LogFormat) -> String {
        let r = parse(line, format)
        return "\(r.ok) \(r.record) \(r.failure)"
    }

    @Test("fast and general JSON paths give identical records and failures, for every flat preset")
    func sameRecords() {
        for name in ["nginx-json", "traefik", "envoy", "json"] {
            guard var fast = LogFormat.jsonPreset(named: name) else {
                Issue.record("no preset \(name)")
                continue
            }
            fast.jsonFlatFastPath = true
            var slow = fast
            slow.jsonFlatFastPath = false
            for line in Self.lines {
                #expect(decode(line, fast) == decode(line, slow), "\(name): \(line)")
            }
        }
    }

    @Test("the fast path decodes the fields a flat nginx escape=json line carries")
    func decodesFlatLine() {
        guard let format = LogFormat.jsonPreset(named: "nginx-json") else { return }
        let r = parse(Self.lines[0], format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 502)
        #expect(r.record.bytesSent == 157)
        #expect(r.text(r.record.upstreamAddr) == "10.0.1.13:8080")
        #expect(r.text(r.record.target) == "/api/orders/7?x=1")
        #expect(r.text(r.record.userAgent) == "curl/8.5.0")
    }

    @Test("keys are matched by length, first and last 8 bytes, and the middle of long keys")
    func keyTable() {
        let keys = JSONFlatKeys(keys: ["status", "upstream_status", "upstream_statuz", "a", "upstream_response_time",
                                       "request_i", "exactly_sixteen!"].map { Array($0.utf8) })
        func find(_ key: String) -> Int? {
            let bytes = Array(key.utf8)
            return bytes.withUnsafeBufferPointer { keys.find($0, 0, $0.count) }
        }
        #expect(find("status") == 0)
        #expect(find("upstream_status") == 1)
        #expect(find("upstream_statuz") == 2)
        #expect(find("upstream_statux") == nil)
        #expect(find("statu") == nil)
        #expect(find("a") == 3)
        #expect(find("b") == nil)
        // Longer than 16: the same first and last 8 bytes, a different middle.
        #expect(find("upstream_response_time") == 4)
        #expect(find("upstream_rXsponse_time") == nil)
        #expect(find("upstream_response_tima") == nil)
        // 9 bytes: the two words overlap.
        #expect(find("request_i") == 5)
        #expect(find("request_j") == nil)
        #expect(find("Request_i") == nil)
        #expect(find("exactly_sixteen!") == 6)
        #expect(find("exactly_Sixteen!") == nil)
    }
}
