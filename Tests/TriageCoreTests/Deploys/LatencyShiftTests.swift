import Testing
@testable import TriageCore

@Suite struct LatencyShiftTests {
    /// `n` request times around `median` µs with a long tail, from a fixed seed:
    /// 90% within ±30% of the median, 10% up to 4× it.
    static func window(_ n: Int, median: Double, seed: UInt64) -> LatencyHistogram {
        var x = seed
        var h = LatencyHistogram()
        for _ in 0..<n {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(x >> 11) / Double(1 << 53)
            let factor = u < 0.9 ? 0.7 + u / 0.9 * 0.6 : 1.3 + (u - 0.9) / 0.1 * 2.7
            h.record(Int64(median * factor))
        }
        return h
    }

    @Test("the upper confidence rank of a p95 is the exact binomial one, and none exists below 104 durations (0.95^104 < 0.005)")
    func upperRankIsExact() throws {
        #expect(LatencyShift.minimumBefore == 104, "\(LatencyShift.minimumBefore)")
        #expect(LatencyShift.upperRank(n: LatencyShift.minimumBefore - 1) == nil)
        let n = 1000
        let u = try #require(LatencyShift.upperRank(n: n))
        #expect(RateTest.lowerTail(u - 1, n: n, p: 0.95) >= 1 - LatencyShift.boundError)
        #expect(RateTest.lowerTail(u - 2, n: n, p: 0.95) < 1 - LatencyShift.boundError)
    }

    @Test("a p95 that rises 3× on 1,000 requests a side, or 2.4× on 20,000, is a regression",
          arguments: [(3.0, 1000), (2.4, 20_000)])
    func riseIsRegression(factor: Double, n: Int) {
        let before = Self.window(n, median: 40_000, seed: 1)
        let after = Self.window(n, median: 40_000 * factor, seed: 2)
        let shift = LatencyShift(before: before, after: after, ratio: 2)
        #expect(shift.isRegression, "p \(shift.pValue), ratio \(shift.observedRatio ?? 0)")
        #expect(shift.pValue < 0.01)
        #expect(shift.insufficientReason == nil)
    }

    @Test("a p95 that rises 1.5× is not a 2× regression, however many requests")
    func smallRiseIsNot() {
        let shift = LatencyShift(before: Self.window(20_000, median: 40_000, seed: 3),
                                 after: Self.window(20_000, median: 60_000, seed: 4), ratio: 2)
        #expect(!shift.isRegression)
        #expect(shift.insufficientReason == nil)
    }

    @Test("an unchanged p95 is no regression, even at ratio 1")
    func unchangedIsNot() {
        let shift = LatencyShift(before: Self.window(5000, median: 40_000, seed: 5),
                                 after: Self.window(5000, median: 40_000, seed: 6), ratio: 1)
        #expect(!shift.isRegression)
    }

    @Test("too few durations before the deploy cannot bound its p95: not judged, with the reason")
    func fewBeforeIsInsufficient() {
        let shift = LatencyShift(before: Self.window(100, median: 40_000, seed: 7),
                                 after: Self.window(1000, median: 400_000, seed: 8), ratio: 2)
        #expect(!shift.isRegression)
        #expect(shift.insufficientReason?.contains("only 100 request times before") == true)
        #expect(shift.observedRatio.map { $0 > 5 } == true)
    }

    @Test("too few durations after the deploy are not judged")
    func fewAfterIsInsufficient() {
        let shift = LatencyShift(before: Self.window(1000, median: 40_000, seed: 9),
                                 after: Self.window(10, median: 400_000, seed: 10), ratio: 2)
        #expect(!shift.isRegression)
        #expect(shift.insufficientReason?.contains("only 10 request times after") == true)
    }

    @Test("the bound before is never below the exact order statistic it stands for")
    func upperBoundCoversOrderStatistic() throws {
        var values: [Int64] = []
        var h = LatencyHistogram()
        var x: UInt64 = 11
        for _ in 0..<2000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let v = Int64(x >> 40)  // up to 16.7 s
            values.append(v)
            h.record(v)
        }
        values.sort()
        for rank in [1, 100, 1900, 1950, 2000] {
            let bound = try #require(h.upperBound(rank: rank))
            #expect(bound >= values[rank - 1])
            #expect(Double(bound) <= Double(values[rank - 1]) * LatencyHistogram.gamma + 1)
        }
        // Surely-above counts never exceed the exact count.
        for t in [values[10], values[1000], values[1990]] {
            #expect(h.countSurelyAbove(t) <= values.filter { $0 > t }.count)
            #expect(h.countSurelyAbove(t) >= values.filter { Double($0) > Double(t) * LatencyHistogram.gamma * LatencyHistogram.gamma }.count)
        }
    }

    @Test("a deploy comparison carries the windows' latency and judges it")
    func comparisonJudgesLatency() throws {
        let a = Aggregator(deploys: [DeployMarker(time: .absolute(10_000), label: "v2", origin: "test")], deployWindow: 1800)
        var record = AccessRecord()
        record.status = 200
        let bytes: [UInt8] = []
        bytes.withUnsafeBufferPointer { line in
            for i in 0..<1000 {
                record.time = 10_000 - 1800 + Int64(i)
                record.requestMicros = 40_000 + Int64(i % 50) * 100
                a.add(record, line: line, hasUpstreamFields: false)
            }
            for i in 0..<1000 {
                record.time = 10_000 + Int64(i)
                record.requestMicros = 200_000 + Int64(i % 50) * 100
                a.add(record, line: line, hasUpstreamFields: false)
            }
        }
        let deploy = try #require(a.summary(top: 10).deploys.first)
        #expect(deploy.before.latency.count == 1000)
        #expect(deploy.after.latency.count == 1000)
        let shift = try #require(deploy.latencyShift)
        #expect(shift.isRegression)
        #expect(shift.ratio == LatencyShift.reportRatio)
    }
}
