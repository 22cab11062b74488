import Testing
@testable import TriageCore

@Suite struct TimelineLatencyTests {
    @Test("the timeline's p95 is within its stated relative error (about 5%) of the exact nearest-rank value",
          arguments: [1, 3, 60, 5_000])
    func withinStatedError(n: Int) throws {
        let values = LatencyHistogramTests.durations(n, seed: UInt64(n) &+ 11)
        var h = TimelineLatency()
        for v in values { h.record(v) }
        #expect(h.count == n)
        let sorted = values.sorted()
        for q in [0.5, 0.95, 0.99] {
            let got = try #require(h.quantile(q))
            let want = LatencyHistogramTests.exact(sorted, q)
            let error = abs(Double(got - want)) / Double(max(want, 1))
            #expect(error <= TimelineLatency.relativeError + 1e-9 || abs(got - want) <= 1, "q \(q): \(got) vs \(want)")
        }
        #expect(TimelineLatency.relativeError < 0.05)
    }

    @Test("minutes merged into a slot give exactly the histogram of all their request times, in either order")
    func mergeIsExact() {
        let a = LatencyHistogramTests.durations(700, seed: 5), b = LatencyHistogramTests.durations(300, seed: 6).map { $0 * 7 }
        var whole = TimelineLatency(), left = TimelineLatency(), right = TimelineLatency()
        for v in a + b { whole.record(v) }
        for v in a { left.record(v) }
        for v in b { right.record(v) }
        var ab = left
        ab.merge(right)
        var ba = right
        ba.merge(left)
        #expect(ab == whole)
        #expect(ba == whole)
    }

    @Test("recording from the fine histogram's bucket is the same as recording the duration")
    func fineBucketIndexing() {
        var direct = TimelineLatency(), viaBucket = TimelineLatency()
        for v in LatencyHistogramTests.durations(1_000, seed: 9) {
            direct.record(v)
            viaBucket.record(fineBucket: LatencyHistogram.index(v))
        }
        #expect(direct == viaBucket)
    }

    @Test("a minute of similar request times keeps few buckets; 1 ms to 60 s at most 113")
    func memory() {
        var steady = TimelineLatency()
        for v in [40_000, 42_000, 45_000, 51_000] as [Int64] { steady.record(v) }
        #expect(steady.storedBuckets <= 3)
        var wide = TimelineLatency()
        wide.record(1_000)
        wide.record(60_000_000)
        #expect(wide.storedBuckets <= 113)
    }

    @Test("the stored form round-trips; out-of-range buckets or negative counts are refused")
    func wire() {
        var h = TimelineLatency()
        for v in LatencyHistogramTests.durations(200, seed: 3) { h.record(v) }
        let w = h.wire
        #expect(TimelineLatency(offset: w.offset, counts: w.counts) == h)
        #expect(TimelineLatency(offset: -1, counts: [1]) == nil)
        #expect(TimelineLatency(offset: TimelineLatency.maxIndex, counts: [1, 1]) == nil)
        #expect(TimelineLatency(offset: 3, counts: [1, -2]) == nil)
        #expect(TimelineLatency(offset: 0, counts: [])?.isEmpty == true)
    }
}
