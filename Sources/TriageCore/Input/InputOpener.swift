/// An opened input: the decoded byte stream plus what we learned opening it.
public struct OpenedInput {
    /// Decompressed bytes when `isGzip`, the raw bytes otherwise.
    public let source: ByteSource
    /// The underlying stream; its `consumedBytes` measures progress in file bytes.
    public let raw: ByteSource
    public let isGzip: Bool
    public let displayPath: String
    /// Size of the file (compressed for gzip), when it is a regular file.
    public var fileSize: Int64? = nil

    /// A per-line progress callback that also reports the file bytes read so far and the size.
    func lineProgress(_ progress: ((_ bytesRead: Int64, _ size: Int64?, _ lines: Int) -> Void)?) -> ((Int) -> Void)? {
        guard let progress else { return nil }
        let raw = self.raw, size = fileSize
        return { progress(raw.consumedBytes, size, $0) }
    }
}

/// Opens files (or `-` for stdin) and detects gzip from the stream's first bytes.
///
/// The magic is sniffed on the open descriptor, never by re-opening the name or
/// trusting the extension, so `access.log.1` that is really gzip and gzip on a
/// pipe both work.
public enum InputOpener {
    public static func open(_ path: String, engine: InflateEngine = .isal) throws -> OpenedInput {
        let file = try FileDescriptorSource.open(path)
        return try wrap(source: file, displayPath: file.path, engine: engine)
    }

    /// Opens `path` as ``open(_:engine:)`` does, with every failure as a ``TriageError``:
    /// the form the side logs (application and error logs) record in their stats.
    static func openReportingErrors(_ path: String, engine: InflateEngine) -> Result<OpenedInput, TriageError> {
        do {
            return .success(try open(path, engine: engine))
        } catch let error as TriageError {
            return .failure(error)
        } catch {
            return .failure(.readFailed(path: path, reason: "\(error)"))
        }
    }

    /// Sniffs `file`'s first bytes and decodes gzip when they are its magic.
    public static func wrap(source file: ByteSource, displayPath: String, engine: InflateEngine = .isal) throws -> OpenedInput {
        var prefix = [UInt8](repeating: 0, count: 2)
        var filled = 0
        while filled < 2 {
            let n = try prefix.withUnsafeMutableBytes { raw in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
            }
            if n == 0 { break }
            filled += n
        }
        prefix.removeLast(2 - filled)
        let peeked = PrefixedSource(prefix: prefix, base: file)
        if isGzipMagic(prefix) {
            // Inflate on a second thread so decompression and parsing overlap.
            let inflated = ReadAheadSource(base: try GzipSource(base: peeked, path: displayPath, engine: engine))
            return OpenedInput(source: inflated, raw: inflated, isGzip: true, displayPath: displayPath,
                               fileSize: (file as? FileDescriptorSource)?.regularFileSize)
        }
        return OpenedInput(source: peeked, raw: file, isGzip: false, displayPath: displayPath,
                           fileSize: (file as? FileDescriptorSource)?.regularFileSize)
    }

    static func isGzipMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }
}
