import Testing
@testable import TriageCore

/// The fuzz targets' oracles (``_FuzzEntry``) on inputs the first fuzz run of the
/// checked build stopped at. The oracle, not triage, was wrong: it left out the
/// lines counted as other lines (and interleaved error-log lines), which triage
/// counts and names. Under `-Ounchecked` (shipped until 2026-12-02) its `precondition` was never evaluated.
@Suite struct FuzzEntryTests {
    @Test("the app-log oracle reads blocks without threads: a log of many blocks with errors, long lines and lone CRs passes it")
    func appLogBlocksInline() throws {
        var text = ""
        for i in 0..<40 {
            text += "2026-11-21T10:00:0\(i % 10)Z INFO request_id=abcdef started \(i)\n"
            text += "2026-11-21T10:00:0\(i % 10)Z ERROR request_id=abcdef12 boom \(String(repeating: "x", count: i * 3))\r"
            text += "Traceback (most recent call last):\n  File \"/a.py\", line 1, in f\nKeyError: 'k'\r\n"
            text += "2026-11-21T10:00:0\(i % 10)Z ERROR no request here\n"
        }
        // One pass and blocks of 160 bytes agree (the oracle would trap otherwise).
        _FuzzEntry.appLogBlocks(Array(text.utf8))
        // And the comparison is not vacuous: the blocks path runs and matches events.
        let ledger = ServerErrorLedger(limit: 10, sampleLimit: 1)
        Array("abcdef12".utf8).withUnsafeBufferPointer {
            ledger.add(requestID: $0, time: 1_795_255_200, route: 0, failureClass: .originError, upstreamStatus: 500)
        }
        let correlator = try AppLogCorrelator(ledger: ledger, idPattern: nil, tolerance: 300, logUTCOffset: 0,
                                              maxLineLength: 64, workers: 0, blockSize: 160)
        correlator.inlineBlocks = true
        var stats = TriageSummary.AppLogInput(path: "a", isGzip: false, lines: 0, events: 0, errorEvents: 0,
                                              errorEventsWithRequestID: 0, matchedEvents: 0, timeMismatches: 0, error: nil)
        _ = correlator.read(MemorySource(Array(text.utf8)), path: "a", into: &stats)
        #expect(correlator.lastReadUsedWorkers)
        #expect(stats.lines == 240)
        #expect(stats.matchedEvents > 0)
    }

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
