import Testing
@testable import TriageCore

/// Prefixes a viewer or process manager writes before each line, inside any envelope, and
/// the times envelopes carry for formats whose lines have none.
@Suite struct LinePrefixTests {
    static let combined = #"10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 502 12 "-" "curl/8""#

    func peel(_ kind: EnvelopeKind, _ prefix: LinePrefix, _ line: String) -> (payload: String, time: String) {
        let peeler = EnvelopePeeler(kind: kind, prefix: prefix)
        peeler.keepsTime = true
        return Array(line.utf8).withUnsafeBufferPointer { buffer in
            let payload = String(decoding: peeler.peel(buffer).payload, as: UTF8.self)
            return (payload, String(decoding: peeler.lastTime, as: UTF8.self))
        }
    }

    @Test("docker compose's 'name | ' prefix, padded, with and without ANSI colour, and with -t's time", arguments: [
        "web-1  | ", "web_1 | ", "nginx.1    | ", "\u{1B}[36mweb-1  | \u{1B}[0m", "\u{1B}[0;33;1mnginx.1    | \u{1B}[0m",
    ])
    func compose(prefix: String) {
        #expect(peel(.none, .compose, prefix + Self.combined).payload == Self.combined)
        let timed = peel(.none, .compose, prefix + "2026-11-20T10:00:00.123456789Z " + Self.combined)
        #expect(timed.payload == Self.combined)
        #expect(timed.time == "2026-11-20T10:00:00.123456789Z")
    }

    @Test("a line without the prefix comes back whole; a bar without a padded name is not a prefix")
    func composeAbsent() {
        #expect(peel(.none, .compose, Self.combined).payload == Self.combined)
        #expect(peel(.none, .compose, "a|b c").payload == "a|b c")
    }

    @Test("time columns: Grafana's text download (old and new), logcli with and without labels", arguments: [
        ("2023-12-25 19:09:29.000\t", "2023-12-25 19:09:29.000"),
        ("1703502569000\t2023-12-25T11:09:29.000Z\t", "2023-12-25T11:09:29.000Z"),
        (#"2023-12-25T19:09:29+08:00 {container="nginx", job="web"}   "#, "2023-12-25T19:09:29+08:00"),
        ("2023-12-25T19:09:29+08:00 ", "2023-12-25T19:09:29+08:00"),
    ])
    func timeColumn(prefix: String, time: String) {
        let r = peel(.none, .timeColumn, prefix + Self.combined)
        #expect(r.payload == Self.combined)
        #expect(r.time == time)
    }

    @Test("a syslog header inside a CRI or Docker envelope (HAProxy's log stdout without format raw) is peeled too")
    func syslogInsideEnvelope() throws {
        let haproxy = #"10.0.1.5:51234 [10/Oct/2024:13:55:36.123] fe be/srv1 0/0/-1/-1/3 503 216 - - SC-- 1/1/0/0/3 0/0 "GET /a HTTP/1.1""#
        #expect(peel(.cri, .syslog, "2024-10-10T13:55:36.1Z stdout F <134>Oct 10 13:55:36 haproxy[8]: " + haproxy).payload == haproxy)
        let cri = (0..<3).map { _ in Array(("2024-10-10T13:55:36.1Z stdout F <134>Oct 10 13:55:36 haproxy[8]: " + haproxy).utf8) }
        let result = try FormatDetector.detect(cri, path: "t")
        #expect(result.format.envelope == .cri)
        #expect(result.format.linePrefix == .syslog)
        #expect(result.format.vocabulary == .haproxy)
        var bare = result.format
        bare.envelope = .none
        bare.linePrefix = .none
        let r = parse(haproxy, bare)
        #expect(r.record.status == 503)
        #expect(r.text(r.record.proxyFlags) == "SC--")
    }

    @Test("detection: a prefix at least half the lines carry, inside the envelope")
    func detection() throws {
        let lines = (0..<4).map { i in Array("web-1  | \(Self.combined)".utf8) }
        #expect(LinePrefix.detect(lines) == .compose)
        #expect(LinePrefix.detect([Array(Self.combined.utf8)]) == LinePrefix.none)
        // docker json-file around a coloured compose prefix: both peeled, the line read as combined.
        let escaped = #"{"log":"\u001b[36mweb-1  | \u001b[0m10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 502 12 \"-\" \"curl/8\"\n","stream":"stdout","time":"2026-11-20T10:00:00.1Z"}"#
        let result = try FormatDetector.detect([Array(escaped.utf8)], path: "t")
        #expect(result.format.name == "combined")
        #expect(result.format.envelope == .dockerJSON)
        #expect(result.format.linePrefix == .compose)
    }

    @Test("syslog: RFC 6587 octet counting and Heroku's header without structured data")
    func herokuDrainFraming() {
        let router = "at=info method=GET path=\"/\" host=a.herokuapp.com request_id=1 fwd=\"1.2.3.4\" dyno=web.1 connect=0ms service=5ms status=200 bytes=10 protocol=https"
        let r = peel(.syslog, .none, "272 <158>1 2026-11-20T10:00:01.123456+00:00 host heroku router - " + router)
        #expect(r.payload == router)
        #expect(r.time == "2026-11-20T10:00:01.123456+00:00")
        // Heroku's HTTPS drain example [Dev Center, "HTTPS Drains"].
        #expect(peel(.syslog, .none, "120 <40>1 2012-11-30T06:45:29+00:00 heroku web.3 d.73ea7440-270a-435a-a0ea-adf50b4e5f5a - State changed from starting to up").payload
                == "State changed from starting to up")
        // Structured data is still set aside.
        #expect(peel(.syslog, .none, #"<134>1 2026-11-20T10:00:00Z host app 12 - [a@1 b="c]"] msg"#).payload == "msg")
    }

