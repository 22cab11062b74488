/// Reads application logs and explains the access log's 5xx with their error events.
///
/// Runs after the access logs, so the ledger already knows every 5xx request
/// ID: events with other IDs are counted and dropped as soon as their first
/// line is read. An event explains a 5xx when its ID key matches and its time
/// is within `tolerance` of the 5xx's. A time without a zone is read in the
/// access log's zone; when that misses, a whole number of quarter hours (up to
/// 14 h) between the two clocks is allowed, since the writer may log in
/// another zone.
final class AppLogCorrelator {
    private let ledger: ServerErrorLedger
    private let scanner: AppLineScanner
    private let builder: SignatureBuilder
    private let tolerance: Int64
    private let logUTCOffset: Int64
    private let maxLineLength: Int
    private let idPattern: String?
    /// Threads that read lines (the first stage) while this one groups them; 0 or 1: one pass,
    /// unless `inlineBlocks`.
    private let workers: Int
    /// Blocks even without workers, each read on this thread as it is handed out: the fuzz
    /// target compares that with one pass, with no threads to slow it down.
    var inlineBlocks = false
    /// A scanner for a new batch (one per batch in flight, reused across blocks).
    var makeBatchScanner: () -> AppLineScanner? = { nil }
    private var usesBlocks: Bool { workers > 1 || inlineBlocks }
    private var pipelineWorkers: Int { inlineBlocks ? 0 : workers }
    private let blockSize: Int
    /// Whether the last ``read(_:path:into:progress:)`` handed blocks to worker threads.
    private(set) var lastReadUsedWorkers = false

    /// - Parameters:
    ///   - scanner, builder: compiled already (the fuzz target reuses them across inputs); by
    ///     default compiled here from `idPattern`.
    init(ledger: ServerErrorLedger, idPattern: String?, tolerance: Int64, logUTCOffset: Int, maxLineLength: Int,
         workers: Int = 0, blockSize: Int = 8 << 20, scanner: AppLineScanner? = nil, builder: SignatureBuilder? = nil) throws {
        self.ledger = ledger
        self.idPattern = idPattern
        self.workers = workers
        self.blockSize = max(1, blockSize)
        self.scanner = try scanner ?? AppLineScanner(idPattern: idPattern)
        self.builder = try builder ?? SignatureBuilder()
        self.tolerance = tolerance
        self.logUTCOffset = Int64(logUTCOffset)
        self.maxLineLength = maxLineLength
        makeBatchScanner = { try? AppLineScanner(idPattern: idPattern) }
    }

    /// Reads one application log (plain or gzip, `-` for standard input).
    ///
    /// - Parameter progress: called every ``Analyzer/progressInterval`` lines and at the end with
    ///   the file bytes read, the file's size when known, and the lines read.
    func read(path: String, engine: InflateEngine,
              progress: ((_ bytesRead: Int64, _ size: Int64?, _ lines: Int) -> Void)? = nil) -> (TriageSummary.AppLogInput, TriageError?) {
        var stats = TriageSummary.AppLogInput(path: path, isGzip: false, lines: 0, events: 0, errorEvents: 0,
                                              errorEventsWithRequestID: 0, matchedEvents: 0, timeMismatches: 0, error: nil)
        let input: OpenedInput
        switch InputOpener.openReportingErrors(path, engine: engine) {
        case .success(let opened): input = opened
        case .failure(let error):
            stats.error = error.description
            return (stats, error)
        }
        stats.isGzip = input.isGzip
        stats.path = input.displayPath
        let report = input.lineProgress(progress)
        // A plain file larger than a block is read by the workers themselves, each its part.
        var file: (FileDescriptorSource, Int64)?
        if !input.isGzip, let raw = input.raw as? FileDescriptorSource, let size = raw.regularFileSize, size > Int64(blockSize) {
            file = (raw, size)
        }
        let failure = read(input.source, file: file, path: input.displayPath, into: &stats, progress: report)
        report?(stats.lines)
        stats.error = failure?.description
        return (stats, failure)
    }

