import TriageCore

/// Renders the outcome of `triage check`: a short verdict for people, or JSON
/// (Docs/CheckJSON.md, Docs/triage-check.schema.json).
///
/// Every failed condition is one line that starts with `FAILED` and carries
/// its numbers, so a pipeline log says what failed without the JSON.
public struct CheckRenderer: Sendable {
    /// Version of the JSON of `triage check` (Docs/CheckJSON.md): adding a field
    /// bumps the minor version; renaming or removing one bumps the major.
    public static let schemaVersion = "1.2"

    /// Columns to wrap lines at (a terminal's width); nil keeps each line whole, so that a
    /// pipeline's log has one line per condition to grep for `FAILED`.
    public var width: Int?

    public init(width: Int? = nil) { self.width = width }

    /// `lines` as text, each wrapped to ``width`` under its own indentation plus four.
    private func joined(_ lines: [String]) -> String {
        guard let width else { return lines.joined(separator: "\n") + "\n" }
        return lines.flatMap { TextWrap.fit($0, width: width) }.joined(separator: "\n") + "\n"
    }

    // MARK: - Deploy gate

    public func render(gate: DeployGate, comparison c: DeployComparison, exitCode: Int32, inputErrors: [String] = []) -> String {
        let label = LogText.sanitize(c.label)
        let name = TimeSpec(c.label) == nil ? "deploy \(label)" : "deploy"
        // An input problem with nothing failed is not called healthy (ExitCodes.md): the part
        // that could not be read may be where the failures are.
        let inputProblem = gate.verdict == .healthy && exitCode == 2
        var out = ["\(inputProblem ? Self.inputProblem : word(gate.verdict)): \(gate.reason)\(inputProblem ? Self.inWhatWasRead : "") "
                   + "(\(name) at \(Format.dateTime(c.time)) UTC, \(c.windowSeconds / 60) min windows)."]
        out.append("  " + judgedLine(gate.classes))
        out.append("  before: \(rate(gate.judgedBefore, c.before.requests)); after: \(rate(gate.judgedAfter, c.after.requests)).")
        let unjudged = FailureClass.allCases.filter { $0.isServerError && !gate.classes.contains($0) }
            .filter { c.before.classes[$0] + c.after.classes[$0] > 0 }
        if !unjudged.isEmpty {
            out.append("  not judged: " + unjudged.map { "\($0.identifier) \(Format.count(c.before.classes[$0])) → \(Format.count(c.after.classes[$0]))" }.joined(separator: ", ") + ".")
        }
        let (abortsBefore, abortsAfter) = (c.before.classes[.clientClosed], c.after.classes[.clientClosed])
        if abortsBefore + abortsAfter > 0 {
            // Not 5xx, so never judged; but clients giving up after a deploy is worth a look.
            out.append("  clients gave up (client_closed, not 5xx, not judged): \(Format.count(abortsBefore)) → \(Format.count(abortsAfter)).")
        }
        if let before = TriageSummary.Latency(c.before.latency), let after = TriageSummary.Latency(c.after.latency) {
            out.append("  request time p95: before \(Format.duration(before.p95)), after \(Format.duration(after.p95)).")
        }
        for check in gate.checks where check.isBreached { out.append("  FAILED " + line(check)) }
        for finding in gate.findings { out.append("  FAILED " + line(finding)) }
        for check in gate.checks where !check.isBreached { out.append("  " + line(check)) }
        let classes = FailureClass.allCases.filter { c.after.classes[$0] > 0 && $0.isServerError }
        if !classes.isEmpty {
            out.append("  5xx after the deploy: " + classes.map { "\($0.identifier) \(Format.count(c.after.classes[$0]))" }.joined(separator: ", ") + ".")
        }
        if c.upstreamLikelyUnrelated {
            out.append("  note: the rise is in upstream failures while origin errors did not rise: likely an upstream problem, not this deploy.")
        }
        for error in inputErrors { out.append("  input problem: \(error)") }
        out.append("exit \(exitCode)")
        return joined(out)
    }

