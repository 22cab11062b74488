import Testing
@testable import TriageCore

/// Envoy's default text format and Istio's, read with the same response-flag rows as Envoy's JSON.
@Suite struct EnvoyTextFormatTests {
    static let envoyLine = #"[2019-02-12T18:37:42.921Z] "GET /httpbin/ip HTTP/1.1" 503 UF,URX 0 43 217 - "172.17.0.5" "curl/7.59.0" "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" "httpbin.org" "52.87.35.92:80""#
    static let istioLine = #"[2022-09-01T13:15:57.905Z] "GET /productpage HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "10.128.0.60" "Mozilla/5.0 (X11)" "7c20db9a-f48b" "35.232.196.88" "-" outbound|9080||productpage.default.svc.cluster.local - 10.124.2.10:8080 10.128.0.60:0 - default"#

    func preset(_ name: String) throws -> LogFormat { try #require(LogFormat.preset(named: name)) }

    @Test("Envoy's default text line is read field by field")
    func envoyDefault() throws {
        let r = parse(Self.envoyLine, try preset("envoy-text"))
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 503)
        #expect(r.text(r.record.proxyFlags) == "UF,URX")
        #expect(r.text(r.record.requestID) == "c62ec130-6dee-4f3b-a52b-4f0d1312d89d")
        #expect(r.text(r.record.upstreamAddr) == "52.87.35.92:80")
        #expect(r.text(r.record.host) == "httpbin.org")
        #expect(r.text(r.record.remoteAddr) == "172.17.0.5")
        #expect(r.record.requestMicros == 217_000)
        #expect(r.record.time == 1_549_996_662)
    }

