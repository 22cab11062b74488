import Foundation
import Testing
@testable import TriageCore

/// An application log read in blocks (split and scanned by worker threads, grouped
/// in order by the reading thread) gives exactly what one pass gives.
@Suite struct AppLogBlocksTests {
    static let reference: Int64 = 1_795_255_200  // 2026-11-21T10:00:00Z

    /// A log of many kinds of events, `count` requests long; every third request failed.
    static func log(_ count: Int, lineEnd: String = "\n") -> (app: String, failures: [(id: String, time: Int64)]) {
        var app = ""
        var failures: [(String, Int64)] = []
        func uuid(_ i: Int) -> String {
            let h = String(UInt64(i &* 2_654_435_761) & 0xffff_ffff, radix: 16)
            let hex = String(repeating: "0", count: 8 - h.count) + h
            return "\(hex)-4c88-47f5-b2be-\(String(repeating: "0", count: 4))\(hex)"
        }
        for i in 0..<count {
            let id = uuid(i)
            let second = i / 10
            let stamp = "2026-11-21T10:\(String(format2: second / 60)):\(String(format2: second % 60)).\(String(format2: i % 100))0000"
            let time = reference + Int64(second)
            if i % 3 == 0 { failures.append((id.replacingDashes(), time)) }
            switch i % 9 {
            case 0:  // a Rails FATAL block, interleaved with another request's info line
                app += "I, [\(stamp) #1]  INFO -- : [\(id)] Started GET \"/api/items/\(i)\" for 10.0.0.1\(lineEnd)"
                app += "F, [\(stamp) #1] FATAL -- : [\(id)]\(lineEnd)"
                app += "F, [\(stamp) #1] FATAL -- : [\(id)] ActiveRecord::RecordNotFound (Couldn't find Item with 'id'=\(i)):\(lineEnd)"
                app += "I, [\(stamp) #1]  INFO -- : [\(uuid(i + 1))] Completed 200 OK in 3ms\(lineEnd)"
                app += "F, [\(stamp) #1] FATAL -- : [\(id)] app/controllers/items_controller.rb:5:in `show'\(lineEnd)"
            case 3:  // a Python traceback after a zoneless line with an ID
                app += "2026-11-21 10:\(String(format2: second / 60)):\(String(format2: second % 60)),123 ERROR [request_id=\(id)] payment failed\(lineEnd)"
                app += "Traceback (most recent call last):\(lineEnd)"
                app += "  File \"/app/pay.py\", line 12, in charge\(lineEnd)"
                app += "    raise KeyError('card')\(lineEnd)"
                app += "KeyError: 'card'\(lineEnd)\(lineEnd)"
            case 6:  // a JSON line with a stack, then a Go panic without an ID, in a container's prefix
                app += #"{"time":"\#(stamp)Z","level":"error","request_id":"\#(id)","msg":"boom","stack":"Error: boom\n    at handler (/app/server.js:10:5)"}"# + lineEnd
                app += "2026-11-21T10:00:00.123456789Z stderr F panic: runtime error: index out of range\(lineEnd)"
                app += "2026-11-21T10:00:00.123456789Z stderr F \(lineEnd)"
                app += "2026-11-21T10:00:00.123456789Z stderr F goroutine 1 [running]:\(lineEnd)"
                app += "2026-11-21T10:00:00.123456789Z stderr F main.handler()\(lineEnd)"
                app += "2026-11-21T10:00:00.123456789Z stderr F \t/app/main.go:12 +0x1d\(lineEnd)"
            default:
                app += "I, [\(stamp) #1]  INFO -- : [\(id)] Started GET \"/api/items/\(i)\" for 10.0.0.1\(lineEnd)"
                app += "D, [\(stamp) #1] DEBUG -- : [\(id)]   Item Load (0.2ms)  SELECT \"items\".* FROM \"items\"\(lineEnd)"
                app += "W, [\(stamp) #1]  WARN -- : [\(id)] slow request\(lineEnd)"
            }
        }
        return (app, failures)
    }

    struct Outcome: Equatable {
        var counts: [Int]
        var zoneShift: Int?
        var limit: [Int]?
        var failure: String?
        var explanations: [String]
        var catalog: [String]
    }

