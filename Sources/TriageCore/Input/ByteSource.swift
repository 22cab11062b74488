#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something that fills a caller's buffer with the next bytes of a stream.
///
/// `read(into:)` returns 0 only at the end of the stream; errors are thrown as
/// ``TriageError`` naming the input.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Bytes consumed from the underlying file so far (compressed bytes for gzip).
    var consumedBytes: Int64 { get }
}

/// Reads a file descriptor with `read(2)`; owns the descriptor when asked to.
public final class FileDescriptorSource: ByteSource {
    private let fd: Int32
    private let ownsDescriptor: Bool
    public let path: String
    public private(set) var consumedBytes: Int64 = 0

    public init(fd: Int32, path: String, ownsDescriptor: Bool) {
        self.fd = fd
        self.path = path
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` read-only; `-` means standard input.
    public static func open(_ path: String) throws -> FileDescriptorSource {
        if path == "-" { return FileDescriptorSource(fd: 0, path: "<stdin>", ownsDescriptor: false) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw TriageError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw TriageError.cannotOpen(path: path, reason: "is a directory")
        }
        return FileDescriptorSource(fd: fd, path: path, ownsDescriptor: true)
    }

    /// Size of a regular file, nil for pipes and terminals.
    public var regularFileSize: Int64? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// The whole content of a small file (configuration, state); nil when it is
    /// larger than `limit` bytes, which no such file should be.
    public static func readAll(_ path: String, limit: Int) throws -> [UInt8]? {
        let source = try open(path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > limit { return nil }
        }
    }

    /// Device, inode and size of the open file.
    public func status() -> (device: UInt64, inode: UInt64, size: Int64)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino), Int64(info.st_size))
    }

    /// Reads at `offset` without moving the file position; returns bytes read (-1 on error).
    public func readAt(_ offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        return pread(fd, base, buffer.count, off_t(offset))
    }

    /// Counts the file read up to `offset` by ``readAt(_:into:)`` in ``consumedBytes``, for progress.
    public func noteRead(upTo offset: Int64) {
        consumedBytes = max(consumedBytes, offset)
    }

    /// Moves to `offset` from the start; false for pipes and other unseekable inputs.
    public func seek(to offset: Int64) -> Bool {
        lseek(fd, off_t(offset), SEEK_SET) == off_t(offset)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 {
                consumedBytes += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw TriageError.readFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }
}

/// Serves bytes already peeked from a source before continuing with the source.
///
/// Used to sniff the gzip magic on the open stream (stdin cannot be re-opened).
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixOffset = 0
    private let base: ByteSource

    init(prefix: [UInt8], base: ByteSource) {
        self.prefix = prefix
        self.base = base
    }

    var consumedBytes: Int64 { base.consumedBytes - Int64(prefix.count - prefixOffset) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let destination = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if prefixOffset < prefix.count {
            let n = min(buffer.count, prefix.count - prefixOffset)
            prefix.withUnsafeBytes { src in
                if let from = src.baseAddress { destination.copyMemory(from: from + prefixOffset, byteCount: n) }
            }
            prefixOffset += n
            if prefixOffset == prefix.count {
                prefix = []
                prefixOffset = 0
            }
            return n
        }
        return try base.read(into: buffer)
    }
}

/// A source over bytes in memory; used by tests and for small inputs.
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    /// At most this many bytes are returned per read, to exercise chunk boundaries.
    private let chunkSize: Int

    public init(_ bytes: [UInt8], chunkSize: Int = .max) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public var consumedBytes: Int64 { Int64(offset) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset, chunkSize)
        guard n > 0, let destination = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let from = src.baseAddress { destination.copyMemory(from: from + offset, byteCount: n) }
        }
        offset += n
        return n
    }
}
