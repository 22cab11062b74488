import Testing
@testable import TriageCore

@Suite struct ErrorLogReaderTests {
    static let refused = #"2026/11/20 13:30:01 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /api/x HTTP/1.1", upstream: "http://10.0.1.13:8080/api/x", host: "shop""#
    static let fastCGI = [
        #"2026/11/20 13:30:02 [error] 31#31: *2 FastCGI sent in stderr: "PHP message: PHP Warning:  mysqli_connect(): (HY000/2002): Connection refused in /srv/a.php on line 3"#,
        "PHP message: PHP Fatal error:  Uncaught Exception: boom in /srv/a.php:4",
        #"PHP message: PHP Stack trace:" while reading response header from upstream, client: 203.0.113.10, server: shop, request: "GET /a.php HTTP/1.1", upstream: "fastcgi://unix:/run/php.sock:", host: "shop""#,
    ]

    func read(_ text: String, chunk: Int = 4096, isInterleaved: Bool = false) -> (TriageSummary.ErrorLogInput, ErrorLogIndex) {
        let index = ErrorLogIndex()
        let reader = ErrorLogReader(index: index, maxLineLength: 4096)
        var stats = TriageSummary.ErrorLogInput(path: "error.log")
        _ = reader.read(MemorySource(Array(text.utf8), chunkSize: chunk), path: "error.log", isInterleaved: isInterleaved, into: &stats)
        return (stats, index)
    }

    @Test("every line is counted once: entries, continuation lines, blank, unrecognised", arguments: [1, 7, 4096])
    func everyLineCounted(chunk: Int) {
        let text = ([Self.refused] + Self.fastCGI + ["", "garbage line", Self.refused]).joined(separator: "\n") + "\n"
        let (stats, index) = read(text, chunk: chunk)
        #expect(stats.lines == 7)
        #expect(stats.entries == 3)
        #expect(stats.continuationLines == 2)
        #expect(stats.blank == 1)
        #expect(stats.unrecognised == 1)
        #expect(stats.examples.first?.line == 6)
        #expect(stats.entries + stats.continuationLines + stats.blank + stats.unrecognised + stats.otherLines == stats.lines)
        #expect(stats.causes[.connectionRefused] == 2)
        #expect(index.entries.count == 2)
    }

    @Test("a program's stderr relayed by FastCGI is not the proxy's cause, even when it says Connection refused")
    func programOutputIsNoCause() {
        let (stats, index) = read(Self.fastCGI.joined(separator: "\n"))
        #expect(stats.entries == 1)
        #expect(stats.continuationLines == 2)
        #expect(stats.causes.total == 0)
        #expect(index.entries.isEmpty)
    }

    @Test("in an interleaved input the access lines are counted as such, not as unrecognised")
    func interleaved() {
        let access = #"203.0.113.9 - - [20/Nov/2026:13:30:01 +0000] "GET /api/x HTTP/1.1" 502 5 "-" "ua""#
        let (stats, _) = read([Self.refused, access].joined(separator: "\n"), isInterleaved: true)
        #expect(stats.otherLines == 1)
        #expect(stats.unrecognised == 0)
    }

    @Test("an input's first lines tell an error log, an access log and one interleaving both")
    func kinds() {
        let access = Array(#"203.0.113.9 - - [20/Nov/2026:13:30:01 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#.utf8)
        let error = Array(Self.refused.utf8)
        #expect(ErrorLogReader.kind(of: [access, access]) == .accessLog)
        #expect(ErrorLogReader.kind(of: [error, error, []]) == .errorLog)
        #expect(ErrorLogReader.kind(of: Self.fastCGI.map { Array($0.utf8) }) == .errorLog)
        #expect(ErrorLogReader.kind(of: [error, access]) == .interleaved)
    }

    static func docker(_ line: String, stream: String = "stderr") -> String {
        let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return #"{"log":"\#(escaped)\n","stream":"\#(stream)","time":"2026-11-20T12:30:01.5Z"}"#
    }

    static func cri(_ text: String, stream: String = "stderr", piece: String = "F") -> String {
        "2026-11-20T12:30:01.500000000Z \(stream) \(piece) \(text)"
    }

    @Test("error lines in a container runtime's envelope (Docker json-file, CRI with its pieces joined) are read inside it")
    func inEnvelopes() {
        let access = #"203.0.113.9 - - [20/Nov/2026:13:30:01 +0000] "GET /api/x HTTP/1.1" 502 5 "-" "ua""#
        let dockerText = [Self.docker(access, stream: "stdout"), Self.docker(Self.refused)].joined(separator: "\n")
        let (dockerStats, dockerIndex) = read(dockerText, chunk: 7, isInterleaved: true)
        #expect(dockerStats.entries == 1)
        #expect(dockerStats.otherLines == 1)
        #expect(dockerStats.unrecognised == 0)
        #expect(dockerStats.causes[.connectionRefused] == 1)
        #expect(dockerIndex.entries.count == 1)

        let cut = Self.refused.index(Self.refused.startIndex, offsetBy: 60)
        let criText = [Self.cri(access, stream: "stdout"), Self.cri(String(Self.refused[..<cut]), piece: "P"),
                       Self.cri(String(Self.refused[cut...]))].joined(separator: "\n")
        let (criStats, criIndex) = read(criText, isInterleaved: true)
        #expect(criStats.lines == 3)
        #expect(criStats.entries == 1)
        #expect(criStats.continuationLines == 1)
        #expect(criStats.causes[.connectionRefused] == 1)
        #expect(criIndex.entries.count == 1)
        #expect(criStats.entries + criStats.continuationLines + criStats.blank + criStats.unrecognised + criStats.otherLines == criStats.lines)

        let wrapped = [Self.docker(access, stream: "stdout"), Self.docker(Self.refused)].map { Array($0.utf8) }
        #expect(ErrorLogReader.kind(of: wrapped) == .interleaved)
        #expect(ErrorLogReader.kind(of: [wrapped[1], wrapped[1]]) == .errorLog)
    }

    @Test("a kept line costs 64 bytes, as Docs/Correlation.md and Design.md say")
    func entrySize() {
        #expect(MemoryLayout<ErrorLogIndex.Entry>.stride == 64)
    }

    @Test("the index keeps at most its limit and counts the rest as untracked")
    func bounded() {
        let index = ErrorLogIndex(limit: 2)
        let reader = ErrorLogReader(index: index, maxLineLength: 4096)
        var stats = TriageSummary.ErrorLogInput(path: "e")
        let text = Array(repeating: Self.refused, count: 5).joined(separator: "\n")
        _ = reader.read(MemorySource(Array(text.utf8)), path: "e", isInterleaved: false, into: &stats)
        #expect(index.entries.count == 2)
        #expect(index.untracked == 3)
        #expect(stats.kept == 2)
        #expect(stats.causes.total == 5)
    }
}
