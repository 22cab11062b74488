import Testing
@testable import TriageCore

/// Traefik's CLF access log: combined plus request count, router, service URL and `Nms`.
@Suite struct TraefikCLFFormatTests {
    static let line = #"192.168.33.1 - - [02/Oct/2017:20:22:07 +0000] "GET /ui/favicons/favicon-16x16.png HTTP/1.1" 502 0 "http://example.com/login" "Mozilla/5.0 (X11; Linux x86_64)" 262 "Host-host-1" "http://172.19.0.3:5601" 2ms"#

    @Test("the service URL and the Nms duration are read, and the line is Traefik's, not combined")
    func parses() throws {
        let format = try #require(LogFormat.preset(named: "traefik-clf"))
        let r = parse(Self.line, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.text(r.record.upstreamAddr) == "http://172.19.0.3:5601")
        #expect(r.record.requestMicros == 2000)
        #expect(try FormatDetector.detect([Array(Self.line.utf8)], path: "t").format.name == "traefik-clf")
    }

    @Test("a line whose router quote was lost is a damaged Traefik line, not a reason to read the file as combined")
    func damagedLineKeepsTraefik() throws {
        // elastic/beats' fixture: `"Host-host1 "http://…"` lost the router's closing quote.
        let damaged = #"85.181.35.98 - - [02/Oct/2017:20:22:08 +0000] "GET /ui/favicons/favicon.ico HTTP/1.1" 304 0 "http://example.com/login" "Mozilla/5.0" 271 "Host-host1 "http://172.19.0.3:5601" 3ms"#
        let result = try FormatDetector.detect([Array(Self.line.utf8), Array(damaged.utf8)], path: "t")
        #expect(result.format.name == "traefik-clf")
        #expect(result.matched == 1)
        let parser = result.format.makeDecoder()
        var record = AccessRecord()
        Array(damaged.utf8).withUnsafeBufferPointer { buffer in
            #expect(!parser.parse(buffer, into: &record))
            // A malformed line of the format, with the field that failed, not an other line.
            #expect(parser.otherShapeReason(buffer) == nil)
        }
    }

    @Test("a file interleaving combined and main lines stays combined: main's failures are whole combined lines")
    func interleavedShorterFormatStays() throws {
        let combined = #"172.31.1.5 - - [20/Nov/2026:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0""#
        let main = combined + #" "203.0.113.9""#
        let result = try FormatDetector.detect([main, combined, main, combined].map { Array($0.utf8) }, path: "t")
        #expect(result.format.name.hasPrefix("combined"))
        #expect(result.matched == 4)
    }

    @Test("5xx: by status alone with a service; without one, a 503 is no available server and others proxy-made", arguments: [
        ("\"http://172.19.0.3:5601\"", 502, FailureClass.upstreamUnreachable, Confidence.statusOnly),
        ("\"-\"", 502, .proxyError, .upstreamFields),
        ("\"-\"", 503, .upstreamUnavailable, .upstreamFields),
        ("\"-\"", 500, .proxyError, .upstreamFields),
    ])
    func classes(service: String, status: Int, expected: FailureClass, confidence: Confidence) throws {
        let format = try #require(LogFormat.preset(named: "traefik-clf"))
        let text = Self.line.replacingOccurrences(of: "\"http://172.19.0.3:5601\"", with: service)
            .replacingOccurrences(of: "\" 502 0 ", with: "\" \(status) 0 ")
        let bytes = Array(text.utf8)
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try bytes.withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record))
            return Classifier.decide(format.vocabulary.facts(record, line: buffer, attempts: UpstreamAttempts(record: record, line: buffer),
                                                             hasUpstreamFields: true))
        }
        #expect(decision?.failureClass == expected)
        #expect(decision?.confidence == confidence)
    }
}
