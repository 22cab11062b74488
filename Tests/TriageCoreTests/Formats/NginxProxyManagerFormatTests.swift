import Testing
@testable import TriageCore

/// Nginx Proxy Manager's `proxy` and `standard` formats, detected without options.
@Suite struct NginxProxyManagerFormatTests {
    static let proxy502 = #"[03/Dec/2026:11:23:46 +0100] - 502 502 - POST https app.example.com "/api/orders?id=3" [Client 172.18.0.2] [Length 552] [Gzip 1.85] [Sent-to 192.168.1.20] "curl/8.5.0" "https://app.example.com/""#
    static let proxyHit = #"[03/Dec/2026:11:23:47 +0100] HIT 200 200 - GET https app.example.com "/static/app.js" [Client 172.18.0.1] [Length 1056] [Gzip 3.10] [Sent-to 192.168.1.20] "Mozilla/5.0 (X11; Linux x86_64)" "-""#
    static let standard = #"[03/Dec/2026:11:23:48 +0100] 404 - GET http old.example.com "/wp-login.php" [Client 172.18.0.9] [Length 150] [Gzip -] "Mozilla/5.0" "-""#

    @Test("a proxy host's line: status, upstream status, cache status, method, target, client and time")
    func proxyLine() throws {
        let format = try #require(LogFormat.preset(named: "npm-proxy"))
        let r = parse(Self.proxy502, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 502)
        #expect(r.text(r.record.upstreamStatus) == "502")
        #expect(r.text(r.record.method) == "POST")
        #expect(r.text(r.record.target) == "/api/orders?id=3")
        #expect(r.text(r.record.remoteAddr) == "172.18.0.2")
        #expect(r.text(r.record.userAgent) == "curl/8.5.0")
        #expect(r.record.bytesSent == 552)
        #expect(r.record.utcOffset == 3600)
        // NPM's forward host has no port: it is the host of every attempt, not an
        // `$upstream_addr` (whose portless value is nginx's "no live upstreams" group name).
        #expect(!r.record.upstreamAddr.isPresent)
        #expect(r.text(r.record.upstreamHost) == "192.168.1.20")
        let hit = parse(Self.proxyHit, format)
        #expect(hit.text(hit.record.cacheStatus) == "HIT")
    }

    @Test("detection tells the proxy and standard formats apart, and a 502 with upstream status 502 is not 'unavailable'")
    func detectionAndClass() throws {
        #expect(try FormatDetector.detect([Array(Self.proxy502.utf8), Array(Self.proxyHit.utf8)], path: "t").format.name == "npm-proxy")
        #expect(try FormatDetector.detect([Array(Self.standard.utf8)], path: "t").format.name == "npm-standard")
        let format = try #require(LogFormat.preset(named: "npm-proxy"))
        let r = parse(Self.proxy502, format)
        let decision = Array(Self.proxy502.utf8).withUnsafeBufferPointer { line in
            Classifier.decide(format.vocabulary.facts(r.record, line: line, attempts: UpstreamAttempts(record: r.record, line: line),
                                                      hasUpstreamFields: format.hasUpstreamFields))
        }
        #expect(decision?.failureClass == .upstreamUnreachable)
    }
}
