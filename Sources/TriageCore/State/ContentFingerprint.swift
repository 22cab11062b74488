/// The first bytes of a file's content, which recognise it under any name.
///
/// As Filebeat's and Fluent Bit's fingerprints do, a file is known by what it
/// starts with rather than by its inode alone: logrotate's `copytruncate` copies
/// the content to a new inode, and `compress` turns `access.log.1` into
/// `access.log.2.gz`, a new inode whose *decompressed* content is the same. So
/// for gzip the fingerprint is taken from the decompressed stream.
///
/// A file shorter than ``length`` is known by all of its bytes; when it has
/// grown, the same number of leading bytes is compared (``matches(_:length:)``).
public struct ContentFingerprint: Sendable, Equatable {
    /// Bytes read to recognise a file (Filebeat's default fingerprint length).
    public static let length = 1024

    /// Up to ``length`` leading bytes of the content.
    public let head: [UInt8]

    public init(head: [UInt8]) { self.head = Array(head.prefix(Self.length)) }

    /// Reads the first bytes of `file` with pread, so its position is kept;
    /// decompressed when `isGzip`. A damaged gzip gives the bytes before the damage.
    public static func read(_ file: FileDescriptorSource, isGzip: Bool, engine: InflateEngine) -> ContentFingerprint {
        var head = [UInt8](repeating: 0, count: length)
        var filled = 0
        let source: ByteSource
        if isGzip {
            guard let gzip = try? GzipSource(base: PositionalSource(file: file), path: file.path, engine: engine,
                                             inputBufferSize: 16 * 1024) else { return ContentFingerprint(head: []) }
            source = gzip
        } else {
            source = PositionalSource(file: file)
        }
        while filled < length {
            let n = (try? head.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }) ?? 0
            if n <= 0 { break }
            filled += n
        }
        return ContentFingerprint(head: Array(head.prefix(filled)))
    }

    /// The hash of the first `length` bytes (hex), nil when there are fewer.
    public func hash(length: Int) -> String? {
        guard length > 0, length <= head.count else { return nil }
        let value = head.prefix(length).withUnsafeBufferPointer { ByteKeyTable<Int>.hash($0) }
        return String(value, radix: 16)
    }

    /// True when this content starts with the `length` bytes whose hash is `hash`.
    public func matches(_ hash: String, length: Int) -> Bool { self.hash(length: length) == hash }
}

/// Reads a file from an offset with pread, leaving the descriptor's position alone.
final class PositionalSource: ByteSource {
    private let file: FileDescriptorSource
    private var offset: Int64

    init(file: FileDescriptorSource, offset: Int64 = 0) {
        self.file = file
        self.offset = offset
    }

    var consumedBytes: Int64 { offset }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = file.readAt(offset, into: buffer)
        if n < 0 { throw TriageError.readFailed(path: file.path, reason: "pread failed") }
        offset += Int64(n)
        return n
    }
}
