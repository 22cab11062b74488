import Foundation
import Testing
@testable import TriageCore

@Suite struct GzipSourceTests {
    let first = Array((0..<2000).map { "first member line \($0)\n" }.joined().utf8)
    let second = Array((0..<1500).map { "second member line \($0)\n" }.joined().utf8)

    func open(_ bytes: [UInt8], chunk: Int, engine: InflateEngine = .isal) throws -> OpenedInput {
        // InputOpener sniffs the magic on the stream itself, like it does for stdin.
        let source = MemorySource(bytes, chunkSize: chunk)
        return try InputOpener.wrap(source: source, displayPath: "test.gz", engine: engine)
    }

    @Test("multi-member gzip is read to the end whatever the read size, with each engine",
          arguments: InflateEngine.allCases, [1, 7, 4096, 1 << 20])
    func multiMember(engine: InflateEngine, chunk: Int) throws {
        let data = gzipMember(first) + gzipMember(second)
        let input = try open(data, chunk: chunk, engine: engine)
        #expect(input.isGzip)
        let (bytes, error) = drain(input.source, readSize: chunk == 1 ? 3 : 4096)
        #expect(error == nil)
        let isWhole = bytes == first + second
        #expect(isWhole)
    }

    @Test("a member ending exactly at a read boundary still continues with the next", arguments: InflateEngine.allCases)
    func memberAtReadBoundary(engine: InflateEngine) throws {
        let a = gzipMember(first)
        let data = a + gzipMember(second)
        let input = try open(data, chunk: a.count, engine: engine)
        let (bytes, error) = drain(input.source)
        #expect(error == nil)
        let isWhole = bytes == first + second
        #expect(isWhole)
    }

    @Test("truncated gzip: the bytes before the cut are delivered, then the damage is reported",
          arguments: InflateEngine.allCases)
    func truncated(engine: InflateEngine) throws {
        let data = gzipMember(first + second)
        let cut = Array(data.prefix(data.count / 2))
        let input = try open(cut, chunk: 4096, engine: engine)
        let (bytes, error) = drain(input.source)
        #expect(bytes.count > 0)
        let isPrefix = Array((first + second).prefix(bytes.count)) == bytes
        #expect(isPrefix)
        guard case .gzipTruncated? = error else {
            Issue.record("expected gzipTruncated, got \(String(describing: error))")
            return
        }
    }

    @Test("zero padding after the last member is ignored, like gzip does", arguments: InflateEngine.allCases)
    func zeroPadding(engine: InflateEngine) throws {
        let data = gzipMember(first) + [UInt8](repeating: 0, count: 512)
        let (bytes, error) = drain(try open(data, chunk: 100, engine: engine).source)
        #expect(error == nil)
        let isFirst = bytes == first
        #expect(isFirst)
    }

    @Test("garbage after a member is reported as corruption with its offset", arguments: InflateEngine.allCases)
    func trailingGarbage(engine: InflateEngine) throws {
        let member = gzipMember(first)
        let data = member + Array("not gzip".utf8)
        let (bytes, error) = drain(try open(data, chunk: 4096, engine: engine).source)
        let isFirst = bytes == first
        #expect(isFirst)
        guard case let .gzipCorrupt(_, offset, _, message)? = error else {
            Issue.record("expected gzipCorrupt, got \(String(describing: error))")
            return
        }
        #expect(offset == Int64(member.count))
        #expect(message.contains("trailing garbage"))
    }

    @Test("corrupt deflate data is reported; output before the damage is kept", arguments: InflateEngine.allCases)
    func corruptData(engine: InflateEngine) throws {
        var data = gzipMember(first + second)
        for i in (data.count / 2)..<(data.count / 2 + 64) { data[i] ^= 0x5A }
        let (bytes, error) = drain(try open(data, chunk: 4096, engine: engine).source)
        #expect(error != nil)
        // zlib notices some damage only at the CRC, so only the start is guaranteed intact.
        let intactPrefix = Array((first + second).prefix(1000))
        #expect(bytes.count >= 1000)
        let prefixMatches = Array(bytes.prefix(1000)) == intactPrefix
        #expect(prefixMatches)
    }

    @Test("plain text is passed through untouched, including a 1-byte input")
    func plainPassThrough() throws {
        for text in ["x", "hello\nworld\n", ""] {
            let input = try open(Array(text.utf8), chunk: 1)
            #expect(!input.isGzip)
            #expect(drain(input.source).bytes == Array(text.utf8))
        }
    }
}

@Suite struct InflateEngineTests {
    @Test("ISA-L and zlib give the same bytes on the sample's three-member gzip")
    func sameBytes() throws {
        let path = repositoryFile("SampleLogs/nginx/access.log.2.gz")
        let isal = drain(try InputOpener.open(path, engine: .isal).source)
        let zlib = drain(try InputOpener.open(path, engine: .zlib).source)
        #expect(isal.error == nil && zlib.error == nil)
        #expect(isal.bytes.count == 590_775)
        let same = isal.bytes == zlib.bytes
        #expect(same)
    }

    /// A gzip member found by FuzzGzip: one dynamic block whose literal/length code has
    /// a Kraft sum of 250/256 (incomplete), decoding to nothing; the trailer's CRC-32
    /// and length are both 0, so they agree with that empty output.
    static let incompleteCodeMember: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03, 0x7d, 0x90, 0x6f, 0x4b, 0xc3, 0x30,
        0x10, 0xc6, 0xdf, 0xfb, 0x29, 0x8e, 0xbc, 0x72, 0x88, 0xc9, 0x5d, 0xd2, 0xb5, 0x5d, 0x47, 0x5f,
        0x88, 0xe8, 0x04, 0xd9, 0x56, 0xd8, 0x64, 0x82, 0x88, 0x74, 0x5d, 0x46, 0xcb, 0xba, 0xa5, 0xb4,
        0xdd, 0x1c, 0x7e, 0x7a, 0xaf, 0x0e, 0xfc, 0x00, 0xc3, 0x25, 0xb9, 0x81, 0xc9, 0x7b,
    ] + [UInt8](repeating: 0, count: 11)

    @Test("an incomplete prefix code: ISA-L reads the member (its trailer checks out), zlib refuses it naming the code set")
    func incompleteCode() throws {
        let isal = drain(try InputOpener.wrap(source: MemorySource(Self.incompleteCodeMember, chunkSize: 4096),
                                              displayPath: "x.gz", engine: .isal).source)
        #expect(isal.error == nil)
        #expect(isal.bytes.isEmpty)
        let zlib = drain(try InputOpener.wrap(source: MemorySource(Self.incompleteCodeMember, chunkSize: 4096),
                                              displayPath: "x.gz", engine: .zlib).source)
        #expect(zlib.bytes.isEmpty)
        let message = zlib.error.map { "\($0)" } ?? ""
        #expect(message.contains("x.gz") && message.contains("invalid literal/lengths set"))
    }

    @Test("the gzip fuzz oracle passes the incomplete-code member (the engines' known difference) and a whole member")
    func fuzzOracleAllowsIncompleteCode() {
        _FuzzEntry.gzip(Self.incompleteCodeMember)
        _FuzzEntry.gzip(gzipMember(Array("a line\n".utf8)))
    }
}