    /// Correlates `failures` with what `read` reads, and describes the outcome; `path` is
    /// the log's name as events cite it, written `app.log` in the outcome.
    func correlate(failures: [(id: String, time: Int64)], workers: Int, blockSize: Int, maxLineLength: Int,
                   idPattern: String?, path: String,
                   read: (AppLogCorrelator) -> (TriageSummary.AppLogInput, TriageError?)) throws -> (Outcome, usedWorkers: Bool) {
        let ledger = ServerErrorLedger(limit: 10_000, sampleLimit: 5)
        for f in failures {
            Array(f.id.utf8).withUnsafeBufferPointer {
                ledger.add(requestID: $0, time: f.time, route: 0, failureClass: .originError, upstreamStatus: 500)
            }
        }
        let correlator = try AppLogCorrelator(ledger: ledger, idPattern: idPattern, tolerance: 300, logUTCOffset: 0,
                                              maxLineLength: maxLineLength, workers: workers, blockSize: blockSize)
        let (stats, error) = read(correlator)
        let explanations = failures.map { f -> String in
            guard let key = RequestID.key(f.id), let index = key.withUnsafeBufferPointer({ ledger.requests.find($0) }) else {
                return "-"
            }
            let entry = ledger.requests.values[index]
            return "\(entry.signature) \(entry.rank)"
        }
        let outcome = Outcome(
            counts: [stats.lines, stats.events, stats.errorEvents, stats.errorEventsWithRequestID, stats.matchedEvents, stats.timeMismatches],
            zoneShift: stats.zoneShiftSeconds,
            limit: stats.idPatternLimit.map { [$0.lines, $0.firstLine] },
            failure: error?.description.replacingOccurrences(of: path, with: "app.log"), explanations: explanations,
            catalog: ledger.catalog.map {
                "\($0.signature.id) \($0.exampleMessage) \($0.exampleStack) \($0.location.replacingOccurrences(of: path, with: "app.log")) \(String(describing: $0.time))"
            })
        return (outcome, correlator.lastReadUsedWorkers)
    }

    func read(_ app: [UInt8], failures: [(id: String, time: Int64)], workers: Int, blockSize: Int, maxLineLength: Int = 200,
              idPattern: String? = nil, chunk: Int = 4093, failing: Bool = false) throws -> (Outcome, usedWorkers: Bool) {
        try correlate(failures: failures, workers: workers, blockSize: blockSize, maxLineLength: maxLineLength,
                      idPattern: idPattern, path: "app.log") { correlator in
            var stats = TriageSummary.AppLogInput(path: "app.log", isGzip: false, lines: 0, events: 0, errorEvents: 0,
                                                  errorEventsWithRequestID: 0, matchedEvents: 0, timeMismatches: 0, error: nil)
            let source: ByteSource = failing ? FailingSource(app, chunk: chunk) : MemorySource(app, chunkSize: chunk)
            let error = correlator.read(source, path: "app.log", into: &stats)
            return (stats, error)
        }
    }

