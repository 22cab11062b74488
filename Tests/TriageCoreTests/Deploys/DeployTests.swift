import Testing
import Glibc
@testable import TriageCore

@Suite struct TimeSpecTests {
    static let reference: Int64 = 1_795_255_200 // 2026-11-21T10:00:00Z

    @Test("absolute forms", arguments: [
        ("2026-11-21T10:00:00Z", reference), ("2026-11-21T12:00:00+02:00", reference),
        ("1795255200", reference), ("1795255200000", reference), ("21/Nov/2026:11:00:00 +0100", reference),
    ])
    func absolute(text: String, expected: Int64) {
        #expect(TimeSpec(text) == .absolute(expected))
    }

    @Test("a time without zone is read in the log's zone")
    func zoneless() {
        let spec = TimeSpec("2026-11-21T13:30:00")
        #expect(spec?.isZoneless == true)
        #expect(spec?.resolve(reference: 0, utcOffset: 3 * 3600 + 1800) == Self.reference)
        #expect(TimeSpec("2026-11-21 10:00:00")?.resolve(reference: 0, utcOffset: 0) == Self.reference)
    }

    @Test("relative forms count back from the reference", arguments: [
        ("now", 0), ("now-10m", 600), ("2h", 7200), ("now-1h30m", 5400), ("90s", 90),
    ])
    func relative(text: String, seconds: Int64) {
        #expect(TimeSpec(text)?.resolve(reference: Self.reference, utcOffset: 0) == Self.reference - seconds)
    }

    @Test("garbage is rejected", arguments: ["yesterday", "now+5m", "2026-13-01T00:00:00Z", "", "10x"])
    func rejects(text: String) {
        #expect(TimeSpec(text) == nil)
    }
}

@Suite struct DeployFileTests {
    func write(_ text: String) throws -> String {
        let path = "/tmp/triage-deploys-\(text.hashValue).txt"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return path
    }

    @Test("text lines: time then label; comments and blank lines skipped; a space inside the time")
    func textLines() throws {
        let markers = try DeployFile.read(path: try write("# deploys\n2026-11-21T10:00:00Z v2.14.0 canary\n\n2026-11-21 11:00:00 v2.15\n21/Nov/2026:12:00:00 +0000\n"))
        #expect(markers.map(\.label) == ["v2.14.0 canary", "v2.15", "21/Nov/2026:12:00:00 +0000"])
        #expect(markers[0].time == .absolute(TimeSpecTests.reference))
        #expect(markers[1].time.isZoneless)
    }

    @Test("JSON lines with time/version or timestamp/sha")
    func jsonLines() throws {
        let markers = try DeployFile.read(path: try write(#"{"time":"2026-11-21T10:00:00Z","version":"v1"}"# + "\n" + #"{"timestamp":1795255200000,"sha":"abc123"}"# + "\n"))
        #expect(markers.map(\.label) == ["v1", "abc123"])
        #expect(markers.allSatisfy { $0.time == .absolute(TimeSpecTests.reference) })
    }

    @Test("CSV with a header in any column order")
    func csv() throws {
        let markers = try DeployFile.read(path: try write("sha,deployed_at,env\nabc,2026-11-21T10:00:00Z,prod\n"))
        #expect(markers.map(\.label) == ["abc"])
        #expect(markers[0].time == .absolute(TimeSpecTests.reference))
    }

    @Test("an unreadable line names the file, the line and the field")
    func errors() throws {
        let path = try write("2026-11-21T10:00:00Z ok\nnot-a-time v2\n")
        #expect(throws: TriageError.deploys(origin: "\(path):2", reason: "cannot read a time from 'not-a-time' (ISO 8601, epoch seconds or ms, or 21/Nov/2026:10:00:00 +0000)")) {
            try DeployFile.read(path: path)
        }
        let json = try write(#"{"time":"soon","version":"x"}"# + "\n")
        #expect(throws: TriageError.self) { try DeployFile.read(path: json) }
        #expect(throws: TriageError.self) { try DeployMarker(argument: "later=v3") }
        #expect(try DeployMarker(argument: "2026-11-21T10:00:00Z=v3").label == "v3")
    }

    @Test("a date with a bad clock time is an error, not midnight labelled with the bad time; a CSV error quotes its cell")
    func badClockTime() throws {
        let path = try write("2026-11-21T10:30:00Z v3.2.0\n2026-11-21 25:10:00 v3.2.1\n")
        #expect(throws: TriageError.deploys(origin: "\(path):2", reason: "cannot read a time from '2026-11-21 25:10:00' (ISO 8601, epoch seconds or ms, or 21/Nov/2026:10:00:00 +0000)")) {
            try DeployFile.read(path: path)
        }
        // A date alone, and a date then a label that is no clock time, are still read.
        #expect(try DeployFile.read(path: try write("2026-11-21 v3.2.1\n")).first?.label == "v3.2.1")
        let csv = try write("sha,deployed_at,env\n4f9c0a6,2026-11-21T10:30:00Z,prod\n9ab12cd,21/11/2026 11:15,prod\n")
        #expect(throws: TriageError.deploys(origin: "\(csv):3", reason: "column 2 (time): cannot read a time from '21/11/2026 11:15'")) {
            try DeployFile.read(path: csv)
        }
    }
}

