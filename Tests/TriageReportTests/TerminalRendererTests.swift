import Foundation
import Testing
@testable import TriageCore
@testable import TriageReport

@Suite struct TerminalRendererTests {
    /// Display columns of a terminal line: escape sequences take none, every scalar one.
    static func columns(_ line: Substring) -> Int {
        var n = 0
        var inEscape = false
        for scalar in line.unicodeScalars {
            if inEscape { if scalar == "m" { inEscape = false }; continue }
            if scalar == "\u{1B}" { inEscape = true; continue }
            n += 1
        }
        return n
    }

    @Test("at 80 columns (and 60 and 120) no line is longer than the width, with or without colour",
          arguments: [60, 80, 120], [false, true])
    func fitsTheWidth(width: Int, color: Bool) {
        for summary in [SampleSummaries.realistic, SampleSummaries.hostile] {
            let text = TerminalRenderer(color: color, width: width).render(summary)
            for line in text.split(separator: "\n") {
                #expect(Self.columns(line) <= width, "\(Self.columns(line)) columns: \(line)")
            }
        }
    }

    @Test("at 80 columns the timeline names every incident with its times, before its bar when there is no room after it")
    func timelineNamesIncidents() throws {
        let summary = SampleSummaries.realistic
        let text = TerminalRenderer(color: false, width: 80).render(summary)
        let timeline = try #require(text.components(separatedBy: "\nTimeline").dropFirst().first?.components(separatedBy: "\n\n").first)
        for incident in summary.incidents {
            let name = "incident \(Format.clock(incident.start))–\(Format.clock(incident.end))"
            #expect(timeline.contains(name), "\(name) is not in:\n\(timeline)")
        }
        #expect(!timeline.split(separator: "\n").contains { $0.hasSuffix("─ incident") }, "a bare 'incident' label")
    }

    @Test("wrapping only moves line breaks: each section reads the same word for word at 60 columns as at 400",
          arguments: ["Deploys", "Incidents", "Signatures", "Upstreams", "Inputs", "Notes"])
    func wrapsBetweenWords(heading: String) throws {
        let section = { (text: String) -> String in
            let body = text.components(separatedBy: "\n" + heading).dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
            return body.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        }
        let s = SampleSummaries.realistic
        let wide = section(TerminalRenderer(width: 400).render(s))
        let narrow = section(TerminalRenderer(width: 60).render(s))
        #expect(!wide.isEmpty)
        // Signatures cut a long message and stack to one line on purpose; compare what is not cut.
        let uncut = { (text: String) in text.split(separator: " ").filter { !$0.hasSuffix("…") }.joined(separator: " ") }
        if heading == "Signatures" {
            #expect(Set(uncut(narrow).split(separator: " ")).isSubset(of: Set(wide.split(separator: " "))))
        } else {
            #expect(narrow == wide)
        }
    }

    @Test("retry storms whose clients all left the client sketch are not said to be by 0 clients, in any report")
    func stormsOfUntrackedClients() {
        var s = SampleSummaries.realistic
        s.retryStorms.clients = 0
        let terminal = TerminalRenderer(width: 100).render(s)
        #expect(terminal.contains("Retry storms: 9 (88 failing requests) on GET /api/search"))
        #expect(!terminal.contains("0 clients"))
        #expect(!MarkdownRenderer().render(s).contains("0 clients"))
        #expect(!HTMLRenderer().render(s).contains("0 clients"))
        s.retryStorms.clients = 1
        #expect(TerminalRenderer(width: 100).render(s).contains("Retry storms: 9 (88 failing requests) by 1 client on GET /api/search"))
    }

