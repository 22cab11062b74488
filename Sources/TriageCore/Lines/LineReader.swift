#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line handed to a ``LineReader`` callback.
///
/// `bytes` excludes the line break (`\n`, or `\r\n`) and is valid only during
/// the callback: it points into the reader's buffer.
public struct Line {
    public var bytes: UnsafeBufferPointer<UInt8>
    /// 1-based line number within the input.
    public var number: Int
    /// Offset of the line's first byte in the (decompressed) stream.
    public var offset: Int64
    /// False for a last line that had no line break.
    public var isTerminated: Bool
    /// True when the line was longer than the cap: `bytes` holds only its
    /// first `maxLineLength` bytes and the rest was skipped.
    public var isOverlong: Bool
}

/// Splits a byte stream into lines with one reused buffer.
///
/// A line ends at `\n`; a `\r` right before it is dropped, so CRLF files read
/// like LF files. A lone `\r` (one not followed by `\n`) also ends a line, so
/// files with classic Mac line endings, or a CR-only line inside an LF file,
/// never fold many requests into one record. A final line without a line
/// break is still a line (`isTerminated` false); an empty input has no lines,
/// and a trailing line break does not start an empty extra line. Lines longer
/// than `maxLineLength` are reported once as overlong, never split into
/// several records.
///
/// Streams without any `\r` pay one `memchr` per read for this; once a `\r`
/// has been seen, each line is also searched for one.
public final class LineReader {
    private let source: ByteSource
    public let maxLineLength: Int
    /// When false, a last line without `\n` is left unread (a file still being
    /// written, read again later from ``completeLinesEnd``).
    public var deliversUnterminatedLine = true
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    /// False when reading bytes already in memory (``init(memory:maxLineLength:)``):
    /// the buffer is the caller's and is never written.
    private let ownsBuffer: Bool
    /// Valid bytes are `buffer[0..<end]`; `bufferOffset` is the stream offset of `buffer[0]`.
    private var end = 0
    private var bufferOffset: Int64
    /// Stream offset just past the last `\n` read: where a later run can resume
    /// without splitting a line (an unterminated last line is not included).
    public private(set) var completeLinesEnd: Int64
    /// Number given to the line before the first one read (resuming a file).
    private let lineNumberBase: Int
    /// A `\r` has been read: from then on lines are also searched for a lone `\r`.
    private var sawCR = false
    /// Lines that ended at a lone `\r`, so far.
    public private(set) var carriageReturnLines = 0

    /// - Parameters:
    ///   - maxLineLength: longest line analysed; longer ones are reported as overlong.
    ///   - readSize: bytes asked of the source per read.
    ///   - startOffset: stream offset of the source's first byte (when resuming a file).
    ///   - firstLineNumber: number of the first line read (when resuming a file).
    public init(source: ByteSource, maxLineLength: Int = 64 * 1024, readSize: Int = 1 << 20,
                startOffset: Int64 = 0, firstLineNumber: Int = 1) {
        self.source = source
        self.bufferOffset = startOffset
        self.completeLinesEnd = startOffset
        self.lineNumberBase = firstLineNumber - 1
        self.maxLineLength = max(16, maxLineLength)
        // Room for one whole capped line plus a full read keeps memmove rare.
        self.capacity = self.maxLineLength + max(4096, readSize)
        self.buffer = .allocate(capacity: capacity)
        self.ownsBuffer = true
    }

    /// Splits `memory`, which holds a whole input, in place: the same lines and verdicts
    /// as reading the same bytes from a source, without copying them. `memory` must stay
    /// valid and unchanged while lines are read; the lines point into it.
    public init(memory: UnsafeBufferPointer<UInt8>, maxLineLength: Int = 64 * 1024) {
        self.source = MemorySource([])
        self.bufferOffset = 0
        self.completeLinesEnd = 0
        self.lineNumberBase = 0
        self.maxLineLength = max(16, maxLineLength)
        self.capacity = memory.count
        self.buffer = UnsafeMutablePointer(mutating: memory.baseAddress ?? UnsafePointer(bitPattern: 1)!)
        self.ownsBuffer = false
        // What a read of these bytes would have learnt.
        self.end = memory.count
        if let base = memory.baseAddress, memchr(base, 0x0D, memory.count) != nil { sawCR = true }
    }

    deinit { if ownsBuffer { buffer.deallocate() } }