    /// Reads `app` from a file, in one pass or by workers reading their parts of it with `pread`.
    func readFile(_ app: [UInt8], failures: [(id: String, time: Int64)], workers: Int, blockSize: Int,
                  maxLineLength: Int = 100, idPattern: String? = nil) throws -> (Outcome, usedWorkers: Bool) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("triage-app-blocks-\(UUID().uuidString).log")
        try Data(app).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try correlate(failures: failures, workers: workers, blockSize: blockSize, maxLineLength: maxLineLength,
                             idPattern: idPattern, path: url.path) { correlator in
            correlator.read(path: url.path, engine: .zlib)
        }
    }

    @Test("a file read in parts by workers with pread, blocks of 256 B to 64 KiB: the one-pass outcome, whatever cuts the lines",
          arguments: [(2, 256), (2, 1000), (3, 4096), (2, 1 << 16)])
    func fileInParts(workers: Int, blockSize: Int) throws {
        let (app, failures) = Self.log(300)
        let crOnly = Self.log(40, lineEnd: "\r").app, crlf = Self.log(40, lineEnd: "\r\n").app
        let long = "2026-11-21T10:00:00Z ERROR request_id=ffffffff-4c88-47f5-b2be-0000ffffffff " + String(repeating: "x", count: 3000)
        // Lone CRs, CRLF pairs, a line longer than several blocks and an unterminated last line,
        // so that block edges fall inside CRLF pairs, after lone CRs and inside long lines.
        let text = app + crOnly + "\n" + long + "\n" + crlf + long + "\r" + app + "\r\n\r\n" + "last line, unterminated"
        let bytes = Array(text.utf8)
        let (one, _) = try readFile(bytes, failures: failures, workers: 0, blockSize: blockSize)
        let (parts, used) = try readFile(bytes, failures: failures, workers: workers, blockSize: blockSize)
        #expect(used)
        #expect(one.counts[4] > 50)  // the log does explain 5xx: the comparison means something
        #expect(parts == one)
    }

    @Test("a file read in parts: every block edge from a line's start to its end gives the one-pass lines")
    func everyEdge() throws {
        // Short lines of every ending; blocks of 64 bytes with lines up to 20 bytes, shifted one
        // byte at a time by a prefix, so every byte of every line meets a block edge.
        let body = ["a\n", "bb\r\n", "ccc\r", "\r", "\n", "dddd\r\n", "\r\n", String(repeating: "e", count: 40) + "\n", "ff\r\r", "g"]
            .joined()
        for shift in 0..<70 {
            let text = String(repeating: "z", count: shift) + "\n" + String(repeating: body, count: 6)
            let bytes = Array(text.utf8)
            let (one, _) = try readFile(bytes, failures: [], workers: 0, blockSize: 64, maxLineLength: 20)
            let (parts, used) = try readFile(bytes, failures: [], workers: 2, blockSize: 64, maxLineLength: 20)
            #expect(used)
            #expect(parts == one, "shift \(shift)")
        }
    }

    @Test("blocks of any size, on 2 or 3 workers, give the one-pass events, counts, clock shift and signatures",
          arguments: [(2, 512), (2, 1024), (3, 4096), (2, 1 << 16)])
    func sameAsOnePass(workers: Int, blockSize: Int) throws {
        let (app, failures) = Self.log(400)
        let bytes = Array(app.utf8)
        let (one, _) = try read(bytes, failures: failures, workers: 0, blockSize: blockSize)
        let (blocks, used) = try read(bytes, failures: failures, workers: workers, blockSize: blockSize)
        #expect(used)
        #expect(one.counts[4] > 100)  // the log does explain 5xx: the comparison means something
        #expect(blocks == one)
    }

    @Test("CR-only line ends, an unterminated last line and over-long lines split as in one pass")
    func lineEnds() throws {
        let (app, failures) = Self.log(120, lineEnd: "\r")
        let long = "2026-11-21T10:00:00Z ERROR request_id=ffffffff-4c88-47f5-b2be-0000ffffffff " + String(repeating: "x", count: 300)
        let bytes = Array((app + long + "\n" + app.replacingOccurrences(of: "\r", with: "\r\n") + "trailing without end").utf8)
        let (one, _) = try read(bytes, failures: failures, workers: 0, blockSize: 1024)
        let (blocks, used) = try read(bytes, failures: failures, workers: 2, blockSize: 1024)
        #expect(used)
        #expect(blocks == one)
    }

    @Test("a line longer than a block: the blocks before it are grouped, then one pass from it gives the same")
    func lineLongerThanABlock() throws {
        let (app, failures) = Self.log(200)
        let lines = app.split(separator: "\n", omittingEmptySubsequences: false)
        let middle = lines.count / 2
        let text = lines[..<middle].joined(separator: "\n") + "\n" + String(repeating: "y", count: 5000) + "\n"
            + lines[middle...].joined(separator: "\n")
        let bytes = Array(text.utf8)
        let (one, _) = try read(bytes, failures: failures, workers: 0, blockSize: 1024)
        let (blocks, used) = try read(bytes, failures: failures, workers: 2, blockSize: 1024)
        #expect(used)
        #expect(blocks == one)
    }

    @Test("a read error: the lines before it are grouped as in one pass, and the error is reported")
    func readError() throws {
        let (app, failures) = Self.log(150)
        let bytes = Array((app + "2026-11-21T10:00:00Z ERROR cut short").utf8)
        let (one, _) = try read(bytes, failures: failures, workers: 0, blockSize: 1024, failing: true)
        let (blocks, used) = try read(bytes, failures: failures, workers: 2, blockSize: 1024, failing: true)
        #expect(used)
        #expect(one.failure != nil)
        #expect(blocks == one)
    }

    @Test("a log of one block is read in one pass, without starting threads")
    func oneBlock() throws {
        let (app, failures) = Self.log(3)
        let bytes = Array(app.utf8)
        let (one, _) = try read(bytes, failures: failures, workers: 0, blockSize: 1 << 16)
        let (blocks, used) = try read(bytes, failures: failures, workers: 2, blockSize: 1 << 16)
        #expect(!used)
        #expect(blocks == one)
    }

    @Test("lines whose --app-id-pattern search hit PCRE2's match limit are counted, the first named by its number")
    func matchLimitAcrossBlocks() throws {
        var app = ""
        for i in 0..<60 {
            app += "2026-11-21T10:00:00Z INFO started \(i)\n"
            if i % 7 == 3 { app += "2026-11-21T10:00:01Z ERROR boom " + String(repeating: "a", count: 40) + "!\n" }
        }
        let pattern = #"(?<id>(\w+\s?)+)$"#
        let bytes = Array(app.utf8)
        let (one, _) = try read(bytes, failures: [], workers: 0, blockSize: 512, idPattern: pattern)
        let (blocks, used) = try read(bytes, failures: [], workers: 2, blockSize: 512, idPattern: pattern)
        #expect(used)
        #expect(one.limit == [9, 5])
        #expect(blocks == one)
    }
}

private extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
    func replacingDashes() -> String { replacingOccurrences(of: "-", with: "") }
}
