import Foundation
import Testing

/// Issue #12's incident, as nginx wrote it and an on-call engineer runs it: one access log
/// (the `upstream` preset) with four problems at once, given to the real binary. The
/// detector-level version of the same story is `ProblemDetectionTests`.
@Suite struct FourProblemsTests {
    /// 2026-11-21 12:00–18:00 UTC, 120 requests a minute from ordinary clients, plus:
    /// - a scraper (203.0.113.9) rate-limited all day: 20 × 503 a minute made by nginx;
    /// - v3.1.0 at 13:00: one POST /api/checkout in four fails in the application (500) until 18:00;
    /// - 10.0.1.13:8080 refuses connections 14:00–14:15: POSTs sent there get 502,
    ///   GETs are retried on 10.0.1.11 and succeed;
    /// - the payments backend 10.0.2.21:9000 stalls 15:30–15:40: 504s after 60 s and 499s.
    static func log() -> String {
        var lines: [String] = []
        var rng: UInt64 = 0x5EED
        func random(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        var id = 0
        let months = ["Nov"]
        func line(_ second: Int, client: String, request: String, status: Int, rt: String, urt: String, us: String, ua: String,
                  agent: String = "Mozilla/5.0") {
            id += 1
            let h = 12 + second / 3600, m = second / 60 % 60, s = second % 60
            let time = String(format: "21/%@/2026:%02d:%02d:%02d +0000", months[0], h, m, s)
            let rid = String(format: "%032x", id)
            lines.append("\(client) - - [\(time)] \"\(request) HTTP/1.1\" \(status) 512 \"-\" \"\(agent)\" rt=\(rt) uct=\"0.001\" uht=\"\(urt)\" urt=\"\(urt)\" us=\"\(us)\" ua=\"\(ua)\" rid=\(rid)")
        }
        let pool = ["10.0.1.11:8080", "10.0.1.12:8080", "10.0.1.13:8080"]
        for minute in 0..<360 {
            var events: [(second: Int, write: () -> Void)] = []
            for k in 0..<120 {
                let second = minute * 60 + k / 2
                let client = "192.0.2.\(8 + random(190))"
                let upstream = pool[(minute * 120 + k) % 3]
                let kind = k % 4  // 0, 1: GET /api/products/{id}; 2: POST /api/checkout; 3: POST /api/pay
                if kind == 3 {
                    let stalled = (210..<220).contains(minute)
                    if stalled && k % 3 == 0 {
                        events.append((second, { line(second, client: client, request: "POST /api/pay", status: 499, rt: "12.000", urt: "12.000", us: "-", ua: "10.0.2.21:9000") }))
                    } else if stalled {
                        events.append((second, { line(second, client: client, request: "POST /api/pay", status: 504, rt: "60.001", urt: "60.000", us: "504", ua: "10.0.2.21:9000") }))
                    } else {
                        events.append((second, { line(second, client: client, request: "POST /api/pay", status: 200, rt: "0.210", urt: "0.208", us: "200", ua: "10.0.2.21:9000") }))
                    }
                    continue
                }
                let refused = (120..<135).contains(minute) && upstream == "10.0.1.13:8080"
                if kind == 2 {
                    if refused {
                        events.append((second, { line(second, client: client, request: "POST /api/checkout", status: 502, rt: "0.001", urt: "0.000", us: "502", ua: upstream) }))
                    } else if minute >= 60 && k % 16 == 2 {
                        events.append((second, { line(second, client: client, request: "POST /api/checkout", status: 500, rt: "0.090", urt: "0.089", us: "500", ua: upstream) }))
                    } else {
                        events.append((second, { line(second, client: client, request: "POST /api/checkout", status: 201, rt: "0.080", urt: "0.079", us: "201", ua: upstream) }))
                    }
                    continue
                }
                let path = "GET /api/products/\(1000 + random(9000))"
                if refused {
                    events.append((second, { line(second, client: client, request: path, status: 200, rt: "0.041", urt: "0.000, 0.040", us: "502, 200", ua: "10.0.1.13:8080, 10.0.1.11:8080") }))
                } else {
                    events.append((second, { line(second, client: client, request: path, status: 200, rt: "0.040", urt: "0.039", us: "200", ua: upstream) }))
                }
            }
            for k in 0..<40 {
                let second = minute * 60 + k * 3 / 2
                let path = "GET /api/products/\(1000 + random(9000))"
                if k % 2 == 0 {
                    events.append((second, { line(second, client: "203.0.113.9", request: path, status: 503, rt: "0.000", urt: "-", us: "-", ua: "-", agent: "scrapy/2.11") }))
                } else {
                    events.append((second, { line(second, client: "203.0.113.9", request: path, status: 200, rt: "0.040", urt: "0.039", us: "200", ua: pool[k % 3], agent: "scrapy/2.11") }))
                }
            }
            for event in events.sorted(by: { $0.second < $1.second }) { event.write() }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("#12: four problems in one log are four incidents, each with its own window, class, route, upstream or client and deploy")
    func fourIncidents() throws {
        let file = try CLI.temporaryFile(Data(Self.log().utf8))
        let result = try CLI.run(["--format", "json", "--deploy", "2026-11-21T13:00:00Z=v3.1.0", file.path])
        let report = try CLI.json(result.stdout)
        let incidents = report.list("incidents")
        #expect(incidents.count == 4, "\(incidents.map { $0["summary"] as? String ?? "" })")
        func find(_ dominant: String) -> [String: Any]? { incidents.first { $0["dominant_class"] as? String == dominant } }

        let scraper = try #require(find("proxy_error"))
        #expect(scraper.list("top_clients").first?["name"] as? String == "203.0.113.9")
        #expect(scraper.list("top_routes").first?["name"] as? String == "GET /api/products/{id}")
        #expect(scraper.object("classes").int("proxy_error") == 360 * 20)
        #expect(scraper["start"] as? String == "2026-11-21T12:00:00Z")

        let deploy = try #require(find("origin_error"))
        #expect(deploy.list("top_routes").first?["name"] as? String == "POST /api/checkout")
        #expect(deploy["follows_deploy"] as? String == "v3.1.0")
        #expect(deploy["start"] as? String == "2026-11-21T13:00:00Z")

        let refused = try #require(find("upstream_unreachable"))
        #expect(refused.list("top_upstreams").first?["name"] as? String == "10.0.1.13:8080")
        #expect(refused["start"] as? String == "2026-11-21T14:00:00Z")
        #expect(refused["end"] as? String == "2026-11-21T14:15:00Z")
        #expect(refused.object("classes").int("retried_ok") > 0)
        // Overlapping the deploy's problem in time, it still keeps its own failures only.
        #expect(refused.object("classes").int("origin_error") <= 0)

        let stall = try #require(find("upstream_timeout"))
        #expect(stall.list("top_upstreams").first?["name"] as? String == "10.0.2.21:9000")
        #expect(stall.list("top_routes").first?["name"] as? String == "POST /api/pay")
        #expect(stall.object("classes").int("client_closed") > 0)
        #expect(stall["start"] as? String == "2026-11-21T15:30:00Z")
        #expect(stall["end"] as? String == "2026-11-21T15:40:00Z")
    }

    @Test("#12: the verdict gives each of the four problems a line, and names the client behind the route's 5xx")
    func verdict() throws {
        let file = try CLI.temporaryFile(Data(Self.log().utf8))
        let result = try CLI.run(["--deploy", "2026-11-21T13:00:00Z=v3.1.0", file.path], environment: ["COLUMNS": "200"])
        let problems = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  Problem: ") }
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.contains { $0.contains("203.0.113.9") && $0.contains("GET /api/products/{id}") })
        #expect(problems.contains { $0.contains("POST /api/checkout") && $0.contains("after v3.1.0") })
        #expect(problems.contains { $0.contains("10.0.1.13:8080") && $0.contains("retried elsewhere") })
        #expect(problems.contains { $0.contains("10.0.2.21:9000") && $0.contains("504") && $0.contains("499") })
        #expect(result.stdout.contains("of its 5xx from 203.0.113.9 (scrapy/2.11)"))
        // The deploy is judged without the scraper's proxy-made 503s, and the verdict's rate says so.
        #expect(result.stdout.contains("v3.1.0 at 13:00 UTC was followed by a regression: 5xx other than proxy_error 0.0% → "))
    }
}