@Suite struct RateTestTests {
    @Test("binomial tails match known values")
    func tails() {
        #expect(abs(RateTest.upperTail(8, n: 10, p: 0.5) - 56.0 / 1024.0) < 1e-12)
        #expect(abs(RateTest.lowerTail(2, n: 10, p: 0.5) - 56.0 / 1024.0) < 1e-12)
        #expect(RateTest.upperTail(0, n: 10, p: 0.3) == 1)
        #expect(RateTest.upperTail(11, n: 10, p: 0.3) == 0)
        // Large n stays finite and sane.
        let p = RateTest.upperTail(600, n: 100_000, p: 0.005)
        #expect(p > 0 && p < 0.01)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String, e1: Int, n1: Int, e2: Int, n2: Int, expected: DeployVerdict
        var testDescription: String { name }
    }

    @Test("deploy verdicts: real changes are called, noise is not", arguments: [
        Case(name: "a handful of errors on low traffic is not a regression", e1: 0, n1: 40, e2: 3, n2: 40, expected: .insufficientData),
        Case(name: "too little traffic on one side", e1: 0, n1: 10, e2: 5, n2: 1000, expected: .insufficientData),
        Case(name: "0.3% → 3.2% on ~900 requests is a regression", e1: 3, n1: 863, e2: 29, n2: 917, expected: .regression),
        Case(name: "1.0% → 1.1% on 100k requests is no change", e1: 1000, n1: 100_000, e2: 1100, n2: 100_000, expected: .noChange),
        Case(name: "significant but tiny effect is no change (ratio < 1.5)", e1: 10_000, n1: 1_000_000, e2: 11_000, n2: 1_000_000, expected: .noChange),
        Case(name: "2.3% → 0.1% is an improvement", e1: 27, n1: 1194, e2: 1, n2: 1146, expected: .improvement),
        Case(name: "no errors at all is no change", e1: 0, n1: 500, e2: 0, n2: 500, expected: .noChange),
        Case(name: "traffic doubling with the same rate is no change", e1: 10, n1: 1000, e2: 21, n2: 2000, expected: .noChange),
    ])
    func verdicts(c: Case) {
        #expect(DeployComparison.verdict(before: c.e1, of: c.n1, after: c.e2, of: c.n2).0 == c.expected)
    }
}

@Suite struct DeployGateTests {
    func window(_ requests: Int, _ errors: Int, _ failureClass: FailureClass = .originError) -> WindowCounts {
        var w = WindowCounts()
        w.requests = requests
        w.serverErrors = errors
        w.classes[failureClass] = errors
        return w
    }

