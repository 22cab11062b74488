import Foundation
import Testing
@testable import TriageCore

/// Fields after a preset's last one: read once from the sample, by key name or by shape.
@Suite struct TailInferenceTests {
    static let head = #"10.0.0.1 - - [20/Nov/2026:10:00:07 +0000] "GET /api/orders/1 HTTP/1.1" 200 2396 "-" "curl/8""#
    static let head503 = #"10.0.0.2 - - [20/Nov/2026:10:00:08 +0000] "GET /api/orders/2 HTTP/1.1" 503 0 "-" "curl/8""#

    func sample(_ lines: [String]) -> [[UInt8]] { lines.map { Array($0.utf8) } }

    func detect(_ lines: [String]) throws -> FormatDetector.Result {
        try FormatDetector.detect(sample(lines), path: "t")
    }

    /// Parses `line` with `format`; the text of a range.
    func read(_ line: String, _ format: LogFormat) -> (record: AccessRecord, text: (FieldRange) -> String)? {
        let r = parse(line, format)
        return r.ok ? (r.record, r.text) : nil
    }

    @Test("a key=value tail is read by key name, in any order, quoted or not, lists included")
    func keyValueTail() throws {
        let lines = [
            Self.head + " request_id=6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f upstream_status=502, 200 request_time=0.100 upstream_addr=10.0.1.1:80, 10.0.1.2:80 upstream_response_time=0.050, 0.050",
            Self.head503 + " request_id=6b14c0a8e3f14d2b9e6f0a1b2c3d4e50 upstream_status=- request_time=0.000 upstream_addr=- upstream_response_time=-",
        ]
        let result = try detect(lines)
        #expect(result.format.name == "combined+tail")
        #expect(result.format.hasUpstreamFields)
        #expect(result.format.hasRequestID)
        #expect(result.tail?.unknown.isEmpty == true)
        let r = try #require(read(lines[0], result.format))
        #expect(r.text(r.record.upstreamStatus) == "502, 200")
        #expect(r.text(r.record.upstreamAddr) == "10.0.1.1:80, 10.0.1.2:80")
        #expect(r.text(r.record.requestID) == "6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f")
        #expect(r.record.requestMicros == 100_000)
        #expect(!r.record.hasTrailingText)
    }

    @Test("Apache's %{UNIQUE_ID}e after combined (24 characters of [A-Za-z0-9@-]) is the request ID")
    func apacheUniqueID() throws {
        let lines = [Self.head + " ZdMh3n8AAQEAAB2dL5oAAAAE 2417",
                     Self.head503 + " ZdMh3n8AAQEAAB2dL5oAAAAF 61032",
                     Self.head + " Xr@Kq0H8AAQEAAGqa-UEAAA7 530"]
        let result = try detect(lines)
        #expect(result.format.name == "combined+tail")
        #expect(result.format.hasRequestID)
        let r = try #require(read(lines[1], result.format))
        #expect(r.text(r.record.requestID) == "ZdMh3n8AAQEAAB2dL5oAAAAF")
        // One case only, or no digit: not an ID.
        #expect(TailInference.shape("AAAAAAAAAAAAAAAAAAAAAAAA"[...]) != .uniqueID)
        #expect(TailInference.shape("mozilla5compatiblewindow"[...]) != .uniqueID)
    }

    @Test("a tail's server= names the server that wrote the line: not read as an upstream host")
    func serverKeyIsNotUpstream() throws {
        let lines = [Self.head + " server=web01 request_id=6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f",
                     Self.head503 + " server=web01 request_id=6b14c0a8e3f14d2b9e6f0a1b2c3d4e50"]
        let result = try detect(lines)
        #expect(result.format.name == "combined+tail")
        #expect(!result.format.hasUpstreamFields)
        let r = try #require(read(lines[1], result.format))
        #expect(!r.record.upstreamHost.isPresent)
        #expect(r.text(r.record.requestID) == "6b14c0a8e3f14d2b9e6f0a1b2c3d4e50")
    }

