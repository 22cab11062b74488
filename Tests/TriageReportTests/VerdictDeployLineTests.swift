import Testing
@testable import TriageCore
@testable import TriageReport

@Suite struct VerdictDeployLineTests {
    static func window(requests: Int, _ counts: [(FailureClass, Int)]) -> WindowCounts {
        var w = WindowCounts()
        w.requests = requests
        for (c, n) in counts {
            w.classes[c] = n
            if c.isServerError { w.serverErrors += n }
        }
        return w
    }

    static func summary(before: WindowCounts, after: WindowCounts) -> TriageSummary {
        var s = TriageSummary()
        s.requests = before.requests + after.requests
        s.serverErrors = before.serverErrors + after.serverErrors
        s.firstTime = 1_795_169_400
        s.lastTime = 1_795_169_400 + 3600
        s.deploys = [DeployComparison(label: "v7", time: 1_795_169_400 + 1800, windowSeconds: 1800, before: before, after: after,
                                      verdict: .regression, pValue: 0.001, originVerdict: .regression, originPValue: 0.001,
                                      upstreamLikelyUnrelated: false, regressedRoutes: [], newSignatures: [],
                                      timeWasZoneless: false)]
        return s
    }

    /// An outage that ended at the deploy makes the 5xx rate fall while the deploy's own
    /// origin errors rise: the line names the class that rose.
    @Test("a regression whose 5xx rate fell names the class that rose, not the falling rate")
    func namesTheRisenClass() {
        let before = Self.window(requests: 600, [(.upstreamUnreachable, 99)])
        let after = Self.window(requests: 600, [(.originError, 69), (.upstreamUnreachable, 4)])
        let line = Verdict(Self.summary(before: before, after: after)).lines.first { $0.contains("Deploy v7") }
        #expect(line?.contains("was followed by a regression: origin_error 0.0% → 11.5%.") == true, "\(line ?? "none")")
    }

    @Test("regressions after several deploys are listed in the order of the deploys, the earliest first")
    func regressionsInDeployOrder() {
        var s = Self.summary(before: Self.window(requests: 600, [(.originError, 3)]), after: Self.window(requests: 600, [(.originError, 60)]))
        var later = s.deploys[0]
        later.label = "v8-rollback"
        later.time += 600
        s.deploys = [later, s.deploys[0]]
        let lines = Verdict(s).lines.filter { $0.hasPrefix("Deploy ") }
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("Deploy v7 ") == true, "\(lines)")
    }

    @Test("an upstream is named the worst only when it holds most failed attempts; spread failures say so")
    func worstUpstreamOnlyWhenDominant() {
        var s = Self.summary(before: Self.window(requests: 600, []), after: Self.window(requests: 600, [(.originError, 97)]))
        s.deploys = []
        func upstream(_ address: String, _ failures: Int) -> TriageSummary.Upstream {
            var classes = ClassCounts()
            classes[.originError] = failures
            return .init(address: address, requests: 400, failures: failures, classes: classes, sampleRequestIDs: [])
        }
        s.upstreams = [upstream("10.0.2.7:8080", 37), upstream("10.0.2.6:8080", 34), upstream("10.0.2.5:8080", 26)]
        let spread = Verdict(s).lines
        #expect(!spread.contains { $0.hasPrefix("Worst upstream") })
        #expect(spread.contains { $0.hasPrefix("Upstreams: failures spread over 3 upstreams") && $0.contains("37 of 97") })
        s.upstreams = [upstream("10.0.2.7:8080", 80), upstream("10.0.2.6:8080", 17)]
        #expect(Verdict(s).lines.contains { $0.hasPrefix("Worst upstream: 10.0.2.7:8080: 80 failed attempts") })
    }

    @Test("a regression whose 5xx rate rose gives that rate")
    func givesTheRisenRate() {
        let before = Self.window(requests: 600, [(.originError, 3)])
        let after = Self.window(requests: 600, [(.originError, 60)])
        let line = Verdict(Self.summary(before: before, after: after)).lines.first { $0.contains("Deploy v7") }
        #expect(line?.contains("was followed by a regression: 5xx 0.5% → 10.0%.") == true, "\(line ?? "none")")
    }
}
