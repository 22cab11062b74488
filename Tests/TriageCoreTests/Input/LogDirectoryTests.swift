import Foundation
import Testing
@testable import TriageCore

/// A directory given as an input (`triage /var/log/nginx`) is read as its files.
@Suite struct LogDirectoryTests {
    func makeDirectory(_ files: [String: String], subdirectories: [String] = []) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logdir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        for name in subdirectories {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        return dir.path
    }

    static func line(_ second: Int, _ status: Int) -> String {
        #"203.0.113.9 - - [20/Nov/2026:13:30:\#(second < 10 ? "0" : "")\#(second) +0000] "GET /api/x HTTP/1.1" \#(status) 5 "-" "ua""#
    }

    @Test("its regular files in name order; dot files and subdirectories left out; other paths kept as given")
    func expands() throws {
        let dir = try makeDirectory(["access.log": "a\n", "access.log.1": "b\n", ".hidden": "c\n", "error.log": "d\n"],
                                    subdirectories: ["old"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (paths, notes) = LogDirectory.expanding(["-", dir, "/no/such/file"])
        #expect(paths == ["-", dir + "/access.log", dir + "/access.log.1", dir + "/error.log", "/no/such/file"])
        #expect(notes.count == 1)
        #expect(notes.first?.contains("its 3 files read: access.log, access.log.1, error.log") == true)
    }

    @Test("an empty directory stays an input, so that opening it says why nothing was read")
    func emptyDirectory() throws {
        let dir = try makeDirectory([:])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(LogDirectory.expanding([dir]).paths == [dir])
        let outcome = Analyzer(options: AnalysisOptions()).run(paths: [dir])
        #expect(!outcome.errors.isEmpty)
    }

    @Test("the analyzer reads a directory as its files: rotated set oldest first, the error log recognised")
    func analyzerReadsTheFiles() throws {
        let error = #"2026/11/20 13:30:05 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /api/x HTTP/1.1", upstream: "http://10.0.1.13:8080/api/x", host: "shop""#
        let dir = try makeDirectory([
            "access.log.1": (0..<5).map { Self.line($0, 200) }.joined(separator: "\n") + "\n",
            "access.log": (5..<10).map { Self.line($0, $0 == 5 ? 502 : 200) }.joined(separator: "\n") + "\n",
            "error.log": error + "\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = Analyzer(options: AnalysisOptions()).run(paths: [dir]).summary
        #expect(summary.inputs.map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == ["access.log.1", "access.log"])
        #expect(summary.requests == 10)
        #expect(summary.errorLog?.explainedServerErrors == 1)
        #expect(summary.classes[.upstreamUnreachable] == 1)
    }

    @Test("--error-log with a directory reads its error logs")
    func errorLogDirectory() throws {
        let error = #"2026/11/20 13:30:05 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /api/x HTTP/1.1", upstream: "http://10.0.1.13:8080/api/x", host: "shop""#
        let access = try makeDirectory(["access.log": (0..<10).map { Self.line($0, $0 == 5 ? 502 : 200) }.joined(separator: "\n") + "\n"])
        let errors = try makeDirectory(["error.log.1": error + "\n", "error.log": "\n"])
        defer {
            try? FileManager.default.removeItem(atPath: access)
            try? FileManager.default.removeItem(atPath: errors)
        }
        var options = AnalysisOptions()
        options.errorLogs = [errors]
        let summary = Analyzer(options: options).run(paths: [access + "/access.log"]).summary
        #expect(summary.errorLog?.inputs.count == 2)
        #expect(summary.errorLog?.explainedServerErrors == 1)
    }
}
