import Foundation
import Testing

/// `triage check --for`: alert only when the 5xx rate stayed above the limit for the whole span.
@Suite struct SustainedRateTests {
    /// An hour of quiet traffic from 09:00 (0.5% origin 500s), then the span from 10:00 given by `span`.
    static func log(span: (_ minute: Int64, _ log: inout LogBuilder) -> Void) -> LogBuilder {
        var log = LogBuilder()
        for minute in Int64(-60)..<0 {
            log.add(40, from: minute * 60, to: minute * 60 + 60)
            if minute % 5 == 0 { log.add(1, from: minute * 60 + 30, to: minute * 60 + 31, kind: .origin(500)) }
        }
        for minute in Int64(0)..<5 { span(minute, &log) }
        // The newest minute, still being written: not judged.
        log.add(3, from: 300, to: 310)
        return log
    }

    func check(_ log: LogBuilder, _ arguments: [String]) throws -> CLI.Result {
        let file = try CLI.temporaryFile(log.data)
        return try CLI.run(["check"] + arguments + [file.path])
    }

    @Test("breach: 10% origin 500s in every minute of the newest 5 minutes, against a 1% limit")
    func breach() throws {
        let log = Self.log { minute, log in
            log.add(36, from: minute * 60, to: minute * 60 + 60)
            log.add(4, from: minute * 60, to: minute * 60 + 60, path: "/api/orders/77", kind: .origin(500))
        }
        let result = try check(log, ["--max-error-rate", "1%", "--for", "5m"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("BREACH"))
        #expect(result.stdout.contains("FAILED max_error_rate 1.0%: 5 of 5 minutes with traffic above it, 20 of 200 (10.0%)"))
        #expect(result.stdout.contains("minutes above 1.0%: 10:00 10.0% (4/40), 10:01"))
        #expect(result.stdout.contains("origin_error 20"))
        #expect(result.stdout.contains("top route: GET /api/orders/{id}, 20 judged 5xx"))
        let json = try CLI.json(try check(log, ["--max-error-rate", "1%", "--for", "5m", "--format", "json"]).stdout)
        #expect(json["mode"] as? String == "sustained")
        #expect(json["verdict"] as? String == "breach")
        #expect(json.object("span")["start"] as? String == "2026-11-20T10:00:00Z")
        #expect(json.list("minutes").count == 5)
        #expect(json.list("top_routes").first?["route"] as? String == "GET /api/orders/{id}")
    }

    @Test("no breach: one bad minute is not a sustained rate, even when the span's total is above the limit")
    func oneBadMinute() throws {
        let log = Self.log { minute, log in
            log.add(40, from: minute * 60, to: minute * 60 + 60)
            if minute == 2 { log.add(20, from: minute * 60, to: minute * 60 + 60, kind: .origin(500)) }
        }
        let result = try check(log, ["--max-error-rate", "1%", "--for", "5m"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("OK"))
        #expect(result.stdout.contains("1 of 5 minutes with traffic above it"))
        #expect(result.stdout.contains("minutes above 1.0%: 10:02"))
    }

    @Test("too little traffic: a few requests cannot show a sustained rate (exit 3)")
    func tooLittleTraffic() throws {
        let log = Self.log { minute, log in
            log.add(1, from: minute * 60, to: minute * 60 + 30)
            log.add(1, from: minute * 60 + 30, to: minute * 60 + 60, kind: .origin(500))
        }
        let result = try check(log, ["--max-error-rate", "20%", "--for", "5m"])
        #expect(result.status == 3, "\(result.stdout)")
        #expect(result.stdout.contains("only 10 requests"))
    }

    @Test("--baseline 1h: 3% in every minute against 0.5% the hour before fails the 2x increase, under a 5% limit")
    func baseline() throws {
        let log = Self.log { minute, log in
            log.add(97, from: minute * 60, to: minute * 60 + 60)
            log.add(3, from: minute * 60, to: minute * 60 + 60, kind: .origin(502))
        }
        let plain = try check(log, ["--max-error-rate", "5%", "--for", "5m"])
        #expect(plain.status == 0, "\(plain.stdout)")
        let compared = try check(log, ["--max-error-rate", "5%", "--for", "5m", "--baseline", "1h"])
        #expect(compared.status == 1, "\(compared.stdout)")
        #expect(compared.stdout.contains("baseline 60 min before: 12 judged 5xx of 2,412 requests (0.5%)"))
        #expect(compared.stdout.contains("FAILED max_increase 2x"))
        #expect(try CLI.json(try check(log, ["--max-error-rate", "5%", "--for", "5m", "--baseline", "1h", "--format", "json"]).stdout)
            .object("baseline").int("requests") == 2412)
    }

    @Test("--now judges the span before it, not the newest lines")
    func now() throws {
        let log = Self.log { minute, log in
            log.add(36, from: minute * 60, to: minute * 60 + 60)
            log.add(4, from: minute * 60, to: minute * 60 + 60, kind: .origin(500))
        }
        let earlier = try check(log, ["--max-error-rate", "1%", "--for", "5m", "--now", "2026-11-20T09:30:00Z"])
        #expect(earlier.status == 0, "\(earlier.stdout)")
        #expect(earlier.stdout.contains("09:25 to 09:30"))
        // --now is taken to the minute: the minute it falls in is not judged in part.
        let midMinute = try check(log, ["--max-error-rate", "1%", "--for", "5m", "--now", "2026-11-20T09:30:40Z"])
        #expect(midMinute.stdout.contains("09:25 to 09:30"))
    }

    @Test("usage: --for with --deploy, --window with --for, --baseline with --deploy, nothing to judge")
    func usage() throws {
        let file = try CLI.temporaryFile(Self.log { _, _ in }.data)
        for arguments in [["--for", "5m", "--deploy", "now"], ["--for", "5m", "--window", "5m"],
                          ["--deploy", "now", "--baseline", "1h"], ["--for", "5m", "--max-error-rate", "off"], ["--for", "-5m"],
                          ["--for", "90s"], ["--for", "5m", "--baseline", "30s"]] {
            #expect(try CLI.run(["check"] + arguments + [file.path]).status == 64, "\(arguments)")
        }
    }
}
