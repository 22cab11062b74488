/// Sustained-rate alerting (`triage check --max-error-rate 1% --for 5m`): did
/// the 5xx rate stay above a limit for a whole span, really?
///
/// Pure: it judges per-minute counts. A condition holds only when *every*
/// minute of the span that had requests was above its limit (a single bad
/// minute is not "sustained") *and* an exact test on the span's counts says
/// the excess is real (p < `alpha`):
/// - `max_error_rate`: the judged 5xx rate above R in every minute, and the
///   span's count against Binomial(n, R);
/// - `max_increase` (with a baseline): above F × the baseline's rate in every
///   minute, and the conditional binomial test with ratio F against the baseline.
/// Fewer than `minRequests` requests in the span cannot be judged, unless the
/// evidence is overwhelming, as in ``DeployGate``.
public struct SustainedRateCheck: Sendable {
    public enum Verdict: String, Sendable {
        case ok, breach
        case insufficientData = "insufficient_data"

        /// The documented exit status (Docs/ExitCodes.md).
        public var exitCode: Int32 {
            switch self {
            case .ok: return 0
            case .breach: return 1
            case .insufficientData: return 3
            }
        }
    }

    /// One minute of the span.
    public struct Minute: Sendable, Equatable {
        public var start: Int64
        public var requests: Int
        public var judgedErrors: Int
        public var rate: Double { requests > 0 ? Double(judgedErrors) / Double(requests) : 0 }
        public init(start: Int64, requests: Int, judgedErrors: Int) {
            self.start = start
            self.requests = requests
            self.judgedErrors = judgedErrors
        }
    }

    public struct Condition: Sendable {
        public var name: String
        /// The rate limit (max_error_rate) or the factor (max_increase).
        public var limit: Double
        /// The per-minute rate every minute had to exceed.
        public var minuteLimit: Double
        /// Minutes with requests, and how many were above `minuteLimit`.
        public var minutesWithTraffic: Int
        public var minutesAbove: Int
        public var pValue: Double
        public var isBreached: Bool
        public var skippedReason: String?
    }

    public var verdict: Verdict
    public var reason: String
    /// [spanStart, spanEnd): the judged stretch.
    public var spanStart: Int64
    public var spanEnd: Int64
    public var minutes: [Minute]
    public var requests: Int
    public var judgedErrors: Int
    public var classes: ClassCounts
    /// The baseline stretch before the span, when asked for.
    public var baselineStart: Int64?
    public var baselineRequests = 0
    public var baselineErrors = 0
    public var conditions: [Condition]

    public var rate: Double { requests > 0 ? Double(judgedErrors) / Double(requests) : 0 }
    public var baselineRate: Double { baselineRequests > 0 ? Double(baselineErrors) / Double(baselineRequests) : 0 }

    /// Judges the span [`spanStart`, `spanEnd`) of `timeline` (minute buckets).
    ///
    /// - Parameters:
    ///   - baselineSeconds: length of the stretch before the span to compare with; nil for none.
    ///   - maxErrorRate, maxIncrease: the limits (nil: not judged).
    public init(timeline: [TriageSummary.TimelineBucket], spanStart: Int64, spanEnd: Int64, baselineSeconds: Int64?,
                classes judged: Set<FailureClass>, maxErrorRate: Double?, maxIncrease: Double?,
                minRequests: Int, alpha: Double = 0.01, overwhelming: Double = 1e-6) {
        self.spanStart = spanStart
        self.spanEnd = spanEnd
        func errors(_ counts: ClassCounts) -> Int { judged.reduce(0) { $0 + counts[$1] } }
        let inSpan = timeline.filter { $0.start >= spanStart && $0.start < spanEnd }
        minutes = inSpan.map { Minute(start: $0.start, requests: $0.requests, judgedErrors: errors($0.classes)) }
        requests = minutes.reduce(0) { $0 + $1.requests }
        judgedErrors = minutes.reduce(0) { $0 + $1.judgedErrors }
        var classes = ClassCounts()
        for bucket in inSpan { for c in FailureClass.allCases { classes[c] += bucket.classes[c] } }
        self.classes = classes
        if let baselineSeconds {
            let start = spanStart - baselineSeconds
            baselineStart = start
            for bucket in timeline where bucket.start >= start && bucket.start < spanStart {
                baselineRequests += bucket.requests
                baselineErrors += errors(bucket.classes)
            }
        }
        let (n, e) = (requests, judgedErrors)
        let traffic = minutes.filter { $0.requests > 0 }
        func enough(_ p: Double) -> Bool { n >= minRequests || p < overwhelming }
        func condition(_ name: String, limit: Double, minuteLimit: Double, p: Double) -> Condition {
            let above = traffic.filter { $0.rate > minuteLimit }.count
            return Condition(name: name, limit: limit, minuteLimit: minuteLimit, minutesWithTraffic: traffic.count,
                             minutesAbove: above, pValue: p,
                             isBreached: !traffic.isEmpty && above == traffic.count && p < alpha && enough(p))
        }
        var conditions: [Condition] = []
        if let limit = maxErrorRate {
            conditions.append(condition("max_error_rate", limit: limit, minuteLimit: limit,
                                        p: RateTest.exceeds(rate: limit, errors: e, of: n)))
        }
        if let factor = maxIncrease, baselineSeconds != nil {
            if baselineRequests < minRequests {
                conditions.append(Condition(name: "max_increase", limit: factor, minuteLimit: 0, minutesWithTraffic: traffic.count,
                                            minutesAbove: 0, pValue: 1, isBreached: false,
                                            skippedReason: "only \(baselineRequests) requests in the baseline (need \(minRequests))"))
            } else {
                let baselineRate = Double(baselineErrors) / Double(baselineRequests)
                conditions.append(condition("max_increase", limit: factor, minuteLimit: baselineRate * factor,
                                            p: RateTest.increase(before: baselineErrors, of: baselineRequests, after: e, of: n,
                                                                 ratio: factor)))
            }
        }
        self.conditions = conditions
        let minutesSpanned = Int((spanEnd - spanStart + 59) / 60)
        if conditions.contains(where: \.isBreached) {
            verdict = .breach
            reason = "5xx above the limit in every minute of the \(minutesSpanned) min, and significantly"
        } else if n < minRequests {
            verdict = .insufficientData
            reason = "only \(n) requests in the \(minutesSpanned) min (need \(minRequests))"
        } else if conditions.allSatisfy({ $0.skippedReason != nil }) {
            verdict = .insufficientData
            reason = conditions.compactMap(\.skippedReason).joined(separator: "; ")
        } else {
            verdict = .ok
            reason = "5xx not above the limit for the whole \(minutesSpanned) min"
        }
    }
}