    func comparison(_ before: WindowCounts, _ after: WindowCounts,
                    signatures: [DeployComparison.SignatureCount] = []) -> DeployComparison {
        var c = DeployComparison(label: "v2", time: 0, windowSeconds: 900, before: before, after: after, verdict: .noChange,
                                 pValue: 1, originVerdict: .noChange, originPValue: 1, upstreamLikelyUnrelated: false,
                                 regressedRoutes: [], newSignatures: [], timeWasZoneless: false, signatureCounts: signatures)
        c.judge()
        return c
    }

    func gate(_ before: WindowCounts, _ after: WindowCounts, _ t: DeployGate.Thresholds,
              signatures: [DeployComparison.SignatureCount] = []) -> DeployGate {
        DeployGate(comparison: comparison(before, after, signatures: signatures), thresholds: t)
    }

    @Test("exit codes of the gate: healthy 0, regression 1, not enough traffic 3")
    func exitCodes() {
        var t = DeployGate.Thresholds()
        t.maxErrorRate = 0.01
        t.maxIncrease = 2
        t.minRequests = 200
        #expect(gate(window(1000, 2), window(1000, 3), t).verdict.exitCode == 0)
        #expect(gate(window(1000, 2), window(1000, 40), t).verdict.exitCode == 1)
        #expect(gate(window(1000, 2), window(50, 2), t).verdict.exitCode == 3)
        // Over the absolute limit only by noise (1.2% of 250 = 3 errors vs 1%): not breached.
        #expect(gate(window(1000, 10), window(250, 3), t).verdict == .healthy)
    }

    @Test("below --min-requests, overwhelming evidence still fails: 10 errors of 50 requests against 1%")
    func overwhelmingAtLowTraffic() {
        var t = DeployGate.Thresholds()
        t.maxErrorRate = 0.01
        t.minRequests = 200
        let g = gate(window(1000, 2), window(50, 10), t)
        #expect(g.verdict == .regression)
        #expect(g.checks.first { $0.name == "max_error_rate" }?.isBreached == true)
    }

    @Test("with no traffic before, the increase check is skipped but the absolute limit still judges")
    func noBaseline() {
        var t = DeployGate.Thresholds()
        t.maxErrorRate = 0.01
        t.minRequests = 100
        let g = gate(window(0, 0), window(1000, 100), t)
        #expect(g.verdict == .regression)
        #expect(g.checks.contains { $0.name == "max_increase" && $0.skippedReason != nil })
    }

    @Test("proxy_error is not judged by default: a rise in it alone passes, and passes the report's verdict too")
    func proxyErrorNotJudged() {
        let c = comparison(window(2000, 10, .proxyError), window(2000, 200, .proxyError))
        #expect(c.verdict != .regression)
        #expect(DeployGate(comparison: c).verdict == .healthy)
        #expect(DeployGate(comparison: c, classes: [.proxyError]).verdict == .regression)
    }

    @Test("a route that goes from zero to many fails; one of many routes moving by chance does not")
    func routes() {
        let t = DeployGate.Thresholds()
        func routeCount(_ route: String, _ before: Int, _ after: Int) -> DeployComparison.SignatureCount {
            .init(method: "GET", route: route, failureClass: .originError, before: before, after: after)
        }
        // 30 routes with 2 errors before and after each, and one new route with 20 errors.
        let steady = (0..<30).map { routeCount("/r\($0)", 2, 2) }
        var before = window(20_000, 60), after = window(20_000, 80)
        let g = gate(before, after, t, signatures: steady + [routeCount("/new", 0, 20)])
        #expect(g.findings.contains { $0.kind == .route && $0.subject == "GET /new" && $0.after == 20 })
        #expect(g.verdict == .regression)
        // 4 errors on one route out of 30 tested is not significant at 0.01/31.
        before = window(20_000, 60)
        after = window(20_000, 64)
        let noise = gate(before, after, t, signatures: steady + [routeCount("/x", 0, 4)])
        #expect(!noise.findings.contains { $0.kind == .route || $0.kind == .newSignature })
    }

