#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Consecutive lines copied out of a ``LineReader``'s buffer, to be parsed on
/// another thread.
///
/// The reader stays the one place that decides where lines end (LF, CRLF, a
/// lone CR, over-long, unterminated): a block holds its verdicts, so a line
/// parsed from a block is the line a one-pass read would have parsed.
final class LineBlock {
    /// A line: where it starts in `bytes`, its length, and the reader's verdicts.
    struct Entry {
        var start: UInt32
        var count: UInt32
        var isTerminated: Bool
        var isOverlong: Bool
    }

    /// The longest line a block holds: `Entry` keeps offsets in 32 bits.
    static let maxLineLength = Int(Int32.max)

    /// Lines a block holds at most, whatever their length (blank lines cost an entry each).
    static let maxEntries = 1 << 16

    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var used = 0
    private(set) var entries: [Entry] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        self.bytes = .allocate(capacity: self.capacity)
        entries.reserveCapacity(min(Self.maxEntries, self.capacity / 128))
    }

    deinit { bytes.deallocate() }

    var isEmpty: Bool { entries.isEmpty }

    /// Copies `line` in. Returns false, copying nothing, when the block is full;
    /// an empty block takes any line, growing for one longer than its capacity.
    func append(_ line: Line) -> Bool {
        let count = line.bytes.count
        if used + count > capacity || entries.count >= Self.maxEntries {
            guard entries.isEmpty else { return false }
            bytes.deallocate()
            capacity = count
            bytes = .allocate(capacity: capacity)
        }
        if count > 0, let source = line.bytes.baseAddress { (bytes + used).update(from: source, count: count) }
        entries.append(Entry(start: UInt32(truncatingIfNeeded: used), count: UInt32(truncatingIfNeeded: count),
                             isTerminated: line.isTerminated, isOverlong: line.isOverlong))
        used += count
        return true
    }

    /// Feeds every line to `processor`, numbered from `firstNumber`.
    func process(with processor: LineProcessor, firstNumber: Int) {
        for (index, entry) in entries.enumerated() {
            processor.process(UnsafeBufferPointer(start: bytes + Int(entry.start), count: Int(entry.count)),
                              number: firstNumber + index, isTerminated: entry.isTerminated, isOverlong: entry.isOverlong)
        }
    }

    func reset() {
        used = 0
        lineBytes = nil
        entries.removeAll(keepingCapacity: true)
    }

    // MARK: - Raw blocks: bytes read as they come, split into lines by the worker

    /// The room left after the bytes read so far, for a source to read into.
    var freeSpace: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: bytes + used, count: capacity - used)
    }

    /// Takes `count` bytes a source read into ``freeSpace``.
    func didRead(_ count: Int) { used += count }

    /// Moves the bytes from `start` on to the start of `next` (which must be empty and
    /// have room), leaving this block with the bytes before `start`.
    func moveTail(from start: Int, to next: LineBlock) {
        let count = used - start
        precondition(next.used == 0 && count <= next.capacity, "the next block has no room for the tail")
        if count > 0 { next.bytes.update(from: bytes + start, count: count) }
        next.used = count
        used = start
    }

    /// A copy of the bytes read.
    var readBytes: [UInt8] { Array(UnsafeBufferPointer(start: bytes, count: used)) }

    /// Moves every byte read to the end of `other`'s bytes (which must have room); returns how many.
    func moveAll(to other: LineBlock) -> Int {
        let count = used
        precondition(other.used + count <= other.capacity, "no room for the bytes")
        if count > 0 { (other.bytes + other.used).update(from: bytes, count: count) }
        used = 0
        return count
    }

    /// Where the last line that ends in the bytes read so far ends (the index of its
    /// `\n`, or of a lone `\r`), if any: the bytes up to it split into the same lines
    /// as in one pass. A `\r` that is the last byte read is undecided (CRLF or lone CR).
    var lastLineEnd: Int? {
        var i = used - 1
        while i >= 0 {
            if bytes[i] == 0x0A || (bytes[i] == 0x0D && i < used - 1) { return i }
            i -= 1
        }
        return nil
    }

    /// Where the lines are in the bytes read: all of them, or the part ``readLines(of:from:to:margin:)`` chose.
    private(set) var lineBytes: Range<Int>?

    /// Calls `body` with each line of the bytes read (``didRead(_:)``, or the lines
    /// ``readLines(of:from:to:margin:)`` chose), as bytes of this block and where they
    /// start, split by a ``LineReader`` over them: bytes that end after a line end
    /// (``lastLineEnd``), or at the end of the input, hold the lines a one-pass read of
    /// the same bytes would give (lone CRs, over-long lines cut, an unterminated last line).
    func forEachLine(maxLineLength: Int, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        let range = lineBytes ?? 0..<used
        let reader = LineReader(memory: UnsafeBufferPointer(start: bytes + range.lowerBound, count: range.count),
                                maxLineLength: maxLineLength)
        // Reading memory cannot fail.
        _ = try? reader.forEachLine { line in
            body(line.bytes, range.lowerBound + Int(line.offset))
        }
    }

    /// Reads, with `pread` (so threads can read one file at once), the lines of `file`
    /// that start at a byte in `start..<end`, as one pass would split them: a line starts
    /// at 0 and after a `\n` or a lone `\r`. The bytes from `start − 1` to `end + margin`
    /// are read: with `margin` above the longest line kept, the line that starts before
    /// `end` and ends after it either ends in them or is over-long (then its first bytes
    /// are all one pass keeps of it). At the end of the file the last line may be
    /// unterminated. The block's capacity must be at least `end − start + margin + 1`.
    ///
    /// - Throws: the read's error, after keeping the lines read before it (the last one
    ///   unterminated), as ``LineReader`` does.
    func readLines(of file: FileDescriptorSource, from start: Int64, to end: Int64, margin: Int) throws {
        reset()
        lineBytes = 0..<0
        let first = max(0, start - 1)
        let wanted = min(capacity, Int(end - first) + margin)
        var failure: Error?
        while used < wanted {
            let n = file.readAt(first + Int64(used), into: UnsafeMutableRawBufferPointer(start: bytes + used, count: wanted - used))
            if n > 0 {
                used += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                failure = TriageError.readFailed(path: file.path, reason: String(cString: strerror(errno)))
                break
            }
        }
        // Offsets in the block of `start` and `end`.
        let low = Int(start - first), high = Int(end - first)
        func isLineStart(_ x: Int) -> Bool {
            if x == 0 && first == 0 { return true }
            let before = bytes[x - 1]
            return before == 0x0A || (before == 0x0D && bytes[x] != 0x0A)
        }
        // A line start at the last byte read is undecided only after a `\r`; before the end
        // of the file that cannot be the first start at or after `start` (the margin).
        var lineStart = low
        while lineStart < min(high, used), !isLineStart(lineStart) { lineStart += 1 }
        guard lineStart < min(high, used) else {
            if let failure { throw failure }
            return
        }
        var lineEnd = high
        while lineEnd < used, !isLineStart(lineEnd) { lineEnd += 1 }
        // None found: the end of the file, or of what was read before an error (the last
        // line is unterminated), or a line crossing `end` past the margin (over-long).
        if lineEnd >= used { lineEnd = used }
        lineBytes = lineStart..<lineEnd
        if let failure { throw failure }
    }
}


