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
        entries.removeAll(keepingCapacity: true)
    }
}

/// Parses blocks of lines on worker threads, each block with its own
/// ``LineProcessor`` and aggregator, and hands the processors back in input
/// order, so that the caller merges them as consecutive chunks of one pass.
///
/// Memory is bounded: the caller keeps at most `maxInFlight` blocks submitted
/// and not yet collected (``collect(waitingForOldest:)`` waits for the oldest),
/// plus the one it fills.
///
/// `@unchecked Sendable`: a job's block and processor belong to the submitting
/// thread until a worker takes the job, to that worker until it marks the job
/// done (under `mutex`), and to the collecting thread after.
final class BlockPipeline: @unchecked Sendable {
    private final class Job {
        let block: LineBlock
        let processor: LineProcessor
        let firstNumber: Int
        var isDone = false
        init(block: LineBlock, processor: LineProcessor, firstNumber: Int) {
            self.block = block
            self.processor = processor
            self.firstNumber = firstNumber
        }
    }

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
    private var threads: [pthread_t] = []
    private var mutex = pthread_mutex_t()
    private var workAvailable = pthread_cond_t()
    private var jobDone = pthread_cond_t()

    /// Starts `workers` threads. Returns nil when not even one thread could start.
    init?(workers: Int, blockSize: Int) {
        self.blockSize = blockSize
        self.maxInFlight = workers + 1
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&workAvailable, nil)
        pthread_cond_init(&jobDone, nil)
        for _ in 0..<max(1, workers) {
            // Each thread holds the pipeline until finish() stops it.
            if let thread = Parallel.start({ self.work() }) { threads.append(thread) }
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

    /// Queues `block` for a worker, to be parsed by `processor` with lines numbered from `firstNumber`.
    func submit(_ block: LineBlock, processor: LineProcessor, firstNumber: Int) {
        pthread_mutex_lock(&mutex)
        let job = Job(block: block, processor: processor, firstNumber: firstNumber)
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

    /// The processors of the oldest jobs that are done, in input order, stopping at
    /// the first one still running. With `waitingForOldest`, waits until the oldest is done.
    func collect(waitingForOldest: Bool) -> [LineProcessor] {
        var done: [LineProcessor] = []
        pthread_mutex_lock(&mutex)
        if waitingForOldest {
            while submittedHead < submitted.count && !submitted[submittedHead].isDone {
                pthread_cond_wait(&jobDone, &mutex)
            }
        }
        while submittedHead < submitted.count && submitted[submittedHead].isDone {
            let job = submitted[submittedHead]
            submittedHead += 1
            done.append(job.processor)
            job.block.reset()
            if job.block.capacity == blockSize { spare.append(job.block) }
        }
        if submittedHead == submitted.count {
            submitted.removeAll(keepingCapacity: true)
            submittedHead = 0
        }
        pthread_mutex_unlock(&mutex)
        return done
    }

    /// Waits for every job, collects them in order, and stops the workers.
    func finish() -> [LineProcessor] {
        var done: [LineProcessor] = []
        while inFlight > 0 { done += collect(waitingForOldest: true) }
        pthread_mutex_lock(&mutex)
        isStopping = true
        pthread_cond_broadcast(&workAvailable)
        pthread_mutex_unlock(&mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads = []
        return done
    }

    private func work() {
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

            job.block.process(with: job.processor, firstNumber: job.firstNumber)

            pthread_mutex_lock(&mutex)
            job.isDone = true
            pthread_cond_broadcast(&jobDone)
            pthread_mutex_unlock(&mutex)
        }
    }
}