    /// Reads application-log lines from `source` (tests feed memory sources in many read sizes),
    /// or, given `file` (a regular file and its size, `source` reading it from the start), from
    /// `file` by worker threads, each reading its part of it.
    func read(_ source: ByteSource, file: (FileDescriptorSource, Int64)? = nil, path: String,
              into stats: inout TriageSummary.AppLogInput, progress: ((Int) -> Void)? = nil) -> TriageError? {
        var matched = 0
        var mismatched = 0
        startLog()
        let assembler = AppEventAssembler(path: path, scanner: scanner, wants: { [ledger] in ledger.contains($0) }) {
            [self] event in
            switch self.consider(event) {
            case .matched: matched += 1
            case .timeMismatch: mismatched += 1
            case .notAnError, .unknownID: break
            }
        }
        var failure: TriageError?
        let limitHitsBefore = scanner.idPatternLimitHits
        var limitHitsSeen = limitHitsBefore
        var blockLimitHits = 0
        var linesRead = 0

        func feedOne(_ p: UnsafeBufferPointer<UInt8>, number: Int) {
            // An overlong line is cut to its first bytes: enough for the time, level and ID.
            assembler.feed(p, number: number)
            // A search that gave up on PCRE2's match limit left the line without an ID:
            // counted, and the first such line named in the report.
            if scanner.idPatternLimitHits != limitHitsSeen {
                limitHitsSeen = scanner.idPatternLimitHits
                if stats.idPatternLimit == nil { stats.idPatternLimit = .init(lines: 0, firstLine: number) }
            }
        }

        // The log is read in blocks of bytes cut after a line end; worker threads split
        // them into lines and read each (the first stage) while this thread groups them
        // in order. A log that fits in one block is read here, in one pass.
        var remaining: ByteSource? = source
        lastReadUsedWorkers = false
        var readError: Error?
        if usesBlocks, maxLineLength < blockSize / 2, blockSize <= Int(UInt32.max) / 2, let (file, size) = file,
           let outcome = readFileBlocks(file, size: size, assembler: assembler, stats: &stats,
                                        blockLimitHits: &blockLimitHits, progress: progress) {
            readError = outcome
            remaining = nil
        } else if usesBlocks, maxLineLength < blockSize / 2, blockSize <= Int(UInt32.max) {
            let (left, error) = readBlocks(source, assembler: assembler, stats: &stats, linesRead: &linesRead,
                                           blockLimitHits: &blockLimitHits, progress: progress)
            readError = error
            remaining = left.map { error == nil ? PrefixedSource(prefix: $0.readBytes, base: source) as ByteSource : MemorySource($0.readBytes) }
        }
        // One pass: without workers, or over the bytes the blocks left (then the rest).
        if let rest = remaining {
            let reader = LineReader(source: rest, maxLineLength: maxLineLength, firstLineNumber: linesRead + 1)
            do {
                var untilProgress = Analyzer.progressInterval
                try reader.forEachLine { line in
                    untilProgress -= 1
                    if untilProgress == 0, let progress {
                        untilProgress = Analyzer.progressInterval
                        progress(line.number)
                    }
                    feedOne(line.bytes, number: line.number)
                }
            } catch {
                readError = error
            }
        }
        if let readError {
            failure = readError as? TriageError ?? .readFailed(path: path, reason: "\(readError)")
        }
        assembler.finish()
        stats.lines += assembler.lines
        stats.events += assembler.events
        stats.errorEvents += assembler.errorEvents
        stats.errorEventsWithRequestID += assembler.errorEventsWithID
        stats.matchedEvents += matched
        stats.timeMismatches += mismatched
        stats.zoneShiftSeconds = lockedShift.map(Int.init)
        if stats.idPatternLimit != nil {
            stats.idPatternLimit?.lines = scanner.idPatternLimitHits - limitHitsBefore + blockLimitHits
            stats.idPatternLimit?.pattern = scanner.userIDPattern
        }
        return failure
    }

    /// Hands blocks to workers (``AppLineBatch``) and groups the finished ones in order with
    /// `assembler`: what reading a file and reading a stream in blocks share.
    private final class BlockGrouping {
        let pipeline: BlockPipeline<AppLineBatch>
        private let assembler: AppEventAssembler
        private let makeBatch: () -> AppLineBatch?
        private let progress: ((Int) -> Void)?
        private var spare: [AppLineBatch] = []
        /// Lines grouped so far: the next block's first line is `lines + 1`.
        private(set) var lines = 0
        /// Lines whose ID search hit PCRE2's match limit, and the first of them.
        private(set) var limitHits = 0
        private(set) var firstLimitLine: Int?
        /// The read error a block ended with; blocks after it are dropped, as one pass stops there.
        private(set) var readError: Error?

