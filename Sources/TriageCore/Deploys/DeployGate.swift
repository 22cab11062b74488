/// The post-deploy gate of `triage check`: may this rollout continue?
///
/// Pure: it judges the before/after counts of one deploy against thresholds.
/// A threshold is breached only when the observed value is past it *and* an
/// exact test says the excess is real (p < `alpha`), so a few errors on low
/// traffic never fail a deploy.
public struct DeployGate: Sendable {
    public struct Thresholds: Sendable {
        /// Highest acceptable 5xx rate after the deploy (0.01 = 1%); nil disables the check.
        public var maxErrorRate: Double? = 0.05
        /// Highest acceptable ratio of the rate after to the rate before; nil disables it.
        public var maxIncrease: Double? = 2
        /// Fewer requests after the deploy than this cannot be judged.
        public var minRequests = 100
        public var alpha = 0.01
        public init() {}
    }

    public enum Verdict: String, Sendable {
        case healthy, regression
        case insufficientData = "insufficient_data"

        /// The documented exit status (Docs/ExitCodes.md).
        public var exitCode: Int32 {
            switch self {
            case .healthy: return 0
            case .regression: return 1
            case .insufficientData: return 3
            }
        }
    }

    public struct Check: Sendable {
        public var name: String
        public var limit: Double
        public var observed: Double
        public var pValue: Double
        public var isBreached: Bool
        /// Set when the check could not run (e.g. no traffic before the deploy).
        public var skippedReason: String?
    }

    public var verdict: Verdict
    public var checks: [Check]
    public var reason: String

    public init(before: WindowCounts, after: WindowCounts, thresholds: Thresholds) {
        var checks: [Check] = []
        let e1 = before.serverErrors, n1 = before.requests
        let e2 = after.serverErrors, n2 = after.requests
        let rateAfter = after.errorRate, rateBefore = before.errorRate
        if let limit = thresholds.maxErrorRate {
            let p = n2 > 0 ? RateTest.exceeds(rate: limit, errors: e2, of: n2) : 1
            checks.append(Check(name: "max_error_rate", limit: limit, observed: rateAfter, pValue: p,
                                isBreached: n2 >= thresholds.minRequests && rateAfter > limit && p < thresholds.alpha))
        }
        if let ratio = thresholds.maxIncrease {
            if n1 < thresholds.minRequests {
                checks.append(Check(name: "max_increase", limit: ratio, observed: 0, pValue: 1, isBreached: false,
                                    skippedReason: "only \(n1) requests before the deploy (need \(thresholds.minRequests))"))
            } else {
                let observed = rateBefore > 0 ? rateAfter / rateBefore : (rateAfter > 0 ? .infinity : 1)
                let p = RateTest.increase(before: e1, of: n1, after: e2, of: n2, ratio: ratio)
                checks.append(Check(name: "max_increase", limit: ratio, observed: observed, pValue: p,
                                    isBreached: n2 >= thresholds.minRequests && observed > ratio && p < thresholds.alpha))
            }
        }
        self.checks = checks
        if let breached = checks.first(where: \.isBreached) {
            verdict = .regression
            reason = breached.name == "max_error_rate"
                ? "5xx rate after the deploy is above the limit"
                : "5xx rate after the deploy rose more than the allowed factor"
        } else if n2 < thresholds.minRequests {
            verdict = .insufficientData
            reason = "only \(n2) requests after the deploy (need \(thresholds.minRequests))"
        } else if checks.allSatisfy({ $0.skippedReason != nil }) {
            verdict = .insufficientData
            reason = checks.compactMap(\.skippedReason).joined(separator: "; ")
        } else {
            verdict = .healthy
            reason = "no threshold breached"
        }
    }
}