    public func renderJSON(gate: DeployGate, comparison c: DeployComparison, exitCode: Int32, inputErrors: [String] = []) -> String {
        var w = JSONWriter()
        w.beginObject()
        header(&w, mode: "deploy", verdict: gate.verdict.rawValue, exitCode: exitCode, reason: gate.reason,
               classes: gate.classes)
        w.beginObject("deploy")
        w.string("label", c.label)
        w.string("time", Timestamp.rfc3339(c.time))
        w.endObject()
        w.int("window_seconds", Int(c.windowSeconds))
        Self.writeWindow(&w, "before", c.before, judged: gate.judgedBefore)
        Self.writeWindow(&w, "after", c.after, judged: gate.judgedAfter)
        writeChecks(&w, gate.checks)
        w.beginArray("findings")
        for f in gate.findings {
            w.beginObject()
            w.string("kind", f.kind.rawValue)
            w.string("subject", f.subject)
            w.int("before", f.before)
            w.int("after", f.after)
            w.int("requests_before", f.requestsBefore)
            w.int("requests_after", f.requestsAfter)
            w.double("p_value", f.pValue)
            w.double("alpha", f.alpha)
            w.string("message", line(f))
            w.endObject()
        }
        w.endArray()
        w.bool("upstream_likely_unrelated", c.upstreamLikelyUnrelated)
        writeStrings(&w, "input_errors", inputErrors)
        w.endObject()
        return w.text + "\n"
    }

    // MARK: - Sustained rate

    public func render(sustained a: SustainedRateCheck, classes: Set<FailureClass>, topRoutes: [(route: String, errors: Int)],
                       exitCode: Int32, inputErrors: [String] = []) -> String {
        let word: String
        switch a.verdict {
        case .ok: word = "OK"
        case .breach: word = "BREACH"
        case .insufficientData: word = "NOT ENOUGH TRAFFIC"
        }
        let inputProblem = a.verdict == .ok && exitCode == 2
        let headline = inputProblem ? Self.inputProblem + ": \(a.reason)" + Self.inWhatWasRead : "\(word): \(a.reason)"
        let ordered = FailureClass.allCases.filter { classes.contains($0) }
        var out = ["\(headline) (\(Format.dateTime(a.spanStart)) to \(Format.clock(a.spanEnd)) UTC)."]
        out.append("  " + judgedLine(ordered, whose: "the application's doing"))
        var totals = "  span: \(rate(a.judgedErrors, a.requests))"
        if let start = a.baselineStart {
            totals += "; baseline \((a.spanStart - start) / 60) min before: \(rate(a.baselineErrors, a.baselineRequests))"
        }
        out.append(totals + ".")
        for c in a.conditions where c.isBreached { out.append("  FAILED " + line(c, a)) }
        for c in a.conditions where !c.isBreached { out.append("  " + line(c, a)) }
        if let c = a.conditions.first(where: \.isBreached) ?? a.conditions.first(where: { $0.skippedReason == nil }) {
            let above = a.minutes.filter { $0.requests > 0 && $0.rate > c.minuteLimit }
            let limit = percent(c.minuteLimit)
            out.append(above.isEmpty ? "  no minute above \(limit)."
                : "  minutes above \(limit): " + above.map { "\(Format.clock($0.start)) \(percent($0.judgedErrors, $0.requests)) (\($0.judgedErrors)/\($0.requests))" }.joined(separator: ", ") + ".")
        }
        let present = FailureClass.allCases.filter { $0.isServerError && a.classes[$0] > 0 }
        if !present.isEmpty {
            out.append("  5xx in the span: " + present.map { "\($0.identifier) \(Format.count(a.classes[$0]))\(classes.contains($0) ? "" : " (not judged)")" }.joined(separator: ", ") + ".")
        }
        if let top = topRoutes.first {
            out.append("  top route: \(top.route), \(Format.count(top.errors)) judged 5xx.")
        }
        for error in inputErrors { out.append("  input problem: \(error)") }
        out.append("exit \(exitCode)")
        return joined(out)
    }

