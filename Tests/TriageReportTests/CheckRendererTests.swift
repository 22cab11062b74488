import Testing
@testable import TriageCore
@testable import TriageReport

/// `triage check` for people: wrapped to a terminal's width, one line per condition in a pipeline's log.
@Suite struct CheckRendererTests {
    func window(_ requests: Int, _ errors: Int) -> WindowCounts {
        var w = WindowCounts()
        w.requests = requests
        w.serverErrors = errors
        w.classes[.upstreamUnavailable] = errors
        return w
    }

    func regression() -> (DeployGate, DeployComparison) {
        var c = DeployComparison(label: "2026-11-20T10:30:00Z", time: 1_763_634_600, windowSeconds: 900,
                                 before: window(4_000, 1), after: window(4_000, 300), verdict: .noChange,
                                 pValue: 1, originVerdict: .noChange, originPValue: 1, upstreamLikelyUnrelated: false,
                                 regressedRoutes: [], newSignatures: [], timeWasZoneless: false, signatureCounts: [])
        c.judge()
        return (DeployGate(comparison: c, thresholds: DeployGate.Thresholds()), c)
    }

    @Test("at a terminal's width every line fits, wrapped under its own indentation; the words are the same")
    func wrapsToWidth() throws {
        let (gate, c) = regression()
        let whole = CheckRenderer().render(gate: gate, comparison: c, exitCode: 1)
        let wrapped = CheckRenderer(width: 60).render(gate: gate, comparison: c, exitCode: 1)
        #expect(whole.split(separator: "\n").contains { $0.count > 60 })
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 60 })
        #expect(wrapped.split(whereSeparator: \.isWhitespace) == whole.split(whereSeparator: \.isWhitespace))
        let continued = wrapped.split(separator: "\n").drop { !$0.hasPrefix("  judged:") }.dropFirst().first
        #expect(continued?.hasPrefix("      ") == true)
    }

    @Test("without a width (a pipe, a CI log) each FAILED condition stays one line")
    func wholeLinesInAPipe() throws {
        let (gate, c) = regression()
        let text = CheckRenderer().render(gate: gate, comparison: c, exitCode: 1)
        let failed = text.split(separator: "\n").filter { $0.hasPrefix("  FAILED") }
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { $0.contains("p =") || $0.contains("p <") })
        // The longest line (over 150 columns) is not cut either.
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("  judged:") && $0.hasSuffix("--classes to choose).") })
    }
}
