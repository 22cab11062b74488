@testable import TriageCore

/// Summaries built in code for the renderer tests: no log is read.
///
/// `realistic` follows the sample incident of SampleLogs/ (a bad deploy at
/// 10:30, one upstream refusing connections, a stalled payments backend,
/// rate limiting); `hostile` puts markup and escapes in every string that
/// comes from a log.
enum SampleSummaries {
    /// 2026-11-20T08:00:00Z.
    static let incidentStart = Int64(Timestamp.daysFromCivil(year: 2026, month: 11, day: 20)) * 86_400 + 8 * 3600

    static func classes(_ pairs: [(FailureClass, Int)]) -> ClassCounts {
        var counts = ClassCounts()
        for (c, n) in pairs { counts[c] += n }
        return counts
    }

    /// A request ID that looks like a real one (16 hex digits), the same on every run.
    static func requestID(_ seed: Int) -> String {
        var x = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D
        x ^= x >> 29
        x = x &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 32
        let hex = String(x, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: - Realistic

    /// Six hours of one-minute buckets around the incident.
    static func incidentTimeline() -> [TriageSummary.TimelineBucket] {
        var buckets: [TriageSummary.TimelineBucket] = []
        for minute in 0..<360 {
            // A three-minute gap in the log (a lost rotation), to show as a gap.
            if (70..<73).contains(minute) { continue }
            let requests = 40 + (minute * 7) % 13 + (minute / 60) * 3
            var c = ClassCounts()
            if minute % 37 == 11 { c[.originError] += 1 }
            if minute == 150 { c[.upstreamUnavailable] += 18 }
            if (150..<250).contains(minute) { c[.originError] += 2 + minute % 3 }
            if (195..<210).contains(minute) {
                c[.upstreamUnreachable] += 4
                c[.retriedOK] += 6
            }
            if (281..<296).contains(minute) {
                c[.upstreamTimeout] += 3
                c[.clientClosed] += 2
            }
            if (320..<325).contains(minute) { c[.proxyError] += 12 }
            // Request times: 40–80 ms, and the stall's minutes (281–295) end with 20 requests at 60 s.
            var latency = TimelineLatency()
            for r in 0..<requests { latency.record(Int64(40_000 + (r * 7_919) % 40_000)) }
            if (281..<296).contains(minute) { for _ in 0..<20 { latency.record(60_000_000) } }
            buckets.append(TriageSummary.TimelineBucket(start: incidentStart + Int64(minute) * 60, requests: requests,
                                                        serverErrors: c.serverErrors, classes: c, latency: latency))
        }
        return buckets
    }

    static var realistic: TriageSummary {
        var s = TriageSummary()
        s.timeline = incidentTimeline()
        s.timelineBucketSeconds = 60
        s.requests = s.timeline.reduce(0) { $0 + $1.requests }
        for bucket in s.timeline { s.classes.add(bucket.classes) }
        s.serverErrors = s.classes.serverErrors
        s.firstTime = incidentStart + 2
        s.lastTime = incidentStart + 359 * 60 + 53

        let statusOnly = classes([(.originError, 5), (.upstreamUnavailable, 2)])
        s.classDetails = FailureClass.allCases.map { c in
            let seen = s.timeline.filter { $0.classes[c] > 0 }
            return TriageSummary.ClassDetail(
                failureClass: c, count: s.classes[c], statusOnly: statusOnly[c],
                firstSeen: seen.first.map { $0.start + 7 }, lastSeen: seen.last.map { $0.start + 41 },
                sampleRequestIDs: seen.isEmpty ? [] : (0..<min(5, s.classes[c])).map { requestID(c.rawValue * 100 + $0) })
        }
        var status = [(200, s.requests - s.classes.total + s.classes[.retriedOK])]
        status.append((499, s.classes[.clientClosed]))
        status.append((500, s.classes[.originError]))
        status.append((502, s.classes[.upstreamUnreachable]))
        status.append((503, s.classes[.upstreamUnavailable] + s.classes[.proxyError]))
        status.append((504, s.classes[.upstreamTimeout]))
        s.statusCounts = status.map { (status: $0.0, count: $0.1) }

        let origin = s.classes[.originError]
        s.routes = [
            .init(method: "POST", route: "/api/orders", requests: 2_412, serverErrors: origin - 9 + 8,
                  classes: classes([(.originError, origin - 9), (.upstreamUnavailable, 8)]),
                  sampleRequestIDs: (0..<5).map { requestID(1000 + $0) }),
            .init(method: "GET", route: "/api/products/{id}", requests: 6_050, serverErrors: 9 + 10 + s.classes[.upstreamUnreachable],
                  classes: classes([(.originError, 9), (.upstreamUnavailable, 10), (.upstreamUnreachable, s.classes[.upstreamUnreachable])]),
                  sampleRequestIDs: (0..<5).map { requestID(2000 + $0) }),
            .init(method: "GET", route: "/api/payments/{uuid}", requests: 1_204, serverErrors: s.classes[.upstreamTimeout],
                  classes: classes([(.upstreamTimeout, s.classes[.upstreamTimeout]), (.clientClosed, s.classes[.clientClosed])]),
                  sampleRequestIDs: (0..<3).map { requestID(3000 + $0) }),
            .init(method: "GET", route: "/api/search", requests: 3_318, serverErrors: s.classes[.proxyError],
                  classes: classes([(.proxyError, s.classes[.proxyError])]),
                  sampleRequestIDs: (0..<2).map { requestID(4000 + $0) }),
            .init(method: "GET", route: "/api/cart", requests: 2_105, serverErrors: 0,
                  classes: classes([(.retriedOK, s.classes[.retriedOK])]), sampleRequestIDs: [requestID(5000)]),
        ]
        s.distinctRoutes = 57
        s.latency = .init(count: 19_000, p50: 54_000, p95: 489_000, p99: 851_000, max: 60_003_000)
        s.upstreamLatency = .init(count: 17_000, p50: 60_000, p95: 550_000, p99: 851_000, max: 60_001_000)
        s.classLatency[.upstreamTimeout] = .init(count: 45, p50: 60_000_000, p95: 60_000_000, p99: 60_001_000, max: 60_001_000)
        s.routes[0].latency = .init(count: 2_412, p50: 120_000, p95: 204_000, p99: 226_000, max: 251_000)
        s.upstreams = [
            .init(address: "10.0.1.12:8080", requests: 4_921, failures: 180,
                  classes: classes([(.originError, 120), (.upstreamUnreachable, 60)]),
                  sampleRequestIDs: (0..<5).map { requestID(6000 + $0) }),
            .init(address: "10.0.1.11:8080", requests: 5_012, failures: 131,
                  classes: classes([(.originError, 113), (.upstreamUnavailable, 18)]),
                  sampleRequestIDs: (0..<5).map { requestID(7000 + $0) }),
            .init(address: "10.0.2.21:9000", requests: 1_204, failures: 45,
                  classes: classes([(.upstreamTimeout, 45), (.clientClosed, 30)]),
                  sampleRequestIDs: (0..<3).map { requestID(8000 + $0) }),
            .init(address: "10.0.3.5:8080", requests: 3_310, failures: 0, classes: ClassCounts(), sampleRequestIDs: []),
        ]
        s.clientsAffected = 312
        s.serverErrorsWithRequestID = s.serverErrors - statusOnly.total
        let proxy = s.classes[.proxyError]
        let scraperUA = "python-requests/2.31.0"
        s.routes[3].topClient = .init(address: "198.51.100.77", count: proxy, userAgent: scraperUA)
        s.routes[0].topClient = .init(address: "203.0.113.9", count: 4, userAgent: "ShopApp/5.3.0 (Android 14; SM-S921B) okhttp/4.12.0")
        s.classDetails[FailureClass.proxyError.rawValue].topClient = .init(address: "198.51.100.77", count: proxy, userAgent: scraperUA)
        s.clients = [
            .init(address: "198.51.100.77", requests: 611, serverErrors: proxy, classes: classes([(.proxyError, proxy)]),
                  userAgent: scraperUA, retryStorms: 9, retryStormRequests: 88),
            .init(address: "203.0.113.9", requests: 455, serverErrors: 7, classes: classes([(.originError, 4), (.upstreamTimeout, 3)]),
                  userAgent: "ShopApp/5.3.0 (Android 14; SM-S921B) okhttp/4.12.0", retryStorms: 0, retryStormRequests: 0),
            .init(address: "2001:db8:85a3::8a2e:370:7334", requests: 80, serverErrors: 3, classes: classes([(.upstreamUnreachable, 3)]),
                  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                  retryStorms: 0, retryStormRequests: 0),
        ]
        s.clientCounts = .init(distinct: 347, approximate: 0, overflowRequests: 0, pairsOverflowed: false)
        s.retryStorms = .init(storms: 9, requests: 88, clients: 1, routes: [
            .init(method: "GET", route: "/api/search", storms: 9, requests: 88,
                  largest: .init(client: "198.51.100.77", requests: 16, first: incidentStart + 320 * 60 + 4, last: incidentStart + 320 * 60 + 28)),
        ])

        // Inputs split the requests by time, the way rotation would.
        let parts = [(0, 120), (120, 240), (240, 360)]
        let names = ["SampleLogs/nginx/access.log.2.gz", "SampleLogs/nginx/access.log.1", "SampleLogs/nginx/access.log"]
        for (i, part) in parts.enumerated() {
            let records = s.timeline.filter {
                $0.start >= incidentStart + Int64(part.0) * 60 && $0.start < incidentStart + Int64(part.1) * 60
            }.reduce(0) { $0 + $1.requests } - (i == 2 ? 180 : 0)
            s.inputs.append(.init(path: names[i], format: "upstream", formatSource: "detected (20 of 20 first lines match)",
                                  isGzip: i == 0, lines: records + 2, records: records, malformed: 2, blank: 0, skipped: 0,
                                  error: nil, hasUpstreamFields: true, hasRequestID: true))
        }
        s.inputs.append(.init(path: "SampleLogs/apache/access_log", format: "combined",
                              formatSource: "detected (19 of 20 first lines match)", isGzip: false, lines: 181, records: 180,
                              malformed: 0, blank: 1, skipped: 0, error: nil, hasUpstreamFields: false, hasRequestID: false))
        s.inputs[3].outsideTimeRange = 12
        s.lines = s.inputs.reduce(0) { $0 + $1.lines }
        s.deploys = [
            deploy("v2.14.0", minute: 150, verdict: .regression, pValue: 3.2e-19, originVerdict: .regression,
                   regressed: [.init(method: "POST", route: "/api/orders", before: 0, after: 88)],
                   signatures: [.init(id: "origin_error POST /api/orders", title: "origin_error on POST /api/orders",
                                      failureClass: .originError, count: 88)]),
            deploy("v2.14.1", minute: 250, verdict: .improvement, pValue: 4.1e-12, originVerdict: .improvement,
                   regressed: [], signatures: []),
        ]
        s.incidents = [
            incident(from: 150, to: 250, anomalous: [.originError],
                     routes: [("POST /api/orders", 291), ("GET /api/products/{id}", 11)],
                     upstreams: [("10.0.1.11:8080", 131), ("10.0.1.12:8080", 120)]),
            incident(from: 195, to: 210, anomalous: [.upstreamUnreachable], companions: [.retriedOK],
                     routes: [("GET /api/products/{id}", 59), ("POST /api/orders", 1)],
                     upstreams: [("10.0.1.12:8080", 60)]),
            incident(from: 281, to: 296, anomalous: [.upstreamTimeout, .clientClosed],
                     routes: [("GET /api/payments/{uuid}", 45)], upstreams: [("10.0.2.21:9000", 45)]),
            incident(from: 320, to: 325, anomalous: [.proxyError], routes: [("GET /api/search", 60)], upstreams: []),
        ].sorted(by: Incident.byImpact)
        s.incidents[0].followsDeploy = "v2.14.0"
        s.logUTCOffset = 0
        s.malformedLines = 6
        s.malformedByReason = [(reason: "status", count: 3), (reason: "time", count: 2), (reason: "overlong line", count: 1)]
        s.malformedExamples = [
            .init(path: "SampleLogs/nginx/access.log.2.gz", line: 412, reason: "status: expected three digits at column 71, found \"2OO\"",
                  excerpt: "10.0.4.7 - - [20/Nov/2026:08:41:09 +0000] \"GET /api/cart HTTP/1.1\" 2OO 512 \"-\" \"curl/8.5.0\""),
            .init(path: "SampleLogs/nginx/access.log.2.gz", line: 1733, reason: "time: cannot read a time at column 15, found \"20/Nov/2026:09:4\"",
                  excerpt: "10.0.4.9 - - [20/Nov/2026:09:4"),
            .init(path: "SampleLogs/nginx/access.log.1", line: 88, reason: "status: expected three digits at column 64, found \"-\"",
                  excerpt: "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03 - - [20/Nov/2026:10:02:11 +0000] \"-\" - 0"),
            .init(path: "SampleLogs/nginx/access.log.1", line: 2950, reason: "overlong line: longer than 65,536 bytes",
                  excerpt: "10.0.4.3 - - [20/Nov/2026:11:27:40 +0000] \"GET /api/search?q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            .init(path: "SampleLogs/nginx/access.log", line: 17, reason: "status: expected three digits at column 70, found \"20\"",
                  excerpt: "10.0.4.2 - - [20/Nov/2026:12:00:41 +0000] \"GET /healthz HTTP/1.1\" 20"),
            .init(path: "SampleLogs/nginx/access.log", line: 3986, reason: "time: cannot read a time at column 15, found \"\"",
                  excerpt: "10.0.4.8 - - ["),
        ]
        s.hints = [
            "Classification used the status code alone for SampleLogs/apache/access_log: a 502/503/504 may come from the proxy or the application. To know, add $upstream_status $upstream_addr $upstream_connect_time $upstream_header_time $upstream_response_time to the nginx log_format (preset 'upstream' in Docs/Formats.md).",
            "No request IDs in SampleLogs/apache/access_log, so 5xx cannot be matched to application logs: add %{X-Request-ID}i to the LogFormat.",
        ]
        s.signatures = [
            .init(id: "5f0c2b1d9e8a7c36", title: "NoMethodError: undefined method `amount' for nil:NilClass", source: .appLog,
                  count: 69, firstSeen: incidentStart + 9054, lastSeen: incidentStart + 15_002, routes: ["POST /api/orders"],
                  classes: classes([(.originError, 69)]), sampleRequestIDs: [requestID(1), requestID(2)],
                  exceptionType: "NoMethodError", message: "NoMethodError (undefined method `amount' for nil:NilClass):",
                  stack: ["app/models/order.rb:42:in `total'", "app/controllers/orders_controller.rb:17:in `create'"],
                  frames: ["models/order.rb in total", "controllers/orders_controller.rb in create"],
                  location: "SampleLogs/app/production.log:1204", upstreamStatus: nil),
            .init(id: "access-0a1b2c3d4e5f6071", title: "upstream_timeout on POST /api/payments (upstream 504)", source: .accessLog,
                  count: 28, firstSeen: incidentStart + 16_830, lastSeen: incidentStart + 17_760, routes: ["POST /api/payments"],
                  classes: classes([(.upstreamTimeout, 28)]), sampleRequestIDs: [requestID(3)], exceptionType: nil,
                  message: nil, stack: [], frames: [], location: nil, upstreamStatus: 504),
        ]
        s.correlation.serverErrors = s.serverErrors
        s.correlation.withRequestID = 296
        s.correlation.matched = 69
        s.correlation.distinctSignatures = 9
        s.correlation.appLogs = [
            .init(path: "SampleLogs/app/production.log", isGzip: false, lines: 5210, events: 3012, errorEvents: 90,
                  errorEventsWithRequestID: 88, matchedEvents: 84, timeMismatches: 0, error: nil),
        ]
        return s
    }

    /// The counts of the incident timeline over `from..<to` (minutes after 08:00).
    static func window(from: Int, to: Int) -> WindowCounts {
        var w = WindowCounts()
        for b in incidentTimeline() where b.start >= incidentStart + Int64(from) * 60 && b.start < incidentStart + Int64(to) * 60 {
            w.requests += b.requests
            w.serverErrors += b.serverErrors
            w.classes.add(b.classes)
        }
        return w
    }

    static func deploy(_ label: String, minute: Int, verdict: DeployVerdict, pValue: Double, originVerdict: DeployVerdict,
                       regressed: [DeployComparison.RouteChange], signatures: [DeployComparison.NewSignature]) -> DeployComparison {
        DeployComparison(label: label, time: incidentStart + Int64(minute) * 60, windowSeconds: 1800,
                         before: window(from: minute - 30, to: minute), after: window(from: minute, to: minute + 30),
                         verdict: verdict, pValue: pValue, originVerdict: originVerdict, originPValue: pValue,
                         upstreamLikelyUnrelated: false, regressedRoutes: regressed, newSignatures: signatures,
                         timeWasZoneless: false)
    }

    /// A problem of the `anomalous` classes (and, when given, `companions`) within the window.
    static func incident(from: Int, to: Int, anomalous: [FailureClass], companions: [FailureClass] = [],
                         routes: [(String, Int)], upstreams: [(String, Int)]) -> Incident {
        var w = window(from: from, to: to)
        var own = ClassCounts()
        for c in anomalous + companions { own[c] = w.classes[c] }
        w.classes = own
        w.serverErrors = FailureClass.allCases.filter(\.isServerError).reduce(0) { $0 + own[$1] }
        let buckets = incidentTimeline().filter { $0.start >= incidentStart + Int64(from) * 60 && $0.start < incidentStart + Int64(to) * 60 }
        let peak = buckets.max { $0.serverErrors < $1.serverErrors || ($0.serverErrors == $1.serverErrors && $0.start > $1.start) }
        var i = Incident(start: incidentStart + Int64(from) * 60, end: incidentStart + Int64(to) * 60,
                         peak: peak?.start ?? incidentStart, peakServerErrors: peak?.serverErrors ?? 0, requests: w.requests,
                         serverErrors: w.serverErrors, classes: w.classes, anomalousClasses: anomalous,
                         topRoutes: routes.map { .init(name: $0.0, count: $0.1, failures: $0.1) },
                         topUpstreams: upstreams.map { .init(name: $0.0, count: $0.1, failures: $0.1) })
        i.peakFailures = peak?.serverErrors ?? 0
        // The retries hidden by companions were sent to the first upstream too.
        if !companions.isEmpty, !i.topUpstreams.isEmpty {
            i.topUpstreams[0].failures += companions.reduce(0) { $0 + w.classes[$1] }
        }
        let statuses: [(FailureClass, Int)] = [(.originError, 500), (.upstreamUnreachable, 502), (.upstreamTimeout, 504),
                                               (.upstreamUnavailable, 503), (.proxyError, 503), (.clientClosed, 499)]
        var counts: [Int: Int] = [:]
        for (c, status) in statuses where w.classes[c] > 0 { counts[status, default: 0] += w.classes[c] }
        i.statusCounts = counts.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.status < $1.status }
        i.detectedBy = ["route", "upstream"]
        return i
    }

    // MARK: - Hostile

    static let script = "<script>alert(1)</script>"

    /// Every log-derived string holds markup, Markdown syntax or a control character.
    static var hostile: TriageSummary {
        var s = TriageSummary()
        let t0 = incidentStart
        let hostileIDs = [script, "`tick`", "a|b", "*bold*", "_it_ [x](javascript:alert(1))", "\u{1B}[31mred\u{1B}[0m"]
        s.timeline = [
            .init(start: t0, requests: 10, serverErrors: 3, classes: classes([(.originError, 2), (.upstreamTimeout, 1)])),
            .init(start: t0 + 60, requests: 12, serverErrors: 5, classes: classes([(.originError, 5), (.clientClosed, 1)])),
            .init(start: t0 + 300, requests: 4, serverErrors: 0, classes: ClassCounts()),
        ]
        s.requests = 26
        s.classes = classes([(.originError, 7), (.upstreamTimeout, 1), (.clientClosed, 1)])
        s.serverErrors = 8
        s.firstTime = t0
        s.lastTime = t0 + 330
        s.lines = 31
        s.classDetails = FailureClass.allCases.map { c in
            TriageSummary.ClassDetail(failureClass: c, count: s.classes[c], statusOnly: 0,
                                      firstSeen: s.classes[c] > 0 ? t0 : nil, lastSeen: s.classes[c] > 0 ? t0 + 61 : nil,
                                      sampleRequestIDs: s.classes[c] > 0 ? hostileIDs : [])
        }
        s.statusCounts = [(status: 200, count: 17), (status: 499, count: 1), (status: 500, count: 7), (status: 504, count: 1)]
        s.routes = [
            .init(method: "GET", route: "/search/\(script)", requests: 9, serverErrors: 4,
                  classes: classes([(.originError, 4)]), sampleRequestIDs: hostileIDs),
            .init(method: "POST|PUT", route: "/a|b||c", requests: 5, serverErrors: 2,
                  classes: classes([(.originError, 2)]), sampleRequestIDs: ["x|y"]),
            .init(method: "GET", route: "/x`y``z`", requests: 3, serverErrors: 1,
                  classes: classes([(.originError, 1)]), sampleRequestIDs: ["``"]),
            .init(method: "<b>", route: "*bold* _it_ [link](https://evil.example/x.png) ![img](http://evil.example/i.png) @octocat #1 $x$",
                  requests: 2, serverErrors: 1, classes: classes([(.upstreamTimeout, 1)]), sampleRequestIDs: []),
            .init(method: "GET", route: "/\u{1B}[31mred\u{1B}[0m/line\nbreak/&amp;/&lt;/'q\"", requests: 2, serverErrors: 1,
                  classes: classes([(.clientClosed, 1), (.originError, 1)]), sampleRequestIDs: ["'\"&"]),
            .init(method: "-", route: "# heading", requests: 1, serverErrors: 1, classes: classes([(.proxyError, 1)]),
                  sampleRequestIDs: [" ` "]),
        ]
        s.routesOverflowRequests = 3
        s.distinctRoutes = 20_000
        s.upstreams = [
            .init(address: "\(script):80", requests: 6, failures: 3, classes: classes([(.originError, 2), (.upstreamTimeout, 1)]),
                  sampleRequestIDs: hostileIDs),
            .init(address: "10.0.0.1:80|evil`x`", requests: 4, failures: 1, classes: classes([(.originError, 1)]),
                  sampleRequestIDs: ["<img src=x onerror=alert(1)>"]),
        ]
        s.clientsAffected = 3
        s.clientsAffectedIsLowerBound = true
        s.serverErrorsWithRequestID = 8
        s.routes[0].topClient = .init(address: "10.0.0.9|`x`", count: 3, userAgent: "\(script) *ua* | `tick`")
        s.clients = [
            .init(address: "10.0.0.9|`x`", requests: 12, serverErrors: 5, classes: classes([(.originError, 5)]),
                  userAgent: "\(script) *ua* | `tick` \u{1B}[31mred\u{1B}[0m", retryStorms: 1, retryStormRequests: 5,
                  serverErrorCountError: 2),
            .init(address: "<b>client</b>", requests: 3, serverErrors: 2, classes: classes([(.originError, 2)]), userAgent: nil,
                  retryStorms: 0, retryStormRequests: 0),
        ]
        s.clientCounts = .init(distinct: 10_000, approximate: 4, overflowRequests: 7, pairsOverflowed: true)
        s.retryStorms = .init(storms: 1, requests: 5, clients: 1, routes: [
            .init(method: "GET", route: "/search/\(script)", storms: 1, requests: 5,
                  largest: .init(client: "10.0.0.9|`x`", requests: 5, first: t0 + 61, last: t0 + 65)),
        ])
        s.inputs = [
            .init(path: "logs/\(script)|x`.log", format: "nginx `main`", formatSource: "given (*bold* _x_ <i>)", isGzip: true,
                  lines: 31, records: 26, malformed: 4, blank: 1, skipped: 0,
                  error: "read failed: <img src=x onerror=alert(1)> | `rm -rf`", hasUpstreamFields: true, hasRequestID: true),
        ]
        s.signatures = [
            .init(id: "0123456789abcdef", title: "\(script): `x` | *y* _z_", source: .appLog, count: 5, firstSeen: t0,
                  lastSeen: t0 + 61, routes: ["GET /search/\(script)", "POST|PUT /a|b||c"], classes: classes([(.originError, 5)]),
                  sampleRequestIDs: hostileIDs, exceptionType: "<b>Err</b>", message: "```\n\(script) ``` `tick`",
                  stack: ["\tat <i>x</i>(y.java)", "```", "# heading", "\u{1B}[31mred\u{1B}[0m"], frames: ["a|b in `c`"],
                  location: "logs/\(script).log:3", upstreamStatus: nil),
            .init(id: "access-0123456789abcdef", title: "origin_error on GET /x`y``z` (upstream 500)", source: .accessLog, count: 3,
                  firstSeen: nil, lastSeen: nil, routes: ["GET /x`y``z`"], classes: classes([(.originError, 3)]),
                  sampleRequestIDs: ["``"], exceptionType: nil, message: nil, stack: [], frames: [], location: nil, upstreamStatus: 500),
        ]
        s.correlation.serverErrors = s.serverErrors
        s.correlation.withRequestID = 8
        s.correlation.matched = 5
        s.correlation.distinctSignatures = 2
        s.correlation.hint = "check \(script) | `x`"
        s.correlation.appLogs = [
            .init(path: "app/\(script)|`x`.log", isGzip: true, lines: 10, events: 5, errorEvents: 5, errorEventsWithRequestID: 5,
                  matchedEvents: 5, timeMismatches: 1, error: "gzip: <b>corrupt</b> | `x`"),
        ]
        s.malformedLines = 4
        s.malformedByReason = [(reason: "status <i>", count: 3), (reason: "time|x", count: 1)]
        s.malformedExamples = [
            .init(path: "logs/\(script)|x`.log", line: 3, reason: "status: found \"<b>x</b>\" | `code`",
                  excerpt: "\(script) \"GET / HTTP/1.1\" | `` ` ``"),
            .init(path: "logs/a.log", line: 9, reason: "- list item\n# heading", excerpt: "\u{1B}[31m*bold*\u{1B}[0m _x_ [a](b) <!-- c -->"),
        ]
        s.deploys = [
            DeployComparison(label: "\(script) `v1` | *x*", time: t0 + 60, windowSeconds: 600, before: WindowCounts(),
                             after: WindowCounts(), verdict: .insufficientData, pValue: 1, originVerdict: .insufficientData,
                             originPValue: .nan, upstreamLikelyUnrelated: true,
                             regressedRoutes: [.init(method: "GET|X", route: "/\(script)|`a`", before: 0, after: 4)],
                             newSignatures: [.init(id: "x|y", title: "<b>new</b> | `sig`", failureClass: .originError, count: 4)],
                             timeWasZoneless: true,
                             findings: [.init(kind: .route, subject: "GET|X /\(script)|`a`", before: 0, after: 4, requestsBefore: 40,
                                              requestsAfter: 40, pValue: 0.0001, alpha: 0.005)]),
        ]
        s.incidents = [
            Incident(start: t0, end: t0 + 120, peak: t0 + 60, peakServerErrors: 5, requests: 22, serverErrors: 8,
                     classes: classes([(.originError, 7), (.upstreamTimeout, 1)]), anomalousClasses: [.originError],
                     topRoutes: [.init(name: "GET /search/\(script)|x", count: 4, failures: 4)],
                     topUpstreams: [.init(name: "\(script):80 `x`", count: 3, failures: 3)]),
        ]
        s.incidents[0].statusCounts = [(500, 7), (504, 1)]
        s.incidents[0].topClients = [.init(name: "\(script)|client", count: 7, failures: 8)]
        s.incidents[0].followsDeploy = "\(script)|deploy"
        s.incidents[0].signatures = [.init(id: "sig-\(script)", title: "Error: \(script) | `x`", count: 7)]
        s.incidentsApproximation = "failures of clients past the first 10000 are under no client (3)"
        s.logUTCOffset = -18_000
        s.hints = ["# not a heading", "- not a list", "1. not ordered", "\(script) & <style>body{}</style> https://evil.example/"]
        return s
    }
}