    @Test("a new signature on a route that already failed is its own finding")
    func newSignature() {
        let t = DeployGate.Thresholds()
        var before = WindowCounts(), after = WindowCounts()
        before.requests = 5000
        after.requests = 5000
        before.classes[.originError] = 30
        after.classes[.originError] = 30
        after.classes[.upstreamTimeout] = 25
        before.serverErrors = 30
        after.serverErrors = 55
        let g = gate(before, after, t, signatures: [
            .init(method: "GET", route: "/a", failureClass: .originError, before: 30, after: 30),
            .init(method: "GET", route: "/b", failureClass: .originError, before: 0, after: 0),
            .init(method: "POST", route: "/a", failureClass: .upstreamTimeout, before: 0, after: 25),
        ])
        #expect(g.findings.contains { $0.kind == .failureClass && $0.subject == "upstream_timeout" })
        #expect(g.findings.contains { $0.kind == .route && $0.subject == "POST /a" })
    }
}

@Suite struct IncidentDetectorTests {
    func series(minutes: Int, requests: (Int) -> Int, errors: (Int) -> Int) -> [IncidentDetector.Minute] {
        (0..<minutes).map { i in
            var c = ClassCounts()
            c[.originError] = errors(i)
            var causes: [CauseCell: Int] = [:]
            if errors(i) > 0 {
                causes[CauseCell(failureClass: .originError, status: 500, route: 0, upstream: -1, client: -1)] = errors(i)
            }
            return .init(start: 1_795_255_200 + Int64(i) * 60, requests: requests(i), serverErrors: errors(i), classes: c,
                         causes: causes)
        }
    }

    func detect(_ s: [IncidentDetector.Minute]) -> [Incident] {
        IncidentDetector.detect(s, keys: .init(routeName: { _ in "r" }, upstreamName: { _ in "u" },
                                               routeRequests: { _ in s.reduce(0) { $0 + $1.requests } }))
    }

    @Test("a sustained burst is one incident with its start, end and peak")
    func burst() {
        let s = series(minutes: 240, requests: { _ in 200 }, errors: { i in (100..<115).contains(i) ? 20 + (i == 107 ? 10 : 0) : (i % 37 == 0 ? 1 : 0) })
        let incidents = detect(s)
        #expect(incidents.count == 1)
        #expect(incidents.first?.start == s[100].start)
        #expect(incidents.first?.end == s[114].start + 60)
        #expect(incidents.first?.peak == s[107].start)
    }

    @Test("traffic that rises and falls at a constant error rate is not an incident")
    func trafficSwing() {
        let s = series(minutes: 360, requests: { i in 100 + (i % 120) * 20 }, errors: { i in (100 + (i % 120) * 20) / 100 })
        #expect(detect(s).isEmpty)
    }

    @Test("a short blip of a few errors is not an incident")
    func blip() {
        let s = series(minutes: 120, requests: { _ in 300 }, errors: { i in i == 60 ? 4 : 0 })
        #expect(detect(s).isEmpty)
    }

    @Test("a low-rate sustained rise shows at the 15-minute scale")
    func lowRate() {
        let s = series(minutes: 300, requests: { _ in 30 }, errors: { i in (150..<200).contains(i) && i % 2 == 0 ? 1 : 0 })
        let incidents = detect(s)
        #expect(incidents.count == 1)
        #expect(incidents.first.map { $0.start >= s[150].start && $0.end <= s[200].start } == true)
    }

    @Test("#10.1: minutes in 1970 and 9999 are detected without an array over the span")
    func extremeSpan() {
        var c = ClassCounts()
        c[.originError] = 50
        let s: [IncidentDetector.Minute] = [
            .init(start: 0, requests: 100, serverErrors: 50, classes: c),
            .init(start: 253_402_300_740, requests: 100, serverErrors: 50, classes: c),
        ]
        #expect(detect(s).count <= 2)
        #expect(IncidentDetector.runs(s).count == 2)
    }