    public func renderJSON(sustained a: SustainedRateCheck, classes: Set<FailureClass>, topRoutes: [(route: String, errors: Int)],
                           exitCode: Int32, inputErrors: [String] = []) -> String {
        var w = JSONWriter()
        w.beginObject()
        header(&w, mode: "sustained", verdict: a.verdict.rawValue, exitCode: exitCode, reason: a.reason,
               classes: FailureClass.allCases.filter { classes.contains($0) })
        w.beginObject("span")
        w.string("start", Timestamp.rfc3339(a.spanStart))
        w.string("end", Timestamp.rfc3339(a.spanEnd))
        w.int("requests", a.requests)
        w.int("judged_errors", a.judgedErrors)
        w.beginObject("classes")
        for c in FailureClass.allCases { w.int(c.identifier, a.classes[c]) }
        w.endObject()
        w.endObject()
        if let start = a.baselineStart {
            w.beginObject("baseline")
            w.string("start", Timestamp.rfc3339(start))
            w.string("end", Timestamp.rfc3339(a.spanStart))
            w.int("requests", a.baselineRequests)
            w.int("judged_errors", a.baselineErrors)
            w.endObject()
        } else {
            w.null("baseline")
        }
        w.beginArray("minutes")
        for m in a.minutes {
            w.beginObject()
            w.string("start", Timestamp.rfc3339(m.start))
            w.int("requests", m.requests)
            w.int("judged_errors", m.judgedErrors)
            w.endObject()
        }
        w.endArray()
        w.beginArray("conditions")
        for c in a.conditions {
            w.beginObject()
            w.string("name", c.name)
            w.double("limit", c.limit)
            w.double("minute_limit", c.minuteLimit)
            w.int("minutes_with_traffic", c.minutesWithTraffic)
            w.int("minutes_above", c.minutesAbove)
            w.double("p_value", c.pValue)
            w.bool("breached", c.isBreached)
            w.optionalString("skipped", c.skippedReason)
            w.endObject()
        }
        w.endArray()
        w.beginArray("top_routes")
        for r in topRoutes {
            w.beginObject()
            w.string("route", r.route)
            w.int("judged_errors", r.errors)
            w.endObject()
        }
        w.endArray()
        writeStrings(&w, "input_errors", inputErrors)
        w.endObject()
        return w.text + "\n"
    }

    private func line(_ c: SustainedRateCheck.Condition, _ a: SustainedRateCheck) -> String {
        let name = c.name == "max_increase" ? "max_increase \(trim(c.limit))x (\(percent(c.minuteLimit)) a minute)" : "max_error_rate \(percent(c.limit))"
        if let skipped = c.skippedReason { return "\(name): skipped, \(skipped)." }
        return "\(name): \(c.minutesAbove) of \(c.minutesWithTraffic) minutes with traffic above it, \(Format.count(a.judgedErrors)) of \(Format.count(a.requests)) (\(percent(a.judgedErrors, a.requests))), \(pValue(c.pValue)) → \(c.isBreached ? "BREACHED" : "ok")"
    }

    // MARK: - Lines

    /// The failed condition of a finding, with its numbers.
    public func line(_ f: DeployFinding) -> String {
        let rates = "\(percent(f.before, f.requestsBefore)) → \(percent(f.after, f.requestsAfter)) of requests"
        let tested = Int((DeployComparison.alpha / f.alpha).rounded())
        let level = tested > 1 ? " (held to p < \(short(f.alpha)): \(tested) \(f.kind == .route ? "routes" : "signatures") tested)" : ""
        switch f.kind {
        case .total: return "judged 5xx rose: \(Format.count(f.before)) → \(Format.count(f.after)) (\(rates)), \(pValue(f.pValue))"
        case .failureClass: return "class \(f.subject) rose: \(Format.count(f.before)) → \(Format.count(f.after)) (\(rates)), \(pValue(f.pValue))"
        case .route: return "route \(f.subject) rose: \(Format.count(f.before)) → \(Format.count(f.after)) 5xx (\(rates)), \(pValue(f.pValue))\(level)"
        case .newSignature: return "new signature \(f.subject): 0 → \(Format.count(f.after)) (\(rates)), \(pValue(f.pValue))\(level)"
        }
    }

    private func line(_ check: DeployGate.Check) -> String {
        if let skipped = check.skippedReason { return "\(check.name): skipped, \(skipped)." }
        let isRatio = check.name == "max_increase" || check.name == "max_p95_increase"
        let limit = isRatio ? "\(trim(check.limit))x" : percent(check.limit)
        let observed = isRatio
            ? (check.observed.isInfinite ? "new errors" : "\(trim(check.observed))x") : percent(check.observed)
        return "\(check.name) \(limit): observed \(observed), \(pValue(check.pValue)) → \(check.isBreached ? "BREACHED" : "ok")"
    }

