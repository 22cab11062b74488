import Testing
@testable import TriageCore

/// Envelopes are peeled before formats see a line.
@Suite struct LineEnvelopeTests {
    func peel(_ kind: EnvelopeKind, _ line: String) -> (String, Bool) {
        let peeler = EnvelopePeeler(kind: kind)
        return Array(line.utf8).withUnsafeBufferPointer { buffer in
            let r = peeler.peel(buffer)
            return (String(decoding: r.payload, as: UTF8.self), r.hadEnvelope)
        }
    }

    static let combined = #"10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a?b=\"c\" HTTP/1.1" 502 12 "-" "curl/8""#

    @Test("Docker json-file: the log string unescaped, its newline dropped")
    func docker() {
        let wrapped = #"{"log":"10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] \"GET /a?b=\\\"c\\\" HTTP/1.1\" 502 12 \"-\" \"curl/8\"\n","stream":"stdout","time":"2026-11-20T10:00:00.1Z"}"#
        #expect(peel(.dockerJSON, wrapped) == (Self.combined, true))
        #expect(peel(.dockerJSON, #"{"log":"caf\u00e9 \ud83d\ude00 \u003e"}"#).0 == "café 😀 >")
        #expect(peel(.dockerJSON, "plain line") == ("plain line", false))
    }

