/// Requests, server errors and classes in one time window.
public struct WindowCounts: Sendable, Equatable {
    public var requests = 0
    public var serverErrors = 0
    public var classes = ClassCounts()
    /// Request time of the window's requests that logged one.
    public var latency = LatencyHistogram()
    /// Why ``latency`` holds nothing although requests may have logged a time: the
    /// window was cut at merge time from partials' per-second series, which keep
    /// counts, not durations (`triage merge --deploys`); nil when the durations were counted.
    public var latencyUnavailable: String?

    public init() {}

    mutating func add(decision: Classifier.Decision?, isServerError: Bool, requestMicros: Int64 = -1) {
        requests += 1
        if isServerError { serverErrors += 1 }
        if let decision { classes[decision.failureClass] += 1 }
        if requestMicros >= 0 { latency.record(requestMicros) }
    }

    public var errorRate: Double { requests > 0 ? Double(serverErrors) / Double(requests) : 0 }
    /// Server errors of the given classes only.
    public func errors(in classes: Set<FailureClass>) -> Int { classes.reduce(0) { $0 + self.classes[$1] } }
    public var upstreamErrors: Int { FailureClass.allCases.filter(\.isUpstream).reduce(0) { $0 + classes[$1] } }
}

/// What a deploy did to the 5xx rate, decided by an exact test on counts.
public enum DeployVerdict: String, Sendable {
    case regression, improvement
    case noChange = "no_change"
    case insufficientData = "insufficient_data"
}

/// The before/after comparison of one deploy.
public struct DeployComparison: Sendable {
    public struct RouteChange: Sendable, Equatable {
        public var method: String
        public var route: String
        public var before: Int
        public var after: Int
        public var isNew: Bool { before == 0 }
    }

    /// A failure signature seen after the deploy and not in the window before it.
    ///
    /// Application signatures (from --app-log) come first, then access-log
    /// ones: the class, method and route (id `access:<class> <route>`).
    public struct NewSignature: Sendable, Equatable {
        public var id: String
        public var title: String
        public var failureClass: FailureClass
        public var count: Int
    }

    public var label: String
    public var time: Int64
    public var windowSeconds: Int64
    public var before: WindowCounts
    public var after: WindowCounts
    public var verdict: DeployVerdict
    /// One-sided p-value of the change in the direction observed.
    public var pValue: Double
    /// The same test on origin errors alone.
    public var originVerdict: DeployVerdict
    public var originPValue: Double
    /// Upstream failures rose but origin errors did not: likely an upstream
    /// outage that is not the deploy's fault.
    public var upstreamLikelyUnrelated: Bool
    /// Routes whose 5xx grew after the deploy, most growth first.
    public var regressedRoutes: [RouteChange]
    public var newSignatures: [NewSignature]
    /// True when the deploy's time had no zone and was read in the log's.
    public var timeWasZoneless: Bool
    /// Server errors of each access-log signature (class on a route) in the two
    /// windows: the per-route and per-signature rules of ``regressions(classes:)`` read these.
    public var signatureCounts: [SignatureCount] = []
    /// What the deploy broke, judged on ``gateClasses`` (the report's deploy
    /// section and the default `triage check` read the same list).
    public var findings: [DeployFinding] = []
    /// The p95 of the request time before and after, tested for a rise of
    /// ``LatencyShift/reportRatio`` (set by ``judge()``; nil before it).
    public var latencyShift: LatencyShift?
    /// The window after the deploy when the next deploy cut it short (seconds), else nil:
    /// what came after the next deploy is that deploy's doing.
    public var afterSeconds: Int64? = nil

    /// Server errors of one class on one route before and after the deploy.
    public struct SignatureCount: Sendable, Equatable {
        public var method: String
        public var route: String
        public var failureClass: FailureClass
        public var before: Int
        public var after: Int
        public init(method: String, route: String, failureClass: FailureClass, before: Int, after: Int) {
            self.method = method
            self.route = route
            self.failureClass = failureClass
            self.before = before
            self.after = after
        }
    }

    /// Significance level of the verdicts.
    public static let alpha = 0.01
    /// Smallest change in rate called a regression or improvement.
    public static let minimumRatio = 1.5
    /// Fewer requests than this on either side is not enough to judge.
    public static let minimumRequests = 30

    /// Decides the verdict for errors `e1` of `n1` before and `e2` of `n2` after.
    public static func verdict(before e1: Int, of n1: Int, after e2: Int, of n2: Int,
                               alpha: Double = DeployComparison.alpha) -> (DeployVerdict, Double) {
        if n1 < minimumRequests || n2 < minimumRequests { return (.insufficientData, 1) }
        if e1 + e2 == 0 { return (.noChange, 1) }
        let r1 = Double(e1) / Double(n1), r2 = Double(e2) / Double(n2)
        if r2 > r1 {
            let p = RateTest.increase(before: e1, of: n1, after: e2, of: n2)
            if RateTest.cannotDecide(before: n1, after: n2, errors: e1 + e2, alpha: alpha) { return (.insufficientData, p) }
            return (p < alpha && r2 >= r1 * minimumRatio ? .regression : .noChange, p)
        }
        let p = RateTest.decrease(before: e1, of: n1, after: e2, of: n2)
        if RateTest.cannotDecide(before: n1, after: n2, errors: e1 + e2, alpha: alpha) { return (.insufficientData, p) }
        return (p < alpha && r2 * minimumRatio <= r1 ? .improvement : .noChange, p)
    }
}
