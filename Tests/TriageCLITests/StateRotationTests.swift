import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--state` under logrotate: every line is counted exactly once, whatever the rotation does
/// to names, inodes and compression. The cron job is given every file of the set each time
/// (`access.log*`), as it would be by a glob.
@Suite struct StateRotationTests {
    enum Mode: String, CaseIterable, CustomTestStringConvertible {
        case create, copytruncate, compress, delaycompress, dateext
        var testDescription: String { rawValue }
    }

    /// A log directory and the logrotate of one mode.
    final class Rotator {
        let dir: URL
        let mode: Mode
        private var rotations = 0
        private var nextLine = 0

        init(mode: Mode) {
            self.mode = mode
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-rotate-\(UUID().uuidString)")
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: dir) }

        func url(_ name: String) -> URL { dir.appendingPathComponent(name) }
        var statePath: String { dir.appendingPathComponent("state.json").path }

        /// Appends `count` new, distinct lines to access.log.
        func write(_ count: Int) throws {
            let text = (nextLine..<nextLine + count).map { i in
                #"10.0.0.\#(i % 250) - - [20/Nov/2026:10:\#(String(format: "%02d", (i / 60) % 60)):\#(String(format: "%02d", i % 60)) +0000] "GET /item/\#(i) HTTP/1.1" 200 5 "-" "ua""# + "\n"
            }.joined()
            nextLine += count
            let path = url("access.log").path
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = try FileHandle(forWritingTo: url("access.log"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }

        /// Rotates access.log as logrotate does in this mode.
        func rotate() throws {
            rotations += 1
            let fm = FileManager.default
            switch mode {
            case .create:
                try shift(suffix: "")
                try fm.moveItem(at: url("access.log"), to: url("access.log.1"))
                fm.createFile(atPath: url("access.log").path, contents: nil)
            case .copytruncate:
                try shift(suffix: "")
                try fm.copyItem(at: url("access.log"), to: url("access.log.1"))
                guard truncate(url("access.log").path, 0) == 0 else { throw CocoaError(.fileWriteUnknown) }
            case .compress:
                try shift(suffix: ".gz")
                try fm.moveItem(at: url("access.log"), to: url("access.log.1"))
                try gzip("access.log.1")
                fm.createFile(atPath: url("access.log").path, contents: nil)
            case .delaycompress:
                try shift(suffix: ".gz")
                if fm.fileExists(atPath: url("access.log.1").path) {
                    try fm.moveItem(at: url("access.log.1"), to: url("access.log.2"))
                    try gzip("access.log.2")
                }
                try fm.moveItem(at: url("access.log"), to: url("access.log.1"))
                fm.createFile(atPath: url("access.log").path, contents: nil)
            case .dateext:
                try fm.moveItem(at: url("access.log"), to: url("access.log-2026112\(rotations)"))
                fm.createFile(atPath: url("access.log").path, contents: nil)
            }
        }

        /// access.log.N(suffix) → access.log.N+1(suffix), oldest first.
        private func shift(suffix: String) throws {
            for n in stride(from: 5, through: 1, by: -1) where FileManager.default.fileExists(atPath: url("access.log.\(n)\(suffix)").path) {
                try FileManager.default.moveItem(at: url("access.log.\(n)\(suffix)"), to: url("access.log.\(n + 1)\(suffix)"))
            }
        }

        private func gzip(_ name: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/gzip")
            process.arguments = [url(name).path]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        }

        /// Every log file of the set, as `access.log*` would give them.
        var logFiles: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { $0.hasPrefix("access.log") }.sorted().map { url($0).path }
        }

        /// One cron run: the requests it counted.
        func run() throws -> Int {
            let result = try CLI.run(["--format", "json", "--state", statePath] + logFiles)
            #expect(result.status == 0, "\(mode): \(result.stderr)")
            return try CLI.json(result.stdout).object("totals").int("requests")
        }
    }

    @Test("100, then 50 and a rotation, then 20 and a rotation, then 30: 200 lines counted once each", arguments: Mode.allCases)
    func fourRuns(mode: Mode) throws {
        let log = Rotator(mode: mode)
        try log.write(100)
        let first = try log.run()
        try log.write(50)
        try log.rotate()
        let second = try log.run()
        try log.write(20)
        try log.rotate()
        let third = try log.run()
        try log.write(30)
        let fourth = try log.run()
        #expect([first, second, third, fourth] == [Int]([100, 50, 20, 30]), "\(mode)")
        #expect(first + second + third + fourth == 200)
        // Nothing new: nothing counted.
        #expect(try log.run() == 0, "\(mode)")
    }

    @Test("a file compressed after it was read in part is resumed inside the gzip (compress without delaycompress)")
    func resumedInsideGzip() throws {
        let log = Rotator(mode: .compress)
        try log.write(10)
        #expect(try log.run() == 10)
        try log.write(7)
        try log.rotate() // access.log (17 lines, 10 read) → access.log.1.gz
        #expect(try log.run() == 7)
        #expect(try log.run() == 0)
    }

    @Test("two runs at once on one state file: the second waits, then refuses with exit 75 and counts nothing")
    func overlappingRuns() throws {
        let log = Rotator(mode: .create)
        try log.write(20)
        // Hold the lock as a running triage would.
        let fd = open(log.statePath + ".lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let blocked = try CLI.run(["--format", "json", "--state", log.statePath, "--state-wait", "1"] + log.logFiles)
        #expect(blocked.status == 75)
        #expect(blocked.stderr.contains("another triage run is using it"))
        #expect(blocked.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: log.statePath))
        flock(fd, LOCK_UN)
        close(fd)
        #expect(try log.run() == 20)
    }

    @Test("runs started together count every line once between them")
    func concurrentRuns() throws {
        let log = Rotator(mode: .create)
        var total = 0
        for _ in 0..<5 {
            try log.write(200)
            let files = log.logFiles
            let results = try [0, 1].map { _ in
                let process = Process()
                process.executableURL = CLI.binary
                process.arguments = ["--format", "json", "--quiet", "--state", log.statePath] + files
                let out = log.url("out-\(UUID().uuidString)")
                FileManager.default.createFile(atPath: out.path, contents: nil)
                process.standardOutput = try FileHandle(forWritingTo: out)
                process.standardError = FileHandle.nullDevice
                try process.run()
                return (process, out)
            }
            for (process, out) in results {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                total += try CLI.json(String(decoding: try Data(contentsOf: out), as: UTF8.self)).object("totals").int("requests")
                try FileManager.default.removeItem(at: out)
            }
        }
        #expect(total == 1000)
    }
}
