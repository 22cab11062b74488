import Foundation
import Testing
@testable import TriageCore
@testable import TriageReport

@Suite struct HTMLRendererTests {
    @Test("the realistic summary renders as recorded")
    func realisticGolden() throws {
        try GoldenFile.check(HTMLRenderer().render(SampleSummaries.realistic), "summary.html")
    }

    @Test("the hostile summary renders as recorded")
    func hostileGolden() throws {
        try GoldenFile.check(HTMLRenderer().render(SampleSummaries.hostile), "hostile.html")
    }

    /// Writes the pages for a look in a browser: `TRIAGE_WRITE_HTML=1 swift test --filter HTMLRendererTests`.
    @Test("writes preview pages to /tmp when asked", .enabled(if: ProcessInfo.processInfo.environment["TRIAGE_WRITE_HTML"] == "1"))
    func writePreview() throws {
        try HTMLRenderer().render(SampleSummaries.realistic).write(toFile: "/tmp/triage-report.html", atomically: true, encoding: .utf8)
        try HTMLRenderer().render(SampleSummaries.hostile).write(toFile: "/tmp/triage-hostile.html", atomically: true, encoding: .utf8)
        try HTMLRenderer().render(TriageSummary()).write(toFile: "/tmp/triage-empty.html", atomically: true, encoding: .utf8)
        try MarkdownRenderer().render(SampleSummaries.realistic).write(toFile: "/tmp/triage-report.md", atomically: true, encoding: .utf8)
        try JSONRenderer().render(SampleSummaries.realistic).write(toFile: "/tmp/triage-report.json", atomically: true, encoding: .utf8)
        try JSONRenderer().render(SampleSummaries.hostile).write(toFile: "/tmp/triage-hostile.json", atomically: true, encoding: .utf8)
        try JSONRenderer().render(TriageSummary()).write(toFile: "/tmp/triage-empty.json", atomically: true, encoding: .utf8)

        // The sample incident as the analyzer sees it.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var options = AnalysisOptions()
        options.deploys = try DeployFile.read(path: root.appendingPathComponent("SampleLogs/deploys.txt").path)
        let logs = ["access.log.2.gz", "access.log.1", "access.log"].map { root.appendingPathComponent("SampleLogs/nginx/\($0)").path }
        let sample = Analyzer(options: options).run(paths: logs).summary
        try HTMLRenderer().render(sample).write(toFile: "/tmp/triage-sample.html", atomically: true, encoding: .utf8)
        try MarkdownRenderer().render(sample).write(toFile: "/tmp/triage-sample.md", atomically: true, encoding: .utf8)
    }

    @Test("log text never becomes markup: every tag is one the renderer writes", arguments: ["realistic", "hostile", "empty"])
    func onlyOwnTags(sample: String) {
        let s = sample == "hostile" ? SampleSummaries.hostile : sample == "empty" ? TriageSummary() : SampleSummaries.realistic
        let html = HTMLRenderer().render(s)
        for tag in Self.tags(html) {
            #expect(Self.allowedElements.contains(tag.name), "unexpected element <\(tag.name)>")
            for (name, value) in tag.attributes {
                #expect(Self.allowedAttributes.contains(name), "unexpected attribute \(name) on <\(tag.name)>")
                if name == "href" { #expect(value.hasPrefix("#"), "link leaves the page: \(value)") }
            }
        }
    }

    @Test("the hostile text shows as text")
    func hostileTextIsEscaped() {
        let html = HTMLRenderer().render(SampleSummaries.hostile)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<i>"))
        #expect(!html.contains("\u{1B}"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&#39;q&quot;"))
        #expect(html.contains("&amp;amp;"))
        #expect(html.contains("\\x1B[31mred"))
    }

    @Test("the page loads nothing from elsewhere", arguments: ["realistic", "hostile"])
    func selfContained(sample: String) {
        let s = sample == "hostile" ? SampleSummaries.hostile : SampleSummaries.realistic
        let html = HTMLRenderer().render(s)
        let markup = Self.tags(html).map(\.source).joined(separator: "\n") + Self.styleSheet(html)
        for reference in ["src=", "href=\"http", "href=http", "@import", "url(", "http://", "https://", "<link", "<script"] {
            #expect(!markup.lowercased().contains(reference), "found \(reference)")
        }
        if sample == "realistic" {
            #expect(!html.contains("http://") && !html.contains("https://"))
        }
    }

    @Test("the page is set up for phones and paper")
    func responsiveAndPrintable() {
        let html = HTMLRenderer().render(SampleSummaries.realistic)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("@media print"))
        #expect(html.contains(".scroll { overflow-x: auto;"))
        // Every table sits in a scrolling wrapper.
        #expect(html.components(separatedBy: "<table>").count == html.components(separatedBy: "<div class=\"scroll\">\n<table>").count)
    }