/// What a worker does with a block: parse its lines (``LineProcessor``) or read
/// what each line is (``AppLineBatch``). It belongs to one job at a time.
protocol BlockWork: AnyObject {
    func work(on block: LineBlock, firstNumber: Int)
}

extension LineProcessor: BlockWork {
    func work(on block: LineBlock, firstNumber: Int) { block.process(with: self, firstNumber: firstNumber) }
}

/// Hands blocks of lines to worker threads, each block with its own `Work`
/// (a parser and aggregator, or an application-log scanner), and gives the
/// finished ones back in input order, so that the caller takes them as
/// consecutive pieces of one pass.
///
/// Memory is bounded: the caller keeps at most `maxInFlight` blocks submitted
/// and not yet collected (``collect(waitingForOldest:)`` waits for the oldest),
/// plus the one it fills and those it has collected and not yet recycled.
///
/// `@unchecked Sendable`: a job's block and work belong to the submitting
/// thread until a worker takes the job, to that worker until it marks the job
/// done (under `mutex`), and to the collecting thread after.
final class BlockPipeline<Work: BlockWork>: @unchecked Sendable {
    private final class Job {
        let block: LineBlock
        let work: Work
        let firstNumber: Int
        var isDone = false
        init(block: LineBlock, work: Work, firstNumber: Int) {
            self.block = block
            self.work = work
            self.firstNumber = firstNumber
        }
    }

    /// A finished job: its block (recycle it with ``recycle(_:)`` once read) and its work.
    typealias Finished = (block: LineBlock, work: Work, firstNumber: Int)

