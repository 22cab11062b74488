import Testing
@testable import TriageCore

/// Kubernetes CRI `P` pieces are joined with the pieces after them, up to the `F` piece,
/// before any format reads the line.
@Suite struct CRIPartialLineTests {
    static let combined = #"10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 502 12 "-" "curl/8""#

    func pieces(_ lines: [String], limit: Int) -> [(EnvelopePeeler.Piece, String)] {
        let peeler = EnvelopePeeler(kind: .cri)
        peeler.joinLimit = limit
        return lines.map { line in
            Array(line.utf8).withUnsafeBufferPointer { buffer in
                let payload = peeler.peel(buffer).payload
                return (peeler.lastPiece, String(decoding: payload, as: UTF8.self))
            }
        }
    }

    @Test("P pieces are held and joined at the F piece of the same stream; the other stream is not mixed in")
    func joinsPerStream() {
        let head = String(Self.combined.prefix(40)), tail = String(Self.combined.dropFirst(40))
        let got = pieces(["2026-11-20T10:00:00.1Z stdout P " + head,
                          "2026-11-20T10:00:00.2Z stderr F warning: slow",
                          "2026-11-20T10:00:00.3Z stdout F " + tail,
                          "2026-11-20T10:00:00.4Z stdout F " + Self.combined], limit: 65536)
        #expect(got.map(\.0) == [.held, .whole, .joined, .whole])
        #expect(got[1].1 == "warning: slow")
        #expect(got[2].1 == Self.combined)
        #expect(got[3].1 == Self.combined)
    }

    @Test("pieces joined beyond the line limit are cut and marked overlong")
    func overlong() {
        let got = pieces(["2026-11-20T10:00:00.1Z stdout P 0123456789",
                          "2026-11-20T10:00:00.2Z stdout P abcdef",
                          "2026-11-20T10:00:00.3Z stdout F xyz"], limit: 12)
        #expect(got.map(\.0) == [.held, .held, .joinedOverlong])
        #expect(got[2].1 == "0123456789ab")
    }

    @Test("a split request is one record; its held piece is an other line with the reason")
    func analyzed() throws {
        let head = String(Self.combined.prefix(50)), tail = String(Self.combined.dropFirst(50))
        let lines = (0..<3).map { _ in "2026-11-20T10:00:00.1Z stdout F " + Self.combined }
            + ["2026-11-20T10:00:01.1Z stdout P " + head, "2026-11-20T10:00:01.2Z stdout F " + tail]
        for chunk in [7, 64, 4096] {
            let analyzer = Analyzer(options: AnalysisOptions())
            analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.joined(separator: "\n").utf8), chunkSize: chunk),
                                                  displayPath: "cri.log"))
            let summary = analyzer.finish()
            let input = try #require(summary.inputs.first)
            #expect(input.records == 4, "chunk \(chunk)")
            #expect(input.malformed == 0)
            #expect(input.otherLines == 1)
            #expect(summary.otherByReason.first?.reason == OtherLine.criPartialPiece)
        }
    }
}