    @Test("sections appear in order, the verdict first; empty ones are left out")
    func sectionOrder() throws {
        let html = HTMLRenderer().render(SampleSummaries.realistic)
        let ids = ["verdict", "timeline", "deploys", "incidents", "classes", "routes", "upstreams", "inputs", "malformed", "notes"]
        let positions = try ids.map { id in try #require(html.firstRange(of: "<section id=\"\(id)\"")).lowerBound }
        #expect(positions == positions.sorted())

        let empty = HTMLRenderer().render(TriageSummary())
        #expect(empty.contains("No requests could be read."))
        for id in ids.dropFirst() { #expect(!empty.contains("<section id=\"\(id)\"")) }
        #expect(!empty.contains("<nav"))
    }

    @Test("the legend names each 5xx class with its colour")
    func legend() throws {
        let html = HTMLRenderer().render(SampleSummaries.realistic)
        let start = try #require(html.firstRange(of: "<ul class=\"legend\">"))
        let rest = html[start.upperBound...]
        let legend = try rest[..<#require(rest.firstRange(of: "</ul>")).lowerBound]
        for c in FailureClass.allCases where c.isServerError {
            #expect(legend.contains("fill=\"\(HTMLPalette.color(c))\"/></svg><code>\(c.identifier)</code>"))
        }
        #expect(Set(FailureClass.allCases.map(HTMLPalette.color)).count == FailureClass.allCases.count)
    }

    // MARK: - Helpers

    static let allowedElements: Set<String> = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "nav", "a", "main", "section",
        "p", "ul", "li", "figure", "figcaption", "div", "svg", "g", "rect", "line", "text", "table", "thead", "tbody", "tr",
        "th", "td", "code", "span", "strong", "br", "details", "summary", "pre", "polyline", "circle",
    ]
    static let allowedAttributes: Set<String> = [
        "lang", "charset", "name", "content", "href", "id", "class", "aria-label", "aria-labelledby", "aria-hidden", "role",
        "scope", "viewbox", "preserveaspectratio", "font-size", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "rx",
        "fill", "stroke", "stroke-width", "stroke-dasharray", "text-anchor", "transform", "html", "open",
        "points", "stroke-linejoin", "cx", "cy", "r",
    ]

    struct Tag {
        var name: String
        var attributes: [(String, String)]
        var source: String
    }

    /// Every start and end tag outside `<style>`. Escaped text holds no `<`,
    /// so each `<` the scanner meets opens real markup.
    static func tags(_ html: String) -> [Tag] {
        var tags: [Tag] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let source = String(rest[open...close])
            var body = source.dropFirst().dropLast()
            if body.hasPrefix("/") { body = body.dropFirst() }
            let name = String(body.prefix { !$0.isWhitespace && $0 != "/" }).lowercased()
            tags.append(Tag(name: name, attributes: attributes(String(body.dropFirst(name.count))), source: source))
            rest = rest[rest.index(after: close)...]
            if name == "style", let end = rest.firstRange(of: "</style>") { rest = rest[end.lowerBound...] }
        }
        return tags
    }

    /// `name="value"` pairs (and bare names) of a tag's inside.
    static func attributes(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        var chars = Substring(text)
        while true {
            chars = chars.drop { $0.isWhitespace || $0 == "/" }
            guard !chars.isEmpty else { break }
            let name = String(chars.prefix { !$0.isWhitespace && $0 != "=" && $0 != "/" }).lowercased()
            chars = chars.dropFirst(name.count)
            guard !name.isEmpty else { break }
            if chars.first == "=" {
                chars = chars.dropFirst()
                if chars.first == "\"" {
                    chars = chars.dropFirst()
                    let value = chars.prefix { $0 != "\"" }
                    result.append((name, String(value)))
                    chars = chars.dropFirst(value.count + 1)
                } else {
                    let value = chars.prefix { !$0.isWhitespace }
                    result.append((name, String(value)))
                    chars = chars.dropFirst(value.count)
                }
            } else {
                result.append((name, ""))
            }
        }
        return result
    }

    static func styleSheet(_ html: String) -> String {
        guard let start = html.firstRange(of: "<style>"), let end = html.firstRange(of: "</style>") else { return "" }
        return String(html[start.upperBound..<end.lowerBound])
    }
}
