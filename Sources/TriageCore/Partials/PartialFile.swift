internal import CZlib

/// Partials as files: gzip when large, read through the same opener as logs.
public enum PartialFile {
    /// Partials smaller than this are written as they are (readable with `head -c 20`);
    /// larger ones are one gzip member (about 4× smaller: keys and samples are text).
    static let gzipThreshold = 64 * 1024

    /// The file's bytes for `partial`: the encoding, gzipped when large.
    static func bytes(_ partial: Partial) -> [UInt8] {
        let raw = partial.encode()
        guard raw.count >= gzipThreshold, let compressed = gzip(raw) else { return raw }
        return compressed
    }

    /// One gzip member of `bytes` (zlib's deflate, level 6); nil if zlib fails.
    static func gzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, 6, 15 + 16) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return nil }
                return outBuf.count - Int(stream.avail_out)
            }
        }
        guard let produced, bytes.count < Int(UInt32.max) else { return nil }
        return Array(output[0..<produced])
    }

    /// Reads and decodes the partial at `path` (`-`: standard input), plain or gzip.
    ///
    /// - Throws: ``TriageError/partial(path:reason:)`` naming the file and what is wrong.
    static func read(_ path: String) throws -> Partial {
        let input = try InputOpener.open(path)
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try input.source.read(into: $0) }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        do {
            return try Partial.decode(data)
        } catch let error as PartialDecodingError {
            throw TriageError.partial(path: path, reason: error.reason)
        }
    }
}
