import Foundation
import Testing
@testable import TriageCore
@testable import TriageReport

@Suite struct MarkdownRendererTests {
    @Test("the realistic summary renders as recorded")
    func realisticGolden() throws {
        try GoldenFile.check(MarkdownRenderer().render(SampleSummaries.realistic), "summary.md")
    }

    @Test("the hostile summary renders as recorded")
    func hostileGolden() throws {
        try GoldenFile.check(MarkdownRenderer().render(SampleSummaries.hostile), "hostile.md")
    }

    @Test("an empty summary gives the title and the verdict only")
    func emptySummary() {
        let markdown = MarkdownRenderer().render(TriageSummary())
        #expect(markdown.contains("No requests could be read."))
        for heading in ["## Classes", "## Timeline", "## Top routes", "## Upstreams", "## Inputs", "## Malformed lines", "## Notes"] {
            #expect(!markdown.contains(heading), "\(heading) should be omitted")
        }
    }

    @Test("an example whose stack holds its exception line below a header shows that line once, the header kept")
    func exampleLineOnce() {
        var s = SampleSummaries.realistic
        s.signatures[0].message = "java.lang.NullPointerException: cart is null"
        s.signatures[0].stack = ["Checkout failed for user 9706", "java.lang.NullPointerException: cart is null",
                                 "    at com.shop.checkout.CheckoutService.computeTotal(CheckoutService.java:88)"]
        let markdown = MarkdownRenderer().render(s)
        #expect(markdown.components(separatedBy: "java.lang.NullPointerException: cart is null").count == 2, "once")
        #expect(markdown.contains("```\nCheckout failed for user 9706\njava.lang.NullPointerException"))
        #expect(HTMLRenderer().render(s).components(separatedBy: "java.lang.NullPointerException: cart is null").count == 2)
    }

    @Test("a deploy row gives the rate the verdict judged (no proxy_error), the proxy_error counts beside it, in Markdown and HTML")
    func deployRowJudgedRate() {
        var s = VerdictDeployLineTests.summary(before: VerdictDeployLineTests.window(requests: 894, []),
                                               after: VerdictDeployLineTests.window(requests: 12_496, [(.proxyError, 10_080), (.upstreamUnavailable, 13)]))
        s.deploys[0].verdict = .noChange
        let markdown = MarkdownRenderer().render(s)
        #expect(markdown.contains("| 0.0% (0/894) | 0.1% (13/12,496) |"), "\(markdown)")
        #expect(markdown.contains("`proxy_error` 0 → 10,080 (not judged)"))
        #expect(!markdown.contains("80.8%"))
        let html = HTMLRenderer().render(s)
        #expect(html.contains("13 / 12,496") && !html.contains("10,093 / 12,496"))
    }

    @Test("the verdict comes first, from the shared Verdict lines")
    func verdictFirst() throws {
        let s = SampleSummaries.realistic
        let markdown = MarkdownRenderer().render(s)
        let verdict = try #require(markdown.firstRange(of: "## Verdict"))
        let classes = try #require(markdown.firstRange(of: "## Classes"))
        #expect(verdict.lowerBound < classes.lowerBound)
        #expect(markdown.contains("- **" + MarkdownText.text(Verdict(s).headline) + "**"))
    }

    @Test("every table row keeps its column count, whatever the log text holds", arguments: ["realistic", "hostile"])
    func tableColumns(sample: String) {
        let s = sample == "hostile" ? SampleSummaries.hostile : SampleSummaries.realistic
        let tables = Self.tables(MarkdownRenderer().render(s))
        #expect(!tables.isEmpty)
        for table in tables {
            let counts = table.map(Self.cellCount)
            #expect(Set(counts).count == 1, "table starting \(table[0]) has rows of \(counts) cells")
        }
    }

