internal import CZlib

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
    private let inflater: Inflater
    private let input: UnsafeMutableRawBufferPointer
    /// `input`'s first byte, typed; never nil because the buffer is never empty.
    private let inputBytes: UnsafeMutablePointer<UInt8>
    /// Unconsumed compressed bytes are `input[inputStart..<inputEnd]`.
    private var inputStart = 0
    private var inputEnd = 0
    private var baseAtEOF = false
    /// True once a member has ended and the next bytes have not been examined.
    private var isAtMemberBoundary = true
    private var pendingError: TriageError?
    private var isFinished = false
    /// Number of complete members read so far.
    public private(set) var membersCompleted = 0

    public init(base: ByteSource, path: String, engine: InflateEngine = .isal,
                inputBufferSize: Int = 256 * 1024) throws {
        self.base = base
        self.path = path
        self.inflater = try engine.make()
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
            // RFC 1952 §2.3.1: CM 8 is deflate, and FLG bits 5-7 are reserved and must
            // be zero ("a compliant decompressor must give an error"). Checked here, so
            // ISA-L (which skips the check) and zlib (which makes it) agree.
            if try ensureAvailable(4) >= 4 {
                if bytes[inputStart + 2] != 8 {
                    throw TriageError.gzipCorrupt(path: path, compressedOffset: consumedBytes + 2, code: Z_DATA_ERROR,
                                                  message: "gzip: unknown compression method \(bytes[inputStart + 2]) (only 8, deflate, exists)")
                }
                if bytes[inputStart + 3] & 0xE0 != 0 {
                    throw TriageError.gzipCorrupt(path: path, compressedOffset: consumedBytes + 3, code: Z_DATA_ERROR,
                                                  message: "gzip: reserved header flag bits set (RFC 1952 says to reject the member)")
                }
            }
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
                    message: membersCompleted == 0 ? "gzip: not a gzip stream" : "gzip: trailing garbage after member \(membersCompleted)")
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
            let step = inflater.step(inputBytes + inputStart, inputEnd - inputStart,
                                     outBase.assumingMemoryBound(to: UInt8.self), buffer.count)
            inputStart += step.consumed
            let produced = step.produced
            if let failure = step.failure {
                let error = TriageError.gzipCorrupt(path: path, compressedOffset: consumedBytes, code: failure.code,
                                                    message: failure.message)
                if produced > 0 {
                    pendingError = error
                    return produced
                }
                isFinished = true
                throw error
            }
            if step.isMemberEnd {
                membersCompleted += 1
                isAtMemberBoundary = true
            }
            if produced > 0 { return produced }
            if step.consumed == 0 && !step.isMemberEnd {
                // The engine needs more input than it was given: read more, or the stream is cut.
                let available = inputEnd - inputStart
                if try ensureAvailable(available + 1) <= available {
                    isFinished = true
                    throw TriageError.gzipTruncated(path: path, compressedOffset: consumedBytes)
                }
            }
        }
    }
}
