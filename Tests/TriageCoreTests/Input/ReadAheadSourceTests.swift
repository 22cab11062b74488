import Testing
@testable import TriageCore

/// A source that fails after delivering its bytes, to check error ordering.
final class FailingSource: ByteSource {
    private let inner: MemorySource
    init(_ bytes: [UInt8], chunk: Int) { inner = MemorySource(bytes, chunkSize: chunk) }
    var consumedBytes: Int64 { inner.consumedBytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n == 0 { throw TriageError.gzipTruncated(path: "x.gz", compressedOffset: consumedBytes) }
        return n
    }
}

@Suite struct ReadAheadSourceTests {
    let data = Array((0..<30_000).map { "line \($0) of the read-ahead test\n" }.joined().utf8)

    @Test("bytes arrive intact and in order whatever the slot, chunk and read sizes", arguments: [
        (1, 2, 1), (7, 2, 3), (64, 3, 4096), (4096, 4, 100), (1 << 20, 4, 1 << 20),
    ])
    func intact(slotSize: Int, slots: Int, readSize: Int) {
        let source = ReadAheadSource(base: MemorySource(data, chunkSize: 997), slotSize: slotSize, slots: slots)
        let (bytes, error) = drain(source, readSize: readSize)
        #expect(error == nil)
        let same = bytes == data
        #expect(same)
        #expect(source.consumedBytes == Int64(data.count))
    }

    @Test("an error of the base is thrown after every byte before it was delivered")
    func errorAfterData() {
        let source = ReadAheadSource(base: FailingSource(data, chunk: 5000), slotSize: 4096, slots: 3)
        let (bytes, error) = drain(source, readSize: 1000)
        #expect(bytes.count == data.count)
        guard case .gzipTruncated? = error else {
            Issue.record("expected the base's error, got \(String(describing: error))")
            return
        }
    }

    @Test("lines read through gzip and read-ahead equal the plain lines")
    func throughGzip() throws {
        let gz = gzipMember(Array(data.prefix(200_000))) + gzipMember(Array(data.dropFirst(200_000)))
        let input = try InputOpener.wrap(source: MemorySource(gz, chunkSize: 4093), displayPath: "t.gz")
        #expect(input.isGzip)
        var count = 0
        try LineReader(source: input.source, readSize: 4096).forEachLine { line in
            #expect(String(decoding: line.bytes, as: UTF8.self) == "line \(count) of the read-ahead test")
            count += 1
        }
        #expect(count == 30_000)
    }
}
