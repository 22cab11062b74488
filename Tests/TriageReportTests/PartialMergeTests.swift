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

    /// The same deals on every run.
    typealias Random = SplitMix64

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
            // Request times that vary, slower during the burst: latency histograms must merge exactly.
            let rt = burst ? "2.\(pad(roll))\(i % 10)" : "0.0\(pad(roll))"
            let route = "/api/items/\(i % 40)/part\(i % 13)"
            lines.append(#"10.\#(i % 7).\#(i % 50).\#(roll) - - [20/Nov/2026:\#(pad(8 + minute / 60)):\#(pad(minute % 60)):\#(pad(i % 60)) +0000] "GET \#(route) HTTP/1.1" \#(status) 5 "-" "ua" rt=\#(rt) uct="0.0" uht="0.1" urt="\#(rt)" us="\#(us)" ua="10.0.0.\#(i % 3):80" rid=\#(rid)"#)
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

    /// The samples' v2.14.0 and the generated log's burst, given to every host's run: deploy
    /// windows (and their request-time histograms) must merge exactly too.
    static let hostDeploys = [DeployMarker(time: .absolute(1_795_170_600), label: "v2.14.0", origin: "test"),
                              DeployMarker(time: .absolute(1_795_165_200), label: "burst", origin: "test")]

    /// The JSON report of one run over `path`.
    static func direct(_ path: String, limits: Aggregator.Limits, deploys: [DeployMarker] = []) -> TriageSummary {
        var o = options(limits)
        o.deploys = deploys
        return Analyzer(options: o).run(paths: [path]).summary
    }

    /// Writes the partial of one run over `path` (with the per-second series, as
    /// `--format partial` does); returns the partial's path.
    static func partial(_ path: String, host: String, limits: Aggregator.Limits,
                        deploys: [DeployMarker] = []) throws -> String {
        var o = options(limits)
        o.deploys = deploys
        o.recordsSecondSeries = true
        let analyzer = Analyzer(options: o)
        _ = analyzer.run(paths: [path])
        let bytes = try analyzer.partial(host: host)
        let out = path + ".partial"
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    /// Merges partials; with `intoPartial`, writes the merge as a partial and returns its path.
    /// `deploys` are given to the merge (`triage merge --deploy`).
    static func merge(_ paths: [String], into out: String? = nil, deploys: [DeployMarker] = []) throws -> (TriageSummary, String?) {
        var o = AnalysisOptions()
        o.deploys = deploys
        o.now = options(Aggregator.Limits()).now
        let (analyzer, errors) = Analyzer.merge(partials: paths, options: o)
        #expect(errors.isEmpty, "merge errors: \(errors)")
        guard let out else { return (analyzer.finish(), nil) }
        try Data(try analyzer.partial(host: "unused")).write(to: URL(fileURLWithPath: out))
        return (analyzer.finish(), out)
    }

    /// The JSON report without the keys that name files or hosts.
    ///
    /// - Parameter mergeTimeDeploys: the deploys were given to the merge, whose per-second
    ///   series keep no durations: their windows' latency is left out (and checked apart).
    static func comparable(_ s: TriageSummary, mergeTimeDeploys: Bool = false) throws -> String {
        var value = try JSONValue.parse(JSONRenderer().render(s))
        if mergeTimeDeploys, case let .array(deploys)? = value["deploys"] {
            for i in deploys.indices {
                value = value.updating(["deploys", "\(i)", "latency_regression"]) { _ in nil }
                value = value.updating(["deploys", "\(i)", "before", "latency"]) { _ in nil }
                value = value.updating(["deploys", "\(i)", "after", "latency"]) { _ in nil }
            }
        }
        value = value.updating(["inputs"]) { _ in nil }
        value = value.updating(["hosts"]) { _ in nil }
        // Retry storms are found per host and add up (checked apart in `checkDeals`).
        value = value.updating(["retry_storms"]) { _ in nil }
        if case let .array(clients)? = value["clients"] {
            for i in clients.indices {
                value = value.updating(["clients", "\(i)", "retry_storms"]) { _ in nil }
                value = value.updating(["clients", "\(i)", "retry_storm_requests"]) { _ in nil }
            }
        }
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
                           seed: UInt64, deploys: [DeployMarker] = [], hostDeploys: [DeployMarker] = []) throws {
        let dir = NSTemporaryDirectory() + "triage-partials-\(getpid())-\(name)-\(seed)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(lines, to: dir + "/whole.log")
        let single = direct(dir + "/whole.log", limits: limits, deploys: hostDeploys + deploys)
        // Deploys given to the merge are compared like deploys given to the one run: every one counted.
        #expect(single.deploys.count == hostDeploys.count + deploys.count)
        #expect(single.deploys.allSatisfy { $0.before.requests > 0 && $0.after.requests > 0 })
        let mergeTime = !deploys.isEmpty
        let expected = try comparable(single, mergeTimeDeploys: mergeTime)
        // Deploys given to the hosts: the comparison covers deploy-window latency only if some window has durations.
        if !hostDeploys.isEmpty {
            #expect(single.deploys.contains { $0.before.latency.count > 0 && $0.after.latency.count > 0 })
        }

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
                partials.append(try partial("\(dir)/\(deal)-web-\(h).log", host: "web-\(h)", limits: limits,
                                            deploys: hostDeploys))
                let own = direct("\(dir)/\(deal)-web-\(h).log", limits: limits).retryStorms
                hostStorms.storms += own.storms
                hostStorms.requests += own.requests
            }
            for trial in 0..<3 {
                let order = partials.shuffled(using: &random)
                let (flat, _) = try merge(order, deploys: deploys)
                let got = try comparable(flat, mergeTimeDeploys: mergeTime)
                if mergeTime {
                    // Said, not guessed: the merge cannot know the durations around a deploy it was first given.
                    #expect(flat.deploys.allSatisfy {
                        $0.latencyShift?.insufficientReason?.contains("not kept in partials") == true
                    })
                }
                #expect(got == expected, "\(name), \(deal) deal, order \(trial): \(firstDifference(expected, got))")
                #expect(flat.hosts.map(\.name).sorted() == ["web-0", "web-1", "web-2"])
                #expect(flat.hosts.reduce(0) { $0 + $1.serverErrors } == flat.serverErrors)
                // Clients merge exactly; retry storms are found per host (a client's lines dealt
                // to three hosts are three streams) and add up.
                #expect(clientView(flat) == clientView(single), "\(name), \(deal) deal, order \(trial): clients differ")
                #expect(flat.retryStorms.storms == hostStorms.storms && flat.retryStorms.requests == hostStorms.requests)
                // A tree: two of them merged into a partial, then merged with the third.
                let (_, inner) = try merge(Array(order.prefix(2)), into: "\(dir)/inner-\(deal)-\(trial).partial")
                let (nested, _) = try merge([order[2], try #require(inner)].shuffled(using: &random), deploys: deploys)
                let gotNested = try comparable(nested, mergeTimeDeploys: mergeTime)
                #expect(gotNested == expected, "\(name), \(deal) deal, nested \(trial): \(firstDifference(expected, gotNested))")
            }
        }
    }

    @Test("the sample nginx logs dealt to three hosts merge into the report of one run, in any order and tree")
    func sampleLogs() throws {
        try Self.checkDeals(try Self.sampleLines(), name: "samples", seed: 1, hostDeploys: [Self.hostDeploys[0]])
    }

    @Test("a generated log with an incident dealt to three hosts merges into the report of one run")
    func generatedLog() throws {
        try Self.checkDeals(Self.generatedLines(), name: "generated", seed: 2, hostDeploys: [Self.hostDeploys[1]])
    }

    // MARK: - Application and error logs

    /// The lines of one file (plain or gzip) of the samples.
    static func sampleFile(_ relative: String) throws -> [String] {
        let input = try InputOpener.open(repo.appendingPathComponent(relative).path)
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try input.source.read(into: $0) }
            if n == 0 { break }
            data += chunk[0..<n]
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The request-ID keys a line holds (any token that normalizes to one).
    static func keys(in line: String) -> [[UInt8]] {
        line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") })
            .filter { $0.count >= 16 }
            .compactMap { token in
                var key: [UInt8] = []
                let bytes = Array(token.utf8)
                return bytes.withUnsafeBufferPointer { RequestID.normalize($0, into: &key) } ? key : nil
            }
    }

    /// Splits an application log the way a fleet writes it: each event on the host that served
    /// its request (continuation lines stay with their event), events of no served request dealt in turn.
    static func splitAppLog(_ lines: [String], hostOf: [[UInt8]: Int]) -> [[String]] {
        var hosts: [[String]] = [[], [], []]
        var current = 0, turn = 0
        for line in lines {
            let startsEvent = line.first == "{" || (line.count > 3 && line.dropFirst().hasPrefix(", ["))
            if startsEvent {
                if let host = keys(in: line).lazy.compactMap({ hostOf[$0] }).first {
                    current = host
                } else {
                    current = turn % 3
                    turn += 1
                }
            }
            hosts[current].append(line)
        }
        return hosts
    }

    /// Splits an nginx error log: a line goes to the host that served its client (the host
    /// that wrote it); lines that name no client are dealt in turn.
    static func splitErrorLog(_ lines: [String], hostOfClient: [String: Int]) -> [[String]] {
        var hosts: [[String]] = [[], [], []]
        var turn = 0
        for line in lines {
            let client = line.range(of: "client: ").map { String(line[$0.upperBound...].prefix { $0 != "," }) }
            if let client, let host = hostOfClient[client] {
                hosts[host].append(line)
            } else {
                hosts[turn % 3].append(line)
                turn += 1
            }
        }
        return hosts
    }

    /// The comparable report, also without the lists of application and error logs read
    /// (each host lists its own files) and the signatures' example locations (a host's file and line).
    static func comparableWithSideLogs(_ s: TriageSummary) throws -> String {
        var value = try JSONValue.parse(JSONRenderer().render(s))
        value = value.updating(["inputs"]) { _ in nil }
        value = value.updating(["hosts"]) { _ in nil }
        value = value.updating(["malformed", "examples"]) { _ in nil }
        value = value.updating(["correlation", "app_logs"]) { _ in nil }
        value = value.updating(["error_log", "inputs"]) { _ in nil }
        if case let .array(signatures)? = value["signatures"] {
            for i in signatures.indices { value = value.updating(["signatures", "\(i)", "location"]) { _ in nil } }
        }
        if case let .array(reasons)? = value["other_lines"]?["by_reason"] {
            for i in reasons.indices { value = value.updating(["other_lines", "by_reason", "\(i)", "example"]) { _ in nil } }
        }
        return describe(value)
    }

    @Test("with application and error logs on each host, partials merge into the report of one run over all logs")
    func sideLogs() throws {
        let dir = NSTemporaryDirectory() + "triage-partials-side-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let access = try Self.sampleLines()
        let appNames = ["production.log", "payments.log"]
        let apps = [try Self.sampleFile("SampleLogs/app/production.log"), try Self.sampleFile("SampleLogs/app/payments.log.gz")]
        // Plus lines about no logged request, inside the 11:15 incident: its error-log context.
        let errors = try Self.sampleFile("SampleLogs/nginx/error.log") + (0..<3).map { i in
            "2026/11/20 11:2\(i):00 [error] 2231#2231: *99000\(i) connect() failed (113: No route to host) while connecting to upstream, client: 192.0.2.25\(i), server: shop.example.com, request: \"GET /nowhere HTTP/1.1\", upstream: \"http://10.0.9.9:8080/nowhere\", host: \"shop.example.com\""
        }
        try Self.write(access, to: dir + "/whole.log")
        for (name, lines) in zip(appNames, apps) { try Self.write(lines, to: "\(dir)/\(name)") }
        try Self.write(errors, to: dir + "/error.log")
        func options(app: [String], error: [String]) -> AnalysisOptions {
            var o = Self.options(Aggregator.Limits())
            o.appLogs = app
            o.errorLogs = error
            return o
        }
        let single = Analyzer(options: options(app: appNames.map { "\(dir)/\($0)" }, error: [dir + "/error.log"]))
            .run(paths: [dir + "/whole.log"]).summary
        // The sample logs exercise every part: signatures from both app logs, causes from the error log.
        #expect(single.signatures.contains { $0.source == .appLog })
        #expect(single.correlation.matched > 0)
        #expect((single.errorLog?.explainedServerErrors ?? 0) > 0)
        #expect(single.incidents.contains { !$0.context.isEmpty })
        let expected = try Self.comparableWithSideLogs(single)

        var random = Random(state: 3)
        for deal in ["round-robin", "random"] {
            // A load balancer with client affinity: one host serves all of a client's requests, so
            // the error line about a request is on the host that has the request (an error line
            // is joined by client, request line and second; one line can explain a client's retry).
            var hostOfClient: [String: Int] = [:]
            var dealt: [(line: String, host: Int)] = []
            for line in access {
                let client = String(line.prefix { $0 != " " })
                let host = hostOfClient[client] ?? (deal == "round-robin" ? hostOfClient.count % 3 : Int.random(in: 0..<3, using: &random))
                hostOfClient[client] = host
                dealt.append((line, host))
            }
            var hostOf: [[UInt8]: Int] = [:]
            for (line, host) in dealt { for key in Self.keys(in: line) where hostOf[key] == nil { hostOf[key] = host } }
            let appShares = apps.map { Self.splitAppLog($0, hostOf: hostOf) }
            let errorShares = Self.splitErrorLog(errors, hostOfClient: hostOfClient)
            var partials: [String] = []
            for h in 0..<3 {
                let base = "\(dir)/\(deal)-web-\(h)"
                try Self.write(dealt.filter { $0.host == h }.map(\.line), to: base + ".log")
                for (name, shares) in zip(appNames, appShares) { try Self.write(shares[h], to: "\(base)-\(name)") }
                try Self.write(errorShares[h], to: base + "-error.log")
                let analyzer = Analyzer(options: options(app: appNames.map { "\(base)-\($0)" }, error: [base + "-error.log"]))
                _ = analyzer.run(paths: [base + ".log"])
                try Data(try analyzer.partial(host: "web-\(h)")).write(to: URL(fileURLWithPath: base + ".partial"))
                partials.append(base + ".partial")
            }
            for trial in 0..<3 {
                let order = partials.shuffled(using: &random)
                let (flat, _) = try Self.merge(order)
                let got = try Self.comparableWithSideLogs(flat)
                #expect(got == expected, "\(deal) deal, order \(trial): \(Self.firstDifference(expected, got))")
                // The logs read add up to the one run's, per kind.
                let appTotals = { (s: TriageSummary) in
                    s.correlation.appLogs.reduce(into: [0, 0, 0, 0]) { t, i in
                        t[0] += i.lines; t[1] += i.events; t[2] += i.errorEvents; t[3] += i.matchedEvents
                    }
                }
                #expect(appTotals(flat) == appTotals(single))
                let errorLines = { (s: TriageSummary) in s.errorLog?.inputs.reduce(0) { $0 + $1.lines } }
                #expect(errorLines(flat) == errorLines(single))
                #expect(flat.signatures.filter { $0.source == .appLog }.allSatisfy { $0.location?.hasPrefix("web-") ?? false })
                let (_, inner) = try Self.merge(Array(order.prefix(2)), into: "\(dir)/inner-\(deal)-\(trial).partial")
                let (nested, _) = try Self.merge([order[2], try #require(inner)].shuffled(using: &random))
                let gotNested = try Self.comparableWithSideLogs(nested)
                #expect(gotNested == expected, "\(deal) deal, nested \(trial): \(Self.firstDifference(expected, gotNested))")
            }
        }
    }

    @Test("deploys given to 'triage merge' compare on the merged per-second series as in one run given them")
    func mergeTimeDeploys() throws {
        let sampleDeploys = try DeployFile.read(path: Self.repo.appendingPathComponent("SampleLogs/deploys.txt").path)
        try Self.checkDeals(try Self.sampleLines(), name: "samples-deploys", seed: 4, deploys: sampleDeploys)
        // Mid-minute and zoneless times: windows cut to the second, the zone of the earliest line.
        let deploys = try ["2026-11-20T08:59:30Z=v2", "2026-11-20T09:40:17=v3"].map(DeployMarker.init(argument:))
        try Self.checkDeals(Self.generatedLines(), name: "generated-deploys", seed: 5, deploys: deploys)
    }

    @Test("a partial without the per-second series is left out, and named, when the merge is given deploys")
    func mergeTimeDeploysNeedTheSeries() throws {
        let dir = NSTemporaryDirectory() + "triage-partials-noseries-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(Self.generatedLines(count: 300), to: dir + "/a.log")
        let analyzer = Analyzer(options: Self.options(Aggregator.Limits()))
        _ = analyzer.run(paths: [dir + "/a.log"])
        try Data(try analyzer.partial(host: "old")).write(to: URL(fileURLWithPath: dir + "/old.partial"))
        let withSeries = try Self.partial(dir + "/a.log", host: "new", limits: Aggregator.Limits())
        var o = AnalysisOptions()
        o.deploys = [try DeployMarker(argument: "2026-11-20T08:03:00Z=v2")]
        let (merged, errors) = Analyzer.merge(partials: [dir + "/old.partial", withSeries], options: o)
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("old.partial") == true)
        #expect(errors.first?.description.contains("per-second series") == true)
        #expect(merged.finish().hosts.map(\.name) == ["new"])
        #expect(merged.finish().deploys.first?.after.requests ?? 0 > 0)
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