    @Test("Docker json-file: escapes at every offset from a 16-byte boundary, in long and short strings, unescape exactly")
    func dockerEscapesAtEveryOffset() throws {
        // Each escape and the text it stands for; the text around them is plain ASCII and UTF-8.
        let escapes: [(String, String)] = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\n"#, "\n"), (#"\t"#, "\t"),
                                           (#"\u00e9"#, "é"), (#"\ud83d\ude00"#, "😀"), (#"\r"#, "\r")]
        for (escape, text) in escapes {
            for before in 0..<40 {
                for after in [0, 1, 15, 16, 17, 40] {
                    let head = String(repeating: "a", count: before), tail = String(repeating: "é", count: after)
                    let line = #"{"log":""# + head + escape + tail + escape + #"x","stream":"stdout"}"#
                    let expected = head + text + tail + text + "x"
                    #expect(peel(.dockerJSON, line) == (expected, true), "\(escape) after \(before), \(after) after")
                }
            }
        }
        // A string of 16-byte blocks without escapes, and a final newline dropped.
        let long = String(repeating: "0123456789abcdef", count: 20)
        #expect(peel(.dockerJSON, #"{"log":""# + long + #"\n"}"#) == (long, true))
    }

    @Test("Kubernetes CRI: time, stream and tag are set aside")
    func cri() {
        #expect(peel(.cri, "2026-11-20T10:00:00.123456789Z stdout F " + Self.combined) == (Self.combined, true))
        #expect(peel(.cri, "2026-11-20T10:00:00.123+01:00 stderr P partial") == ("partial", true))
        #expect(peel(.cri, Self.combined).1 == false)
    }

    @Test("syslog: RFC 3164 with and without PRI and host, RFC 5424 with and without structured data")
    func syslog() {
        #expect(peel(.syslog, "<134>Feb  6 12:14:14 haproxy[14389]: payload here") == ("payload here", true))
        #expect(peel(.syslog, "Feb 25 16:19:49 192.168.4.2 haproxy[7]: payload") == ("payload", true))
        #expect(peel(.syslog, "<190>Nov 20 10:00:00 web1 nginx: " + Self.combined) == (Self.combined, true))
        #expect(peel(.syslog, "<134>1 2026-11-20T10:00:00.003Z lb1 haproxy 123 - - payload") == ("payload", true))
        #expect(peel(.syslog, #"<134>1 2026-11-20T10:00:00Z lb1 haproxy 123 ID47 [ex@1 a="x]y"][b@2] payload"#) == ("payload", true))
        #expect(peel(.syslog, Self.combined).1 == false)
    }

    /// rsyslog's RSYSLOG_FileFormat and RSYSLOG_ForwardFormat write the RFC 3164 layout
    /// with an RFC 3339 time (`%TIMESTAMP:::date-rfc3339%`).
    @Test("syslog: rsyslog's high-precision header, with and without PRI, timed with its zone")
    func syslogRFC3339Time() throws {
        let file = "2021-01-27T21:52:56.090123+01:00 lb1 haproxy[3098]: payload"
        #expect(peel(.syslog, file) == ("payload", true))
        #expect(peel(.syslog, "<134>2021-01-27T21:52:56.090123Z lb1 haproxy[3098]: payload") == ("payload", true))
        #expect(peel(.syslog, "2021-01-27T21:52:56Z web1 haproxy: payload") == ("payload", true))
        // rsyslog always writes the host there; `heroku logs` writes none (`TIME app[web.1]: …`).
        #expect(peel(.syslog, "2026-11-20T10:00:00.000000+00:00 app[web.1]: method=GET path=/ status=500").1 == false)
        // A CRI line is not one: its words after the time end with no `:`.
        #expect(peel(.syslog, "2026-11-20T10:00:00Z stdout F " + Self.combined).1 == false)
        let peeler = EnvelopePeeler(kind: .syslog)
        peeler.keepsTime = true
        _ = Array(file.utf8).withUnsafeBufferPointer { peeler.peel($0) }
        let time = try #require(peeler.envelopeTime(reference: 0, zone: .utc))
        #expect(time.seconds == 1_611_784_376 - 3600)
        #expect(time.offset == 3600)
        let haproxy = (0..<4).map { n in
            Array("2021-01-27T21:52:5\(n).090123+00:00 lb1 haproxy[3098]: 10.0.0.1:61818 [27/Jan/2021:21:52:56.086] fe_main be_servers/s1 0/0/1/1/2 502 517 - - SH-- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"".utf8)
        }
        let detected = try FormatDetector.detect(haproxy, path: "t")
        #expect(detected.format.envelope == .syslog)
        #expect(detected.format.dialect == .haproxy)
        #expect(detected.matched == 4)
    }

    @Test("Envoy's ACCESS prefix is peeled with the envelope")
    func accessPrefix() {
        let wrapped = #"{"message":"ACCESS [2019-02-12T18:37:42.921Z] \"GET /ip HTTP/1.1\" 200 -\n","stream":"stdout"}"#
        #expect(peel(.dockerJSON, wrapped).0 == #"[2019-02-12T18:37:42.921Z] "GET /ip HTTP/1.1" 200 -"#)
    }

    @Test("detection: the envelope most lines carry, none when fewer than half")
    func detection() {
        let cri = (0..<4).map { _ in Array(("2026-11-20T10:00:00Z stdout F " + Self.combined).utf8) }
        #expect(EnvelopeKind.detect(cri) == .cri)
        #expect(EnvelopeKind.detect([Array(Self.combined.utf8)]) == .none)
    }

    @Test("CRI: a sample of lines split into P and F pieces is detected on the joined lines")
    func criPiecesDetected() throws {
        let half = Self.combined.index(Self.combined.startIndex, offsetBy: 30)
        let lines = (0..<3).flatMap { _ in
            ["2026-11-20T10:00:00Z stdout P " + String(Self.combined[..<half]),
             "2026-11-20T10:00:00Z stdout F " + String(Self.combined[half...])]
        }.map { Array($0.utf8) }
        let result = try FormatDetector.detect(lines, path: "t")
        #expect(result.format.envelope == .cri)
        #expect(result.format.name == "combined")
        #expect(result.matched == 3)
    }

    @Test("a combined log inside CRI lines is detected and read without options")
    func detectedInside() throws {
        let lines = (0..<4).map { _ in Array(("2026-11-20T10:00:00Z stdout F " + Self.combined).utf8) }
        let result = try FormatDetector.detect(lines, path: "t")
        #expect(result.format.envelope == .cri)
        #expect(result.matched == 4)
    }
}