        init?(workers: Int, blockSize: Int, assembler: AppEventAssembler, makeBatch: @escaping () -> AppLineBatch?,
              progress: ((Int) -> Void)?) {
            guard let pipeline = BlockPipeline<AppLineBatch>(workers: workers, blockSize: blockSize) else { return nil }
            self.pipeline = pipeline
            self.assembler = assembler
            self.makeBatch = makeBatch
            self.progress = progress
        }

        /// Hands `block` to a worker, with a batch `prepare` sets up; false, handing nothing,
        /// when no batch could be made.
        func submit(_ block: LineBlock, prepare: (AppLineBatch) -> Void = { _ in }) -> Bool {
            guard let batch = spare.popLast() ?? makeBatch() else { return false }
            prepare(batch)
            pipeline.submit(block, work: batch, firstNumber: 0)
            absorb(pipeline.collect(waitingForOldest: false))
            while pipeline.inFlight >= pipeline.maxInFlight { absorb(pipeline.collect(waitingForOldest: true)) }
            return true
        }

        /// Groups every block handed out, and stops the workers.
        func finish() { absorb(pipeline.finish()) }

        private func absorb(_ done: [BlockPipeline<AppLineBatch>.Finished]) {
            for (block, batch, _) in done {
                defer {
                    pipeline.recycle(block)
                    spare.append(batch)
                }
                guard readError == nil else { continue }
                batch.assemble(block, firstNumber: lines + 1, with: assembler)
                if batch.limitHits > 0 {
                    limitHits += batch.limitHits
                    if firstLimitLine == nil, let line = batch.firstLimitLine { firstLimitLine = lines + 1 + line }
                }
                lines += batch.lineCount
                if let range = batch.fileRange { range.file.noteRead(upTo: range.end) }
                progress?(lines)
                readError = batch.readError
            }
        }
    }

    private func makeGrouping(blockSize: Int, assembler: AppEventAssembler, progress: ((Int) -> Void)?) -> BlockGrouping? {
        BlockGrouping(workers: pipelineWorkers, blockSize: blockSize, assembler: assembler, makeBatch: { [self] in
            makeBatchScanner().map { AppLineBatch(scanner: $0, maxLineLength: maxLineLength) }
        }, progress: progress)
    }

    /// Adds what `grouping` counted of the match limit to `stats` and `blockLimitHits`.
    private func take(_ grouping: BlockGrouping, into stats: inout TriageSummary.AppLogInput, blockLimitHits: inout Int) {
        blockLimitHits += grouping.limitHits
        if stats.idPatternLimit == nil, let line = grouping.firstLimitLine { stats.idPatternLimit = .init(lines: 0, firstLine: line) }
    }

    /// Reads the regular file `file` (`size` bytes when opened: lines written after that are
    /// not read) in blocks: each worker reads the lines that start in its block with `pread`
    /// (``LineBlock/readLines(of:from:to:margin:)``) and scans them, and this thread groups
    /// the blocks in order. Returns nil, having read nothing, when no thread could start;
    /// else `.some(error)`: the read error that ended it (blocks after it are dropped, as
    /// one pass stops there), or `.some(nil)`.
    private func readFileBlocks(_ file: FileDescriptorSource, size: Int64, assembler: AppEventAssembler,
                                stats: inout TriageSummary.AppLogInput, blockLimitHits: inout Int,
                                progress: ((Int) -> Void)?) -> Error?? {
        let margin = maxLineLength + 16
        guard let grouping = makeGrouping(blockSize: blockSize + margin + 1, assembler: assembler, progress: progress) else {
            return nil
        }
        lastReadUsedWorkers = true
        var failure: Error?
        var start: Int64 = 0
        while start < size, grouping.readError == nil {
            let end = min(size, start + Int64(blockSize))
            guard grouping.submit(grouping.pipeline.emptyBlock(), prepare: { $0.fileRange = (file, start, end, margin) }) else {
                // The pattern compiled for this correlator; another copy failing is no input's fault.
                failure = TriageError.readFailed(path: file.path, reason: "could not prepare a thread to read it")
                break
            }
            start = end
        }
        grouping.finish()
        take(grouping, into: &stats, blockLimitHits: &blockLimitHits)
        return .some(grouping.readError ?? failure)
    }

