import Foundation
import Testing
@testable import TriageCore
@testable import TriageReport

/// Fields left unread after a preset, and lines of another shape, are said in every report.
@Suite struct UnreadFieldsRenderingTests {
    static var summary: TriageSummary {
        var s = SampleSummaries.realistic
        s.inputs[0].trailingTextLines = 644
        s.inputs[0].unreadFields = "644 lines carry fields after the last one of 'combined', left unread"
        s.inputs[0].suggestedLogFormat = #"nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#
        s.inputs[0].otherLines = 3
        s.otherLines = 3
        s.otherByReason = [.init(reason: "nginx error-log line", count: 3,
                                 example: .init(path: s.inputs[0].path, line: 7, reason: "expected ' - '", excerpt: "2026/11/20 …"))]
        return s
    }

    @Test("terminal, markdown, HTML and JSON say which fields were left unread and the --log-format that reads them")
    func everyRendererSaysIt() throws {
        let s = Self.summary
        let terminal = TerminalRenderer(width: 400).render(s)
        let markdown = MarkdownRenderer().render(s)
        let html = HTMLRenderer().render(s)
        for text in [terminal, markdown] {
            #expect(text.contains("644 lines carry fields after the last one of 'combined'"))
            #expect(text.contains(#"--log-format 'nginx:$remote_addr"#))
            #expect(text.contains("3 other lines"))
            #expect(text.contains("nginx error-log line 3"))
        }
        #expect(html.contains("644 lines carry fields after the last one of &#39;combined&#39;") || html.contains("644 lines carry fields after the last one of 'combined'"))
        #expect(html.contains("nginx error-log line 3"))
        let json = try JSONSerialization.jsonObject(with: Data(JSONRenderer().render(s).utf8)) as? [String: Any] ?? [:]
        let input = (json["inputs"] as? [[String: Any]])?.first ?? [:]
        #expect(input["trailing_text_lines"] as? Int == 644)
        #expect((input["suggested_log_format"] as? String)?.hasPrefix("nginx:") == true)
        #expect((json["other_lines"] as? [String: Any])?["count"] as? Int == 3)
    }
}