    let blockSize: Int
    let maxInFlight: Int
    /// Jobs not yet taken by a worker, oldest first.
    private var waiting: [Job] = []
    private var waitingHead = 0
    /// Jobs submitted and not yet collected, in input order.
    private var submitted: [Job] = []
    private var submittedHead = 0
    private var spare: [LineBlock] = []
    private var isStopping = false
    /// No worker threads: jobs run as they are submitted.
    private let isInline: Bool
    private var threads: [pthread_t] = []
    private var mutex = pthread_mutex_t()
    private var workAvailable = pthread_cond_t()
    private var jobDone = pthread_cond_t()

    /// Starts `workers` threads. Returns nil when not even one thread could start.
    /// With `workers` 0, no thread: each job runs on the submitting thread as it is
    /// submitted (the fuzz targets compare blocks with one pass this way, without threads).
    init?(workers: Int, blockSize: Int) {
        self.blockSize = blockSize
        self.maxInFlight = workers + 1
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&workAvailable, nil)
        pthread_cond_init(&jobDone, nil)
        isInline = workers == 0
        if isInline { return }
        for _ in 0..<workers {
            // Each thread holds the pipeline until finish() stops it.
            if let thread = Parallel.start({ self.run() }) { threads.append(thread) }
        }
        if threads.isEmpty { return nil }
    }

    deinit {
        pthread_cond_destroy(&workAvailable)
        pthread_cond_destroy(&jobDone)
        pthread_mutex_destroy(&mutex)
    }

    /// An empty block to fill: a recycled one when there is one.
    func emptyBlock() -> LineBlock {
        pthread_mutex_lock(&mutex)
        let block = spare.popLast()
        pthread_mutex_unlock(&mutex)
        return block ?? LineBlock(capacity: blockSize)
    }

    /// Gives back a collected block, emptied, for ``emptyBlock()`` to hand out again.
    func recycle(_ block: LineBlock) {
        block.reset()
        guard block.capacity == blockSize else { return }
        pthread_mutex_lock(&mutex)
        spare.append(block)
        pthread_mutex_unlock(&mutex)
    }

    /// Queues `block` for a worker, to be given to `work` with lines numbered from `firstNumber`.
    func submit(_ block: LineBlock, work: Work, firstNumber: Int) {
        if isInline {
            work.work(on: block, firstNumber: firstNumber)
            let job = Job(block: block, work: work, firstNumber: firstNumber)
            job.isDone = true
            submitted.append(job)
            return
        }
        pthread_mutex_lock(&mutex)
        let job = Job(block: block, work: work, firstNumber: firstNumber)
        waiting.append(job)
        submitted.append(job)
        pthread_cond_signal(&workAvailable)
        pthread_mutex_unlock(&mutex)
    }

    /// Jobs submitted and not collected.
    var inFlight: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return submitted.count - submittedHead
    }

    /// The oldest jobs that are done, in input order, stopping at the first one
    /// still running. With `waitingForOldest`, waits until the oldest is done.
    func collect(waitingForOldest: Bool) -> [Finished] {
        var done: [Finished] = []
        pthread_mutex_lock(&mutex)
        if waitingForOldest {
            while submittedHead < submitted.count && !submitted[submittedHead].isDone {
                pthread_cond_wait(&jobDone, &mutex)
            }
        }
        while submittedHead < submitted.count && submitted[submittedHead].isDone {
            let job = submitted[submittedHead]
            submittedHead += 1
            done.append((job.block, job.work, job.firstNumber))
        }
        if submittedHead == submitted.count {
            submitted.removeAll(keepingCapacity: true)
            submittedHead = 0
        }
        pthread_mutex_unlock(&mutex)
        return done
    }

    /// Waits for every job, collects them in order, and stops the workers.
    func finish() -> [Finished] {
        var done: [Finished] = []
        while inFlight > 0 { done += collect(waitingForOldest: true) }
        pthread_mutex_lock(&mutex)
        isStopping = true
        pthread_cond_broadcast(&workAvailable)
        pthread_mutex_unlock(&mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads = []
        return done
    }

    private func run() {
        while true {
            pthread_mutex_lock(&mutex)
            while waitingHead == waiting.count && !isStopping { pthread_cond_wait(&workAvailable, &mutex) }
            if waitingHead == waiting.count {
                pthread_mutex_unlock(&mutex)
                return
            }
            let job = waiting[waitingHead]
            waitingHead += 1
            if waitingHead == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                waitingHead = 0
            }
            pthread_mutex_unlock(&mutex)

            job.work.work(on: job.block, firstNumber: job.firstNumber)

            pthread_mutex_lock(&mutex)
            job.isDone = true
            pthread_cond_broadcast(&jobDone)
            pthread_mutex_unlock(&mutex)
        }
    }
}
