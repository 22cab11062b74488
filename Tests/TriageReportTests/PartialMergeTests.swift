import Foundation
import Testing
import _TriageTestSupport
@testable import TriageCore
@testable import TriageReport

/// Partials merge exactly and in any order: one log's lines dealt to three
/// "hosts" (round-robin and at random), each host's partial written, and the
/// partials merged in random orders and as nested trees give the JSON report of
/// one run over the whole log. Only `inputs` (the hosts' files), the malformed
/// examples and other lines' examples (which name them) and `hosts` (the per-host
/// view, only in merged reports) may differ.
@Suite struct PartialMergeTests {
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A small deterministic generator (SplitMix64): the same deals on every run.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The sample nginx logs (rotated set, gzip included) as one text, oldest first.
    static func sampleLines() throws -> [String] {
        var lines: [String] = []
        for name in ["access.log.2.gz", "access.log.1", "access.log"] {
            let input = try InputOpener.open(repo.appendingPathComponent("SampleLogs/nginx/\(name)").path)
            var data: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try input.source.read(into: $0) }
                if n == 0 { break }
                data += chunk[0..<n]
            }
            lines += String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init).filter { !$0.isEmpty }
        }
        return lines
    }

    /// A generated log: many routes and clients, an incident, retries, lines without IDs, garbage.
    static func generatedLines(count: Int = 6000) -> [String] {
        var random = Random(state: 7)
        var lines: [String] = []
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        for i in 0..<count {
            let minute = i / 50
            let burst = minute >= 60 && minute < 75
            let roll = Int.random(in: 0..<100, using: &random)
            let status = burst && roll < 30 ? 502 : (roll < 3 ? 500 : (roll < 4 ? 504 : 200))
            let us = status == 502 ? "502, 502" : "\(status)"
            let rid = roll % 7 == 0 ? "-" : "r\(Int.random(in: 0..<1_000_000, using: &random))"
            let route = "/api/items/\(i % 40)/part\(i % 13)"
            lines.append(#"10.\#(i % 7).\#(i % 50).\#(roll) - - [20/Nov/2026:\#(pad(8 + minute / 60)):\#(pad(minute % 60)):\#(pad(i % 60)) +0000] "GET \#(route) HTTP/1.1" \#(status) 5 "-" "ua" rt=0.1 uct="0.0" uht="0.1" urt="0.1" us="\#(us)" ua="10.0.0.\#(i % 3):80" rid=\#(rid)"#)
            if i % 997 == 0 { lines.append("garbage line \(i)") }
        }
        return lines
    }

    static func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func options(_ limits: Aggregator.Limits) -> AnalysisOptions {
        var o = AnalysisOptions()
        o.limits = limits
        o.threads = 1
        o.detectsErrorLogs = false
        o.now = 1_795_300_000
        return o
    }

    /// The JSON report of one run over `path`.
    static func direct(_ path: String, limits: Aggregator.Limits) -> TriageSummary {
        Analyzer(options: options(limits)).run(paths: [path]).summary
    }

    /// Writes the partial of one run over `path`; returns the partial's path.
    static func partial(_ path: String, host: String, limits: Aggregator.Limits) throws -> String {
        let analyzer = Analyzer(options: options(limits))
        _ = analyzer.run(paths: [path])
        let bytes = try analyzer.partial(host: host)
        let out = path + ".partial"
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    /// Merges partials; with `intoPartial`, writes the merge as a partial and returns its path.
    static func merge(_ paths: [String], into out: String? = nil) throws -> (TriageSummary, String?) {
        let (analyzer, errors) = Analyzer.merge(partials: paths, options: AnalysisOptions())
        #expect(errors.isEmpty, "merge errors: \(errors)")
        guard let out else { return (analyzer.finish(), nil) }
        try Data(try analyzer.partial(host: "unused")).write(to: URL(fileURLWithPath: out))
        return (analyzer.finish(), out)
    }

    /// The JSON report without the keys that name files or hosts.
    static func comparable(_ s: TriageSummary) throws -> String {
        var value = try JSONValue.parse(JSONRenderer().render(s))
        value = value.updating(["inputs"]) { _ in nil }
        value = value.updating(["hosts"]) { _ in nil }
        value = value.updating(["malformed", "examples"]) { _ in nil }
        // Each reason's example line of another shape names its file, as malformed examples do.
        if case let .array(reasons)? = value["other_lines"]?["by_reason"] {
            for i in reasons.indices { value = value.updating(["other_lines", "by_reason", "\(i)", "example"]) { _ in nil } }
        }
        return describe(value)
    }

    /// The clients as a merge must reproduce them: everything but their retry storms (per host).
    static func clientView(_ s: TriageSummary) -> String {
        let clients = s.clients.map { c in
            "\(c.address) \(c.requests) \(c.serverErrors) \(FailureClass.allCases.map { c.classes[$0] }) \(c.userAgent ?? "-") \(c.serverErrorCountError ?? -1)"
        }
        let routes = s.routes.map { "\($0.method) \($0.route) \(String(describing: $0.topClient))" }
        let classes = s.classDetails.map { String(describing: $0.topClient) }
        return (clients + routes + classes + ["\(s.clientCounts)"]).joined(separator: "\n")
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case let .bool(b): return "\(b)"
        case let .integer(i): return "\(i)"
        case let .number(d): return "\(d)"
        case let .string(s): return "\"\(s)\""
        case let .array(items): return "[" + items.map(describe).joined(separator: ",") + "]"
        case let .object(members): return "{" + members.map { "\($0.key):\(describe($0.value))" }.joined(separator: ",\n") + "}"
        }
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n"), y = b.split(separator: "\n")
        guard let i = zip(x, y).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return "lengths \(x.count) and \(y.count) lines"
        }
        return "\(x[i].prefix(400))\n  vs\n\(y[i].prefix(400))"
    }

    /// Deals `lines` to three hosts, writes their partials and checks every merge order and tree.
    static func checkDeals(_ lines: [String], name: String, limits: Aggregator.Limits = Aggregator.Limits(),
                           seed: UInt64) throws {
        let dir = NSTemporaryDirectory() + "triage-partials-\(getpid())-\(name)-\(seed)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(lines, to: dir + "/whole.log")
        let single = direct(dir + "/whole.log", limits: limits)
        let expected = try comparable(single)

        var random = Random(state: seed)
        for deal in ["round-robin", "random"] {
            var hosts: [[String]] = [[], [], []]
            for (i, line) in lines.enumerated() {
                hosts[deal == "round-robin" ? i % 3 : Int.random(in: 0..<3, using: &random)].append(line)
            }
            var partials: [String] = []
            var hostStorms = TriageSummary.RetryStorms()
            for (h, hostLines) in hosts.enumerated() {
                try write(hostLines, to: "\(dir)/\(deal)-web-\(h).log")
                partials.append(try partial("\(dir)/\(deal)-web-\(h).log", host: "web-\(h)", limits: limits))
                let own = direct("\(dir)/\(deal)-web-\(h).log", limits: limits).retryStorms
                hostStorms.storms += own.storms
                hostStorms.requests += own.requests
            }
            for trial in 0..<3 {
                let order = partials.shuffled(using: &random)
                let (flat, _) = try merge(order)
                let got = try comparable(flat)
                #expect(got == expected, "\(name), \(deal) deal, order \(trial): \(firstDifference(expected, got))")
                #expect(flat.hosts.map(\.name).sorted() == ["web-0", "web-1", "web-2"])
                #expect(flat.hosts.reduce(0) { $0 + $1.serverErrors } == flat.serverErrors)
                // Clients merge exactly; retry storms are found per host (a client's lines dealt
                // to three hosts are three streams) and add up.
                #expect(clientView(flat) == clientView(single), "\(name), \(deal) deal, order \(trial): clients differ")
                #expect(flat.retryStorms.storms == hostStorms.storms && flat.retryStorms.requests == hostStorms.requests)
                // A tree: two of them merged into a partial, then merged with the third.
                let (_, inner) = try merge(Array(order.prefix(2)), into: "\(dir)/inner-\(deal)-\(trial).partial")
                let (nested, _) = try merge([order[2], try #require(inner)].shuffled(using: &random))
                let gotNested = try comparable(nested)
                #expect(gotNested == expected, "\(name), \(deal) deal, nested \(trial): \(firstDifference(expected, gotNested))")
            }
        }
    }

    @Test("the sample nginx logs dealt to three hosts merge into the report of one run, in any order and tree")
    func sampleLogs() throws {
        try Self.checkDeals(try Self.sampleLines(), name: "samples", seed: 1)
    }

    @Test("a generated log with an incident dealt to three hosts merges into the report of one run")
    func generatedLog() throws {
        try Self.checkDeals(Self.generatedLines(), name: "generated", seed: 2)
    }

    @Test("past the route and client limits, a merge says it is approximate, with the single run's bounds")
    func boundedStructures() throws {
        var limits = Aggregator.Limits()
        limits.routes = 12
        limits.heavyHitterRoutes = 8
        limits.clients = 50
        limits.clientTable = 20
        limits.heavyHitterClients = 8
        let lines = Self.generatedLines(count: 3000)
        let dir = NSTemporaryDirectory() + "triage-partials-bounded-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(lines, to: dir + "/whole.log")
        let single = Self.direct(dir + "/whole.log", limits: limits)
        var partials: [String] = []
        for h in 0..<3 {
            try Self.write(lines.enumerated().filter { $0.offset % 3 == h }.map(\.element), to: "\(dir)/web-\(h).log")
            partials.append(try Self.partial("\(dir)/web-\(h).log", host: "web-\(h)", limits: limits))
        }
        let (merged, _) = try Self.merge(partials.reversed())
        // Every total stays exact.
        #expect(merged.requests == single.requests)
        #expect(merged.serverErrors == single.serverErrors)
        #expect(merged.classes == single.classes)
        #expect(merged.timeline.map(\.serverErrors) == single.timeline.map(\.serverErrors))
        // Both say where they are approximate, with the same bounds.
        #expect(single.clientsAffectedIsLowerBound && merged.clientsAffectedIsLowerBound)
        #expect(merged.clientsAffected == limits.clients && single.clientsAffected == limits.clients)
        #expect(single.approximateRoutes > 0 && merged.approximateRoutes > 0)
        #expect(merged.approximateRoutes <= limits.heavyHitterRoutes)
        #expect(merged.distinctRoutes == limits.routes && single.distinctRoutes == limits.routes)
        let routeRequests = { (s: TriageSummary) in s.routes.reduce(0) { $0 + $1.requests } }
        #expect(routeRequests(merged) <= merged.requests)
        for route in merged.routes where route.failureCountError != nil {
            // Space-Saving's bound: a tracked route's overestimate is at most (failures seen) / capacity.
            #expect(route.failureCountError ?? 0 <= merged.classes.total / limits.heavyHitterRoutes + 1)
        }
        #expect(single.clientCounts.distinct == limits.clientTable && merged.clientCounts.distinct == limits.clientTable)
        #expect(single.clientCounts.approximate > 0 && merged.clientCounts.approximate > 0)
        #expect(merged.clientCounts.approximate <= limits.heavyHitterClients)
        #expect(merged.clients.contains { $0.serverErrorCountError != nil })
        for client in merged.clients {
            // The same bound for clients, over 5xx.
            #expect(client.serverErrorCountError ?? 0 <= merged.serverErrors / limits.heavyHitterClients + 1)
        }
        let clientRequests = { (s: TriageSummary) in s.clients.reduce(0) { $0 + $1.requests } }
        #expect(clientRequests(merged) + merged.clientCounts.overflowRequests <= merged.requests)
    }
}
