import TriageCore

/// Renders the outcome of `triage check`: a short verdict for people, or JSON.
public struct CheckRenderer: Sendable {
    public init() {}

    public func render(gate: DeployGate, comparison c: DeployComparison, exitCode: Int32) -> String {
        let word: String
        switch gate.verdict {
        case .healthy: word = "HEALTHY"
        case .regression: word = "REGRESSION"
        case .insufficientData: word = "NOT ENOUGH TRAFFIC"
        }
        let name = TimeSpec(c.label) == nil ? "deploy \(c.label)" : "deploy"
        var out = ["\(word): \(gate.reason) (\(name) at \(Format.dateTime(c.time)) UTC, \(c.windowSeconds / 60) min windows)."]
        out.append("  before: \(rate(c.before)); after: \(rate(c.after)).")
        for check in gate.checks {
            if let skipped = check.skippedReason {
                out.append("  \(check.name): skipped, \(skipped).")
                continue
            }
            let status = check.isBreached ? "BREACHED" : "ok"
            let limit = check.name == "max_error_rate" ? percent(check.limit) : "\(trim(check.limit))x"
            let observed = check.name == "max_error_rate" ? percent(check.observed)
                : check.observed.isInfinite ? "new errors" : "\(trim(check.observed))x"
            out.append("  \(check.name) \(limit): observed \(observed), \(pValue(check.pValue)) → \(status)")
        }
        if c.after.serverErrors > 0 {
            let classes = FailureClass.allCases.filter { c.after.classes[$0] > 0 && $0.isServerError }
                .map { "\($0.identifier) \(c.after.classes[$0])" }.joined(separator: ", ")
            out.append("  5xx after the deploy: \(classes).")
        }
        for route in c.regressedRoutes.prefix(3) {
            out.append("  grew: \(route.method) \(route.route) \(route.before) → \(route.after)\(route.isNew ? " (new)" : "")")
        }
        if c.upstreamLikelyUnrelated {
            out.append("  note: the rise is in upstream failures while origin errors did not rise: likely an upstream problem, not this deploy.")
        }
        out.append("exit \(exitCode)")
        return out.joined(separator: "\n") + "\n"
    }

    public func renderJSON(gate: DeployGate, comparison c: DeployComparison, exitCode: Int32) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.string("schema_version", TriageVersion.jsonSchema)
        w.string("verdict", gate.verdict.rawValue)
        w.int("exit_code", Int(exitCode))
        w.string("reason", gate.reason)
        w.beginObject("deploy")
        w.string("label", c.label)
        w.string("time", Timestamp.rfc3339(c.time))
        w.endObject()
        w.int("window_seconds", Int(c.windowSeconds))
        JSONRenderer.writeWindow(&w, "before", c.before)
        JSONRenderer.writeWindow(&w, "after", c.after)
        w.beginArray("checks")
        for check in gate.checks {
            w.beginObject()
            w.string("name", check.name)
            w.double("limit", check.limit)
            w.double("observed", check.observed)
            w.double("p_value", check.pValue)
            w.bool("breached", check.isBreached)
            w.optionalString("skipped", check.skippedReason)
            w.endObject()
        }
        w.endArray()
        w.bool("upstream_likely_unrelated", c.upstreamLikelyUnrelated)
        w.endObject()
        return w.text + "\n"
    }

    private func rate(_ w: WindowCounts) -> String {
        "\(Format.count(w.serverErrors)) 5xx of \(Format.count(w.requests)) requests (\(percent(w.errorRate)))"
    }

    private func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    private func trim(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return hundredths % 100 == 0 ? "\(hundredths / 100)" : "\(hundredths / 100).\(String(format2(hundredths % 100)))"
    }

    private func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

/// p-values as people read them: `p < 0.001`, `p = 0.042`.
func pValue(_ p: Double) -> String {
    guard p.isFinite else { return "p = n/a" }
    if p < 0.001 { return "p < 0.001" }
    if p >= 0.9995 { return "p = 1" }
    let thousandths = Int((p * 1000).rounded())
    return "p = 0." + (thousandths < 10 ? "00" : thousandths < 100 ? "0" : "") + "\(thousandths)"
}