    /// Calls `body` for every line, in order, then returns the number of lines.
    ///
    /// - Throws: whatever the source throws; lines before the error were delivered.
    @discardableResult
    public func forEachLine(_ body: (Line) throws -> Void) throws -> Int {
        var lineNumber = lineNumberBase
        var lineStart = 0          // start of the current (unfinished) line in buffer
        var scanFrom = 0           // bytes before this in the current line hold no '\n'
        var isSkippingOverlong = false
        var crFrom = 0             // bytes before this in the current line hold no undecided '\r'
        while true {
            // Look for complete lines in what we have.
            while scanFrom < end {
                let found = memchr(buffer + scanFrom, 0x0A, end - scanFrom)
                var nl = found.map { $0.assumingMemoryBound(to: UInt8.self) - buffer } ?? -1
                var isLoneCR = false
                if sawCR {
                    // A '\r' before the '\n' (or the end of the data) that is not the
                    // '\r' of a CRLF ends a line of its own.
                    let limit = nl >= 0 ? nl : end
                    let from = max(crFrom, lineStart)
                    if from < limit, let hit = memchr(buffer + from, 0x0D, limit - from) {
                        let cr = hit.assumingMemoryBound(to: UInt8.self) - buffer
                        if cr + 1 < end && buffer[cr + 1] != 0x0A {
                            nl = cr
                            isLoneCR = true
                        } else if cr + 1 == end {
                            // The last byte read: CRLF or lone CR, the next read tells.
                            crFrom = cr
                        }
                    } else {
                        crFrom = limit
                    }
                }
                guard nl >= 0 else {
                    scanFrom = end
                    break
                }
                completeLinesEnd = bufferOffset + Int64(nl + 1)
                if isLoneCR { carriageReturnLines += 1 }
                if isSkippingOverlong {
                    isSkippingOverlong = false
                } else {
                    lineNumber += 1
                    var lineEnd = nl
                    if !isLoneCR && lineEnd > lineStart && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    let length = lineEnd - lineStart
                    let isOverlong = length > maxLineLength
                    try body(line(from: lineStart, count: isOverlong ? maxLineLength : length,
                                  number: lineNumber, isTerminated: true, isOverlong: isOverlong))
                }
                lineStart = nl + 1
                scanFrom = lineStart
                crFrom = lineStart
            }
            // No newline in buffer[lineStart..<end]. Cap the unfinished line.
            if !isSkippingOverlong && end - lineStart > maxLineLength {
                lineNumber += 1
                try body(line(from: lineStart, count: maxLineLength,
                              number: lineNumber, isTerminated: true, isOverlong: true))
                isSkippingOverlong = true
            }
            if !ownsBuffer {
                // Bytes in memory are all there is: nothing to make room for (and the
                // caller's bytes are not ours to move); the read below ends the input.
            } else if isSkippingOverlong {
                // Drop everything we have but an undecided last '\r'; keep looking for the line's end.
                let keep = end > 0 && buffer[end - 1] == 0x0D ? 1 : 0
                if keep == 1 { buffer[0] = 0x0D }
                bufferOffset += Int64(end - keep)
                end = keep
                lineStart = 0
                scanFrom = keep
                crFrom = 0
            } else if lineStart > 0 {
                let pending = end - lineStart
                if pending > 0 { buffer.update(from: buffer + lineStart, count: pending) }
                bufferOffset += Int64(lineStart)
                end = pending
                scanFrom = pending
                crFrom = max(0, crFrom - lineStart)
                lineStart = 0
            }
            let n: Int
            do {
                n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
                if !sawCR && n > 0 && memchr(buffer + end, 0x0D, n) != nil {
                    sawCR = true
                    crFrom = lineStart
                    // Bytes already scanned for '\n' may hold a lone '\r': scan them again.
                    scanFrom = lineStart
                }
            } catch {
                try deliverUnterminated(lineStart: lineStart, isSkippingOverlong: isSkippingOverlong,
                                        lineNumber: &lineNumber, body)
                throw error
            }
            if n == 0 {
                if deliversUnterminatedLine {
                    try deliverUnterminated(lineStart: lineStart, isSkippingOverlong: isSkippingOverlong,
                                            lineNumber: &lineNumber, body)
                }
                return lineNumber - lineNumberBase
            }
            end += n
        }
    }

    private func deliverUnterminated(lineStart: Int, isSkippingOverlong: Bool, lineNumber: inout Int,
                                     _ body: (Line) throws -> Void) throws {
        guard end > lineStart else { return }
        // A last '\r' at the end of the stream ends the line (a lone CR, or a CRLF cut
        // short): nothing follows it, so it is a lone CR and counted as one, like the
        // lone CRs before it, also when it ends an over-long line being skipped.
        let endsInCR = buffer[end - 1] == 0x0D
        if endsInCR { carriageReturnLines += 1 }
        guard !isSkippingOverlong else {
            if endsInCR { completeLinesEnd = bufferOffset + Int64(end) }
            return
        }
        lineNumber += 1
        var lineEnd = end
        if endsInCR {
            lineEnd -= 1
            completeLinesEnd = bufferOffset + Int64(end)
        }
        try body(line(from: lineStart, count: lineEnd - lineStart,
                      number: lineNumber, isTerminated: endsInCR, isOverlong: false))
        end = lineStart
    }

    /// The line at `buffer[start..<start + count]`, without a UTF-8 byte order mark
    /// that starts it: editors and Windows tools write one at the start of a file, and
    /// `cat` of such files leaves one at the start of a line, where it never means text.
    /// `offset` still names the line's first byte, the mark's.
    @inline(__always)
    private func line(from start: Int, count: Int, number: Int, isTerminated: Bool, isOverlong: Bool) -> Line {
        var from = start
        var length = count
        if length >= 3 && buffer[from] == 0xEF && buffer[from + 1] == 0xBB && buffer[from + 2] == 0xBF {
            from += 3
            length -= 3
        }
        return Line(bytes: UnsafeBufferPointer(start: buffer + from, count: length), number: number,
                    offset: bufferOffset + Int64(start), isTerminated: isTerminated, isOverlong: isOverlong)
    }
}