    /// Reads `source` in blocks of bytes cut after their last line end, each split and
    /// read by a worker (``AppLineBatch``) and grouped here in order. Returns the bytes
    /// left for one pass (every block before them grouped): a first block that is the
    /// whole log (no thread is started for one block), or the bytes from a line longer
    /// than a block on (a full block with no line end), or those read when no thread
    /// could start; nil when the whole log was read. A read error ends the blocks and
    /// is returned: the bytes read before it are read as one pass would (the last line
    /// unterminated), by a worker or, left over, by the caller.
    private func readBlocks(_ source: ByteSource, assembler: AppEventAssembler,
                            stats: inout TriageSummary.AppLogInput, linesRead: inout Int, blockLimitHits: inout Int,
                            progress: ((Int) -> Void)?) -> (pending: LineBlock?, error: Error?) {
        var grouping: BlockGrouping?
        var block = LineBlock(capacity: blockSize)
        defer {
            if let grouping {
                linesRead = grouping.lines
                take(grouping, into: &stats, blockLimitHits: &blockLimitHits)
            }
        }
        /// Hands `current` to a worker, starting them at the first block; false, handing
        /// nothing, when no thread could start.
        func dispatch(_ current: LineBlock) -> Bool {
            if grouping == nil { grouping = makeGrouping(blockSize: blockSize, assembler: assembler, progress: progress) }
            guard let grouping, grouping.submit(current) else { return false }
            lastReadUsedWorkers = true
            return true
        }

        while true {
            let n: Int
            do {
                n = try source.read(into: block.freeSpace)
            } catch {
                if block.used > 0, grouping != nil, dispatch(block) {
                    grouping?.finish()
                    return (nil, error)
                }
                grouping?.finish()
                return (block.used > 0 ? block : nil, error)
            }
            if n == 0 { break }
            block.didRead(n)
            guard block.freeSpace.count == 0 else { continue }
            // Full: the bytes up to its last line end go to a worker, the rest starts the
            // next block. With no line end in it (a line longer than a block), one pass from here.
            guard let cut = block.lastLineEnd else {
                grouping?.finish()
                return (block, nil)
            }
            let next = grouping?.pipeline.emptyBlock() ?? LineBlock(capacity: blockSize)
            block.moveTail(from: cut + 1, to: next)
            guard dispatch(block) else {
                // No thread could start: put the tail back and read it all in one pass.
                block.didRead(next.moveAll(to: block))
                grouping?.finish()
                return (block, nil)
            }
            block = next
        }
        // The last block: a worker's when blocks went to workers, else one pass.
        if block.used > 0, grouping == nil || !dispatch(block) {
            grouping?.finish()
            return (block, nil)
        }
        grouping?.finish()
        return (nil, nil)
    }

    enum Outcome { case matched, timeMismatch, notAnError, unknownID }

    func consider(_ event: AppEvent) -> Outcome {
        guard let index = event.key.withUnsafeBufferPointer({ ledger.requests.find($0) }) else { return .unknownID }
        // An event of unknown level is an error only by its exception or stack; an error's
        // signature waits until its time has matched.
        var signature: ErrorSignature?
        if event.severity != .error {
            let candidate = builder.signature(of: event)
            guard candidate.hasException else { return .notAnError }
            signature = candidate
        }
        let entry = ledger.requests.values[index]
        if let time = event.time, let first = entry.first, let last = entry.last,
           !isNear(time, zoneless: event.timeIsZoneless, first: first, last: last) {
            return .timeMismatch
        }
        ledger.explain(index, with: signature ?? builder.signature(of: event), event: event)
        return .matched
    }

    /// Per application log: the whole quarter hours its zoneless clock is off from the
    /// access log's zone, voted by matching events and fixed once three agree.
    private var shiftVotes: [Int64: Int] = [:]
    private(set) var lockedShift: Int64?
    static let votesToLock = 3

    /// Forgets the clock shift: each application log may write in its own zone.
    func startLog() {
        shiftVotes = [:]
        lockedShift = nil
    }

    private func isNear(_ time: Int64, zoneless: Bool, first: Int64, last: Int64) -> Bool {
        let t = zoneless ? time - logUTCOffset : time
        let delta = t < first ? t - first : (t > last ? t - last : 0)
        guard zoneless else { return abs(delta) <= tolerance }
        if let lockedShift { return abs(delta - lockedShift) <= tolerance }
        let quarter: Int64 = 900
        var shift: Int64 = 0
        if abs(delta) > tolerance {
            shift = (delta + (delta >= 0 ? quarter / 2 : -quarter / 2)) / quarter * quarter
            guard abs(shift) <= 14 * 3600, abs(delta - shift) <= tolerance else { return false }
        }
        shiftVotes[shift, default: 0] += 1
        if shiftVotes[shift, default: 0] >= Self.votesToLock { lockedShift = shift }
        return true
    }
}
