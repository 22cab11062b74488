import Testing
@testable import TriageCore

/// AWS ALB and classic ELB access logs: the load balancer's status against the target's.
@Suite struct AWSLoadBalancerFormatTests {
    static func alb(elb: String = "200", target: String = "200", targetAddr: String = "10.0.0.192:80",
                    times: String = "0.000 0.001 0.000", reason: String = "-") -> String {
        "http 2019-10-11T15:01:12.376735Z app/lb/c86a 77.227.156.41:56398 \(targetAddr) \(times) \(elb) \(target) 125 0 \"GET http://lb.example.com:80/ HTTP/1.1\" \"curl/7.58.0\" - - arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/t/8f \"Root=1-5da09932-2c342a443bfb96249aa50ed7\" \"-\" \"-\" 0 2019-10-11T15:01:06.657000Z \"forward\" \"-\" \"\(reason)\""
    }

    static let elbLine = #"2019-10-14T12:00:20.694172Z my-elb 175.16.199.1:54106 10.0.1.185:80 0.000043 0.000785 0.000023 503 - 0 612 "GET http://18.194.223.56:80/ HTTP/1.1" "Mozilla/5.0" - -"#

    @Test("an ALB line: statuses, target, trace ID as the request ID; later fields left unread")
    func albLine() throws {
        let format = try #require(LogFormat.preset(named: "alb"))
        let r = parse(Self.alb() + #" "10.0.0.192:80" "200" "-" "-""#, format)
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 200)
        #expect(r.text(r.record.upstreamStatus) == "200")
        #expect(r.text(r.record.upstreamAddr) == "10.0.0.192:80")
        #expect(r.text(r.record.requestID) == "Root=1-5da09932-2c342a443bfb96249aa50ed7")
        #expect(r.text(r.record.remoteAddr) == "77.227.156.41")
        #expect(r.record.time == 1_570_806_072)
    }

    @Test("the request's duration is the sum of the three processing times; a -1 among them leaves it unknown")
    func durationFromProcessingTimes() throws {
        let alb = try #require(LogFormat.preset(named: "alb"))
        #expect(parse(Self.alb(times: "0.001 2.500 0.000250"), alb).record.requestMicros == 2_501_250)
        #expect(parse(Self.alb(elb: "502", target: "-", times: "0.001 -1 -1"), alb).record.requestMicros == -1)
        #expect(parse(Self.alb(elb: "504", target: "-", times: "-1 -1 -1"), alb).record.requestMicros == -1)
        let elb = try #require(LogFormat.preset(named: "elb"))
        #expect(parse(Self.elbLine, elb).record.requestMicros == 851)
        // The backtracking matcher stores a step again when it retries: the sum stays one.
        var slow = alb
        slow.textFastPath = false
        #expect(parse(Self.alb(times: "0.001 2.500 0.000250"), slow).record.requestMicros == 2_501_250)
    }