    private func judgedLine(_ classes: [FailureClass], whose: String = "a deploy's doing") -> String {
        let names = classes.map(\.identifier).joined(separator: ", ")
        if Set(classes) == DeployComparison.gateClasses {
            return "judged: \(names) (not proxy_error: rate limiting and proxy configuration are not \(whose); --classes to choose)."
        }
        return "judged: \(names) (--classes)."
    }

    static let inputProblem = "INPUT PROBLEM"
    static let inWhatWasRead = " in what could be read; an input could not be read whole (below)"

    private func word(_ verdict: DeployGate.Verdict) -> String {
        switch verdict {
        case .healthy: return "HEALTHY"
        case .regression: return "REGRESSION"
        case .insufficientData: return "NOT ENOUGH TRAFFIC"
        }
    }

    // MARK: - JSON parts

    private func header(_ w: inout JSONWriter, mode: String, verdict: String, exitCode: Int32, reason: String,
                        classes: [FailureClass]) {
        w.string("schema", "triage-check")
        w.string("schema_version", Self.schemaVersion)
        w.beginObject("generator")
        w.string("name", "triage")
        w.string("version", TriageVersion.current)
        w.endObject()
        w.string("mode", mode)
        w.string("verdict", verdict)
        w.int("exit_code", Int(exitCode))
        w.string("reason", reason)
        writeStrings(&w, "classes", classes.map(\.identifier))
    }

    private func writeChecks(_ w: inout JSONWriter, _ checks: [DeployGate.Check]) {
        w.beginArray("checks")
        for check in checks {
            w.beginObject()
            w.string("name", check.name)
            w.double("limit", check.limit)
            if check.observed.isFinite { w.double("observed", check.observed) } else { w.null("observed") }
            w.double("p_value", check.pValue)
            w.bool("breached", check.isBreached)
            w.optionalString("skipped", check.skippedReason)
            w.endObject()
        }
        w.endArray()
    }

    static func writeWindow(_ w: inout JSONWriter, _ name: String, _ c: WindowCounts, judged: Int) {
        w.beginObject(name)
        w.int("requests", c.requests)
        w.int("server_errors", c.serverErrors)
        w.int("judged_errors", judged)
        w.beginObject("classes")
        for cls in FailureClass.allCases { w.int(cls.identifier, c.classes[cls]) }
        w.endObject()
        JSONRenderer.writeLatency(&w, "latency", TriageSummary.Latency(c.latency))
        w.endObject()
    }

    private func writeStrings(_ w: inout JSONWriter, _ name: String, _ values: [String]) {
        w.beginArray(name)
        for value in values { w.string(nil, value) }
        w.endArray()
    }

    // MARK: - Numbers

    private func rate(_ errors: Int, _ requests: Int) -> String {
        "\(Format.count(errors)) judged 5xx of \(Format.count(requests)) requests (\(percent(errors, requests)))"
    }

    func percent(_ part: Int, _ whole: Int) -> String { percent(whole > 0 ? Double(part) / Double(whole) : 0) }

    func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// A small level with one significant digit: 0.0005.
    private func short(_ value: Double) -> String {
        var digits = 1
        var scaled = value * 10
        while scaled < 0.95 && digits < 12 { scaled *= 10; digits += 1 }
        return "0." + String(repeating: "0", count: digits - 1) + String(min(9, max(1, Int(scaled.rounded()))))
    }

    private func trim(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return fraction == 0 ? "\(hundredths / 100)" : "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// p-values as people read them: `p < 0.001`, `p = 0.042`.
func pValue(_ p: Double) -> String {
    guard p.isFinite else { return "p = n/a" }
    if p < 0.001 { return "p < 0.001" }
    if p >= 0.9995 { return "p = 1" }
    let thousandths = Int((p * 1000).rounded())
    return "p = 0." + (thousandths < 10 ? "00" : thousandths < 100 ? "0" : "") + "\(thousandths)"
}
