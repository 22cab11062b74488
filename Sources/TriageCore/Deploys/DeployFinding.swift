/// One thing a deploy broke: a count of server errors that rose significantly.
///
/// Every finding comes from the same exact test as the deploy verdict
/// (``DeployComparison/verdict(before:of:after:of:alpha:)``: the conditional
/// binomial test for two Poisson rates, a rise of at least 1.5×), applied to
/// one subject: the judged classes together, one class, one route, or one
/// signature that did not exist before the deploy.
public struct DeployFinding: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// All judged classes together.
        case total
        /// One failure class.
        case failureClass = "class"
        /// The judged 5xx of one route.
        case route
        /// A signature (a class on a route, or an application error) absent before the deploy.
        case newSignature = "new_signature"
    }

    public var kind: Kind
    /// What rose: `origin_error`, `GET /api/orders/{id}`, `origin_error on GET /api/orders/{id}`.
    public var subject: String
    public var before: Int
    public var after: Int
    /// Requests in the windows before and after (the denominators of the rates).
    public var requestsBefore: Int
    public var requestsAfter: Int
    public var pValue: Double
    /// The significance level this subject was held to: ``DeployComparison/alpha``,
    /// divided by the number of routes (or signatures) tested, so that a deploy
    /// is not failed by one of hundreds of routes wobbling by chance.
    public var alpha: Double

    public init(kind: Kind, subject: String, before: Int, after: Int, requestsBefore: Int, requestsAfter: Int,
                pValue: Double, alpha: Double) {
        self.kind = kind
        self.subject = subject
        self.before = before
        self.after = after
        self.requestsBefore = requestsBefore
        self.requestsAfter = requestsAfter
        self.pValue = pValue
        self.alpha = alpha
    }
}

extension DeployComparison {
    /// The classes a deploy can cause, judged by default: every server-error
    /// class but `proxy_error` (rate limiting and proxy configuration answer
    /// without asking the application, so they are not the deploy's doing).
    public static let gateClasses: Set<FailureClass> = Set(FailureClass.allCases.filter { $0.isServerError && $0 != .proxyError })

    /// Every significant rise in server errors of `classes` after the deploy:
    /// in total, per class, per route, and new signatures. Empty when nothing rose.
    ///
    /// A route or new signature is held to `alpha / m`, m being the number of
    /// routes (signatures) with a judged error in either window (Bonferroni).
    /// A new signature on a route already listed is not listed again.
    public func regressions(classes: Set<FailureClass>) -> [DeployFinding] {
        let n1 = before.requests, n2 = after.requests
        var found: [DeployFinding] = []
        func test(_ kind: DeployFinding.Kind, _ subject: String, _ e1: Int, _ e2: Int, alpha: Double) {
            let (verdict, p) = Self.verdict(before: e1, of: n1, after: e2, of: n2, alpha: alpha)
            guard verdict == .regression else { return }
            found.append(DeployFinding(kind: kind, subject: subject, before: e1, after: e2, requestsBefore: n1,
                                       requestsAfter: n2, pValue: p, alpha: alpha))
        }
        let ordered = FailureClass.allCases.filter { classes.contains($0) }
        // When one class holds all the judged errors, its line says more than the total's: keep only it.
        let total = (before.errors(in: classes), after.errors(in: classes))
        if !ordered.contains(where: { (before.classes[$0], after.classes[$0]) == total }) {
            test(.total, ordered.map(\.identifier).joined(separator: "+"), total.0, total.1, alpha: Self.alpha)
        }
        for c in ordered { test(.failureClass, c.identifier, before.classes[c], after.classes[c], alpha: Self.alpha) }

        let judged = signatureCounts.filter { classes.contains($0.failureClass) && $0.before + $0.after > 0 }
        var routes: [String: (before: Int, after: Int)] = [:]
        for s in judged {
            let name = s.route.isEmpty ? s.method : "\(s.method) \(s.route)"
            routes[name, default: (0, 0)].before += s.before
            routes[name, default: (0, 0)].after += s.after
        }
        let routeAlpha = Self.alpha / Double(max(1, routes.count))
        for (name, counts) in routes.sorted(by: { ($0.value.after - $0.value.before, $1.key) > ($1.value.after - $1.value.before, $0.key) }) {
            test(.route, name, counts.before, counts.after, alpha: routeAlpha)
        }
        let listedRoutes = Set(found.filter { $0.kind == .route }.map(\.subject))
        var fresh: [(subject: String, count: Int)] = judged.filter { $0.before == 0 && $0.after > 0 }.compactMap { s in
            let route = s.route.isEmpty ? s.method : "\(s.method) \(s.route)"
            return listedRoutes.contains(route) ? nil : ("\(s.failureClass.identifier) on \(route)", s.after)
        }
        // Application signatures (with --app-log) are new by construction.
        let application = newSignatures.filter { !$0.id.hasPrefix("access:") && classes.contains($0.failureClass) }
        fresh += application.map { ($0.title, $0.count) }
        let signatureAlpha = Self.alpha / Double(max(1, judged.count + application.count))
        for s in fresh.sorted(by: { ($0.count, $1.subject) > ($1.count, $0.subject) }) {
            test(.newSignature, s.subject, 0, s.count, alpha: signatureAlpha)
        }
        return found
    }
}

extension DeployComparison {
    /// Sets ``findings``, ``verdict`` and ``pValue`` from ``gateClasses``: the
    /// verdict is `regression` exactly when there is a finding, so the report's
    /// deploy section and a default `triage check` never disagree.
    public mutating func judge() {
        let classes = Self.gateClasses
        findings = regressions(classes: classes)
        latencyShift = LatencyShift(before: before.latency, after: after.latency, ratio: LatencyShift.reportRatio,
                                     unavailable: after.latencyUnavailable ?? before.latencyUnavailable)
        (verdict, pValue) = Self.verdict(before: before.errors(in: classes), of: before.requests,
                                         after: after.errors(in: classes), of: after.requests)
        if !findings.isEmpty { verdict = .regression }
    }
}