    @Test("log text outside code spans has its markup escaped")
    func proseIsEscaped() {
        let prose = Self.removingCodeSpans(MarkdownRenderer().render(SampleSummaries.hostile))
        #expect(!prose.contains("<"))
        #expect(!prose.contains(">"))
        #expect(!prose.contains("\u{1B}"))
        #expect(!prose.contains("https://"))
        // Markdown syntax characters appear only escaped: after an odd run of
        // backslashes. The renderer's own headings are the only `#` at a line start.
        for line in prose.split(separator: "\n") {
            let chars = Array(line.drop { $0 == "#" })
            for (i, c) in chars.enumerated() where "`_[]$#".contains(c) {
                let backslashes = chars[..<i].reversed().prefix { $0 == "\\" }.count
                #expect(backslashes % 2 == 1, "unescaped \(c) in: \(line)")
            }
        }
    }

    @Test("code spans: the fence outruns any backtick run, pipes are escaped, empty stays empty")
    func codeSpans() {
        #expect(MarkdownText.code("/a") == "`/a`")
        #expect(MarkdownText.code("x`y``z") == "```x`y``z```")
        #expect(MarkdownText.code("`") == "`` ` ``")
        #expect(MarkdownText.code(" a ") == "`  a  `")
        #expect(MarkdownText.code("a|b") == "`a\\|b`")
        #expect(MarkdownText.code("") == "")
        #expect(MarkdownText.code("a\nb") == "`a\\x0Ab`")
        #expect(MarkdownText.code("a|b", inTable: false) == "`a|b`")
    }

    @Test("prose: syntax is escaped, HTML becomes entities, block starts are defused", arguments: [
        ("*bold* _it_", "\\*bold\\* \\_it\\_"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("&amp;", "&amp;amp;"),
        ("# title", "\\# title"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("a|b", "a\\|b"),
        ("[x](y)", "\\[x\\](y)"),
        ("see https://example.com", "see https\\://example.com"),
        ("$x$", "\\$x\\$"),
        ("\u{1B}[31m", "\\\\x1B\\[31m"),
    ])
    func proseEscapes(input: String, expected: String) {
        #expect(MarkdownText.text(input) == expected)
    }

    @Test("the timeline coarsens to at most 24 rows and adds the busiest minutes")
    func timelineIsCompact() throws {
        let markdown = MarkdownRenderer().render(SampleSummaries.realistic)
        let start = try #require(markdown.firstRange(of: "## Timeline"))
        let rest = markdown[start.upperBound...]
        let end = rest.firstRange(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        let tables = Self.tables(String(end))
        #expect(tables.count == 2)
        #expect(tables[0].count - 2 <= MarkdownRenderer.timelineRows)
        #expect(tables[1].count - 2 == MarkdownRenderer.busiestWindowMinutes)
        #expect(end.contains("Busiest 10 minutes, per minute"))
    }

    // MARK: - Helpers

    /// Runs of lines starting with `|`.
    static func tables(_ markdown: String) -> [[String]] {
        var tables: [[String]] = []
        var current: [String] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                current.append(String(line))
            } else if !current.isEmpty {
                tables.append(current)
                current = []
            }
        }
        if !current.isEmpty { tables.append(current) }
        return tables
    }

    /// Cells of a GFM table row: pipes not preceded by a backslash separate cells.
    static func cellCount(_ row: String) -> Int {
        var pipes = 0
        var previous: Character = " "
        for c in row {
            if c == "|" && previous != "\\" { pipes += 1 }
            previous = c
        }
        return pipes - 1
    }

    /// The text with every code span removed (fences matched by length, as CommonMark does).
    static func removingCodeSpans(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "`" else { out.append(chars[i]); i += 1; continue }
            var run = 0
            while i + run < chars.count && chars[i + run] == "`" { run += 1 }
            var j = i + run
            var closed: Int?
            while j < chars.count {
                if chars[j] == "`" {
                    var other = 0
                    while j + other < chars.count && chars[j + other] == "`" { other += 1 }
                    if other == run { closed = j + other; break }
                    j += other
                } else {
                    j += 1
                }
            }
            if let closed {
                i = closed
            } else {
                out += String(repeating: "`", count: run)
                i += run
            }
        }
        return out
    }
}
