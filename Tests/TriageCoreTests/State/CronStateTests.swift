import Foundation
import Testing
@testable import TriageCore

@Suite struct CronStateTests {
    static let content = Array((0..<40).map { "10.0.0.1 - - [20/Nov/2026:10:00:\(String(format: "%02d", $0)) +0000] \"GET /item/\($0) HTTP/1.1\" 200 5\n" }.joined().utf8)

    func write(_ bytes: [UInt8], name: String = "log") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cron-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func observed(_ path: String, isGzip: Bool = false) throws -> CronState.Observed {
        let file = try FileDescriptorSource.open(path)
        let status = try #require(file.status())
        return CronState.Observed(path: path, fingerprint: ContentFingerprint.read(file, isGzip: isGzip, engine: .zlib),
                                  device: status.device, inode: status.inode, size: status.size, isGzip: isGzip)
    }

    func entry(for o: CronState.Observed, path: String? = nil, offset: Int64, lines: Int, inode: UInt64? = nil) -> CronState.Entry {
        CronState.Entry(path: path ?? o.path, device: o.device, inode: inode ?? o.inode, size: o.size, offset: offset, lines: lines,
                        head: o.fingerprint.hash(length: o.fingerprint.head.count) ?? "0",
                        headLength: o.fingerprint.head.count, isGzip: o.isGzip)
    }

    @Test("a gzip file's fingerprint is its decompressed content's: access.log.1 and access.log.2.gz are the same file")
    func gzipFingerprint() throws {
        let plain = try observed(try write(Self.content))
        let gzip = try observed(try write(gzipMember(Self.content), name: "log.gz"), isGzip: true)
        #expect(plain.fingerprint == gzip.fingerprint)
        #expect(plain.fingerprint.head.count == ContentFingerprint.length)
    }

    @Test("content read in part under another name and inode is resumed where it stopped; inside a gzip too")
    func resumeByContent() throws {
        let before = try observed(try write(Array(Self.content.prefix(500))))
        let state = CronState(entries: [entry(for: before, path: "/var/log/access.log", offset: 480, lines: 6, inode: 1)])
        var claimed = Set<Int>()
        let copy = try observed(try write(Self.content, name: "access.log.1"))
        #expect(state.start(for: copy, claimed: &claimed, readThisRun: []).start == .resume(offset: 480, line: 7))
        #expect(claimed == [0])
        // The same entry is not resumed twice in one run.
        let again = try observed(try write(Self.content, name: "access.log.1.gz"))
        var claimedAgain: Set<Int> = [0]
        #expect(state.start(for: again, claimed: &claimedAgain, readThisRun: []).start == .beginning)
        var fresh = Set<Int>()
        let gzip = try observed(try write(gzipMember(Self.content), name: "access.log.1.gz"), isGzip: true)
        #expect(state.start(for: gzip, claimed: &fresh, readThisRun: []).start == .resume(offset: 480, line: 7))
    }

    @Test("new content is read from its start; a copy of an input already read this run is read once")
    func newAndDuplicate() throws {
        let first = try observed(try write(Self.content))
        let state = CronState()
        var claimed = Set<Int>()
        #expect(state.start(for: first, claimed: &claimed, readThisRun: []).start == .beginning)
        let read = entry(for: first, offset: Int64(Self.content.count), lines: 40)
        let copy = try observed(try write(Self.content, name: "copy"))
        #expect(state.start(for: copy, claimed: &claimed, readThisRun: [read]).start == .duplicate(of: first.path))
    }

    @Test("a plain file smaller than where the last run stopped was rewritten: read from its start")
    func truncated() throws {
        let small = try observed(try write(Array(Self.content.prefix(300))))
        let state = CronState(entries: [entry(for: small, offset: 2000, lines: 30)])
        var claimed = Set<Int>()
        #expect(state.start(for: small, claimed: &claimed, readThisRun: []).start == .beginning)
    }

    @Test("numbers out of range in a state file are corrupt, not a crash", arguments: [
        #""head_length":99999999999999"#, #""head_length":-1"#, #""offset":-5"#, #""offset":99999999999999999999"#,
        #""lines":9223372036854775807"#, #""size":72057594037927937"#,
    ])
    func outOfRange(field: String) throws {
        var fields = [#""path":"/x""#, #""device":"1""#, #""inode":"2""#, #""size":10"#, #""offset":5"#, #""lines":1"#,
                      #""head":"ab""#, #""head_length":10"#, #""gzip":false"#]
        let name = field.split(separator: ":")[0]
        fields = fields.map { $0.hasPrefix(name) ? field : $0 }
        let path = try write(Array(#"{"triage_state_version":2,"files":[{\#(fields.joined(separator: ","))}]}"#.utf8))
        #expect(throws: CronState.LoadProblem.self) { try CronState.load(path: path) }
        do { _ = try CronState.load(path: path) } catch {
            if case .corrupt = error {} else { Issue.record("expected corrupt, got \(error)") }
        }
    }

    @Test("a state written by save loads back the same")
    func roundTrip() throws {
        let o = try observed(try write(Self.content))
        let state = CronState(entries: [entry(for: o, offset: 100, lines: 2)])
        let path = try write([]) + ".state"
        try state.save(path: path)
        #expect(try CronState.load(path: path)?.entries == state.entries)
    }
}
