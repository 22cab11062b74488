import Testing
@testable import TriageCore
import Glibc

/// The partial file itself: its version line, what a reader refuses, and the wire encoding.
@Suite struct PartialTests {
    static func analyzer(lines: [String]) throws -> Analyzer {
        let path = "/tmp/triage-partial-unit-\(getpid())-\(lines.count).log"
        let text = lines.joined(separator: "\n") + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer { unlink(path) }
        var options = AnalysisOptions()
        options.detectsErrorLogs = false
        let analyzer = Analyzer(options: options)
        _ = analyzer.run(paths: [path])
        return analyzer
    }

    static let lines = (0..<30).map { i in
        #"10.0.0.\#(i) - - [20/Nov/2026:10:00:\#(i < 10 ? "0" : "")\#(i) +0000] "GET /api/x/\#(i) HTTP/1.1" \#(i % 4 == 0 ? 502 : 200) 5 "-" "ua""#
    }

    @Test("a partial starts with its version line and reads back into the same counts")
    func roundTrip() throws {
        let bytes = try Self.analyzer(lines: Self.lines).partial(host: "web-1")
        #expect(bytes.starts(with: Array("triage-partial \(Partial.major).\(Partial.minor)\n".utf8)))
        let partial = try Partial.decode(bytes)
        #expect(partial.aggregator.requests == 30)
        #expect(partial.aggregator.serverErrors == 8)
        #expect(partial.hosts.map(\.name) == ["web-1"])
        #expect(partial.inputs.first?.path.hasPrefix("web-1:") == true)
    }

    /// The writer leaves zeros out, so status 0 (HAProxy's -1, Envoy's 0: no response sent)
    /// arrived without its status field, and every such partial was refused.
    @Test("status 0 (a response never sent) survives a partial")
    func statusZero() throws {
        let lines = (0..<6).map { i in
            #"203.0.113.\#(i):31376 [20/Nov/2026:10:02:0\#(i).978] fe~ bk/web1 0/0/-1/-1/2003 \#(i % 2 == 0 ? "-1" : "502") 0 - - \#(i % 2 == 0 ? "CC--" : "SH--") 12/12/3/1/0 0/0 "GET /health HTTP/1.1""#
        }
        let analyzer = try Self.analyzer(lines: lines)
        let partial = try Partial.decode(try analyzer.partial(host: "lb-1"))
        #expect(partial.aggregator.statusCounts[0] == 3)
        #expect(partial.aggregator.statusCounts[502] == 3)
        #expect(partial.aggregator.requests == 6)
    }

    @Test("a partial from a newer major version is refused, naming both versions")
    func newerMajorRefused() throws {
        var bytes = try Self.analyzer(lines: Self.lines).partial(host: "web-1")
        bytes.replaceSubrange(0..<19, with: Array("triage-partial 2.0\n".utf8))
        #expect {
            try Partial.decode(bytes)
        } throws: { error in
            let reason = (error as? PartialDecodingError)?.reason ?? ""
            return reason.contains("2.0") && reason.contains("up to 1.x")
        }
    }

    @Test("a newer minor version's unknown fields are skipped")
    func newerMinorRead() throws {
        var bytes = try Self.analyzer(lines: Self.lines).partial(host: "web-1")
        bytes.replaceSubrange(0..<19, with: Array("triage-partial 1.9\n".utf8))
        var extra = PartialWriter()
        extra.uint(99, 12345)
        extra.string(98, "a field from the future")
        bytes += extra.bytes
        let partial = try Partial.decode(bytes)
        #expect(partial.aggregator.requests == 30)
    }

    @Test("a file that is not a partial, or is cut short, is refused with a reason, never a crash")
    func damageRefused() throws {
        #expect(throws: PartialDecodingError.self) { try Partial.decode(Array("10.0.0.1 - - [20/Nov/2026] GET /".utf8)) }
        let bytes = try Self.analyzer(lines: Self.lines).partial(host: "web-1")
        for cut in stride(from: 20, to: bytes.count - 1, by: max(1, bytes.count / 40)) {
            // Cut anywhere: either an error or a smaller, consistent partial; the decoder never traps.
            _ = try? Partial.decode(Array(bytes.prefix(cut)))
        }
        #expect(throws: PartialDecodingError.self) { try Partial.decode(Array(bytes.prefix(bytes.count - 1))) }
    }

    @Test("signed numbers survive the zigzag encoding, extremes included")
    func zigzag() throws {
        var w = PartialWriter()
        let values: [Int64] = [0, -1, 1, .min, .max, -1_795_300_000, 1_795_300_000]
        for v in values { w.sint(1, v) }
        var r = PartialReader(ArraySlice(w.bytes))
        var read: [Int64] = []
        try r.forEach { _, v in read.append(try v.int64()) }
        #expect(read == values)
    }

    @Test("samples are the earliest by time, ties by ID, whatever the order they are offered in")
    func sampleOrder() {
        let offers: [(Int64, String)] = [(5, "e"), (1, "b"), (1, "a"), (9, "z"), (3, "c"), (1, "a"), (0, "late-id-early")]
        var forward = SampleSet(), backward = SampleSet()
        for (t, id) in offers { forward.offer(time: t, limit: 3) { id } }
        for (t, id) in offers.reversed() { backward.offer(time: t, limit: 3) { id } }
        #expect(forward.ids == ["late-id-early", "a", "b"])
        #expect(forward == backward)
    }
}