    @Test("a count of one takes the singular: 1 failed attempt, 1 request")
    func singular() {
        var s = TriageSummary()
        s.requests = 1
        s.serverErrors = 1
        s.classes[.upstreamUnreachable] = 1
        s.inputs = [.init(path: "a.log", format: "combined", formatSource: "given", isGzip: false, lines: 1, records: 1,
                          malformed: 0, blank: 0, skipped: 0, hasUpstreamFields: true, hasRequestID: false)]
        s.upstreams = [.init(address: "10.0.0.1:80", requests: 1, failures: 1, classes: SampleSummaries.classes([(.upstreamUnreachable, 1)]),
                             sampleRequestIDs: [])]
        let text = TerminalRenderer(width: 100).render(s)
        #expect(text.contains("1 failed attempt of 1,"))
        #expect(text.contains("1 input, 1 request"))
        #expect(text.contains("1 line, 1 record"))
        #expect(!text.contains("1 failed attempts"))
        #expect(!text.contains("1 requests"))
    }

    @Test("the Routes table lists only routes with 5xx, most first, and its main class is a 5xx class")
    func routesBy5xx() throws {
        var s = SampleSummaries.realistic
        s.routes.append(.init(method: "GET", route: "/only-retried", requests: 99_999, serverErrors: 0,
                              classes: SampleSummaries.classes([(.retriedOK, 500)]), sampleRequestIDs: []))
        s.routes.append(.init(method: "GET", route: "/mostly-retried", requests: 10, serverErrors: 1,
                              classes: SampleSummaries.classes([(.retriedOK, 50), (.clientClosed, 9), (.upstreamTimeout, 1)]),
                              sampleRequestIDs: []))
        let text = TerminalRenderer(width: 100).render(s)
        let section = try #require(text.components(separatedBy: "\nRoutes").dropFirst().first?.components(separatedBy: "\n\n").first)
        #expect(!section.contains("/only-retried"))
        let row = try #require(section.split(separator: "\n").first { $0.contains("/mostly-retried") })
        #expect(row.hasSuffix("upstream_timeout 1"))
        let fiveXX = section.split(separator: "\n").dropFirst(2).compactMap { line -> Int? in
            let fields = line.split(separator: " ")
            return fields.count >= 5 ? Int(fields[fields.count - 3].replacingOccurrences(of: ",", with: "")) : nil
        }
        #expect(fiveXX == fiveXX.sorted(by: >))
        #expect(!fiveXX.contains(0))
    }

    @Test("a signature's first and last minute read the same in the terminal, Markdown and HTML")
    func signatureTimesAgree() throws {
        let s = SampleSummaries.realistic
        let sig = try #require(s.signatures.first)
        let first = try #require(sig.firstSeen), last = try #require(sig.lastSeen)
        let clockRange = "\(Format.clock(first))–\(Format.clock(last))"
        #expect(TerminalRenderer(width: 100).render(s).contains(clockRange))
        #expect(MarkdownRenderer().render(s).contains(Format.dateTime(first) + "–" + Format.clock(last)))
        #expect(HTMLRenderer().render(s).contains(Format.dateTime(first) + "–" + Format.clock(last)))
    }

    @Test("a report spanning two days dates its times; an incident without 5xx names no 5xx peak")
    func datesAndEmptyPeaks() {
        var s = SampleSummaries.realistic
        s.lastTime = (s.firstTime ?? 0) + 2 * 86_400
        let start = SampleSummaries.incidentStart
        var closed = Incident(start: start + 600, end: start + 1200, peak: start + 660, peakServerErrors: 0, requests: 300,
                              serverErrors: 0, classes: SampleSummaries.classes([(.clientClosed, 40)]),
                              anomalousClasses: [.clientClosed], topRoutes: [.init(name: "GET /slow", count: 0, failures: 40)],
                              topUpstreams: [])
        closed.peakFailures = 12
        closed.statusCounts = [(499, 40)]
        s.incidents = [closed]
        let text = TerminalRenderer(width: 100).render(s)
        #expect(text.contains("2026-11-20 08:10–08:20 clients gave up on GET /slow: 40 × 499"))
        #expect(text.contains("peak 2026-11-20 08:11 with 12 × 499"))
        #expect(!text.contains("with 0 5xx"))
    }
}