    @Test("an RFC 3164 time takes the latest year not more than two days after the reference, in the log's zone")
    func bsdYear() {
        let peeler = EnvelopePeeler(kind: .syslog)
        peeler.keepsTime = true
        func time(_ line: String, reference: String) -> String? {
            let ref = Array(reference.utf8).withUnsafeBufferPointer { Timestamp.parseISO8601($0) } ?? 0
            return Array(line.utf8).withUnsafeBufferPointer { buffer -> String? in
                _ = peeler.peel(buffer)
                return peeler.envelopeTime(reference: ref, zone: .utc).map { Timestamp.rfc3339($0.seconds) }
            }
        }
        #expect(time("Mar 24 14:02:50 web1 tomcat.log: x", reference: "2026-12-01T00:00:00Z") == "2026-03-24T14:02:50Z")
        // Read in January, December's lines are last year's.
        #expect(time("Dec 31 23:59:59 web1 app: x", reference: "2027-01-02T00:00:00Z") == "2026-12-31T23:59:59Z")
        #expect(time("Jan  2 10:00:00 web1 app: x", reference: "2027-01-01T00:00:00Z") == "2027-01-02T10:00:00Z")
    }

    @Test("lines without a time of their own read their envelope's: Tomcat through syslog, Heroku through a drain")
    func untimedFormats() throws {
        let tomcat = ["Mar 24 14:02:50 web1 tomcat.log: 127.0.0.1 - - \"GET /a HTTP/1.1\" 200 65508 4.386",
                      "Mar 24 14:02:51 web1 automount[7999]: lookup(file): lookup for opt failed",
                      "Mar 24 14:02:52 web1 tomcat.log: 127.0.0.1 - - \"GET /b HTTP/1.1\" 404 12 0.002",
                      "Mar 24 14:02:53 web1 sudo: tim : TTY=pts/6 ; COMMAND=/usr/bin/tail",
                      "Mar 24 14:02:54 web1 kernel: eth0 link up"]
        let result = try FormatDetector.detect(tomcat.map { Array($0.utf8) }, path: "t")
        #expect(result.format.name == "common-untimed+tail")
        #expect(result.format.timeFromEnvelope)
        // Without an envelope that gives a time, a line without one is never an access line.
        #expect(throws: TriageError.self) {
            try FormatDetector.detect([#"127.0.0.1 - - "GET /a HTTP/1.1" 200 65508"#].map { Array($0.utf8) }, path: "t")
        }
        let drain = ["<158>1 2026-11-20T10:00:31.5+00:00 host heroku router - at=error code=H12 desc=\"Request timeout\" method=POST path=\"/pay\" host=a.herokuapp.com request_id=7f fwd=\"198.51.100.4\" dyno=web.2 connect=1ms service=30000ms status=503 bytes=0 protocol=https",
                     "<190>1 2026-11-20T10:00:31.6+00:00 host app web.2 - Completed 500 Internal Server Error in 30001ms",
                     "<158>1 2026-11-20T10:00:31.7+00:00 host heroku router - sock=backend at=error code=H18 desc=\"Server Request Interrupted\" method=GET path=\"/\" host=a.herokuapp.com request_id=7g fwd=\"198.51.100.6\" dyno=web.1 connect=1ms service=1ms status=503 bytes=0 protocol=https",
                     "<158>1 2026-11-20T10:00:32.0+00:00 host heroku router - at=info method=GET path=\"/\" host=a.herokuapp.com request_id=80 fwd=\"198.51.100.5\" dyno=web.1 connect=0ms service=4ms status=200 bytes=10 protocol=https"]
        let heroku = try FormatDetector.detect(drain.map { Array($0.utf8) }, path: "t")
        #expect(heroku.format.name == "heroku-router-drain")
        #expect(heroku.format.envelope == .syslog)
        let parser = heroku.format.makeDecoder()
        let peeler = try #require(EnvelopePeeler(format: heroku.format))
        var record = AccessRecord()
        func failureClass(_ line: String) throws -> FailureClass? {
            try Array(line.utf8).withUnsafeBufferPointer { buffer in
                let payload = peeler.peel(buffer).payload
                try #require(parser.parse(payload, into: &record))
                return Classifier.decide(heroku.format.vocabulary.facts(record, line: payload,
                                                                        attempts: UpstreamAttempts(record: record, line: payload),
                                                                        hasUpstreamFields: true))?.failureClass
            }
        }
        #expect(try failureClass(drain[0]) == .upstreamTimeout)
        #expect(peeler.envelopeTime(reference: 0, zone: .utc)?.seconds
                == Array("2026-11-20T10:00:31Z".utf8).withUnsafeBufferPointer { Timestamp.parseISO8601($0) })
        // A drained line that starts with `sock=` (H18) is a router line too.
        #expect(try failureClass(drain[2]) == .upstreamUnreachable)
    }
}
