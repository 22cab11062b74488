/// The post-deploy gate of `triage check`: may this rollout continue?
///
/// Pure: it judges one ``DeployComparison`` on the server errors of the chosen
/// classes (by default ``DeployComparison/gateClasses``: every 5xx class but
/// `proxy_error`). The deploy fails when
/// - a threshold is breached: the observed value is past it *and* an exact
///   test says the excess is real (p < `alpha`; for `max_p95_increase`, the
///   test of ``LatencyShift``); or
/// - a finding of ``DeployComparison/regressions(classes:)``: the judged
///   classes together, one class, one route or a new signature rose
///   significantly (the same rule as the report's deploy verdict, so the
///   report never calls a regression what the gate lets through).
///
/// Below `minRequests` requests after the deploy a threshold is judged only
/// when the evidence is overwhelming (p < `overwhelming`): 60 errors in 60
/// requests is a failed deploy, not a lack of traffic. Findings keep the
/// report's own floor (``DeployComparison/minimumRequests`` a side).
public struct DeployGate: Sendable {
    public struct Thresholds: Sendable {
        /// Highest acceptable 5xx rate after the deploy (0.01 = 1%); nil disables the check.
        public var maxErrorRate: Double? = 0.05
        /// Highest acceptable ratio of the rate after to the rate before; nil disables it.
        public var maxIncrease: Double? = 2
        /// Highest acceptable ratio of the request time's p95 after to before
        /// (``LatencyShift``); nil (the default) does not judge latency.
        public var maxP95Increase: Double? = nil
        /// Fewer requests after the deploy than this cannot be judged.
        public var minRequests = 100
        public var alpha = 0.01
        /// Below `minRequests`, a breach with a p-value under this still fails.
        public var overwhelming = 1e-6
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
    /// Significant rises per class, route and signature (and in total).
    public var findings: [DeployFinding]
    /// The classes judged, in the report's order.
    public var classes: [FailureClass]
    /// Server errors of the judged classes before and after.
    public var judgedBefore: Int
    public var judgedAfter: Int
    public var reason: String

    public init(comparison c: DeployComparison, classes: Set<FailureClass> = DeployComparison.gateClasses,
                thresholds: Thresholds = Thresholds()) {
        self.classes = FailureClass.allCases.filter { classes.contains($0) }
        let n1 = c.before.requests, n2 = c.after.requests
        let e1 = c.before.errors(in: classes), e2 = c.after.errors(in: classes)
        judgedBefore = e1
        judgedAfter = e2
        let rateBefore = n1 > 0 ? Double(e1) / Double(n1) : 0
        let rateAfter = n2 > 0 ? Double(e2) / Double(n2) : 0
        func enoughAfter(_ p: Double) -> Bool { n2 >= thresholds.minRequests || p < thresholds.overwhelming }
        var checks: [Check] = []
        if let limit = thresholds.maxErrorRate {
            let p = n2 > 0 ? RateTest.exceeds(rate: limit, errors: e2, of: n2) : 1
            checks.append(Check(name: "max_error_rate", limit: limit, observed: rateAfter, pValue: p,
                                isBreached: enoughAfter(p) && rateAfter > limit && p < thresholds.alpha))
        }
        if let ratio = thresholds.maxIncrease {
            if n1 < thresholds.minRequests {
                checks.append(Check(name: "max_increase", limit: ratio, observed: 0, pValue: 1, isBreached: false,
                                    skippedReason: "only \(n1) requests before the deploy (need \(thresholds.minRequests))"))
            } else {
                let observed = rateBefore > 0 ? rateAfter / rateBefore : (rateAfter > 0 ? .infinity : 1)
                let p = RateTest.increase(before: e1, of: n1, after: e2, of: n2, ratio: ratio)
                checks.append(Check(name: "max_increase", limit: ratio, observed: observed, pValue: p,
                                    isBreached: enoughAfter(p) && observed > ratio && p < thresholds.alpha))
            }
        }
        if let ratio = thresholds.maxP95Increase {
            let shift = LatencyShift(before: c.before.latency, after: c.after.latency, ratio: ratio, alpha: thresholds.alpha,
                                     unavailable: c.after.latencyUnavailable ?? c.before.latencyUnavailable)
            if let reason = shift.insufficientReason {
                checks.append(Check(name: "max_p95_increase", limit: ratio, observed: shift.observedRatio ?? 0, pValue: 1,
                                    isBreached: false, skippedReason: reason))
            } else {
                checks.append(Check(name: "max_p95_increase", limit: ratio, observed: shift.observedRatio ?? 0,
                                    pValue: shift.pValue, isBreached: shift.isRegression))
            }
        }
        self.checks = checks
        // Findings follow the report's rule (its own floor of 30 requests a side), not --min-requests:
        // a deploy the report calls a regression never passes.
        findings = c.regressions(classes: classes)
        let breached = checks.filter(\.isBreached)
        if !breached.isEmpty || !findings.isEmpty {
            verdict = .regression
            let count = breached.count + findings.count
            reason = count == 1 ? "1 condition failed" : "\(count) conditions failed"
        } else if n2 < thresholds.minRequests {
            verdict = .insufficientData
            reason = "only \(n2) \(n2 == 1 ? "request" : "requests") after the deploy (need \(thresholds.minRequests))"
        } else if !checks.isEmpty && checks.allSatisfy({ $0.skippedReason != nil }) {
            verdict = .insufficientData
            reason = checks.compactMap(\.skippedReason).joined(separator: "; ")
        } else {
            verdict = .healthy
            reason = "no threshold breached and no class, route or signature rose significantly"
        }
    }
}
