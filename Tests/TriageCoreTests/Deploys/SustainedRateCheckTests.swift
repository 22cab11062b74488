import Testing
@testable import TriageCore

@Suite struct SustainedRateCheckTests {
    static let start: Int64 = 1_795_168_800

    func bucket(_ minute: Int64, _ requests: Int, _ errors: Int, _ failureClass: FailureClass = .originError) -> TriageSummary.TimelineBucket {
        var classes = ClassCounts()
        classes[failureClass] = errors
        return TriageSummary.TimelineBucket(start: Self.start + minute * 60, requests: requests, serverErrors: errors, classes: classes)
    }

    func judge(_ timeline: [TriageSummary.TimelineBucket], baseline: Int64? = nil, rate: Double? = 0.01,
               increase: Double? = 2, minRequests: Int = 100) -> SustainedRateCheck {
        SustainedRateCheck(timeline: timeline, spanStart: Self.start, spanEnd: Self.start + 300, baselineSeconds: baseline,
                           classes: DeployComparison.gateClasses, maxErrorRate: rate, maxIncrease: increase,
                           minRequests: minRequests)
    }

    @Test("every minute with traffic above the limit and a significant excess is a breach; minutes without requests do not count")
    func breach() {
        let minutes = [bucket(0, 50, 5), bucket(1, 50, 4), bucket(3, 50, 6), bucket(4, 50, 5)] // minute 2: no requests
        let check = judge(minutes)
        #expect(check.verdict == .breach)
        #expect(check.conditions.first?.minutesWithTraffic == 4)
        #expect(check.conditions.first?.minutesAbove == 4)
    }

    @Test("lines outside the span are not judged, and proxy_error is not judged by default")
    func outsideAndProxy() {
        let check = judge([bucket(-1, 50, 50), bucket(5, 50, 50)] + (0..<5).map { bucket($0, 50, 10, .proxyError) })
        #expect(check.requests == 250)
        #expect(check.judgedErrors == 0)
        #expect(check.verdict == .ok)
    }

    @Test("below --min-requests only an overwhelming excess breaches: 5 of 5 in every minute does, 1 of 2 does not")
    func lowTraffic() {
        #expect(judge((0..<5).map { bucket($0, 1, 1) }).verdict == .breach)
        #expect(judge((0..<5).map { bucket($0, 2, 1) }, rate: 0.2).verdict == .insufficientData)
    }

    @Test("a baseline with too few requests is skipped, and says so")
    func smallBaseline() {
        let check = judge([bucket(-30, 10, 0)] + (0..<5).map { bucket($0, 100, 2) }, baseline: 3600, rate: nil)
        #expect(check.conditions.first?.skippedReason?.contains("only 10 requests in the baseline") == true)
        #expect(check.verdict == .insufficientData)
    }
}
