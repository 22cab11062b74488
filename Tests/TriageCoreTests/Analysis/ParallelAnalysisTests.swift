import Testing
@testable import TriageCore
import Glibc

/// Reading a plain file in chunks on several threads must give exactly the
/// report of one pass: counts, top lists, samples, timeline, incidents,
/// deploys and the malformed lines with their absolute line numbers.
@Suite struct ParallelAnalysisTests {
    static func makeLog() -> String {
        var lines: [String] = []
        for i in 0..<6000 {
            let minute = i / 60
            let status = i % 97 == 0 ? 502 : (minute >= 40 && minute < 55 && i % 5 == 0 ? 500 : 200)
            let us = status == 502 ? "502, 502" : "\(status)"
            lines.append(#"10.1.\#(i % 50).\#(i % 200) - - [20/Nov/2026:10:\#(pad(minute % 60)):\#(pad(i % 60)) +0000] "GET /api/orders/\#(i) HTTP/1.1" \#(status) 5 "-" "ua" rt=0.1 uct="0.0" uht="0.1" urt="0.1" us="\#(us)" ua="10.0.0.\#(i % 3):80" rid=r\#(i)"#)
            // A damaged line of the format (malformed), and another log's line (an other line).
            if i % 701 == 0 { lines.append(#"10.1.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" abc 5 "-" "ua" line \#(i)"#) }
            if i % 1009 == 0 { lines.append("worker \(i) started") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static let path: String = {
        let path = "/tmp/triage-parallel-test-\(getpid()).log"
        let text = makeLog()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return path
    }()

    /// The same log as one gzip member: read as a stream, in blocks.
    static let gzipPath: String = {
        let path = "/tmp/triage-parallel-test-\(getpid()).log.gz"
        let bytes = gzipMember(Array(makeLog().utf8))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return path
    }()

    /// - Parameter blockSize: read the input as a stream whose lines go to worker
    ///   threads in blocks of this many bytes (no chunks), instead of in chunks.
    func report(threads: Int, deploys: Bool = false, blockSize: Int? = nil, path: String = Self.path) throws
        -> (TriageSummary, [TriageError]) {
        var options = AnalysisOptions()
        options.threads = threads
        options.parallelThreshold = blockSize == nil ? 0 : .max
        if let blockSize { options.blockSize = blockSize }
        if deploys { options.deploys = [try DeployMarker(argument: "2026-11-20T10:40:00Z=v2")] }
        let outcome = Analyzer(options: options).run(paths: [path])
        return (outcome.summary, outcome.errors)
    }

    @Test("2, 3 and 5 threads give the one-pass report", arguments: [2, 3, 5])
    func sameReport(threads: Int) throws {
        try expectOnePassReport(threads: threads)
    }

    /// Blocks of 1 KiB (a few lines, thousands of merges), of 64 KiB, and one block
    /// larger than the input (parsed on the reading thread: no worker starts).
    @Test("lines parsed in blocks on worker threads, plain and gzip, give the one-pass report",
          arguments: [1 << 10, 1 << 16, 1 << 24])
    func sameReportInBlocks(blockSize: Int) throws {
        try expectOnePassReport(threads: 3, blockSize: blockSize)
        try expectOnePassReport(threads: 2, blockSize: blockSize, path: Self.gzipPath)
    }

    /// Each thread inflates the gzip file from its start and parses the lines that
    /// start in its part.
    @Test("a gzip file read in parts, one per thread, gives the one-pass report", arguments: [2, 3, 5])
    func sameReportInGzipParts(threads: Int) throws {
        try expectOnePassReport(threads: threads, path: Self.gzipPath)
        let (parts, _) = try report(threads: threads, path: Self.gzipPath)
        let (one, _) = try report(threads: 1)
        #expect(parts.malformedExamples.map(\.line) == one.malformedExamples.map(\.line))
    }

    /// A stream cut short fails every part that reads up to the cut; the lines before
    /// it are analysed once, and the error is reported once, as in one pass.
    @Test("a truncated gzip file read in parts: the lines before the cut, and one error")
    func truncatedGzipParts() throws {
        let whole = gzipMember(Array(Self.makeLog().utf8))
        let path = "/tmp/triage-parallel-test-\(getpid())-cut.log.gz"
        let cut = Array(whole.prefix(whole.count * 2 / 3))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = cut.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer { unlink(path) }
        let (one, oneErrors) = try report(threads: 1, path: path)
        let (parts, partErrors) = try report(threads: 3, path: path)
        #expect(oneErrors.count == 1 && partErrors.count == 1)
        #expect(partErrors.map(\.description) == oneErrors.map(\.description))
        #expect(parts.lines == one.lines && parts.requests == one.requests && one.requests > 1000)
        #expect(parts.malformedExamples.map(\.line) == one.malformedExamples.map(\.line))
    }

    @Test("gzip parts shrink for the threads that inflate more before they parse")
    func gzipSplitPoints() {
        let splits = Analyzer.gzipSplits(total: 1_000_000, parts: 4)
        #expect(splits.count == 3)
        let sizes = zip([0] + splits, splits + [1_000_000]).map { $1 - $0 }
        #expect(sizes == sizes.sorted(by: >), "\(sizes)")
        #expect(sizes.allSatisfy { $0 > 0 })
    }

    @Test("the inflated size of a gzip file comes from its ISIZE, lifted by the head's ratio")
    func inflatedSizeEstimate() throws {
        let text = Array(Self.makeLog().utf8)
        let bytes = gzipMember(text)
        let path = "/tmp/triage-parallel-test-\(getpid())-size.gz"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer { unlink(path) }
        let file = try FileDescriptorSource.open(path)
        // A head whose ratio predicts 20 % off: the ISIZE is near, so it is exact.
        let size = Int64(bytes.count)
        #expect(Analyzer.inflatedSize(of: file, size: size, head: 1200, headCompressed: 1000 * size / Int64(text.count))
            == Int64(text.count))
        // A prediction far from the ISIZE (as with several members): the prediction.
        #expect(Analyzer.inflatedSize(of: file, size: size, head: 100, headCompressed: 1) == 100 * size)
    }

    @Test("malformed line numbers are absolute across blocks")
    func lineNumbersInBlocks() throws {
        let (one, _) = try report(threads: 1)
        let (blocks, _) = try report(threads: 2, blockSize: 2048, path: Self.gzipPath)
        #expect(blocks.malformedExamples.map(\.line) == one.malformedExamples.map(\.line))
        #expect(blocks.malformedExamples.map(\.line).first == 2)
        #expect(blocks.otherByReason.first?.example.line == one.otherByReason.first?.example.line)
    }

    func expectOnePassReport(threads: Int, blockSize: Int? = nil, path: String = Self.path) throws {
        let (one, _) = try report(threads: 1, deploys: true)
        let (many, errors) = try report(threads: threads, deploys: true, blockSize: blockSize, path: path)
        #expect(errors.isEmpty)
        #expect(many.requests == one.requests && many.lines == one.lines)
        #expect(many.classes == one.classes)
        #expect(many.malformedExamples.map(\.line) == one.malformedExamples.map(\.line))
        #expect(many.otherLines == one.otherLines && many.otherByReason.map(\.example.line) == one.otherByReason.map(\.example.line))
        #expect(many.routes.map(\.sampleRequestIDs) == one.routes.map(\.sampleRequestIDs))
        #expect(many.upstreams.map { "\($0.address) \($0.requests) \($0.failures)" } == one.upstreams.map { "\($0.address) \($0.requests) \($0.failures)" })
        #expect(many.timeline.map(\.serverErrors) == one.timeline.map(\.serverErrors))
        #expect(many.incidents.map(\.start) == one.incidents.map(\.start))
        #expect(many.deploys.first?.after == one.deploys.first?.after)
        #expect(many.deploys.first?.regressedRoutes == one.deploys.first?.regressedRoutes)
        #expect(many.clientsAffected == one.clientsAffected)
        #expect(many.classDetails.map(\.sampleRequestIDs) == one.classDetails.map(\.sampleRequestIDs))
    }

    /// The log in a Kubernetes CRI envelope, many lines cut into `P` pieces, with
    /// stderr lines between the pieces and stderr lines in pieces across stdout lines.
    static func criLog() -> String {
        var out = ""
        var second = 0
        func cri(_ stream: String, _ tag: String, _ text: String) {
            second += 1
            out += "2026-11-20T10:\(pad(second / 60 % 60)):\(pad(second % 60)).000000000Z \(stream) \(tag) \(text)\n"
        }
        for (i, line) in makeLog().split(separator: "\n").enumerated() {
            let text = String(line)
            if i % 3 == 0 && text.count > 40 {
                let a = text.index(text.startIndex, offsetBy: 17), b = text.index(text.startIndex, offsetBy: 33)
                cri("stdout", "P", String(text[..<a]))
                if i % 2 == 0 { cri("stderr", "F", "worker \(i): slow request") }
                cri("stdout", "P", String(text[a..<b]))
                cri("stdout", "F", String(text[b...]))
            } else if i % 11 == 0 {
                cri("stderr", "P", "panic: request \(i) ")
                cri("stdout", "F", text)
                cri("stderr", "F", "failed")
            } else {
                cri("stdout", "F", text)
            }
        }
        return out
    }

    @Test("a CRI file with lines in pieces, read in parts (plain and gzip), gives the one-pass report",
          arguments: [2, 3, 5])
    func criPiecesInParts(threads: Int) throws {
        let text = Array(Self.criLog().utf8)
        let plain = "/tmp/triage-parallel-test-\(getpid())-\(threads)-cri.log"
        let gzip = plain + ".gz"
        for (path, bytes) in [(plain, text), (gzip, gzipMember(text))] {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        defer { unlink(plain); unlink(gzip) }
        let (one, _) = try report(threads: 1, path: plain)
        #expect(one.requests == 6000 && one.lines > 8000, "\(one.requests) requests in \(one.lines) lines")
        for path in [plain, gzip] {
            let (parts, errors) = try report(threads: threads, path: path)
            #expect(errors.isEmpty)
            #expect(parts.requests == one.requests && parts.lines == one.lines && parts.malformedLines == one.malformedLines)
            #expect(parts.otherLines == one.otherLines)
            #expect(parts.malformedExamples.map(\.line) == one.malformedExamples.map(\.line))
            #expect(parts.routes.map(\.sampleRequestIDs) == one.routes.map(\.sampleRequestIDs))
            #expect(parts.timeline.map(\.serverErrors) == one.timeline.map(\.serverErrors))
        }
    }

    /// `--verbose` says how a file is split: it used to divide by zero (`>>` binds
    /// tighter than `/`), so `triage -v` on any large plain file crashed.
    @Test("--verbose explains the chunks and the gzip parts without crashing")
    func explainsParts() throws {
        for (path, expected) in [(Self.path, "read by 2 threads in chunks of about 0 MiB"),
                                 (Self.gzipPath, "read by 2 threads, each inflating from the start")] {
            let said = explanations(path) { $0.parallelThreshold = 0 }
            #expect(said.contains { $0.contains(expected) }, "\(said)")
            #expect(said.filter { $0.contains("format 'upstream'") }.count == 1, "the choice is explained once: \(said)")
        }
        // A file under the parts' threshold is read as a stream, in blocks.
        let said = explanations(Self.path) { $0.blockSize = 4096 }
        #expect(said.contains { $0.contains("read as a stream, its lines parsed by 2 threads in blocks of 4096 bytes") }, "\(said)")
    }

    /// What a 2-thread run over `path` says with `--verbose`, with `configure`'s options.
    func explanations(_ path: String, _ configure: (inout AnalysisOptions) -> Void) -> [String] {
        var options = AnalysisOptions()
        options.threads = 2
        configure(&options)
        let analyzer = Analyzer(options: options)
        var said: [String] = []
        analyzer.onExplain = { said.append($0) }
        _ = analyzer.run(paths: [path])
        return said
    }

    @Test("malformed line numbers are absolute across chunks")
    func lineNumbers() throws {
        let (s, _) = try report(threads: 4)
        // A malformed line follows request i for i multiple of 701, a line of other output for i multiple of 1009:
        // line number = i + 2 + (inserted lines before it).
        let inserted = { (i: Int) in (0..<i).filter { $0 % 701 == 0 }.count + (0..<i).filter { $0 % 1009 == 0 }.count }
        let expected = stride(from: 0, to: 6000, by: 701).map { i in i + 2 + inserted(i) }
        #expect(s.malformedExamples.map(\.line) == expected)
        #expect(s.otherLines == 6)
        #expect(s.otherByReason.map(\.reason) == ["not a line of format 'upstream'"])
        #expect(s.otherByReason.first?.example.line == 3)
    }
}