    @Test("one line of the preset alone among lines with the tail: the tail is still read, and that line too")
    func presetLineAmongTails() throws {
        // A server-wide `combined` access_log (health checks) and a site's `upstream` one in one file.
        var lines = (0..<29).map { k in
            #"10.0.0.\#(k) - - [20/Nov/2026:10:00:\#(10 + k) +0000] "GET /api/orders/\#(k) HTTP/1.1" 200 2396 "-" "curl/8" rt=0.010 uct="0.001" uht="0.010" urt="0.010" us="200" ua="10.0.1.1:80" rid=6b14c0a8e3f14d2b9e6f0a1b2c3d4e\#(10 + k)"#
        }
        lines.append(#"10.0.0.99 - - [20/Nov/2026:10:00:45 +0000] "GET /api/x HTTP/1.1" 503 0 "-" "curl/8" rt=0.000 uct="-" uht="-" urt="-" us="-" ua="-" rid=6b14c0a8e3f14d2b9e6f0a1b2c3d4e99"#)
        lines.append(#"10.0.0.2 - - [20/Nov/2026:10:00:50 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29""#)
        let result = try detect(lines)
        #expect(result.format.name == "combined+tail")
        #expect(result.format.hasUpstreamFields)
        #expect(result.format.withoutTail.map(\.name) == ["combined"])

        // Read as a user would: every line a request, the limit_req 503 the proxy's own.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString).log").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = Analyzer(options: AnalysisOptions()).run(paths: [path]).summary
        #expect(s.requests == 31)
        #expect(s.malformedLines == 0)
        #expect(s.classes[.proxyError] == 1)
    }

    @Test("the short names (rt uct uht urt us ua rid) in another order than the upstream preset")
    func shortNamesReordered() throws {
        let lines = [Self.head + #" rid=6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f us="200" ua="10.0.1.11:8080" rt=0.045 uct="0.000" urt="0.044""#]
        let result = try detect(lines)
        #expect(result.format.name == "combined+tail")
        let r = try #require(read(lines[0], result.format))
        #expect(r.text(r.record.upstreamStatus) == "200")
        #expect(r.text(r.record.upstreamConnectTime) == "0.000")
        #expect(r.text(r.record.upstreamResponseTime) == "0.044")
        #expect(r.record.requestMicros == 45_000)
    }

    @Test("NGINX Amplify main_ext: XFF, host, server name, upstream fields and cache status")
    func amplifyMainExt() throws {
        let line = Self.head + #" "1.2.3.4, 5.6.7.8" "shop.example.com" sn="shop.example.com" rt=0.045 ua="10.0.1.11:8080" us="502" ut="0.044" ul="150" cs=MISS"#
        let result = try detect([line])
        #expect(result.format.name == "main+tail")
        #expect(result.tail?.unknown.isEmpty == true)
        let r = try #require(read(line, result.format))
        #expect(r.text(r.record.host) == "shop.example.com")
        #expect(r.text(r.record.upstreamStatus) == "502")
        #expect(r.text(r.record.upstreamAddr) == "10.0.1.11:8080")
    }

    @Test("Apache combined + %D + %{X-Request-ID}i is read by shape and spelled in Apache's syntax")
    func apacheMicrosAndRequestID() throws {
        let lines = [
            Self.head + " 37159 29b09826-f8b3-445c-ac5d-b4974654b0cb",
            Self.head503 + " 230203 5eb6ee26-f8b6-4c2c-bffe-498bab4303db",
        ]
        let result = try detect(lines)
        #expect(result.format.dialect == .apache)
        #expect(result.format.definition.hasSuffix(#"%D %{X-Request-ID}i"#))
        #expect(result.format.servers.contains(.apache))
        #expect(!result.format.servers.contains(.nginx))
        let r = try #require(read(lines[0], result.format))
        #expect(r.record.requestMicros == 37159)
        #expect(r.text(r.record.requestID) == "29b09826-f8b3-445c-ac5d-b4974654b0cb")
    }

    @Test("Tomcat AccessLogValve common + %D is read as Apache's shape; Tomcat's config speaks in the hints")
    func tomcatCommonWithDuration() throws {
        let lines = [
            #"192.0.2.4 - - [20/Nov/2026:10:00:07 +0000] "GET /shop/cart HTTP/1.1" 200 5120 18342"#,
            #"192.0.2.5 - alice [20/Nov/2026:10:00:08 +0000] "POST /shop/order HTTP/1.1" 500 - 912377"#,
        ]
        let result = try detect(lines)
        #expect(result.format.definition == #"%h %l %u %t "%r" %>s %b %D"#)
        #expect(result.format.servers.contains(.tomcat))
        #expect(ConfigHints.requestID(.tomcat)?.contains("AccessLogValve") == true)
        let r = try #require(read(lines[1], result.format))
        #expect(r.record.status == 500)
        #expect(r.record.requestMicros == 912_377)
    }

    @Test("an integer that is mostly 0 is %T (whole seconds), not %D")
    func wholeSeconds() throws {
        let lines = (0..<8).map { Self.head + " \($0 == 3 ? 2 : 0)" }
        let result = try detect(lines)
        #expect(result.format.definition.hasSuffix(" %T"))
        #expect(read(lines[3], result.format)?.record.requestMicros == 2_000_000)
    }

    @Test("%T with few distinct values (0, 1, 60) over many lines is whole seconds, not a port")
    func wholeSecondsNotPort() throws {
        let lines = (0..<20).map { Self.head + " \([0, 1, 0, 60, 0][$0 % 5])" }
        let result = try detect(lines)
        #expect(result.format.definition.hasSuffix(" %T"), "\(result.format.definition)")
        #expect(read(lines[3], result.format)?.record.requestMicros == 60_000_000)
    }

    @Test("a quoted request ID after combined is the request ID, not main's X-Forwarded-For")
    func quotedRequestIDIsNotForwardedFor() throws {
        for id in ["0123456789abcdef0123456789abcdef", "6f1c2a34-9b7e-4d2a-8c11-0e5f3b2a9d10"] {
            let lines = [Self.head + " \"\(id)\"", Self.head503 + " \"\(id)\" 1.043"]
            for sample in [[lines[0]], [lines[1]]] {
                let result = try detect(sample)
                #expect(result.format.name == "combined+tail", "\(sample)")
                let r = try #require(read(sample[0], result.format))
                #expect(r.text(r.record.requestID) == id)
            }
        }
        // Addresses there are still main's X-Forwarded-For.
        #expect(try detect([Self.head + #" "198.51.100.7, 10.0.0.1""#]).format.name == "main")
    }

    @Test("a decimal after combined is the request time; a 32-hex token the request ID")
    func decimalAndHex() throws {
        let line = Self.head + " 0.123 0123456789abcdef0123456789abcdef"
        let result = try detect([line])
        #expect(result.format.dialect == .nginx)
        let r = try #require(read(line, result.format))
        #expect(r.record.requestMicros == 123_000)
        #expect(r.text(r.record.requestID) == "0123456789abcdef0123456789abcdef")
    }

    @Test("an integer after combined: whole seconds (%T), milliseconds when many are under 10 (%{ms}T), else µs (%D)", arguments: [
        (["0", "0", "1", "0", "2"], 2_000_000, "%T"), (["3", "1", "30001", "12", "0"], 30_001_000, "%{ms}T"),
        (["2417", "61032", "530", "30001000", "880"], 30_001_000, "%D"),
    ])
    func integerDuration(values: [String], slowest: Int64, directive: String) throws {
        let lines = values.map { Self.head503 + " " + $0 }
        let result = try detect(lines)
        #expect(result.format.dialect == .apache)
        #expect(result.format.definition.hasSuffix(" " + directive))
        let durations = lines.compactMap { read($0, result.format)?.record.requestMicros }
        #expect(durations.max() == slowest)
    }

    @Test("two integers after combined: %T then %D when the first is whole seconds; else (combinedio's %I %O) neither is a duration")
    func twoIntegers() throws {
        let timed = [Self.head503 + " 0 621729", Self.head + " 2 2137058", Self.head + " 0 98000"]
        let t = try detect(timed)
        #expect(t.format.definition.hasSuffix(" %T %D"))
        #expect(read(timed[1], t.format)?.record.requestMicros == 2_137_058)
        // Bytes in and out: 393 must not become 393 µs of latency.
        let io = [Self.head503 + " 393 1890", Self.head + " 412 2610", Self.head + " 388 9100"]
        let b = try detect(io)
        #expect(b.format.name == "combined+tail")
        #expect(read(io[0], b.format)?.record.requestMicros == -1)
        #expect(b.tail?.unknown.count == 2)
    }

    @Test("a positional field with no known meaning is read as a placeholder and reported with the --log-format to fill in")
    func unknownPositional() throws {
        let line = Self.head + " 0.123 blue"
        let result = try detect([line])
        let tail = try #require(result.tail)
        #expect(tail.unknown.map(\.name) == ["$field2"])
        #expect(tail.unknown.first?.example == "blue")
        #expect(tail.suggestion?.hasSuffix("$request_time $field2") == true)
        #expect(read(line, result.format)?.record.hasTrailingText == false)
    }

    @Test("two tail shapes met as often: the one met first is suggested, the same on every run (no dictionary order)")
    func tiedShapesFirstMet() throws {
        let common = try #require(LogFormat.preset(named: "common"))
        let two = #"10.0.0.1 - - [20/Nov/2026:10:00:07 +0000] "GET / HTTP/1.1" 404 209 "-" "Firefox/50.0""#
        let three = #"10.0.0.2 - - [20/Nov/2026:10:00:08 +0000] "GET /s HTTP/1.1" 200 612 "-" "Firefox/15.0" "-""#
        for lines in [[two, three, three, two], [three, two, two, three]] {
            var suggestions: Set<String> = []
            for _ in 0..<30 {
                // A new dictionary each time: its order changes from one to the next.
                let outcome = try #require(TailInference.infer(base: common, sample: sample(lines)))
                suggestions.insert(outcome.suggestion ?? "none")
            }
            #expect(suggestions.count == 1)
            let quoted = lines[0] == two ? 2 : 3
            #expect(suggestions.first?.components(separatedBy: "\"").count == 2 * (1 + quoted) + 1,
                    "\(suggestions)")
        }
    }

    @Test("the inferred format runs the shared field program, and its definition compiles to the same format")
    func sameProgram() throws {
        let line = Self.head + #" rt=0.045 us="200" rid=6b14c0a8e3f14d2b9e6f0a1b2c3d4e5f"#
        let result = try detect([line])
        #expect(result.candidate.makeDecoder() is RecordParser)
        let suggestion = try #require(result.tail?.suggestion)
        let again = try LogFormat.parse(specification: suggestion)
        #expect(again.elements == result.format.elements)
    }
}

/// A field before the preset, and tails read by place.
@Suite struct PrefixAndPlaceTests {
    func sample(_ lines: [String]) -> [[UInt8]] { lines.map { Array($0.utf8) } }

    @Test("a leading $server_addr, empty on some lines, before combined; a port after it")
    func leadingServerAddress() throws {
        let lines = (0..<20).map { i in
            (i % 3 == 0 ? "" : "192.0.2.10") + #" 198.51.100.\#(i) - - [20/Nov/2026:06:27:07 +0000] "GET / HTTP/1.1" 403 208 "-" "-" \#(i % 2 == 0 ? 80 : 443)"#
        }
        let result = try FormatDetector.detect(sample(lines), path: "t")
        #expect(result.format.name == "combined+prefix+tail")
        #expect(result.format.definition.hasPrefix("$server_addr $remote_addr"))
        #expect(result.format.definition.hasSuffix(" $server_port"))
        let r = parse(lines[0], result.format)
        #expect(r.ok)
        #expect(r.text(r.record.remoteAddr) == "198.51.100.0")
        #expect(r.record.requestMicros == -1)
    }

    @Test("common + $request_length $request_time + referer and agent, with a masked client")
    func lengthTimeThenRefererAgent() throws {
        let line = #"203.0.***.7 - - [07/Jun/2026:11:02:16 +0430] "GET / HTTP/1.1" 400 166 0 0.250 "-" "curl/8""#
        let result = try FormatDetector.detect(sample([line]), path: "t")
        #expect(result.format.definition.hasSuffix(#"$body_bytes_sent $request_length $request_time "$http_referer" "$http_user_agent""#))
        let r = parse(line, result.format)
        #expect(r.record.requestMicros == 250_000)
        #expect(r.text(r.record.userAgent) == "curl/8")
    }
}

/// Detection never bends another format's line to fit, and reads files that mix shapes.
@Suite struct DetectionHonestyTests {
    func sample(_ lines: [String]) -> [[UInt8]] { lines.map { Array($0.utf8) } }

    static let haproxy = [
        #"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#,
        #"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 503 2750 - - SC-- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#,
    ]
    static let oldIngress = #"10.0.0.1 - [10.0.0.1] - - [20/Nov/2026:10:00:07 +0000] "GET /a HTTP/1.1" 502 150 "-" "curl/8" 345 0.045 [default-web-80] 10.0.1.11:8080, 10.0.1.12:8080 0, 150 0.001, 0.044 502, 502 6b14c0a8e3f14d2b9e6f0a1b2c3d4e5e"#

    @Test("HAProxy httplog lines are never read as vhost_combined (a token field never takes spaces or brackets)")
    func haproxyIsNotVhostCombined() {
        for line in Self.haproxy {
            #expect(!parse(line, preset("vhost_combined")).ok, "\(line)")
            #expect(!parse(line, preset("common")).ok, "\(line)")
            let name = (try? FormatDetector.detect(sample([line]), path: "t"))?.format.name
            #expect(name != "vhost_combined" && name != "common")
        }
    }

    @Test("the old ingress-nginx default (- [$the_real_ip] -) is read as itself, never as common")
    func oldIngress() throws {
        #expect(!parse(Self.oldIngress, preset("common")).ok)
        let result = try FormatDetector.detect(sample([Self.oldIngress]), path: "t")
        #expect(result.format.name.hasPrefix("upstreaminfo-0.24"))
        let r = parse(Self.oldIngress, result.format)
        #expect(r.ok)
        #expect(r.text(r.record.upstreamStatus) == "502, 502")
        #expect(r.text(r.record.requestID) == "6b14c0a8e3f14d2b9e6f0a1b2c3d4e5e")
        let withAlternative = Self.oldIngress.replacingOccurrences(of: "[default-web-80]", with: "[default-web-80] []")
        #expect(try FormatDetector.detect(sample([withAlternative]), path: "t").format.name.hasPrefix("upstreaminfo-0.25"))
    }

    @Test("a file mostly of other lines is still read when three sample lines fit")
    func mixedShapes() throws {
        let access = #"10.0.0.1 - - [20/Nov/2026:10:00:07 +0000] "GET / HTTP/1.1" 502 150 "-" "curl/8""#
        let other = "2026/11/20 10:00:07 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream"
        let lines = [other, other, access, other, other, access, other, other, access]
        #expect(try FormatDetector.detect(sample(lines), path: "t").format.name == "combined")
        #expect(throws: TriageError.self) { try FormatDetector.detect(sample([other, other, access, other]), path: "t") }
    }

    @Test("a given format that fits one sample line reads the file")
    func givenFormatFitsSome() throws {
        let format = try LogFormat.nginx(#"$remote_addr [$time_local] $status"#)
        let lines = ["noise", "10.0.0.1 [20/Nov/2026:10:00:07 +0000] 502", "noise", "noise"]
        let result = try FormatDetector.detect(sample(lines), candidates: [format], path: "t", isGiven: true)
        #expect(result.matched == 1)
    }
}