    @Test("#10.1: runs of traffic scanned apart find the same incidents as one dense scan", arguments: 0..<12)
    func sparseMatchesDense(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed) &+ 1)
        var minutes: [IncidentDetector.Minute] = []
        var t: Int64 = 1_795_255_200
        for _ in 0..<400 {
            // Gaps of 1 minute up to an hour and a half, so runs split and join.
            t += 60 * Int64(rng.next() % 10 == 0 ? 1 + rng.next() % 90 : 1)
            let requests = Int(20 + rng.next() % 200)
            var c = ClassCounts()
            c[.originError] = rng.next() % 9 == 0 ? Int(rng.next() % 40) : Int(rng.next() % 2)
            c[.upstreamTimeout] = rng.next() % 13 == 0 ? Int(rng.next() % 30) : 0
            minutes.append(.init(start: t, requests: requests, serverErrors: c[.originError] + c[.upstreamTimeout], classes: c))
        }
        let sparse = IncidentDetector.classWindows(minutes).map { [$0.start, $0.end, Int64($0.failureClass.rawValue)] }
        let dense = DenseReference.windows(minutes).map { [$0.start, $0.end, Int64($0.failureClass.rawValue)] }
        #expect(sparse == dense)
    }
}

/// The detector's class-level windows as the dense scan over the whole span found them
/// before #10.1: the oracle for the sparse scan.
enum DenseReference {
    static func windows(_ minutes: [IncidentDetector.Minute]) -> [(start: Int64, end: Int64, failureClass: FailureClass)] {
        guard let first = minutes.first, let last = minutes.last else { return [] }
        let span = last.start - first.start
        let blockSeconds: Int64 = span > 12 * 3600 ? 3600 : 600
        var windows: [(start: Int64, end: Int64, failureClass: FailureClass)] = []
        let count = Int((last.start - first.start) / 60) + 1
        var requests = [Int](repeating: 0, count: count)
        var index: [Int: Int] = [:]
        for (i, m) in minutes.enumerated() {
            let slot = Int((m.start - first.start) / 60)
            requests[slot] = m.requests
            index[slot] = i
        }
        for c in IncidentDetector.detectedClasses {
            let baseline = max(IncidentDetector.floorRate, IncidentDetector.medianBlockRate(minutes, c, blockSeconds))
            var failures = [Int](repeating: 0, count: count)
            for (slot, i) in index { failures[slot] = minutes[i].classes[c] }
            var anomalous = [Bool](repeating: false, count: count)
            for scale in IncidentDetector.scales {
                let width = Int(scale.minutes)
                guard width <= count else { continue }
                var sumRequests = requests[0..<width].reduce(0, +)
                var sumFailures = failures[0..<width].reduce(0, +)
                for startSlot in 0...(count - width) {
                    if startSlot > 0 {
                        sumRequests += requests[startSlot + width - 1] - requests[startSlot - 1]
                        sumFailures += failures[startSlot + width - 1] - failures[startSlot - 1]
                    }
                    guard sumFailures >= scale.minimumCount, sumRequests > 0 else { continue }
                    guard Double(sumFailures) > baseline * Double(sumRequests) * 1.5 else { continue }
                    if RateTest.upperTail(sumFailures, n: sumRequests, p: baseline) < IncidentDetector.alpha {
                        for slot in startSlot..<(startSlot + width) where failures[slot] > 0 { anomalous[slot] = true }
                    }
                }
            }
            var slot = 0
            while slot < count {
                guard anomalous[slot] else { slot += 1; continue }
                var endSlot = slot
                var probe = slot + 1
                while probe < count && probe - endSlot <= Int(IncidentDetector.joinGapMinutes) {
                    if anomalous[probe] { endSlot = probe }
                    probe += 1
                }
                windows.append((first.start + Int64(slot) * 60, first.start + Int64(endSlot + 1) * 60, c))
                slot = endSlot + 1
            }
        }
        return windows.sorted { ($0.start, $0.failureClass.rawValue) < ($1.start, $1.failureClass.rawValue) }
    }
}

/// A small deterministic generator for test series.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
}
