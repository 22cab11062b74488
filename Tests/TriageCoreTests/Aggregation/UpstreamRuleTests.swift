import Testing
@testable import TriageCore

/// The per-upstream table: nginx's attempts are judged by their own statuses; a proxy that
/// names one upstream without a verdict on it (Envoy, HAProxy, ALB, Heroku) has its
/// upstream judged by the request's decision.
@Suite struct UpstreamRuleTests {
    func upstreams(_ lines: [String], format: String) throws -> [String: TriageSummary.Upstream] {
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.parse(specification: format))
        let analyzer = Analyzer(options: options)
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
        var byAddress: [String: TriageSummary.Upstream] = [:]
        for u in analyzer.finish().upstreams { byAddress[u.address] = u }
        return byAddress
    }

    static func istio(_ status: String, _ flags: String, _ details: String, host: String) -> String {
        #"[2022-09-01T13:15:57.905Z] "GET /p HTTP/1.1" \#(status) \#(flags) \#(details) - "-" 0 19 0 - "10.128.0.60" "curl" "7c20db9a" "svc" "\#(host)" outbound|9080||p - 10.124.2.10:8080 10.128.0.60:0 - default"#
    }

    @Test("Envoy: the upstream host takes the request's class (503 via_upstream is the host's own error, 504 UT its timeout)")
    func envoy() throws {
        let u = try upstreams([Self.istio("503", "-", "via_upstream", host: "10.0.0.1:80"),
                               Self.istio("504", "UT", "upstream_response_timeout", host: "10.0.0.1:80"),
                               Self.istio("200", "-", "via_upstream", host: "10.0.0.1:80"),
                               Self.istio("0", "DC", "downstream_remote_disconnect", host: "10.0.0.1:80")], format: "istio")
        let host = try #require(u["10.0.0.1:80"])
        #expect(host.requests == 4)
        #expect(host.failures == 2)
        #expect(host.classes[.originError] == 1)
        #expect(host.classes[.upstreamTimeout] == 1)
        #expect(host.classes[.upstreamUnavailable] == 0)
        #expect(host.classes[.clientClosed] == 1)
    }

    /// Nginx Proxy Manager names its forward host without a port (`[Sent-to $server]`): it
    /// is the upstream, judged by `$upstream_status`, and not nginx's "no live upstreams" name.
    @Test("Nginx Proxy Manager: the forward host is the upstream, a 502 from it unreachable, not unavailable")
    func nginxProxyManager() throws {
        func line(_ status: String, _ upstream: String, host: String) -> String {
            #"[03/Dec/2026:11:23:46 +0100] - \#(upstream) \#(status) - GET https app.example.com "/api" [Client 172.18.0.2] [Length 552] [Gzip -] [Sent-to \#(host)] "curl/8.5.0" "-""#
        }
        let u = try upstreams([line("502", "502", host: "192.168.1.20"), line("504", "504", host: "192.168.1.20"),
                               line("502", "502, 502", host: "app-backend"), line("200", "200", host: "192.168.1.20"),
                               line("502", "-", host: "app-backend")], format: "npm-proxy")
        let ip = try #require(u["192.168.1.20"])
        #expect(ip.requests == 3)
        #expect(ip.failures == 2)
        #expect(ip.classes[.upstreamUnreachable] == 1)
        #expect(ip.classes[.upstreamTimeout] == 1)
        #expect(ip.classes[.upstreamUnavailable] == 0)
        // A name resolving to two addresses: both attempts went to the forward host. A 502
        // with `-` for the upstream status tried no upstream: it is not the host's.
        let named = try #require(u["app-backend"])
        #expect(named.requests == 2)
        #expect(named.failures == 2)
        #expect(named.classes[.upstreamUnreachable] == 2)
    }

    @Test("upstream latency counts attempts whose address the log does not name ($upstream_response_time alone)")
    func upstreamLatencyWithoutAddress() throws {
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.parse(specification:
            #"nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time"#))
        let analyzer = Analyzer(options: options)
        let lines = [#"10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl" 0.120 0.100"#,
                     #"10.0.0.1 - - [20/Nov/2026:10:00:01 +0000] "GET /a HTTP/1.1" 504 5 "-" "curl" 60.002 60.001"#,
                     #"10.0.0.1 - - [20/Nov/2026:10:00:02 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl" 0.020 0.010, 0.005"#]
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
        let summary = analyzer.finish()
        let latency = try #require(summary.upstreamLatency)
        #expect(latency.count == 4)
        #expect(latency.max >= 59_000_000)
        #expect(summary.upstreams.isEmpty)
    }

    @Test("ALB: the target is counted with each request's own class, whether the target or the load balancer answered")
    func alb() throws {
        func line(_ elb: String, _ target: String) -> String {
            #"http 2026-11-20T10:00:00.000000Z app/lb/1 203.0.113.7:5000 10.0.0.5:80 0.001 0.002 0.000 \#(elb) \#(target) 100 200 "GET http://a.example:80/x HTTP/1.1" "curl" - - arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1 "Root=1-a" "-" "-" 0 2026-11-20T10:00:00.000000Z "forward" "-" "-""#
        }
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.parse(specification: "alb"))
        let analyzer = Analyzer(options: options)
        let lines = [line("502", "502"), line("504", "-"), line("500", "500"), line("200", "200")]
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
        let summary = analyzer.finish()
        let target = try #require(summary.upstreams.first { $0.address == "10.0.0.5:80" })
        #expect(target.requests == 4)
        #expect(target.failures == 3)
        #expect(target.classes == summary.classes)
        #expect(target.classes[.upstreamTimeout] == 1)
        // 502 with target 502 is the target's own answer, as 500 with 500 is.
        #expect(target.classes[.originError] == 2)
        #expect(target.classes[.upstreamUnreachable] == 0)
    }

    /// Traefik logs a count of retries beside the one server that answered: the retries are
    /// not that server's failures, and no problem names it as the failing upstream.
    @Test("Traefik: retried requests blame no upstream, not the server that answered")
    func traefikRetries() throws {
        func line(_ minute: Int, _ second: Int, retries: Int) -> String {
            let time = String(format: "2026-11-20T10:%02d:%02dZ", minute, second)
            return #"{"DownstreamStatus":200,"OriginStatus":200,"RetryAttempts":\#(retries),"ServiceName":"shop@docker","ServiceURL":"http://10.0.2.6:80","RequestMethod":"GET","RequestPath":"/a","ClientHost":"203.0.113.\#(second)","StartUTC":"\#(time)"}"#
        }
        var lines: [String] = []
        for minute in 0..<50 { for second in stride(from: 0, to: 60, by: 3) { lines.append(line(minute, second, retries: 0)) } }
        for minute in 50..<58 { for second in stride(from: 0, to: 60, by: 3) { lines.append(line(minute, second, retries: 1)) } }
        var options = AnalysisOptions()
        options.format = .fixed(try LogFormat.parse(specification: "traefik"))
        let analyzer = Analyzer(options: options)
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
        let summary = analyzer.finish()
        #expect(summary.classes[.retriedOK] == 160)
        let problem = try #require(summary.incidents.first { $0.dominantClass == .retriedOK })
        #expect(problem.topUpstreams.allSatisfy { $0.name != "http://10.0.2.6:80" })
    }

    @Test("Traefik JSON: a service with no server chosen takes the request's class, a 502 of Traefik's own not unreachable")
    func traefikServiceName() throws {
        let lines = [
            #"{"DownstreamStatus":502,"OriginStatus":0,"ServiceName":"shop@docker","RequestMethod":"GET","RequestPath":"/a","StartUTC":"2026-11-20T10:00:00Z"}"#,
            #"{"DownstreamStatus":503,"OriginStatus":0,"ServiceName":"shop@docker","RequestMethod":"GET","RequestPath":"/a","StartUTC":"2026-11-20T10:00:01Z"}"#,
        ]
        let u = try upstreams(lines, format: "traefik")
        #expect(u["shop@docker"]?.failures == 2)
        #expect(u["shop@docker"]?.classes[.proxyError] == 1)
        #expect(u["shop@docker"]?.classes[.upstreamUnavailable] == 1)
        #expect(u["shop@docker"]?.classes[.upstreamUnreachable] == 0)
    }

    @Test("nginx: each attempt by its own status; a 502 attempt then a 200 is one failure of the first upstream")
    func nginx() throws {
        func line(_ status: String, _ us: String, _ ua: String) -> String {
            #"10.0.0.9 - - [20/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" \#(status) 5 "-" "curl" rt=0.1 uct="0.0" uht="0.1" urt="0.1" us="\#(us)" ua="\#(ua)" rid=1"#
        }
        let u = try upstreams([line("200", "502, 200", "10.0.0.1:80, 10.0.0.2:80"), line("500", "500", "10.0.0.2:80")],
                              format: "upstream")
        #expect(u["10.0.0.1:80"]?.failures == 1)
        #expect(u["10.0.0.1:80"]?.classes[.upstreamUnreachable] == 1)
        #expect(u["10.0.0.2:80"]?.requests == 2)
        #expect(u["10.0.0.2:80"]?.classes[.originError] == 1)
        // No live upstreams: nginx logs the group's name, and the request is upstream_unavailable.
        let group = try upstreams([line("502", "502", "backend")], format: "upstream")
        #expect(group["backend"]?.classes[.upstreamUnavailable] == 1)
        #expect(group["backend"]?.classes[.upstreamUnreachable] == 0)
    }
}
