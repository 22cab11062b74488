// Records the same request times into triage's LatencyHistogram and into HdrHistogram
// (2 significant digits: the same ~1% precision), and prints, for each: nanoseconds
// per recorded value, bytes held, the error of p50/p95/p99 against the exact
// nearest-rank values, and the time to merge many small histograms (what a merge of
// partials or of per-thread aggregators does). Deterministic input (fixed seed).
import Foundation
import Histogram
import TriageCore

/// Request times in µs: 90% around 50 ms, 9% around 400 ms, 1% stalls near 60 s.
struct Durations: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func duration() -> UInt64 {
        let kind = uniform()
        // Log-normal-ish: exp of a sum of uniforms (a rough normal).
        let z = (uniform() + uniform() + uniform() + uniform() - 2) * 1.2
        let median: Double = kind < 0.90 ? 50_000 : kind < 0.99 ? 400_000 : 60_000_000
        return UInt64(max(1, median * exp(z * (kind < 0.99 ? 0.5 : 0.02))))
    }
}

func values(_ n: Int, seed: UInt64) -> [UInt64] {
    var g = Durations(state: seed)
    return (0..<n).map { _ in g.duration() }
}

func exact(_ sorted: [UInt64], _ q: Double) -> UInt64 {
    sorted[max(1, Int((q * Double(sorted.count)).rounded(.up))) - 1]
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func hdr() -> Histogram<UInt32> {
    Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
}

let n = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10_000_000
let data = values(n, seed: 42)
let sorted = data.sorted()
let clock = ContinuousClock()

// Recording.
var own = LatencyHistogram()
let ownTime = clock.measure { for v in data { own.record(Int64(v)) } }
var theirs = hdr()
let hdrTime = clock.measure { for v in data { _ = theirs.record(v) } }

// Precision.
func errors(_ quantile: (Double) -> UInt64) -> String {
    [0.5, 0.95, 0.99].map { q in
        let want = Double(exact(sorted, q)), got = Double(quantile(q))
        return String(format: "%.2f%%", abs(got - want) / want * 100)
    }.joined(separator: " / ")
}
let ownErrors = errors { UInt64(own.quantile($0) ?? 0) }
let hdrErrors = errors { theirs.valueAtPercentile($0 * 100) }

// Memory: a histogram of this spread, and one of a single route with steady times.
var steadyOwn = LatencyHistogram(), steadyHdr = hdr()
for v in values(10_000, seed: 7) where v < 1_000_000 {
    steadyOwn.record(Int64(v))
    _ = steadyHdr.record(v)
}

// Merging: 1,000 histograms of 1,000 values each into one.
let parts = (0..<1_000).map { values(1_000, seed: UInt64($0) + 100) }
let ownParts = parts.map { p -> LatencyHistogram in var h = LatencyHistogram(); for v in p { h.record(Int64(v)) }; return h }
let hdrParts = parts.map { p -> Histogram<UInt32> in var h = hdr(); for v in p { _ = h.record(v) }; return h }
var ownMerged = LatencyHistogram()
let ownMerge = clock.measure { for h in ownParts { ownMerged.merge(h) } }
var hdrMerged = hdr()
let hdrMerge = clock.measure { for h in hdrParts { hdrMerged.add(h) } }

print("\(n) request times (90% ~50 ms, 9% ~400 ms, 1% ~60 s); 1% precision in both")
print("| histogram | ns per value | bytes, this spread | bytes, one steady route | p50 / p95 / p99 error | merge 1,000 × 1,000 values |")
print("| --- | ---: | ---: | ---: | --- | ---: |")
print(String(format: "| LatencyHistogram (γ = 1.02) | %.1f | %d | %d | %@ | %.2f ms |",
             seconds(ownTime) / Double(n) * 1e9, own.storedBuckets * 4, steadyOwn.storedBuckets * 4, ownErrors, seconds(ownMerge) * 1000))
print(String(format: "| HdrHistogram, 2 digits, 1 µs–1 h, UInt32 | %.1f | %d | %d | %@ | %.2f ms |",
             seconds(hdrTime) / Double(n) * 1e9, theirs.estimatedFootprintInBytes, steadyHdr.estimatedFootprintInBytes, hdrErrors, seconds(hdrMerge) * 1000))
print("checks: counts \(own.count) = \(theirs.totalCount); merged \(ownMerged.count) = \(hdrMerged.totalCount)")
