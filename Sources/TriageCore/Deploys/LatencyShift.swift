#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a deploy did to the p95 of the request time, and whether a rise past a ratio
/// is real or noise.
///
/// The test (Docs/Deploys.md#latency): H0 is "p95 after ≤ `ratio` × p95 before".
/// 1. An upper confidence bound `U` of the p95 before, exact and distribution-free:
///    the `u`-th shortest duration, `u` the smallest rank with
///    P(Binomial(n₁, 0.95) < u) ≥ 1 − β, β = 0.005, read as its bucket's upper edge
///    (so the histogram's 1% cannot make it smaller). No such rank (fewer than
///    104 durations before) means the p95 before cannot be bounded: not judged.
/// 2. Under H0 and `p95 before ≤ U`, a duration after exceeds `ratio × U` with
///    probability at most 5%, so `k`, the durations after surely above it (whole
///    buckets only), is at most Binomial(n₂, 0.05): p = P(X ≥ k) + β.
/// It is a regression when the observed p95 ratio is at least `ratio` and p < α.
public struct LatencyShift: Sendable, Equatable {
    /// The ratio the report calls a regression (the gate's `--max-p95-increase` may differ).
    public static let reportRatio = 2.0
    /// Probability that the bound on the p95 before is wrong; part of every p-value.
    public static let boundError = 0.005
    public static let quantile = 0.95

    public var before: TriageSummary.Latency?
    public var after: TriageSummary.Latency?
    /// The ratio tested against.
    public var ratio: Double
    /// p95 after / p95 before (from the histograms); nil when either side is empty.
    public var observedRatio: Double?
    /// The upper confidence bound of the p95 before (µs); nil when it cannot be bounded.
    public var beforeUpperBound: Int64?
    /// Durations after the deploy surely above `ratio × beforeUpperBound`.
    public var slowAfter: Int
    public var pValue: Double
    /// Why it could not be judged, or nil when it was.
    public var insufficientReason: String?
    public var isRegression: Bool

    /// Compares the request times of the windows around a deploy.
    ///
    /// - Parameter unavailable: why the windows' durations were not kept (a deploy given to
    ///   `triage merge`); the shift is then not judged, for that reason.
    public init(before h1: LatencyHistogram, after h2: LatencyHistogram, ratio: Double,
                alpha: Double = DeployComparison.alpha, unavailable: String? = nil) {
        before = TriageSummary.Latency(h1)
        after = TriageSummary.Latency(h2)
        self.ratio = ratio
        observedRatio = nil
        if let b = before, let a = after, b.p95 > 0 { observedRatio = Double(a.p95) / Double(b.p95) }
        beforeUpperBound = nil
        slowAfter = 0
        pValue = 1
        isRegression = false
        let n1 = h1.count, n2 = h2.count
        if let unavailable {
            insufficientReason = unavailable
            return
        }
        guard n2 >= DeployComparison.minimumRequests else {
            insufficientReason = n2 == 0 ? "no request time logged after the deploy"
                : "only \(n2) request times after the deploy (need \(DeployComparison.minimumRequests))"
            return
        }
        guard let rank = Self.upperRank(n: n1), let bound = h1.upperBound(rank: rank) else {
            insufficientReason = "only \(n1) request times before the deploy (need \(Self.minimumBefore) to bound its p95)"
            return
        }
        insufficientReason = nil
        beforeUpperBound = bound
        let threshold = (Double(bound) * ratio).rounded(.up)
        slowAfter = h2.countSurelyAbove(threshold >= Double(Int64.max) ? .max : Int64(threshold))
        pValue = Swift.min(1, RateTest.upperTail(slowAfter, n: n2, p: 1 - Self.quantile) + Self.boundError)
        isRegression = (observedRatio ?? 0) >= ratio && pValue < alpha
    }

    /// The smallest rank `u` with P(Binomial(n, q) ≤ u − 1) ≥ 1 − β, or nil when none ≤ n.
    static func upperRank(n: Int) -> Int? {
        guard n > 0 else { return nil }
        let start = Int((Double(n) * quantile).rounded(.up))
        for u in Swift.max(1, start)...n where RateTest.lowerTail(u - 1, n: n, p: quantile) >= 1 - boundError {
            return u
        }
        return nil
    }

    /// The fewest durations before a deploy whose p95 can be bounded.
    public static let minimumBefore: Int = {
        var n = 1
        while upperRank(n: n) == nil { n += 1 }
        return n
    }()
}
