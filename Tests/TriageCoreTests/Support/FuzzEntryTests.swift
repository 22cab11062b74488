import Testing
@testable import TriageCore

/// The fuzz targets' oracles (``_FuzzEntry``) on inputs the first fuzz run of the
/// checked build stopped at. The oracle, not triage, was wrong: it left out the
/// lines counted as other lines (and interleaved error-log lines), which triage
/// counts and names. Under `-Ounchecked` (shipped until 2026-12-02) its `precondition` was never evaluated.
@Suite struct FuzzEntryTests {
    @Test("the count oracle accepts a JSON input whose second line is an other line (a traefik event with junk)")
    func otherLinesAreAccounted() {
        let text = #"Set{"StartUTC":"2026-11-21T10:00:00Z","DownstreamStatus":503,"OriginStatus":0,"RequestPath":"/a","RequestMethod":"GET","Duration":1000}"#
            + "\n\u{10}\u{0}"
        let summaries = _FuzzEntry.jsonLines(Array(text.utf8))
        #expect(summaries.count == 4)
        let inputs = summaries.flatMap(\.inputs)
        #expect(inputs.allSatisfy { $0.lines == 2 })
        #expect(inputs.contains { $0.otherLines > 0 })
    }

    @Test("the count oracle accepts a text access log with an other line among the records")
    func otherLinesInText() {
        var text = ""
        for i in 0..<5 { text += #"203.0.113.7 - - [21/Nov/2026:10:00:0\#(i) +0000] "GET /a HTTP/1.1" 502 5 "-" "ua""# + "\n" }
        text += #"[warn] 1#1: *2 an upstream response is buffered to a temporary file"# + "\n"
        let summary = _FuzzEntry.accessLog(Array(text.utf8))
        #expect(summary.inputs.first?.lines == 6)
    }
}
