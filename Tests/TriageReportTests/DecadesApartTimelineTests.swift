import Foundation
import Testing
@testable import TriageCore
@testable import TriageReport

/// Traffic decades apart, both times plausible (1991 and 2026): every timeline stays
/// bounded and says which year it shows.
@Suite struct DecadesApartTimelineTests {
    static let early = Int64(Timestamp.daysFromCivil(year: 1991, month: 11, day: 21)) * 86_400 + 10 * 3600
    static let late = Int64(Timestamp.daysFromCivil(year: 2026, month: 11, day: 21)) * 86_400 + 10 * 3600

    static var summary: TriageSummary {
        var s = TriageSummary()
        var c = ClassCounts()
        c[.originError] = 2
        s.timeline = [Self.early, Self.early + 60, Self.late, Self.late + 60].map {
            .init(start: $0, requests: 3, serverErrors: 2, classes: c)
        }
        s.requests = 12
        s.serverErrors = 8
        s.classes[.originError] = 8
        s.firstTime = Self.early
        s.lastTime = Self.late + 60
        return s
    }

    @Test("the terminal timeline folds 35 years without requests into one line and stays within the width")
    func terminalFoldsTheGap() {
        let text = TerminalRenderer(color: false, width: 80).render(Self.summary)
        let timeline = text.components(separatedBy: "\n").drop { !$0.hasPrefix("Timeline") }.prefix { !$0.isEmpty }
        #expect(timeline.count < 10, "\(timeline.count) rows:\n\(timeline.joined(separator: "\n"))")
        // From the row after 1991's to 2026's row: just under 35 years of 365 days.
        #expect(timeline.contains { $0.range(of: #"⋮ no requests for 3[45] years( \d+ d)?$"#, options: .regularExpression) != nil },
                "\(timeline.joined(separator: "\n"))")
        #expect(timeline.contains { $0.contains("1991-11-") })
        #expect(timeline.contains { $0.contains("2026-11-") })
        for line in text.split(separator: "\n") { #expect(TerminalRendererTests.columns(line) <= 80) }
    }

    @Test("a short quiet stretch is still drawn row by row, not folded")
    func shortGapsStay() {
        var s = Self.summary
        s.timeline = [Self.late, Self.late + 2 * 3600].map { .init(start: $0, requests: 3, serverErrors: 2, classes: s.timeline[0].classes) }
        s.firstTime = Self.late
        s.lastTime = Self.late + 2 * 3600
        let text = TerminalRenderer(color: false, width: 80).render(s)
        #expect(!text.contains("no requests for"))
    }

    @Test("the HTML chart keeps at most 240 bars and its ticks name the year")
    func htmlTicksNameTheYear() throws {
        let chart = try #require(HTMLTimelineChart(Self.summary.timeline, bucketSeconds: 60))
        #expect(chart.slots.count <= HTMLTimelineChart.maxBars)
        let svg = chart.svg(title: "t")
        let ticks = svg.components(separatedBy: "<text class=\"tick\"").dropFirst()
        #expect(!ticks.isEmpty && ticks.count <= HTMLTimelineChart.maxTicks + 1)
        #expect(ticks.allSatisfy { $0.range(of: #">(19|20)\d\d-\d\d-\d\d</text>"#, options: .regularExpression) != nil })
    }

    @Test("the Markdown timeline stays within its rows, dated with the year")
    func markdownBounded() {
        let text = MarkdownRenderer().render(Self.summary)
        let section = text.components(separatedBy: "## Timeline").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| 19") || $0.hasPrefix("| 20") }
        #expect(!rows.isEmpty && rows.count <= MarkdownRenderer.timelineRows + MarkdownRenderer.busiestWindowMinutes)
        #expect(rows.first?.hasPrefix("| 1991-") == true)
    }
}