    @Test("Istio's default line, with an empty route and a status 0")
    func istio() throws {
        let r = parse(Self.istioLine, try preset("istio"))
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.proxyFlags) == "UH")
        let zero = parse(#"[2022-09-01T13:08:55.358Z] "GET /productpage HTTP/1.1" 0 DC downstream_remote_disconnect - "-" 0 0 746 - "10.128.0.60" "curl" "2dc64" "35.232.196.88" "10.124.2.8:9080" outbound|9080||productpage - 10.124.2.10:8080 10.128.0.60:0 - default"#, try preset("istio"))
        #expect(zero.ok, "\(zero.failure)")
        #expect(zero.record.status == 0)
    }

    @Test("the client is X-Forwarded-For's first address, else Istio's downstream remote address without its port")
    func client() throws {
        let list = Self.envoyLine.replacingOccurrences(of: #""172.17.0.5""#, with: #""203.0.113.22,10.0.0.1""#)
        let r = parse(list, try preset("envoy-text"))
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.remoteAddr) == "203.0.113.22")
        let spaced = parse(Self.envoyLine.replacingOccurrences(of: #""172.17.0.5""#, with: #""203.0.113.23, 10.0.0.1""#),
                           try preset("envoy-text"))
        #expect(spaced.text(spaced.record.remoteAddr) == "203.0.113.23")
        // A sidecar's mesh traffic has no X-Forwarded-For: the caller is the downstream address.
        let mesh = Self.istioLine.replacingOccurrences(of: #""10.128.0.60""#, with: #""-""#)
        let m = parse(mesh, try preset("istio"))
        #expect(m.ok, "\(m.failure)")
        #expect(m.text(m.record.remoteAddr) == "10.128.0.60")
        let v6 = parse(mesh.replacingOccurrences(of: "10.128.0.60:0", with: "[fd00::9]:5557"), try preset("istio"))
        #expect(v6.text(v6.record.remoteAddr) == "fd00::9")
        // With an X-Forwarded-For, the tail's address does not replace it.
        let x = parse(Self.istioLine.replacingOccurrences(of: "10.128.0.60:0", with: "10.0.0.9:5555"), try preset("istio"))
        #expect(x.text(x.record.remoteAddr) == "10.128.0.60")
    }

    @Test("operators appended to Envoy's default format are left unread, not read into the upstream host", arguments: [
        #" "x-tag""#, " abc 12",
    ])
    func appendedOperators(tail: String) throws {
        let line = Self.envoyLine + tail
        let result = try FormatDetector.detect([Array(line.utf8)], path: "t")
        #expect(result.format.name == "envoy-text")
        let r = parse(line, result.format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.upstreamAddr) == "52.87.35.92:80")
        #expect(r.text(r.record.proxyFlags) == "UF,URX")
        #expect(r.record.hasTrailingText)
    }

    @Test("detected without options, also behind an ACCESS prefix in a Kubernetes JSON wrapper")
    func detection() throws {
        #expect(try FormatDetector.detect([Array(Self.envoyLine.utf8)], path: "t").format.name == "envoy-text")
        #expect(try FormatDetector.detect([Array(Self.istioLine.utf8)], path: "t").format.name == "istio")
        let escaped = Self.envoyLine.replacingOccurrences(of: "\"", with: "\\\"")
        let wrapped = #"{"log":"ACCESS "# + escaped + #"\n","stream":"stdout","time":"2019-02-12T18:37:43.139620629Z"}"#
        let result = try FormatDetector.detect([Array(wrapped.utf8)], path: "t")
        #expect(result.format.name == "envoy-text")
        #expect(result.format.envelope == .dockerJSON)
    }

    @Test("text flags go through the same facts as JSON flags", arguments: [
        ("503", "UH", FailureClass?.some(.upstreamUnavailable)), ("503", "UF,URX", .upstreamUnreachable),
        ("504", "UT", .upstreamTimeout), ("503", "UO", .upstreamUnavailable), ("0", "DC", .clientClosed),
        ("503", "UC", .upstreamUnreachable), ("429", "RL", nil),
        ("503", "RL", .proxyError), ("503", "LR", .proxyError), ("404", "NR", nil), ("500", "-", .originError),
        // %RESPONSE_FLAGS_LONG%'s names: the same facts.
        ("503", "NoHealthyUpstream", .upstreamUnavailable),
        ("503", "UpstreamConnectionFailure,UpstreamRetryLimitExceeded", .upstreamUnreachable),
        ("504", "UpstreamRequestTimeout", .upstreamTimeout), ("0", "DownstreamConnectionTermination", .clientClosed),
        ("503", "RateLimited", .proxyError),
        // URX alone: the upstream's retriable answer passed on; below 500 no retry succeeded.
        ("503", "URX", .originError), ("409", "URX", nil),
    ])
    func flags(status: String, flags: String, expected: FailureClass?) throws {
        let line = Self.envoyLine.replacingOccurrences(of: "503 UF,URX", with: "\(status) \(flags)")
        let bytes = Array(line.utf8)
        let format = try preset("envoy-text")
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try bytes.withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record))
            let attempts = UpstreamAttempts(record: record, line: buffer)
            return Classifier.decide(format.vocabulary.facts(record, line: buffer, attempts: attempts, hasUpstreamFields: true))
        }
        #expect(decision?.failureClass == expected)
    }

    /// Envoy sets URX beside the reset's flag when an attempt failed (`maybeRetryReset`), and
    /// alone when the retries ran out on the upstream's own retriable answer, which it passed
    /// on (`onUpstreamHeaders`) [router.cc].
    @Test("URX alone: the retries ran out on the upstream's own answer → origin_error; beside UF, UC or UT those decide",
          arguments: [
        ("503", "URX", FailureClass?.some(.originError)), ("500", "URX", .originError), ("502", "URX", .originError),
        ("503", "UpstreamRetryLimitExceeded", .originError), ("503", "UF,URX", .upstreamUnreachable),
        ("503", "UC,URX", .upstreamUnreachable), ("504", "UT,URX", .upstreamTimeout), ("503", "UO,URX", .upstreamUnavailable),
    ])
    func retryLimit(status: String, flags: String, expected: FailureClass?) throws {
        try self.flags(status: status, flags: flags, expected: expected)
    }

    /// "SI: Stream idle timeout in addition to 408 or 504 response code"; the connection manager
    /// answers 504 when the request was fully received (`Utility::maybeRequestTimeoutCode`).
    @Test("SI with 504: the upstream sent nothing in time → upstream_timeout; with 408 the client was slow → no class",
          arguments: [
        ("504", "SI", FailureClass?.some(.upstreamTimeout)), ("408", "SI", nil),
        ("504", "StreamIdleTimeout", .upstreamTimeout), ("504", "UMSDR", .upstreamTimeout), ("408", "UMSDR", nil),
    ])
    func streamIdleTimeout(status: String, flags: String, expected: FailureClass?) throws {
        try self.flags(status: status, flags: flags, expected: expected)
    }

    @Test("SI and UMSDR beside another status: the response had begun, the status is the upstream's → origin_error")
    func timeoutAfterResponseBegan() throws {
        try self.flags(status: "500", flags: "SI", expected: .originError)
        try self.flags(status: "503", flags: "UMSDR", expected: .originError)
    }

    @Test("every flag of Envoy's list is known: DT is Envoy's connection limit, DI no failure, RFCF the cache's answer",
          arguments: [
        ("504", "DT", FailureClass?.some(.proxyError)), ("503", "DurationTimeout", .proxyError),
        ("503", "DI", .originError), ("503", "DelayInjected", .originError), ("502", "DI,UF", .upstreamUnreachable),
        ("503", "RFCF", .upstreamUnavailable), ("500", "ResponseFromCacheFilter", .originError),
    ])
    func remainingFlags(status: String, flags: String, expected: FailureClass?) throws {
        try self.flags(status: status, flags: flags, expected: expected)
    }

    @Test("RFCF: a 5xx the cache filter answered is decided by row F4a, marked served from cache")
    func responseFromCache() throws {
        let decision = try istioClass("503", "RFCF", "cache.response_from_cache_filter")
        #expect(decision?.row == "F4a")
        #expect(decision?.servedFromCache == true)
        #expect(try istioClass("503", "-", "cache.response_from_cache_filter")?.servedFromCache == true)
    }

    @Test("Envoy's list of flags: each short code and long name is in the table", arguments: [
        "DC", "DR", "UH", "UO", "LH", "UT", "UMSDR", "UF", "URX", "DF", "UC", "UR", "UPE", "NR", "NC", "RL", "RLSE", "DO",
        "UDO", "UAEX", "LR", "DPE", "IH", "SI", "FI", "OM", "NFCF", "DT", "RFCF", "DI",
    ])
    func everyFlag(code: String) {
        #expect(ProxyVocabulary.envoyFlags.contains { $0.code == code })
        #expect(ProxyVocabulary.envoyLongFlagNames.contains { $0.short == code })
    }

    /// The class of an Istio line with `status flags details` and an upstream host or `-`.
    func istioClass(_ status: String, _ flags: String, _ details: String, host: String = "10.124.2.14:9080") throws
        -> Classifier.Decision? {
        let line = Self.istioLine.replacingOccurrences(of: "503 UH no_healthy_upstream", with: "\(status) \(flags) \(details)")
            .replacingOccurrences(of: #""35.232.196.88" "-""#, with: #""35.232.196.88" "\#(host)""#)
        let bytes = Array(line.utf8)
        let format = try preset("istio")
        let parser = format.makeDecoder()
        var record = AccessRecord()
        return try bytes.withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record), "\(parser.describeFailure(in: buffer))")
            #expect(String(decoding: record.proxyDetails.bytes(in: buffer), as: UTF8.self) == details)
            let attempts = UpstreamAttempts(record: record, line: buffer)
            return Classifier.decide(format.vocabulary.facts(record, line: buffer, attempts: attempts, hasUpstreamFields: true))
        }
    }

    @Test("%RESPONSE_CODE_DETAILS% alone (no flag) decides the class", arguments: [
        ("503", "no_healthy_upstream", FailureClass?.some(.upstreamUnavailable)),
        ("503", "maintenance_mode", .upstreamUnavailable),
        ("504", "upstream_response_timeout", .upstreamTimeout),
        ("504", "upstream_per_try_timeout", .upstreamTimeout),
        ("503", "upstream_reset_before_response_started{connection_termination}", .upstreamUnreachable),
        ("503", "upstream_reset_before_response_started{remote_reset}", .upstreamUnreachable),
        ("503", "upstream_reset_before_response_started{connection_failure,delayed_connect_error:_111}", .upstreamUnreachable),
        ("503", "upstream_reset_before_response_started{remote_connection_failure|TLS_error:_268435581}", .upstreamUnreachable),
        ("503", "upstream_reset_before_response_started{connection_timeout}", .upstreamTimeout),
        ("503", "upstream_reset_before_response_started{overflow}", .upstreamUnavailable),
        ("502", "upstream_reset_before_response_started{protocol_error}", .upstreamUnreachable),
        ("503", "upstream_reset_before_response_started{local_reset}", .upstreamUnreachable),
        ("500", "upstream_reset_after_response_started{remote_reset}", .upstreamUnreachable),
        ("503", "via_upstream", .originError),
        ("500", "via_upstream", .originError),
        ("503", "cluster_not_found", .proxyError),
        ("503", "route_not_found", .proxyError),
        ("500", "direct_response", .proxyError),
        ("503", "local_rate_limited", .proxyError),
        ("503", "request_overall_timeout", .proxyError),
        ("504", "request_overall_timeout", .proxyError),
        ("504", "stream_idle_timeout", .upstreamTimeout),
        ("504", "max_duration_timeout", .upstreamTimeout),
        ("408", "stream_idle_timeout", nil),
        ("503", "http1.codec_error", .proxyError),
        ("0", "http2.remote_reset", .clientClosed),
        ("0", "downstream_remote_disconnect", .clientClosed),
        ("200", "via_upstream", nil),
    ])
    func details(status: String, details: String, expected: FailureClass?) throws {
        // With an upstream host: the host alone would make every 5xx the application's.
        #expect(try istioClass(status, "-", details)?.failureClass == expected)
    }

    @Test("details with the reset reason say more than the flag: UF with a connect timeout is a timeout")
    func detailsRefineFlags() throws {
        #expect(try istioClass("503", "UF", "upstream_reset_before_response_started{connection_timeout}", host: "-")?
            .failureClass == .upstreamTimeout)
        #expect(try istioClass("503", "UF", "upstream_reset_before_response_started{connection_failure}", host: "-")?
            .failureClass == .upstreamUnreachable)
        // Older Envoy kept the spaces of the reason.
        #expect(try istioClass("503", "-", "upstream_reset_before_response_started{connection_timeout}")?
            .failureClass == .upstreamTimeout)
    }

    @Test("a TCP proxy line (\"- - -\", status 0) is an other line, not a record")
    func tcpProxyLine() throws {
        let format = try preset("envoy-text")
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let tcp = Array(#"[2019-04-06T06:20:05.972Z] "- - -" 0 UF,URX 0 0 0 - "-" "-" "-" "-" "127.0.0.1:9200""#.utf8)
        tcp.withUnsafeBufferPointer { buffer in
            #expect(!parser.parse(buffer, into: &record))
            #expect(parser.otherShapeReason(buffer) == "not HTTP: TCP proxy line")
        }
        // Istio's `"- - HTTP/1.1"` (a request Envoy could not parse) stays an HTTP record.
        let dpe = Array(#"[2022-09-01T09:36:33.553Z] "- - HTTP/1.1" 400 DPE http1.codec_error - "-" 0 11 46 - "-" "-" "-" "-" "-" - - 10.124.2.10:8080 10.128.0.60:51643 - -"#.utf8)
        let istio = try preset("istio").makeDecoder()
        dpe.withUnsafeBufferPointer { buffer in #expect(istio.parse(buffer, into: &record)) }
    }

    @Test("envoy:FORMAT compiles a user's %COMMAND% format")
    func userDialect() throws {
        let format = try LogFormat.parse(specification: #"envoy:%START_TIME% %RESPONSE_CODE% %RESPONSE_FLAGS% "%REQ(:METHOD)% %REQ(:PATH)%" %REQ(X-REQUEST-ID):36% %UPSTREAM_HOST%\n"#)
        let r = parse(#"2026-11-20T10:00:00.000Z 504 UT "POST /pay" abc-123 10.0.0.5:8080"#, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 504)
        #expect(r.text(r.record.requestID) == "abc-123")
        #expect(r.text(r.record.target) == "/pay")
        #expect(format.vocabulary == .envoy)
        let long = try LogFormat.parse(specification: #"envoy:%START_TIME% %RESPONSE_CODE% %RESPONSE_FLAGS_LONG% "%REQ(:METHOD)% %REQ(:PATH)%" %UPSTREAM_HOST%\n"#)
        let l = parse(#"2026-11-20T10:00:00.000Z 503 NoHealthyUpstream "POST /pay" -"#, long)
        #expect(l.ok, "\(l.failure)")
        #expect(l.text(l.record.proxyFlags) == "NoHealthyUpstream")
    }

    @Test("every long flag name stands for a short code of the table")
    func longNames() {
        let short = Set(ProxyVocabulary.envoyFlags.map(\.code))
        for (long, code) in ProxyVocabulary.envoyLongFlagNames {
            #expect(short.contains(code), "\(code)")
            #expect(short.contains(long), "\(long)")
        }
    }
}