    @Test("a classic ELB line, and detection of both without options")
    func elbLine() throws {
        let r = parse(Self.elbLine, try #require(LogFormat.preset(named: "elb")))
        #expect(r.ok, "\(r.failure)")
        #expect(r.record.status == 503)
        #expect(try FormatDetector.detect([Array(Self.elbLine.utf8)], path: "t").format.name == "elb")
        #expect(try FormatDetector.detect([Array(Self.alb().utf8)], path: "t").format.name == "alb")
    }

    @Test("NLB TLS lines and ALB connection-log lines are other lines; access lines are not")
    func otherLines() throws {
        let format = try #require(LogFormat.preset(named: "alb"))
        func shape(_ s: String) -> String? { Array(s.utf8).withUnsafeBufferPointer { OtherLine.dialectShape($0, format: format) } }
        #expect(shape("tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 192.168.131.39:2817 10.0.0.1:80 5 2 98 246 -")
                == "NLB TLS log line (not HTTP)")
        #expect(shape(#"2024-10-04T17:05:15.514108Z 192.168.131.39 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "CN=example.com" - FEF257372D5C14D4 Success"#)
                == "ALB connection log line (not a request)")
        #expect(shape(Self.alb()) == nil)
        #expect(shape(Self.elbLine) == nil)
    }

    @Test("fields AWS appended after error_reason (classification, conn_trace_id) are expected, not 'left unread'")
    func appendedFields() throws {
        let lines = [Self.alb() + #" "10.0.0.192:80" "200" "-" "-" TID_1234abcd5678ef90"#,
                     Self.alb(elb: "502", target: "502") + #" "10.0.0.192:80" "502" "Ambiguous" "UndefinedContentLengthSemantics" TID_1234abcd5678ef91"#]
        #expect(try FormatDetector.detect(lines.map { Array($0.utf8) }, path: "t").format.name == "alb")
        let analyzer = Analyzer(options: AnalysisOptions())
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8)), displayPath: "m"))
        let summary = analyzer.finish()
        #expect(summary.requests == 2)
        #expect(summary.inputs.first?.trailingTextLines == 0)
        #expect(summary.inputs.first?.unreadFields == nil)
    }

    @Test("a classic ELB's TCP listener line ('- -' statuses, request \"- - - \") is an other line, not a request")
    func elbTCPListener() throws {
        let format = try #require(LogFormat.preset(named: "elb"))
        let line = #"2014-02-15T23:39:43.945958Z my-test-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -"#
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let reason: String? = Array(line.utf8).withUnsafeBufferPointer { buffer in
            parser.parse(buffer, into: &record) ? nil : parser.otherShapeReason(buffer)
        }
        #expect(reason == OtherLine.envoyTCPProxy)
        #expect(parse(Self.elbLine, format).ok)
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var line: String
        var format = "alb"
        var expected: FailureClass?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "A1 504 with target '-' and -1 timings: the ALB timed out → upstream_timeout",
            line: alb(elb: "504", target: "-", times: "-1 -1 -1"), expected: .upstreamTimeout),
        Row(name: "A2 502 with target '-': no valid answer → upstream_unreachable", line: alb(elb: "502", target: "-"),
            expected: .upstreamUnreachable),
        Row(name: "A3 503 with no target: no registered or healthy target → upstream_unavailable",
            line: alb(elb: "503", target: "-", targetAddr: "-", times: "-1 -1 -1"), expected: .upstreamUnavailable),
        Row(name: "A4 500 from the target → origin_error", line: alb(elb: "500", target: "500"), expected: .originError),
        Row(name: "A5 460: the client closed first → client_closed", line: alb(elb: "460", target: "-", times: "-1 -1 -1"),
            expected: .clientClosed),
        Row(name: "A6 502 LambdaInvalidResponse → upstream_unreachable",
            line: alb(elb: "502", target: "-", reason: "LambdaInvalidResponse"), expected: .upstreamUnreachable),
        Row(name: "A7 502 LambdaUnhandled: the function's own exception → origin_error",
            line: alb(elb: "502", target: "-", reason: "LambdaUnhandled"), expected: .originError),
        Row(name: "A7b 502 LambdaUnhandledException: the load balancer's own exception, not the function's → proxy_error",
            line: alb(elb: "502", target: "-", reason: "LambdaUnhandledException"), expected: .proxyError),
        Row(name: "A7c 504 LambdaConnectionTimeout: connecting to Lambda timed out → upstream_timeout",
            line: alb(elb: "504", target: "-", reason: "LambdaConnectionTimeout"), expected: .upstreamTimeout),
        Row(name: "A7d 502 LambdaThrottling: the function had no capacity → upstream_unavailable",
            line: alb(elb: "502", target: "-", reason: "LambdaThrottling"), expected: .upstreamUnavailable),
        Row(name: "A7e 502 LambdaENILimitReachedException: the function could not start → upstream_unavailable",
            line: alb(elb: "502", target: "-", reason: "LambdaENILimitReachedException"), expected: .upstreamUnavailable),
        Row(name: "A7f 502 LambdaResponseTooLarge: no usable answer → upstream_unreachable",
            line: alb(elb: "502", target: "-", reason: "LambdaResponseTooLarge"), expected: .upstreamUnreachable),
        Row(name: "A7g 500 LambdaAccessDenied: the load balancer may not invoke it → proxy_error",
            line: alb(elb: "500", target: "-", reason: "LambdaAccessDenied"), expected: .proxyError),
        Row(name: "A7h 504 WAFConnectionTimeout, no target status: the load balancer's WAF call failed → proxy_error",
            line: alb(elb: "504", target: "-", reason: "WAFConnectionTimeout"), expected: .proxyError),
        Row(name: "A7i 500 WAFServiceError with the target's 500 (WAF failed open): the target's answer → origin_error",
            line: alb(elb: "500", target: "500", reason: "WAFServiceError"), expected: .originError),
        Row(name: "A8 500 AuthUnhandledException → proxy_error", line: alb(elb: "500", target: "-", reason: "AuthUnhandledException"),
            expected: .proxyError),
        Row(name: "A9 561 from the IdP, no target → proxy_error", line: alb(elb: "561", target: "-", targetAddr: "-"),
            expected: .proxyError),
        Row(name: "A10 classic ELB 503 with backend '-' → upstream_unavailable", line: elbLine, format: "elb",
            expected: .upstreamUnavailable),
        Row(name: "A11 200 with target 200 → no class", line: alb(), expected: nil),
        Row(name: "A12 502 with target 502: the target's own answer → origin_error", line: alb(elb: "502", target: "502"),
            expected: .originError),
        Row(name: "A13 classic ELB 504 with backend '-' and status 0: no answer → upstream_timeout",
            line: #"2015-07-22T09:00:35.890581Z marketpalce-shop 106.66.99.116:37913 - -1 -1 -1 504 0 0 0 "GET https://paytm.com:443/shop/orderdetail/1116223940?channel=web HTTP/1.1" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"#,
            format: "elb", expected: .upstreamTimeout),
    ]

    @Test("load balancer statuses through the facts table", arguments: rows)
    func classes(row: Row) throws {
        let format = try #require(LogFormat.preset(named: row.format))
        let bytes = Array(row.line.utf8)
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try bytes.withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record))
            let attempts = UpstreamAttempts(record: record, line: buffer)
            return Classifier.decide(format.vocabulary.facts(record, line: buffer, attempts: attempts, hasUpstreamFields: true))
        }
        #expect(decision?.failureClass == row.expected)
    }
}
