import Foundation
import Testing

/// `--state`: an hourly cron reads only new lines, across rotation and truncation.
@Suite struct StateFileTests {
    static func line(_ i: Int, status: Int = 200) -> String {
        #"10.0.0.\#(i % 250) - - [20/Nov/2026:10:\#(String(format: "%02d", i % 60)):00 +0000] "GET /item/\#(i) HTTP/1.1" \#(status) 5 "-" "ua""# + "\n"
    }

    let dir: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("triage-state-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func append(_ name: String, _ text: String) throws {
        let url = dir.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func run(_ files: [String]) throws -> (status: Int32, requests: Int, report: [String: Any]) {
        let result = try CLI.run(["--format", "json", "--state", dir.appendingPathComponent("state.json").path]
                                 + files.map { dir.appendingPathComponent($0).path })
        let report = try CLI.json(result.stdout)
        return (result.status, report.object("totals").int("requests"), report)
    }

    @Test("the second run reads only the lines appended since the first; line numbers continue")
    func appended() throws {
        try append("access.log", (0..<10).map { Self.line($0) }.joined())
        #expect(try run(["access.log"]).requests == 10)
        try append("access.log", (10..<13).map { Self.line($0, status: 500) }.joined() + "garbage\n")
        let second = try run(["access.log"])
        #expect(second.requests == 3)
        #expect(second.report.object("totals").int("server_errors") == 3)
        #expect(second.report.object("other_lines").list("by_reason").first?.object("example").int("line") == 14)
        #expect(try run(["access.log"]).requests == 0)
    }

    @Test("a line still being written is left for the next run, not counted as malformed")
    func partialLastLine() throws {
        let partial = Self.line(1)
        try append("access.log", Self.line(0) + String(partial.prefix(30)))
        let first = try run(["access.log"])
        #expect(first.requests == 1)
        #expect(first.report.object("totals").int("malformed_lines") == 0)
        try append("access.log", String(partial.dropFirst(30)))
        #expect(try run(["access.log"]).requests == 1)
    }

    @Test("rotation: the renamed file is finished, the new file is read from its start")
    func rotation() throws {
        try append("access.log", (0..<5).map { Self.line($0) }.joined())
        #expect(try run(["access.log"]).requests == 5)
        try append("access.log", (5..<8).map { Self.line($0) }.joined()) // written before rotation
        try FileManager.default.moveItem(at: dir.appendingPathComponent("access.log"), to: dir.appendingPathComponent("access.log.1"))
        try append("access.log", (8..<10).map { Self.line($0) }.joined())
        let after = try run(["access.log", "access.log.1"])
        #expect(after.requests == 5) // 3 left in the old file + 2 in the new one
        #expect((after.report["hints"] as? [String])?.contains { $0.contains("rotated") } == true)
    }

    @Test("truncation (copytruncate) is detected and the file read from its start")
    func truncation() throws {
        try append("access.log", (0..<20).map { Self.line($0) }.joined())
        #expect(try run(["access.log"]).requests == 20)
        try Data((0..<4).map { Self.line(100 + $0) }.joined().utf8).write(to: dir.appendingPathComponent("access.log"))
        #expect(try run(["access.log"]).requests == 4)
    }

    @Test("a corrupt or foreign state file is a clear error and is not overwritten")
    func corruptState() throws {
        try append("access.log", Self.line(0))
        for content in ["{not json", #"{"some":"other tool"}"#, #"{"triage_state_version":99,"files":[]}"#] {
            let statePath = dir.appendingPathComponent("state.json")
            try Data(content.utf8).write(to: statePath)
            let result = try CLI.run(["--state", statePath.path, dir.appendingPathComponent("access.log").path])
            #expect(result.status == 2)
            #expect(result.stderr.contains("state file"))
            #expect(String(decoding: try Data(contentsOf: statePath), as: UTF8.self) == content)
        }
    }

    @Test("a crafted or damaged triage state (huge numbers, truncated JSON) is exit 2 with a message, set aside, and the run still reports")
    func damagedStateSetAside() throws {
        try append("access.log", (0..<3).map { Self.line($0) }.joined())
        let crafted = [
            #"{"triage_state_version":2,"files":[{"path":"/x","device":"1","inode":"2","size":1,"offset":1,"lines":1,"head":"ab","head_length":99999999999999,"gzip":false}]}"#,
            #"{"triage_state_version":1,"files":[{"path":"/x","device":"1","inode":"2","size":1,"offset":99999999999999999999,"lines":1,"head":"ab","head_length":10,"gzip":false}]}"#,
            #"{"triage_state_version":2,"files":[{"path":"/x","device":"1","inode":"2","size":1,"offset":1,"lines":9223372036854775807,"head":"ab","head_length":10,"gzip":false}]}"#,
            #"{"triage_state_version":2,"files":[{"path":"/x","dev"#,
        ]
        for content in crafted {
            let statePath = dir.appendingPathComponent("state.json")
            try? FileManager.default.removeItem(at: statePath)
            for old in try FileManager.default.contentsOfDirectory(atPath: dir.path) where old.contains(".corrupt-") {
                try FileManager.default.removeItem(at: dir.appendingPathComponent(old))
            }
            try Data(content.utf8).write(to: statePath)
            let result = try CLI.run(["--format", "json", "--state", statePath.path, dir.appendingPathComponent("access.log").path])
            #expect(result.status == 2, "\(content): \(result.stderr)")
            #expect(result.stderr.contains("set aside as"), "\(result.stderr)")
            #expect(try CLI.json(result.stdout).object("totals").int("requests") == 3)
            let aside = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("state.json.corrupt-") }
            #expect(aside.count == 1)
            if let name = aside.first {
                #expect(String(decoding: try Data(contentsOf: dir.appendingPathComponent(name)), as: UTF8.self) == content)
            }
            // The fresh state works: the next run reads nothing new and exits 0.
            let next = try run(["access.log"])
            #expect(next.status == 0 && next.requests == 0)
        }
    }

    @Test("--state with standard input is a usage error")
    func stdin() throws {
        #expect(try CLI.run(["--state", dir.appendingPathComponent("s.json").path, "-"], stdin: Data()).status == 64)
    }
}
