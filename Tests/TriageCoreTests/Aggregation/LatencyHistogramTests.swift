import Testing
@testable import TriageCore

@Suite struct LatencyHistogramTests {
    /// Nearest-rank percentile of sorted values, the exact answer the histogram approximates.
    static func exact(_ sorted: [Int64], _ q: Double) -> Int64 {
        sorted[max(1, Int((q * Double(sorted.count)).rounded(.up))) - 1]
    }

    /// Durations from 1 µs to 100 s, skewed like request times, from a fixed seed.
    static func durations(_ n: Int, seed: UInt64) -> [Int64] {
        var x = seed
        return (0..<n).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let exponent = Double(x >> 11) / Double(1 << 53) * 8  // 10^0 … 10^8 µs
            return Int64(pow10(exponent))
        }
    }

    static func pow10(_ e: Double) -> Double {
        var r = 1.0
        for _ in 0..<Int(e) { r *= 10 }
        return r * (1 + (e - e.rounded(.down)) * 9)
    }

    @Test("p50, p95 and p99 are within the stated relative error of the exact nearest-rank values; max is exact",
          arguments: [1, 7, 100, 10_000])
    func withinStatedError(n: Int) throws {
        let values = Self.durations(n, seed: UInt64(n))
        var h = LatencyHistogram()
        for v in values { h.record(v) }
        let sorted = values.sorted()
        for q in [0.5, 0.95, 0.99] {
            let got = try #require(h.quantile(q))
            let want = Self.exact(sorted, q)
            let error = abs(Double(got - want)) / Double(max(want, 1))
            #expect(error <= LatencyHistogram.relativeError + 1e-9 || abs(got - want) <= 1, "q \(q): \(got) vs \(want)")
        }
        #expect(h.max == sorted.last)
        #expect(h.count == n)
    }

    @Test("two histograms merged give exactly the histogram of all their values, in either order")
    func mergeIsExact() {
        let a = Self.durations(5_000, seed: 1), b = Self.durations(3_000, seed: 2).map { $0 * 3 }
        var whole = LatencyHistogram(), left = LatencyHistogram(), right = LatencyHistogram()
        for v in a + b { whole.record(v) }
        for v in a { left.record(v) }
        for v in b { right.record(v) }
        var ab = left
        ab.merge(right)
        var ba = right
        ba.merge(left)
        #expect(ab == whole)
        for q in [0.5, 0.95, 0.99, 1] { #expect(ba.quantile(q) == whole.quantile(q)) }
    }

    @Test("memory follows the spread of the values, not their number; an empty histogram has no buckets; -1 is ignored")
    func boundedMemory() {
        var h = LatencyHistogram()
        #expect(h.storedBuckets == 0 && h.quantile(0.5) == nil)
        h.record(-1)
        #expect(h.isEmpty)
        for i in 0..<1_000_000 { h.record(1_000 + Int64(i % 59_000_000)) }  // 1 ms … 60 s
        #expect(h.storedBuckets <= 560)
        var wide = LatencyHistogram()
        wide.record(0)
        wide.record(Int64.max)
        #expect(wide.storedBuckets == LatencyHistogram.maxIndex + 1)
        #expect(wide.quantile(1) == Int64.max)
    }

    @Test("the table lookup gives every duration the bucket of its logarithm: all values to 2^20 µs, each bucket's edges, and a spread to Int64.max")
    func tableMatchesLogarithm() {
        for m in Int64(-3)..<(1 << 20) {
            if LatencyHistogram.index(m) != LatencyHistogram.indexByLogarithm(m) {
                Issue.record("bucket of \(m) µs: table \(LatencyHistogram.index(m)), logarithm \(LatencyHistogram.indexByLogarithm(m))")
                return
            }
        }
        let tables = LatencyHistogram.BucketTables.shared
        var edges: [Int64] = []
        for i in 1...LatencyHistogram.maxIndex {
            let first = tables.firsts[i]
            edges += [first - 2, first - 1, first, first + 1, first + 2]
        }
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            edges.append(Int64(truncatingIfNeeded: x >> (1 + x % 63)))
        }
        edges += [Int64.max, Int64.max - 1, 10_000_000_000, 9_999_999_999]
        let wrong = edges.filter { $0 >= 0 && LatencyHistogram.index($0) != LatencyHistogram.indexByLogarithm($0) }
        #expect(wrong.isEmpty, "first wrong: \(wrong.prefix(5))")
    }
}
