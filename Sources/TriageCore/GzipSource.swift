internal import CZlib

/// Owns one heap-allocated `z_stream` for gzip inflation.
///
/// zlib keeps the stream's address internally, so the stream must never move:
/// it lives in memory this object allocated and frees exactly once.
final class GzipInflater {
    let stream: UnsafeMutablePointer<z_stream>

    init() throws(TriageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: gzip wrapper only, largest window.
        let code = CZlib_inflateInit2(stream, 15 + 16)
        if code != Z_OK {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw TriageError.invalidFormat("zlib inflateInit2 failed with code \(code)")
        }
    }

    /// Prepares for the next gzip member of a multi-member stream.
    func reset() { inflateReset(stream) }

    var message: String {
        guard let text = stream.pointee.msg else { return "no message" }
        return String(cString: text)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
}

/// Decompresses a gzip stream read from another source, member after member.
///
/// Policy for what follows a complete member: another member (gzip magic) is
/// read on; zero bytes (tape/block padding) are ignored as `gzip` does; any
/// other bytes are reported as corruption at their compressed offset. Output
/// produced before an error is always returned first; the error is thrown on
/// the next call, so every line before the damage is analysed.
public final class GzipSource: ByteSource {
    private let base: ByteSource
    private let path: String
    private let inflater: GzipInflater
    private let input: UnsafeMutableRawBufferPointer
    /// `input`'s first byte, typed; never nil because the buffer is never empty.
    private let inputBytes: UnsafeMutablePointer<UInt8>
    /// Unconsumed compressed bytes are `input[inputStart..<inputEnd]`.
    private var inputStart = 0
    private var inputEnd = 0
    private var baseAtEOF = false
    /// True between a member's first byte and its `Z_STREAM_END`.
    private var isInsideMember = false
    /// True once a member has ended and the next bytes have not been examined.
    private var isAtMemberBoundary = true
    private var pendingError: TriageError?
    private var isFinished = false
    /// Number of complete members read so far.
    public private(set) var membersCompleted = 0

    public init(base: ByteSource, path: String, inputBufferSize: Int = 256 * 1024) throws {
        self.base = base
        self.path = path
        self.inflater = try GzipInflater()
        let capacity = max(16, inputBufferSize)
        self.inputBytes = .allocate(capacity: capacity)
        self.input = UnsafeMutableRawBufferPointer(start: inputBytes, count: capacity)
    }

    deinit { inputBytes.deallocate() }

    public var consumedBytes: Int64 { base.consumedBytes - Int64(inputEnd - inputStart) }

    /// Refills the compressed buffer so that at least `count` bytes are available
    /// unless the base is exhausted. Returns the number available.
    private func ensureAvailable(_ count: Int) throws -> Int {
        while inputEnd - inputStart < count && !baseAtEOF {
            if inputStart > 0 {
                let pending = inputEnd - inputStart
                if pending > 0 { inputBytes.update(from: inputBytes + inputStart, count: pending) }
                inputStart = 0
                inputEnd = pending
            }
            let n = try base.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
            if n == 0 { baseAtEOF = true } else { inputEnd += n }
        }
        return inputEnd - inputStart
    }

    /// Looks at what follows a complete member. Returns false at the clean end.
    private func startNextMember() throws -> Bool {
        guard try ensureAvailable(2) > 0 else { return false }
        let bytes = inputBytes
        if inputEnd - inputStart >= 2, bytes[inputStart] == 0x1f, bytes[inputStart + 1] == 0x8b {
            if membersCompleted > 0 { inflater.reset() }
            isAtMemberBoundary = false
            return true
        }
        // Zero padding after the last member is ignored; anything else is damage.
        while true {
            while inputStart < inputEnd && bytes[inputStart] == 0 { inputStart += 1 }
            if inputStart < inputEnd {
                throw TriageError.gzipCorrupt(
                    path: path, compressedOffset: consumedBytes, code: Z_DATA_ERROR,
                    message: membersCompleted == 0 ? "not a gzip stream" : "trailing garbage after gzip member \(membersCompleted)")
            }
            if try ensureAvailable(1) == 0 { return false }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let error = pendingError {
            pendingError = nil
            isFinished = true
            throw error
        }
        guard !isFinished, let outBase = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let z = inflater.stream
        while true {
            if isAtMemberBoundary {
                if try !startNextMember() {
                    isFinished = true
                    return 0
                }
            }
            if inputStart == inputEnd {
                if try ensureAvailable(1) == 0 {
                    isFinished = true
                    throw TriageError.gzipTruncated(path: path, compressedOffset: consumedBytes)
                }
            }
            isInsideMember = true
            z.pointee.next_in = inputBytes + inputStart
            z.pointee.avail_in = UInt32(inputEnd - inputStart)
            z.pointee.next_out = outBase.assumingMemoryBound(to: UInt8.self)
            z.pointee.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
            let code = inflate(z, Z_NO_FLUSH)
            let consumed = (inputEnd - inputStart) - Int(z.pointee.avail_in)
            inputStart += consumed
            let produced = min(buffer.count, Int(UInt32.max)) - Int(z.pointee.avail_out)
            switch code {
            case Z_STREAM_END:
                membersCompleted += 1
                isInsideMember = false
                isAtMemberBoundary = true
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                let error = TriageError.gzipCorrupt(
                    path: path, compressedOffset: consumedBytes, code: code, message: inflater.message)
                if produced > 0 {
                    pendingError = error
                    return produced
                }
                isFinished = true
                throw error
            }
            if produced > 0 { return produced }
            if code == Z_BUF_ERROR && inputStart == inputEnd && baseAtEOF {
                isFinished = true
                throw TriageError.gzipTruncated(path: path, compressedOffset: consumedBytes)
            }
        }
    }
}
