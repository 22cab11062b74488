#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options for one analysis run.
public struct AnalysisOptions: Sendable {
    public enum FormatChoice: Sendable {
        /// Try the presets on each input's first lines.
        case automatic
        /// Use this format for every input (checked against the first lines).
        case fixed(LogFormat)
    }

    public var format: FormatChoice = .automatic
    /// Lines longer than this are counted as malformed, not split.
    public var maxLineLength = 64 * 1024
    /// Length of the top lists (routes, upstreams).
    public var top = 10
    public var limits = Aggregator.Limits()
    /// User rules naming routes (`--route-rule`), tried before the built-in normalisation.
    public var routeRules: [RouteRule] = []
    /// Deploys to compare before and after.
    public var deploys: [DeployMarker] = []
    /// Seconds on each side of a deploy that are compared.
    public var deployWindow: Int64 = 1800
    /// The reference for relative times (`now-10m`): wall-clock now unless set.
    public var now: Int64 = 0
    /// Only requests at or after `since` and before `until` are analysed.
    /// Relative forms (`2h`) count back from the newest line of the input
    /// unless `nowIsExplicit`.
    public var since: TimeSpec?
    public var until: TimeSpec?
    /// True when the user gave `--now`: relative filters count back from `now`.
    public var nowIsExplicit = false
    /// `--state`: resume each file where the last run stopped, and record where this one stops.
    public var statePath: String?
    /// How long to wait for another run that holds the state file's lock.
    public var stateLockWait: Double = 10
    /// The deflate engine for gzip inputs (ISA-L; zlib as the fallback).
    public var inflateEngine: InflateEngine = .isal
    /// Threads (0: one per core, at most 8; 1: one pass): for a large file (plain,
    /// gzip, CRI), one part each; for standard input and smaller inputs, workers that
    /// parse blocks of lines.
    public var threads = 0
    /// The zone of log times written without one (`--log-timezone`).
    public var logTimeZone: LogTimeZone = .utc
    /// Plain files at least this large are read in chunks by several threads.
    public var parallelThreshold: Int64 = 32 << 20
    /// Bytes of lines per block handed to a worker thread when an input is read as
    /// a stream (standard input, files under `parallelThreshold`) on
    /// several threads. The input's first block is parsed on the reading thread
    /// when it is also the last, so small inputs start no thread.
    public var blockSize = 8 << 20
    /// Leave a last line without `\n` unread: the file is still being written (`triage check`).
    public var leavesPartialLastLine = false
    /// Application logs whose error events explain the 5xx by request ID (`--app-log`).
    public var appLogs: [String] = []
    /// `--app-id-pattern`: a PCRE2 pattern with a group `id`, for text app logs the built-in forms miss.
    public var appIDPattern: String?
    /// How far (seconds) an application event's time may be from its 5xx's.
    public var appTimeTolerance: Int64 = 300
    /// Times a record may carry; a line dated outside is malformed ("implausible
    /// time"). Nil: ``defaultPlausibleTimes(now:)`` at the start of the run.
    public var plausibleTimes: ClosedRange<Int64>?
    /// Server error logs (nginx, Apache) whose lines say why requests failed (`--error-log`).
    public var errorLogs: [String] = []
    /// How far (seconds) an error-log line's time may be from its request's access-log time.
    public var errorTimeTolerance: Int64 = 2
    /// The zone of the error logs' clock (`--error-log-timezone`); nil: the access log's own
    /// offset, as nginx and Apache write both in the server's zone.
    public var errorLogTimeZone: LogTimeZone?
    /// Error-log lines with a cause kept for joining (64 bytes each); the rest are counted as untracked.
    public var errorLogLimit = 500_000
    /// Recognise error logs among the inputs (an input whose first lines are error-log lines).
    public var detectsErrorLogs = true
    /// Keep the per-second series a partial carries, so that deploys can be given at merge time
    /// (`--format partial`; see ``Aggregator/recordsSeconds``).
    public var recordsSecondSeries = false
    /// Decode with every format's reference path instead of its fast paths
    /// (``LogFormat/useReferenceDecoding()``): equivalence tests compare the two.
    public var referenceDecoding = false

    public init() {}

    /// 1990-01-01T00:00:00Z: no HTTP server wrote an access log before it.
    public static let earliestPlausibleTime: Int64 = 631_152_000
    /// How far past the clock a log line may be dated (clock skew, a zone written wrong).
    public static let futureTolerance: Int64 = 2 * 86_400

    /// From 1990-01-01 to two days after the later of the machine's clock and `now` (`--now`).
    public static func defaultPlausibleTimes(now: Int64) -> ClosedRange<Int64> {
        let clock = Int64(time(nil))
        return earliestPlausibleTime...(max(clock, now) + futureTolerance)
    }
}

/// Where a run is, for a progress display.
public struct Progress: Sendable {
    public var path: String
    /// Bytes read from the file so far (compressed bytes for gzip) and its size, when known.
    public var fileBytesRead: Int64
    public var fileSize: Int64?
    /// Lines read so far in this input.
    public var lines: Int
    /// 1-based position of this input among all inputs.
    public var inputIndex: Int
    public var inputCount: Int
}

/// What a run produced: the summary, and the inputs that could not be read whole.
public struct AnalysisOutcome: Sendable {
    public var summary: TriageSummary
    /// Input damage and unreadable inputs; the summary covers everything before them.
    public var errors: [TriageError]
    /// Problems that do not make the report wrong but that the user should hear of
    /// once, on standard error (a request-ID pattern hitting PCRE2's match limit).
    public var warnings: [String] = []
}

/// Runs the pipeline: inputs → lines → records → classification → aggregates.
///
/// Inputs are read oldest first (``RotatedSet``), each one streamed through a
/// ``LineReader``. The format is checked or detected on each input's first
/// lines before the rest is read. A line that does not parse is counted with
/// its file, number and reason; it never stops the run.
public final class Analyzer {
    public let options: AnalysisOptions
    private let aggregator: Aggregator
    private var inputs: [TriageSummary.Input] = []
    /// Inputs that could not be read whole, so far.
    public private(set) var errors: [TriageError] = []
    private var malformedExamples: [TriageSummary.MalformedExample] = []
    private var malformedReasons: [String: Int] = [:]
    private var malformedTotal = 0
    private var otherTotal = 0
    private var otherReasons: [String: TriageSummary.OtherLines] = [:]
    private var linesTotal = 0
    /// Remarks about the inputs for the report (rotation seen by --state, …).
    private var notes: [String] = []
    /// What relative --since/--until count back from.
    private var timeReference: Int64 = 0
    private var appLogInputs: [TriageSummary.AppLogInput] = []
    /// See ``AnalysisOutcome/warnings``.
    public private(set) var warnings: [String] = []
    /// Record times outside are malformed (``AnalysisOptions/plausibleTimes``).
    let plausibleTimes: ClosedRange<Int64>
    private var errorLogInputs: [TriageSummary.ErrorLogInput] = []
    /// Inputs that interleave error-log and access-log lines: their error lines are counted, not malformed.
    private var interleavedPaths: Set<String> = []
    /// The candidate chosen for each input: each thread makes its own decoder from it.
    private var candidates: [String: FormatCandidate] = [:]
    /// The hosts of the partials merged into this analyzer (empty for a run over logs).
    private var hosts: [TriageSummary.Host] = []

    /// Called every ``progressInterval`` lines and at the end of each input; keep it cheap.
    public var onProgress: ((Progress) -> Void)?
    public static let progressInterval = 1 << 16
    /// Over-long lines kept whole (their excerpt) while the format is not yet chosen; later ones are counted.
    static let sampleOverlongKept = 64
    /// How far past a first window that fits no format the next windows are tried: text
    /// lines and their bytes, all held until a format is chosen.
    static let probeLines = 4_096
    static let probeBytes = 8 << 20
    /// Called with one sentence for each choice the run makes (`--verbose`).
    public var onExplain: ((String) -> Void)?
    private var inputIndex = 0
    private var inputCount = 0

    public convenience init(options: AnalysisOptions = AnalysisOptions()) {
        var limits = options.limits
        // Without application logs nothing is looked up by request ID: keep no table of them.
        if options.appLogs.isEmpty { limits.failedRequests = 0 }
        self.init(options: options, aggregator: Aggregator(limits: limits, routeRules: options.routeRules,
                                                           deploys: options.deploys,
                                                           deployWindow: options.deployWindow, now: options.now))
    }

    /// An analyzer counting into `aggregator` (``merge(partials:options:)`` gives one built from a partial).
    init(options: AnalysisOptions, aggregator: Aggregator) {
        self.options = options
        self.plausibleTimes = options.plausibleTimes ?? AnalysisOptions.defaultPlausibleTimes(now: options.now)
        self.aggregator = aggregator
        if options.recordsSecondSeries { aggregator.recordsSeconds = true }
    }

    /// Analyses `paths` (`-` is standard input) and returns the outcome.
    public func run(paths given: [String]) -> AnalysisOutcome {
        // A directory, given as an input or with --error-log or --app-log, is its files.
        let (paths, directoryNotes) = LogDirectory.expanding(given)
        let (errorLogFiles, errorLogNotes) = LogDirectory.expanding(options.errorLogs)
        let (appLogFiles, appLogNotes) = LogDirectory.expanding(options.appLogs)
        notes += directoryNotes + errorLogNotes + appLogNotes
        var ordered = RotatedSet.oldestFirst(paths)
        // An input also given with --error-log is read once, as the error log it is.
        ordered.removeAll { errorLogFiles.contains($0) }
        let (detected, interleaved) = options.detectsErrorLogs ? detectErrorLogs(ordered) : ([], [])
        ordered.removeAll { detected.contains($0) }
        interleavedPaths = Set(interleaved)
        let errorLogPaths = RotatedSet.oldestFirst(errorLogFiles)
        inputCount = ordered.count + appLogFiles.count + errorLogPaths.count + detected.count
        if !errorLogPaths.isEmpty || !detected.isEmpty || !interleaved.isEmpty {
            readErrorLogs(given: errorLogPaths, detected: RotatedSet.oldestFirst(detected), interleaved: interleaved)
        }
        if ordered != paths {
            onExplain?("reading order (rotated sets oldest first): \(ordered.joined(separator: ", "))")
        }
        if (options.since?.isRelative ?? false) || (options.until?.isRelative ?? false) {
            if options.nowIsExplicit {
                timeReference = options.now
            } else if let newest = newestTime(ordered) {
                timeReference = newest
            } else {
                errors.append(.noTimeReference("a relative --since/--until counts back from the newest line, and no timed line could be read: give --now"))
                return AnalysisOutcome(summary: finish(), errors: errors, warnings: warnings)
            }
        }
        var state: CronState?
        var nextState = CronState()
        // Held until the new state is saved: an overlapping run waits, then refuses.
        var lock: CronStateLock?
        if let statePath = options.statePath {
            do {
                lock = try CronStateLock.acquire(statePath: statePath, waitSeconds: options.stateLockWait)
            } catch let error as TriageError {
                errors.append(error)
                return AnalysisOutcome(summary: finish(), errors: errors, warnings: warnings)
            } catch {
                errors.append(.state(path: statePath, reason: "\(error)"))
                return AnalysisOutcome(summary: finish(), errors: errors, warnings: warnings)
            }
            do {
                state = try CronState.load(path: statePath) ?? CronState()
            } catch {
                switch error {
                case let .foreign(reason), let .unsupported(reason):
                    errors.append(.state(path: statePath, reason: reason))
                    return AnalysisOutcome(summary: finish(), errors: errors)
                case let .corrupt(reason):
                    // Never silently reset: say so (exit 2), keep the damaged file for inspection, start over.
                    let aside = CronState.setAside(path: statePath, now: options.now)
                    guard let aside else {
                        errors.append(.state(path: statePath, reason: "\(reason); it could not be set aside, so it is left as it is and nothing was read"))
                        return AnalysisOutcome(summary: finish(), errors: errors)
                    }
                    errors.append(.state(path: statePath, reason: "\(reason); set aside as \(aside), and this run read every input from its start (lines counted by earlier runs are counted again)"))
                    state = CronState()
                }
            }
        }
        var claimed = Set<Int>()
        for path in ordered {
            inputIndex += 1
            do {
                if let state {
                    if let entry = try analyzeResuming(path, state: state, claimed: &claimed, readThisRun: nextState.entries) {
                        nextState.entries.append(entry)
                    }
                } else if !analyzeInChunks(path) {
                    analyze(try InputOpener.open(path, engine: options.inflateEngine),
                            leavesPartialLastLine: options.leavesPartialLastLine)
                }
            } catch let error as TriageError {
                errors.append(error)
                inputs.append(.init(path: path, format: "-", formatSource: "not read", isGzip: false, lines: 0,
                                    records: 0, malformed: 0, blank: 0, skipped: 0, outsideTimeRange: 0, error: error.description,
                                    hasUpstreamFields: false, hasRequestID: false))
            } catch {
                errors.append(.readFailed(path: path, reason: "\(error)"))
            }
        }
        if !appLogFiles.isEmpty { correlate(appLogFiles) }
        if let statePath = options.statePath, let state {
            // Keep positions of files not read this run while they still exist unchanged in place.
            for (index, old) in state.entries.enumerated() where !claimed.contains(index) {
                if let status = (try? FileDescriptorSource.open(old.path))?.status(),
                   status.inode == old.inode, status.device == old.device,
                   !nextState.entries.contains(where: { $0.inode == old.inode && $0.device == old.device }) {
                    nextState.entries.append(old)
                }
            }
            do { try nextState.save(path: statePath) } catch let error as TriageError { errors.append(error) } catch {}
        }
        withExtendedLifetime(lock) {}
        return AnalysisOutcome(summary: finish(), errors: errors, warnings: warnings)
    }

    /// Opens `path` and reads it from where `state` says the last run stopped.
    /// Returns the entry that records where this run stopped (nil for an empty
    /// file, or a copy of another input of this run).
    private func analyzeResuming(_ path: String, state: CronState, claimed: inout Set<Int>,
                                 readThisRun: [CronState.Entry]) throws -> CronState.Entry? {
        let file = try FileDescriptorSource.open(path)
        var magic = [UInt8](repeating: 0, count: 2)
        let n = magic.withUnsafeMutableBytes { file.readAt(0, into: $0) }
        let isGzip = n == 2 && InputOpener.isGzipMagic(magic)
        guard let status = file.status() else { return nil }
        let fingerprint = ContentFingerprint.read(file, isGzip: isGzip, engine: options.inflateEngine)
        let observed = CronState.Observed(path: path, fingerprint: fingerprint, device: status.device, inode: status.inode,
                                          size: status.size, isGzip: isGzip)
        let (start, note) = state.start(for: observed, claimed: &claimed, readThisRun: readThisRun)
        if let note { notes.append(note) }
        var entry = CronState.Entry(path: path, device: status.device, inode: status.inode, size: status.size, offset: 0,
                                    lines: 0, head: fingerprint.hash(length: fingerprint.head.count) ?? "0",
                                    headLength: fingerprint.head.count, isGzip: isGzip)
        func unread(_ reason: String) {
            inputs.append(.init(path: path, format: "-", formatSource: reason, isGzip: isGzip,
                                lines: 0, records: 0, malformed: 0, blank: 0, skipped: 0, error: nil,
                                hasUpstreamFields: false, hasRequestID: false))
        }
        switch start {
        case .skip:
            let previous = state.entries.first { $0.device == status.device && $0.inode == status.inode }
                ?? state.entries.first { fingerprint.matches($0.head, length: $0.headLength) }
            entry.offset = previous?.offset ?? 0
            entry.lines = previous?.lines ?? 0
            unread("unchanged since the last run")
        case let .duplicate(of: twin):
            unread("same content as \(twin)")
            return nil
        case let .resume(offset, line) where !isGzip:
            guard file.seek(to: offset) else { throw TriageError.readFailed(path: path, reason: "cannot seek to \(offset)") }
            let input = OpenedInput(source: file, raw: file, isGzip: false, displayPath: path, fileSize: file.regularFileSize)
            let end = analyze(input, startOffset: offset, firstLineNumber: line, leavesPartialLastLine: true)
            entry.offset = end.offset
            entry.lines = end.lastLine
        case let .resume(offset, line):
            // A file compressed since it was read: skip the decompressed bytes already read.
            let input = try InputOpener.wrap(source: file, displayPath: path, engine: options.inflateEngine)
            let skipped = try Self.discard(offset, from: input.source)
            guard skipped == offset else {
                notes.append("\(path): shorter than when it was last read (\(skipped) of \(offset) bytes); nothing more read")
                entry.offset = skipped
                entry.lines = line - 1
                unread("shorter than at the last run")
                return entry
            }
            let end = analyze(input, startOffset: offset, firstLineNumber: line, leavesPartialLastLine: false)
            entry.offset = end.offset
            entry.lines = end.lastLine
        case .beginning:
            let input = try InputOpener.wrap(source: file, displayPath: path, engine: options.inflateEngine)
            let end = analyze(input, leavesPartialLastLine: !isGzip)
            // An empty file has no content to know it by: the next run reads it from its start anyway.
            if fingerprint.head.isEmpty { return nil }
            entry.offset = end.offset
            entry.lines = end.lastLine
        }
        return entry
    }

    /// Reads and drops `count` bytes of `source`; returns how many there were.
    private static func discard(_ count: Int64, from source: ByteSource) throws -> Int64 {
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var done: Int64 = 0
        while done < count {
            let want = Int(min(Int64(scratch.count), count - done))
            let n = try scratch.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<want])) }
            if n == 0 { break }
            done += Int64(n)
        }
        return done
    }

    /// Analyses one opened input.
    ///
    /// - Parameters:
    ///   - startOffset, firstLineNumber: where the input starts when resuming a file.
    ///   - leavesPartialLastLine: leave a last line without `\n` unread (a file still
    ///     being written, resumed by the next run).
    /// - Returns: the offset after the last complete line and the last line's number.
    @discardableResult
    public func analyze(_ input: OpenedInput, startOffset: Int64 = 0, firstLineNumber: Int = 1,
                        leavesPartialLastLine: Bool = false) -> (offset: Int64, lastLine: Int) {
        let path = input.displayPath
        var stats = TriageSummary.Input(path: path, format: "-", formatSource: "", isGzip: input.isGzip, lines: 0,
                                        records: 0, malformed: 0, blank: 0, skipped: 0, outsideTimeRange: 0, error: nil,
                                        hasUpstreamFields: false, hasRequestID: false)
        let reader = LineReader(source: input.source, maxLineLength: options.maxLineLength,
                                startOffset: startOffset, firstLineNumber: firstLineNumber)
        reader.deliversUnterminatedLine = !leavesPartialLastLine
        var lastLine = firstLineNumber - 1
        // The first lines, held until the format is chosen. Blank lines are only
        // counted and an over-long line keeps only the start its excerpt needs, so
        // a sample of a million blank or 64 KiB lines stays small; only lines with
        // text count towards the sample size (over-long ones cannot be matched).
        var sample: [(bytes: [UInt8], number: Int, isTerminated: Bool, isOverlong: Bool)] = []
        var sampleLines = 0
        var sampleBlank = 0
        var sampleText = 0
        var sampleOverlongUnkept = 0
        var sampleBytes = 0
        // When the first lines fit no format (a program's start-up messages before the
        // first request), the next lines are tried, a window at a time, up to a bound.
        var nextProbe = FormatDetector.sampleSize
        var firstRefusal: TriageError?
        var processor: LineProcessor?
        var rejected = false
        var skippedLines = 0
        var skippedBlank = 0
        // Once the format is chosen, lines are copied into blocks that worker threads
        // parse, each block with its own processor, merged back in input order.
        let workers = streamWorkers
        var pipeline: BlockPipeline<LineProcessor>?
        var block: LineBlock?
        var blockFirstNumber = 0
        var blockProcessors: [LineProcessor] = []

        func absorb(_ done: [BlockPipeline<LineProcessor>.Finished]) {
            for (block, p, _) in done {
                pipeline?.recycle(block)
                aggregator.merge(p.aggregator)
                p.handOver(to: aggregator)
                blockProcessors.append(p)
            }
        }

        /// Hands the full `current` block to a worker (starting them at the first).
        func dispatch(_ current: LineBlock) {
            guard let first = processor else { return }
            if pipeline == nil {
                pipeline = BlockPipeline(workers: workers, blockSize: options.blockSize)
                if pipeline != nil {
                    onExplain?("\(path): read as a stream, its lines parsed by \(workers) threads in blocks of "
                               + (options.blockSize >= 1 << 20 ? "\(options.blockSize >> 20) MiB" : "\(options.blockSize) bytes"))
                }
            }
            guard let pipeline else {
                // No thread could start: one pass, as without workers.
                current.process(with: first, firstNumber: blockFirstNumber)
                current.reset()
                block = nil
                return
            }
            // Lines are numbered within the block; add(_:to:) makes them absolute.
            let p = LineProcessor(parser: candidates[path]?.makeDecoder() ?? first.parser.format.makeDecoder(),
                                  aggregator: aggregator.makeSibling(), path: path, options: options,
                                  timeReference: timeReference, plausibleTimes: plausibleTimes)
            pipeline.submit(current, work: p, firstNumber: firstLineNumber)
            absorb(pipeline.collect(waitingForOldest: false))
            while pipeline.inFlight >= pipeline.maxInFlight { absorb(pipeline.collect(waitingForOldest: true)) }
            block = pipeline.emptyBlock()
        }

        func startBlocks(_ p: LineProcessor) {
            let format = p.parser.format
            // Lines that depend on the lines before them stay in one pass: CRI pieces
            // joined across lines, error-log entries continued on the next lines, and
            // a time range resolved from the first zoneless time's offset.
            guard workers > 1, options.maxLineLength < LineBlock.maxLineLength, format.envelope != .cri, !p.countsErrorLogLines,
                  !(format.hasZonelessTime && (options.since != nil || options.until != nil)) else { return }
            block = LineBlock(capacity: options.blockSize)
        }

        func makeProcessor(_ parser: LineDecoder) -> LineProcessor {
            let p = LineProcessor(parser: parser, aggregator: aggregator, path: path, options: options,
                                  timeReference: timeReference, plausibleTimes: plausibleTimes)
            p.countsErrorLogLines = interleavedPaths.contains(path)
            for entry in sample {
                entry.bytes.withUnsafeBufferPointer {
                    p.process($0, number: entry.number, isTerminated: entry.isTerminated, isOverlong: entry.isOverlong)
                }
            }
            p.countBlank(sampleBlank)
            p.countOverlong(sampleOverlongUnkept)
            return p
        }

        /// Chooses the format from the sample (its last window of text lines once the first
        /// fitted none); with `final` false, a failure waits for the next window while the
        /// probe's bounds allow.
        func decide(final: Bool) {
            let overlong = sample.filter(\.isOverlong).count + sampleOverlongUnkept
            if sampleText == 0 && overlong > 0 {
                // Every line with text is over the cap: nothing can be matched, so no
                // format can be chosen. The lines are malformed, and the input is an error.
                let parser: LineDecoder
                if case let .fixed(format) = options.format { parser = format.makeDecoder() } else {
                    parser = LogFormat.presets[0].makeDecoder()
                }
                processor = makeProcessor(parser)
                stats.formatSource = "none: every line is over \(options.maxLineLength) bytes"
                errors.append(.onlyOverlongLines(path: path, lines: overlong, limit: options.maxLineLength))
                stats.error = errors.last?.description
            } else if case let window = sample.filter({ !$0.isOverlong }).suffix(FormatDetector.sampleSize),
                      let parser = chooseParser(window.map(\.bytes), path: path, stats: &stats) {
                if firstRefusal != nil, let from = window.first?.number {
                    stats.formatSource = stats.formatSource.replacingOccurrences(of: "first lines match", with: "lines from line \(from) match")
                        + "; the lines before fit no format (start-up messages?)"
                }
                processor = makeProcessor(parser)
            } else if !final, case .automatic = options.format, let refusal = errors.last, case .noFormatFits = refusal,
                      sampleText < Self.probeLines, sampleBytes < Self.probeBytes {
                // Wait for the next window; the first window's refusal is the one to report.
                errors.removeLast()
                if firstRefusal == nil { firstRefusal = refusal }
                nextProbe = sampleText + FormatDetector.sampleSize
                return
            } else {
                if let firstRefusal, let last = errors.last, case .noFormatFits = last {
                    errors[errors.count - 1] = firstRefusal
                }
                rejected = true
                skippedLines = sampleLines
                skippedBlank = sampleBlank
            }
            sample = []
            if let processor { startBlocks(processor) }
        }

        do {
            var untilProgress = Self.progressInterval
            func reportProgress() {
                onProgress?(Progress(path: path, fileBytesRead: input.raw.consumedBytes, fileSize: input.fileSize,
                                     lines: lastLine - firstLineNumber + 1, inputIndex: inputIndex, inputCount: inputCount))
            }
            defer { reportProgress() }
            try reader.forEachLine { line in
                lastLine = line.number
                untilProgress -= 1
                if untilProgress == 0 {
                    untilProgress = Self.progressInterval
                    reportProgress()
                }
                if let processor {
                    if let current = block {
                        if current.isEmpty { blockFirstNumber = line.number }
                        if !current.append(line) {
                            dispatch(current)
                            blockFirstNumber = line.number
                            if let next = block { _ = next.append(line) } else {
                                processor.process(line.bytes, number: line.number, isTerminated: line.isTerminated,
                                                  isOverlong: line.isOverlong)
                            }
                        }
                    } else {
                        processor.process(line.bytes, number: line.number, isTerminated: line.isTerminated,
                                          isOverlong: line.isOverlong)
                    }
                    return
                }
                if rejected {
                    skippedLines += 1
                    if line.bytes.isEmpty && !line.isOverlong { skippedBlank += 1 }
                    return
                }
                sampleLines += 1
                if line.isOverlong {
                    if sample.count < Self.sampleOverlongKept {
                        sample.append((Array(line.bytes.prefix(LineProcessor.excerptLength + 1)), line.number,
                                       line.isTerminated, true))
                    } else {
                        sampleOverlongUnkept += 1
                    }
                } else if line.bytes.isEmpty {
                    sampleBlank += 1
                } else {
                    sample.append((Array(line.bytes), line.number, line.isTerminated, false))
                    sampleText += 1
                    sampleBytes += line.bytes.count
                    if sampleText >= nextProbe { decide(final: false) }
                }
            }
            if processor == nil && !rejected { decide(final: true) }
        } catch let error as TriageError {
            if processor == nil && !rejected { decide(final: true) }
            errors.append(error)
            stats.error = error.description
        } catch {
            stats.error = "\(error)"
            errors.append(.readFailed(path: path, reason: "\(error)"))
        }
        if let processor {
            if let current = block, !current.isEmpty {
                // The last block: a worker's when blocks went to workers, else this thread's
                // (an input of one block starts no thread).
                if pipeline != nil { dispatch(current) } else { current.process(with: processor, firstNumber: blockFirstNumber) }
            }
            if let pipeline { absorb(pipeline.finish()) }
            add([processor] + blockProcessors, to: &stats)
        } else {
            stats.lines = skippedLines
            stats.blank = skippedBlank
            stats.skipped = skippedLines - skippedBlank
            if stats.error == nil && stats.formatSource != "empty input" { noteRejection(&stats) }
        }
        if reader.carriageReturnLines > 0 {
            notes.append("\(path): \(reader.carriageReturnLines) lines end in a lone carriage return (CR, as classic Mac OS wrote them); each was read as a line of its own.")
        }
        linesTotal += stats.lines
        inputs.append(stats)
        return (reader.completeLinesEnd, lastLine)
    }

    /// Chooses the parser for an input from its first lines (detection, or the
    /// dry run of a given format); records the choice in `stats`, or the error.
    private func chooseParser(_ lines: [[UInt8]], path: String, stats: inout TriageSummary.Input) -> LineDecoder? {
        if lines.allSatisfy(\.isEmpty) {
            stats.formatSource = "empty input"
            return nil
        }
        let parser: LineDecoder
        do {
            var result: FormatDetector.Result
            switch options.format {
            case .automatic:
                result = try FormatDetector.detect(lines, path: path)
                result.format.logTimeZone = options.logTimeZone
                stats.formatSource = "detected (\(result.matched) of \(result.sampled) first lines match)"
                if !result.reason.isEmpty { onExplain?("\(path): chose '\(result.format.name)': \(result.reason)") }
            case let .fixed(format):
                // The dry run: a format that matches none of the first lines is a usage
                // mistake, reported with the field that failed rather than as N malformed lines.
                // One matching line is enough: the others are counted as other lines.
                result = try FormatDetector.detect(lines, candidates: [format], path: path, isGiven: true)
                result.format.logTimeZone = options.logTimeZone
                stats.formatSource = "given (\(result.matched) of \(result.sampled) first lines match)"
            }
            if options.referenceDecoding { result.format.useReferenceDecoding() }
            parser = result.candidate.makeDecoder()
            candidates[path] = result.candidate
            noteTail(result, stats: &stats, path: path)
        } catch let error as TriageError {
            if case let .fixed(format) = options.format, case let .noFormatFits(p, explanation) = error {
                errors.append(.givenFormatDoesNotFit(path: p, format: format.name, explanation: explanation))
            } else {
                errors.append(error)
            }
            return nil
        } catch {
            return nil
        }
        explain(parser.format, stats: stats, path: path)
        if parser.format.envelope != .none { stats.formatSource += "; lines in a \(parser.format.envelope.description) envelope" }
        if parser.format.linePrefix != .none { stats.formatSource += "; behind a \(parser.format.linePrefix.description)" }
        if parser.format.timeFromEnvelope {
            stats.formatSource += "; times from the envelope"
            if parser.format.envelope == .syslog {
                stats.formatSource += " (an RFC 3164 time, without year or zone, is read in \(parser.format.logTimeZone.name), in the latest year not after today)"
            }
        }
        if parser.format.hasZonelessTime {
            stats.formatSource += "; times without a zone read as \(parser.format.logTimeZone.name) (--log-timezone)"
        }
        stats.format = parser.format.name
        stats.hasUpstreamFields = parser.format.hasUpstreamFields
        stats.hasRequestID = parser.format.hasRequestID
        stats.servers = parser.format.servers
        return parser
    }

    /// Says what was read after a preset's last field, and what was not.
    private func noteTail(_ result: FormatDetector.Result, stats: inout TriageSummary.Input, path: String) {
        guard let tail = result.tail else { return }
        if result.format.name == LayoutInference.formatName {
            let spelled = result.format.specification
            stats.formatSource += "; no preset fits, the layout read from the lines is --log-format '\(LogText.sanitize(spelled))'"
            onExplain?("\(path): fields read as: \(tail.summary)")
            if !tail.unknown.isEmpty {
                let fields = tail.unknown.map { "\($0.name) (e.g. '\($0.example)')" }.joined(separator: ", ")
                stats.unreadFields = "\(tail.unknown.count) field\(tail.unknown.count == 1 ? "" : "s") of each line not understood: \(fields)"
            }
        } else if tail.format != nil, result.format.name.hasSuffix("+tail") {
            onExplain?("\(path): fields after the preset read as: \(tail.summary)")
            onExplain?("\(path): the same as --log-format '\(LogText.sanitize(result.format.specification))'")
            if !tail.unknown.isEmpty {
                let fields = tail.unknown.map { "\($0.name) (e.g. '\($0.example)')" }.joined(separator: ", ")
                stats.unreadFields = "\(tail.unknown.count) field\(tail.unknown.count == 1 ? "" : "s") at the end of each line not understood: \(fields)"
                stats.suggestedLogFormat = tail.suggestion.map(LogText.sanitize)
            }
        } else {
            stats.suggestedLogFormat = tail.suggestion.map(LogText.sanitize)
        }
    }

    private func noteRejection(_ stats: inout TriageSummary.Input) {
        guard let last = errors.last else { return }
        switch last {
        case .noFormatFits:
            stats.error = "no known format fits; input skipped"
            stats.formatSource = "none fits"
        case .givenFormatDoesNotFit:
            stats.error = "the given format fits none of the first lines; input skipped"
            stats.formatSource = "given, does not fit"
        default:
            break
        }
    }

    /// Adds the counts of processors that read consecutive chunks of one input.
    /// Their malformed-line numbers are made absolute by the lines before each chunk.
    private func add(_ processors: [LineProcessor], to stats: inout TriageSummary.Input) {
        var linesBefore = 0
        var limitLines = 0, limitFirstLine: Int?, limitHits: [Int] = []
        for (index, p) in processors.enumerated() {
            if p.routeRuleLimitLines > 0 {
                limitLines += p.routeRuleLimitLines
                if limitFirstLine == nil, let first = p.routeRuleLimitFirstLine { limitFirstLine = first + (index > 0 ? linesBefore : 0) }
                limitHits = limitHits.isEmpty ? p.routeRuleLimitHits : zip(limitHits, p.routeRuleLimitHits).map(+)
            }
            stats.lines += p.lines
            stats.records += p.records
            stats.malformed += p.malformed
            stats.blank += p.blank
            stats.errorLogLines += p.errorLogLines
            stats.outsideTimeRange += p.outsideTimeRange
            stats.otherLines += p.other
            stats.trailingTextLines += p.trailing
            // logfmt: the input has the fields its records held.
            if p.recordsWithRequestID > 0 { stats.hasRequestID = true }
            if p.recordsWithUpstreamFields > 0 { stats.hasUpstreamFields = true }
            otherTotal += p.other
            for (reason, entry) in p.otherReasons {
                var example = entry.example
                if index > 0 { example.line += linesBefore }
                if var known = otherReasons[reason] {
                    known.count += entry.count
                    otherReasons[reason] = known
                } else {
                    otherReasons[reason] = .init(reason: reason, count: entry.count, example: example)
                }
            }
            malformedTotal += p.malformed
            for (kind, count) in p.reasons { malformedReasons[kind, default: 0] += count }
            for var example in p.examples where malformedExamples.count < options.limits.malformedExamples {
                if index > 0 { example.line += linesBefore }
                malformedExamples.append(example)
            }
            linesBefore += p.lines
        }
        if limitLines > 0, let first = processors.first {
            // As for --app-id-pattern: counted, and said once per input, naming the rules.
            let rules = limitHits.indices.filter { limitHits[$0] > 0 }
                .map { "--route-rule '\(LogText.sanitize(first.aggregator.routeRuleText($0)))'" }
            let message = "\(stats.path): \(rules.joined(separator: " and ")) gave up on PCRE2's match limit on \(limitLines) line\(limitLines == 1 ? "" : "s") (first: line \(limitFirstLine ?? 0)); they were not renamed by \(rules.count == 1 ? "it" : "them"). Simplify the pattern: nested quantifiers such as (a+)+ backtrack without end."
            warnings.append(message)
            notes.append(message)
        }
    }

    // MARK: - Both cores

    /// Worker threads for an input read as a stream (standard input, a file under
    /// `parallelThreshold`): one per core, at most 8; 0 when the run is on one thread.
    private var streamWorkers: Int {
        let cores = options.threads > 0 ? min(options.threads, 8) : min(Parallel.cores, 8)
        return cores > 1 ? cores : 0
    }

    /// Reads a large file in one part per core, each with its own parser and
    /// aggregator, then merges them in file order. Returns false (having read
    /// nothing) when the file is not suited: small, standard input, or (plain) no
    /// line break near a split point; the caller then reads it as a stream.
    ///
    /// A plain file is cut at line breaks near each 1/cores of it. A gzip file
    /// cannot be entered in the middle, so each part's thread inflates it from the
    /// start, splitting lines as one pass would, and parses only the lines that
    /// start in its part: the later parts' threads inflate more before they parse,
    /// so their parts are smaller (``gzipSplits(total:parts:)``). A Kubernetes CRI
    /// file is read the same way (from the start, without inflating), so that a
    /// part begins only where no line is held in `P` pieces (``CRIPieces``).
    /// An input that interleaves error-log entries is never split.
    private func analyzeInChunks(_ path: String) -> Bool {
        let cores = options.threads > 0 ? min(options.threads, 8) : min(Parallel.cores, 8)
        guard cores > 1, options.statePath == nil, !options.leavesPartialLastLine, path != "-",
              let file = try? FileDescriptorSource.open(path), let size = file.regularFileSize, size > 2 else { return false }
        var prefix = [UInt8](repeating: 0, count: 2)
        guard prefix.withUnsafeMutableBytes({ file.readAt(0, into: $0) }) == 2 else { return false }
        let isGzip = InputOpener.isGzipMagic(prefix)

        // The head: the file's first MiB, inflated for gzip.
        var head = [UInt8](repeating: 0, count: 1 << 20)
        var headCount = 0
        var total = size
        if isGzip {
            guard let gzip = try? GzipSource(base: file, path: path, engine: options.inflateEngine) else { return false }
            do {
                while headCount < head.count {
                    let n = try head.withUnsafeMutableBytes {
                        try gzip.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[headCount...]))
                    }
                    if n == 0 { break }
                    headCount += n
                }
            } catch {
                return false // damage near the start: one pass reports it with its usual accounting
            }
            if headCount < head.count {
                total = Int64(headCount) // the whole stream is in the head
            } else if let estimate = Self.inflatedSize(of: file, size: size, head: headCount, headCompressed: gzip.consumedBytes) {
                total = estimate
            } else {
                return false
            }
        } else {
            headCount = head.withUnsafeMutableBytes { file.readAt(0, into: $0) }
        }
        guard total >= options.parallelThreshold, headCount > 2 else { return false }

        var stats = TriageSummary.Input(path: path, format: "-", formatSource: "", isGzip: isGzip, lines: 0,
                                        records: 0, malformed: 0, blank: 0, skipped: 0, outsideTimeRange: 0, error: nil,
                                        hasUpstreamFields: false, hasRequestID: false)
        // The first lines of the head, split as every input is (the last one may be cut: left out).
        var sampleLines: [[UInt8]] = []
        let headReader = LineReader(source: MemorySource(Array(head.prefix(headCount))), maxLineLength: options.maxLineLength)
        headReader.deliversUnterminatedLine = false
        _ = try? headReader.forEachLine { line in
            if !line.bytes.isEmpty, !line.isOverlong, sampleLines.count < FormatDetector.sampleSize {
                sampleLines.append(Array(line.bytes))
            }
        }
        // What the choice explains is said once, by whichever reader goes on.
        let explainer = onExplain
        let held = ExplainBuffer()
        if explainer != nil { onExplain = { held.lines.append($0) } }
        let chosen = chooseParser(sampleLines, path: path, stats: &stats)
        onExplain = explainer
        guard let firstParser = chosen else {
            // Let the one-pass reader report the problem with its usual accounting.
            if let last = errors.last, case .noFormatFits = last { errors.removeLast() }
            if let last = errors.last, case .givenFormatDoesNotFit = last { errors.removeLast() }
            return false
        }
        // Error-log entries continued on the next lines must not be cut apart: one pass.
        if interleavedPaths.contains(path) {
            candidates[path] = nil
            return false
        }
        // A CRI line may come in pieces (`P` … `F`), joined before parsing: each part's
        // thread reads the file from its start, following which streams have pieces
        // open, and parts begin only where none is (``CRIPieces``).
        let tracksPieces = firstParser.format.envelope == .cri
        let fromStart = isGzip || tracksPieces

        // The parts: [start, end) of the (inflated) stream; a line belongs to the part its first byte is in.
        var bounds: [Int64] = [0]
        if fromStart {
            // Splitting lines costs a twentieth of parsing them; inflating, a quarter.
            bounds += (isGzip ? Self.gzipSplits(total: total, parts: cores)
                              : Self.partSplits(total: total, parts: cores, a: 0.95)) + [.max]
        } else {
            // Just after a line break near each 1/cores of the file.
            for k in 1..<cores {
                var window = [UInt8](repeating: 0, count: 1 << 16)
                let at = size * Int64(k) / Int64(cores)
                let n = window.withUnsafeMutableBytes { file.readAt(at, into: $0) }
                let bound = n > 0 ? window.prefix(n).firstIndex(of: 0x0A).map { at + Int64($0) + 1 } : nil
                guard let bound, let previous = bounds.last, bound > previous, bound < size else {
                    candidates[path] = nil
                    return false
                }
                bounds.append(bound)
            }
            bounds.append(size)
        }
        held.lines.forEach { explainer?($0) }
        if isGzip {
            onExplain?("\(path): read by \(cores) threads, each inflating from the start and parsing its part "
                       + "(about \(total >> 20) MiB inflated, parts from \((bounds[1] - bounds[0]) >> 20) MiB down)")
        } else if tracksPieces {
            onExplain?("\(path): read by \(cores) threads, each reading from the start so that no part begins "
                       + "inside a line's CRI pieces")
        } else {
            // Parenthesised: `>>` binds tighter than `/` in Swift (size / (cores >> 20) divided by zero).
            onExplain?("\(path): read by \(cores) threads in chunks of about \((size / Int64(cores)) >> 20) MiB")
        }

        var processors: [LineProcessor] = []
        var readers: [(reader: LineReader, file: FileDescriptorSource)] = []
        for k in 0..<cores {
            let parser = k == 0 ? firstParser : (candidates[path]?.makeDecoder() ?? firstParser.format.makeDecoder())
            let aggregator = k == 0 ? self.aggregator : self.aggregator.makeSibling()
            let processor = LineProcessor(parser: parser, aggregator: aggregator, path: path, options: options,
                                          timeReference: timeReference, plausibleTimes: plausibleTimes)
            processor.countsErrorLogLines = interleavedPaths.contains(path)
            processors.append(processor)
            guard let partFile = try? FileDescriptorSource.open(path) else { return false }
            let source: ByteSource
            if isGzip {
                guard let gzip = try? GzipSource(base: partFile, path: path, engine: options.inflateEngine) else { return false }
                source = gzip
            } else if fromStart {
                source = partFile
            } else {
                guard partFile.seek(to: bounds[k]) else { return false }
                source = LimitedSource(base: partFile, limit: bounds[k + 1] - bounds[k])
            }
            let reader = LineReader(source: source, maxLineLength: options.maxLineLength, startOffset: fromStart ? 0 : bounds[k])
            readers.append((reader, partFile))
        }
        let results = UnsafeMutableBufferPointer<TriageError?>.allocate(capacity: cores)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let progress = onProgress
        let index = inputIndex, count = inputCount
        // The first part's progress stands for all: it is 1/cores of a plain file, the
        // first bounds[1] bytes of a gzip stream (from the start of its file).
        let partShare = fromStart ? Double(min(total, bounds[1])) / Double(max(1, total)) : 1 / Double(cores)
        Parallel.run((0..<cores).map { k in
            let (reader, partFile) = readers[k]
            let processor = processors[k]
            let start = bounds[k], end = bounds[k + 1]
            return {
                var untilProgress = Self.progressInterval
                // Lines are numbered within the part; add(_:to:) makes them absolute.
                var linesBefore = 0
                var pieces = CRIPieces()
                var hasStarted = k == 0
                do {
                    try reader.forEachLine { line in
                        // Parts that read from the start split the lines before them without parsing them.
                        // A part begins (and the one before ends) at its first line with no CRI piece open.
                        if !hasStarted {
                            if line.offset < start || !pieces.isClosed {
                                if tracksPieces { pieces.note(line.bytes) }
                                return
                            }
                            hasStarted = true
                            linesBefore = line.number - 1
                        }
                        if line.offset >= end && pieces.isClosed { throw PartEnd() }
                        if tracksPieces { pieces.note(line.bytes) }
                        processor.process(line.bytes, number: line.number - linesBefore, isTerminated: line.isTerminated,
                                          isOverlong: line.isOverlong)
                        if k == 0 {
                            untilProgress -= 1
                            if untilProgress == 0 {
                                untilProgress = Self.progressInterval
                                // Parts advance together: the first one's position stands for all.
                                progress?(Progress(path: path,
                                                   fileBytesRead: min(size, Int64(Double(partFile.consumedBytes) / partShare)),
                                                   fileSize: size, lines: Int(Double(processor.lines) / partShare),
                                                   inputIndex: index, inputCount: count))
                            }
                        }
                    }
                } catch is PartEnd {
                } catch let error as TriageError {
                    results[k] = error
                } catch {
                    results[k] = .readFailed(path: path, reason: "\(error)")
                }
            }
        })
        for k in 1..<cores { aggregator.merge(processors[k].aggregator) }
        add(processors, to: &stats)
        // A damaged stream fails every part that reads up to the damage; the first
        // one (in file order) is where one pass would have stopped.
        if let failure = results.lazy.compactMap({ $0 }).first {
            errors.append(failure)
            stats.error = failure.description
        }
        onProgress?(Progress(path: path, fileBytesRead: size, fileSize: size, lines: stats.lines,
                             inputIndex: inputIndex, inputCount: inputCount))
        linesTotal += stats.lines
        inputs.append(stats)
        return true
    }

    /// Messages held while it is not yet known who says them.
    private final class ExplainBuffer {
        var lines: [String] = []
    }

    /// Thrown by a part's line callback at the first line of the next part.
    private struct PartEnd: Error {}

    /// Where the parts of a gzip stream of about `total` inflated bytes start
    /// (after the first, which starts at 0), so that every part's thread ends at
    /// about the same time: part k's thread first inflates the parts before its
    /// own, so later parts are smaller. With parse time `P` and inflate time `I`
    /// per byte, thread k ends at `end(k)·I + (end(k) − start(k))·P`; equal ends
    /// put part k's start at `total·(1−a^k)/(1−a^n)` with `a = P/(P+I)`. ISA-L
    /// inflates in about a quarter of our parse time (1 GB: 0.8 s against 4.0 s
    /// of parsing for nginx text, 0.47 s against 1.8 s for JSON lines): a = 0.8.
    static func gzipSplits(total: Int64, parts: Int) -> [Int64] {
        partSplits(total: total, parts: parts, a: 0.8)
    }

    /// ``gzipSplits(total:parts:)`` for any cost of reading what comes before a part:
    /// `a = P/(P+I)`, with `I` what a thread spends per byte it does not parse.
    static func partSplits(total: Int64, parts: Int, a: Double) -> [Int64] {
        let whole = 1 - pow(a, Double(parts))
        return (1..<parts).map { k in Int64(Double(total) * (1 - pow(a, Double(k))) / whole) }
    }

    /// The inflated size of a gzip file, estimated: the last member's ISIZE (the
    /// size modulo 2^32, RFC 1952) lifted by the multiple of 2^32 closest to the
    /// size the head's compression ratio predicts, or that prediction when the
    /// ISIZE is far from it (several members). Only the split points depend on
    /// it: a wrong estimate costs balance, never lines.
    static func inflatedSize(of file: FileDescriptorSource, size: Int64, head: Int, headCompressed: Int64) -> Int64? {
        guard headCompressed > 0 else { return nil }
        let predicted = Double(head) / Double(headCompressed) * Double(size)
        var trailer = [UInt8](repeating: 0, count: 4)
        guard trailer.withUnsafeMutableBytes({ file.readAt(size - 4, into: $0) }) == 4 else { return Int64(predicted) }
        let isize = Int64(trailer[0]) | Int64(trailer[1]) << 8 | Int64(trailer[2]) << 16 | Int64(trailer[3]) << 24
        let wraps = max(0, ((predicted - Double(isize)) / 4_294_967_296).rounded())
        let lifted = Double(isize) + wraps * 4_294_967_296
        return Int64(abs(lifted - predicted) <= predicted / 2 ? lifted : predicted)
    }

    private func explain(_ format: LogFormat, stats: TriageSummary.Input, path: String) {
        guard let onExplain else { return }
        onExplain("\(path): format '\(format.name)', \(stats.formatSource)\(input(isGzip: stats.isGzip))")
        let upstream = format.fields.filter { $0.kind.isUpstream }.map(\.name)
        if upstream.isEmpty {
            onExplain("\(path): no upstream fields: 5xx are classified by status code alone (status_only)")
        } else {
            onExplain("\(path): classification uses the status and \(upstream.joined(separator: ", "))")
        }
        let ids = format.fields.filter { $0.kind == .requestID }.map(\.name)
        onExplain("\(path): request IDs \(ids.isEmpty ? "not logged" : "from " + ids.joined(separator: ", "))")
    }

    private func input(isGzip: Bool) -> String { isGzip ? "; gzip (detected from the data)" : "" }

    // MARK: - Time range

    /// The newest time in the inputs, read from the last lines of each.
    ///
    /// Plain files are read from their last 256 KiB only; gzip is streamed to
    /// its end (it cannot be read backwards); standard input cannot be read twice.
    public func newestTime(_ paths: [String]) -> Int64? {
        var newest: Int64?
        for path in paths where path != "-" {
            guard let file = try? FileDescriptorSource.open(path) else { continue }
            var tail: [[UInt8]] = []
            let keep = FormatDetector.sampleSize
            func collect(_ source: ByteSource) {
                let reader = LineReader(source: source, maxLineLength: options.maxLineLength)
                _ = try? reader.forEachLine { line in
                    guard !line.bytes.isEmpty, !line.isOverlong else { return }
                    if tail.count == keep { tail.removeFirst() }
                    tail.append(Array(line.bytes))
                }
            }
            if let input = try? InputOpener.wrap(source: file, displayPath: path) {
                if !input.isGzip, let size = file.regularFileSize, size > 256 * 1024,
                   let reopened = try? FileDescriptorSource.open(path), reopened.seek(to: size - 256 * 1024) {
                    collect(reopened)
                    if !tail.isEmpty { tail.removeFirst() } // the first line is cut by the seek
                } else {
                    collect(input.source)
                }
            }
            let candidates: [LogFormat]
            var result: FormatDetector.Result?
            if case let .fixed(format) = options.format {
                result = try? FormatDetector.detect(tail, candidates: [format], path: path, isGiven: true)
            } else {
                result = try? FormatDetector.detect(tail, path: path)
            }
            result?.format.logTimeZone = options.logTimeZone
            guard let result else { continue }
            let format = result.format
            let parser = result.candidate.makeDecoder()
            let peeler = EnvelopePeeler(format: format) ?? EnvelopePeeler(kind: .none)
            var record = AccessRecord()
            for line in tail {
                let ok = line.withUnsafeBufferPointer { parser.parse(peeler.peel($0).payload, into: &record) }
                if ok, format.timeFromEnvelope, let time = peeler.envelopeTime(reference: max(options.now, Int64(time(nil))), zone: format.logTimeZone) {
                    record.time = time.seconds
                }
                if ok, record.time != .min, plausibleTimes.contains(record.time),
                   newest.map({ record.time > $0 }) ?? true { newest = record.time }
            }
        }
        return newest
    }

    // MARK: - Application logs

    /// Reads application logs after the access logs, when every 5xx request ID is known.
    /// ``run(paths:)`` calls it with `options.appLogs`; the access pass keeps the 5xx
    /// request IDs only when `options.appLogs` is not empty.
    public func correlate(_ paths: [String]) {
        let correlator: AppLogCorrelator
        do {
            correlator = try AppLogCorrelator(ledger: aggregator.ledger, idPattern: options.appIDPattern,
                                              tolerance: options.appTimeTolerance,
                                              logUTCOffset: aggregator.logUTCOffset ?? 0,
                                              maxLineLength: options.maxLineLength,
                                              workers: streamWorkers, blockSize: min(options.blockSize, 1 << 20))
        } catch let error as TriageError {
            errors.append(error)
            return
        } catch {
            return
        }
        for path in paths {
            inputIndex += 1
            let index = inputIndex, count = max(inputCount, inputIndex)
            let report = onProgress.map { onProgress in
                { (bytes: Int64, size: Int64?, lines: Int) in
                    onProgress(Progress(path: path, fileBytesRead: bytes, fileSize: size, lines: lines,
                                        inputIndex: index, inputCount: count))
                }
            }
            let (stats, error) = correlator.read(path: path, engine: options.inflateEngine, progress: report)
            if let error { errors.append(error) }
            if let limit = stats.idPatternLimit {
                let name = limit.pattern.map { "--app-id-pattern '\(LogText.sanitize($0))'" } ?? "the built-in request-ID pattern"
                let message = "\(stats.path): \(name) gave up on PCRE2's match limit on \(limit.lines) line\(limit.lines == 1 ? "" : "s") (first: line \(limit.firstLine)); they have no request ID. Simplify the pattern: nested quantifiers such as (a+)+ backtrack without end."
                warnings.append(message)
                notes.append(message)
            }
            onExplain?("\(path): application log, \(stats.lines) lines, \(stats.errorEvents) error events, \(stats.matchedEvents) matched to 5xx"
                       + (correlator.lastReadUsedWorkers ? "; its lines read by \(streamWorkers) threads in blocks, grouped in order" : ""))
            appLogInputs.append(stats)
        }
    }

    // MARK: - Server error logs

    /// Inputs given as access logs whose first lines are error-log lines: wholly (read only as
    /// error logs) or interleaved with access lines (read by both passes). Only regular files
    /// are looked at: standard input, a pipe or `<(zcat …)` cannot be read twice.
    func detectErrorLogs(_ paths: [String]) -> (errorLogs: [String], interleaved: [String]) {
        var errorLogs: [String] = [], interleaved: [String] = []
        for path in paths where path != "-" {
            guard let file = try? FileDescriptorSource.open(path), file.regularFileSize != nil,
                  let input = try? InputOpener.wrap(source: file, displayPath: path, engine: options.inflateEngine)
            else { continue }
            var sample: [[UInt8]] = []
            let reader = LineReader(source: input.source, maxLineLength: options.maxLineLength)
            struct Enough: Error {}
            _ = try? reader.forEachLine { line in
                if !line.bytes.isEmpty, !line.isOverlong { sample.append(Array(line.bytes)) }
                if sample.count >= FormatDetector.sampleSize { throw Enough() }
            }
            switch ErrorLogReader.kind(of: sample) {
            case .accessLog: break
            case .errorLog: errorLogs.append(path)
            case .interleaved: interleaved.append(path)
            }
        }
        return (errorLogs, interleaved)
    }

    /// Reads the server error logs before the access logs, so that each access line is joined
    /// to the error lines about it as it is counted (see ``ErrorLogIndex``).
    func readErrorLogs(given: [String], detected: [String], interleaved: [String]) {
        let index = ErrorLogIndex(limit: options.errorLogLimit, tolerance: options.errorTimeTolerance,
                                  timeZone: options.errorLogTimeZone)
        let reader = ErrorLogReader(index: index, maxLineLength: options.maxLineLength)
        let all = given.map { ($0, false, false) } + detected.map { ($0, true, false) } + interleaved.map { ($0, true, true) }
        for (path, isDetected, isInterleaved) in all {
            if !isInterleaved { inputIndex += 1 }
            let index = inputIndex, count = max(inputCount, inputIndex)
            let report = onProgress.map { onProgress in
                { (bytes: Int64, size: Int64?, lines: Int) in
                    onProgress(Progress(path: path, fileBytesRead: bytes, fileSize: size, lines: lines,
                                        inputIndex: index, inputCount: count))
                }
            }
            let (stats, error) = reader.read(path: path, engine: options.inflateEngine, isInterleaved: isInterleaved,
                                             isDetected: isDetected, progress: report)
            if let error { errors.append(error) }
            let dialect = stats.apacheEntries > stats.nginxEntries ? "Apache" : "nginx"
            if isInterleaved {
                notes.append("\(path): \(stats.entries) \(dialect) error-log lines among the access lines were read as an error log.")
            } else if isDetected {
                notes.append("\(path): recognised as an \(dialect) error log (as if given with --error-log).")
            }
            onExplain?("\(path): \(dialect) error log, \(stats.lines) lines, \(stats.entries) entries, \(stats.causes.total) with a cause")
            errorLogInputs.append(stats)
        }
        index.seal()
        aggregator.errorJoin = ErrorLogJoin(index: index)
    }

    // MARK: - Partials

    /// Everything analysed so far as a partial (`--format partial`): the file's bytes.
    ///
    /// Application and server error logs were joined here, on the host that has them;
    /// the partial carries what the joins found (Docs/ScaleOut.md).
    ///
    /// - Parameter host: the label of this host's share in a merged report.
    public func partial(host: String) throws -> [UInt8] {
        var p = Partial(aggregator: aggregator)
        let prefix = hosts.isEmpty ? host : nil
        p.hostPrefix = prefix
        p.appLogs = appLogInputs.map { input in
            var input = input
            if let prefix { input.path = "\(prefix):\(input.path)" }
            return input
        }
        p.errorLogs = errorLogInputs.map { input in
            var input = input
            if let prefix {
                input.path = "\(prefix):\(input.path)"
                for i in input.examples.indices { input.examples[i].path = "\(prefix):\(input.examples[i].path)" }
            }
            return input
        }
        p.inputs = inputs.map { input in
            var input = input
            if !hosts.isEmpty { return input }
            input.path = "\(host):\(input.path)"
            return input
        }
        p.lines = linesTotal
        p.malformedTotal = malformedTotal
        p.malformedReasons = malformedReasons
        p.malformedExamples = malformedExamples.map { example in
            var example = example
            if hosts.isEmpty { example.path = "\(host):\(example.path)" }
            return example
        }
        p.otherTotal = otherTotal
        p.otherReasons = otherReasons.mapValues { entry in
            var entry = entry
            if hosts.isEmpty { entry.example.path = "\(host):\(entry.example.path)" }
            return entry
        }
        p.notes = notes
        aggregator.flushCurrentMinute()
        p.hosts = hosts.isEmpty
            ? [TriageSummary.Host(name: host, requests: aggregator.requests, serverErrors: aggregator.serverErrors,
                                  classes: aggregator.classes)]
            : hosts
        return PartialFile.bytes(p)
    }

    /// Reads the partials at `paths` and adds them up: the analyzer's ``finish()`` is then
    /// the merged report, and ``partial(host:)`` the merged partial.
    ///
    /// A partial that cannot be read, or was written with other limits or deploys than the
    /// first one read, is left out and named in the outcome's errors; the rest is merged.
    /// The result does not depend on the order of `paths`.
    ///
    /// `options.deploys` are deploys given at merge time: compared on the merged per-second
    /// series (``Aggregator/applyDeploys(_:now:)``, relative times from `options.now`); a
    /// partial written without that series (format 1.0) is left out when there are any.
    public static func merge(partials paths: [String], options: AnalysisOptions) -> (analyzer: Analyzer, errors: [TriageError]) {
        var errors: [TriageError] = []
        let mergeDeploys = options.deploys
        var merged: Analyzer?
        var reference: (path: String, partial: Partial)?
        for path in paths {
            let partial: Partial
            do {
                partial = try PartialFile.read(path)
            } catch let error as TriageError {
                errors.append(error)
                continue
            } catch {
                errors.append(.partial(path: path, reason: "\(error)"))
                continue
            }
            if !mergeDeploys.isEmpty && !partial.aggregator.recordsSeconds {
                errors.append(.partial(path: path, reason: "written without the per-second series (partial format \(partial.version.major).\(partial.version.minor)), which deploys given to 'triage merge' are compared on; left out of the merge (write it again with this triage, or give the deploys to 'triage --format partial')"))
                continue
            }
            if let reference, let mismatch = partial.mismatch(with: reference.partial) {
                errors.append(.partial(path: path, reason: "\(mismatch) than \(reference.path); left out of the merge (write every partial with the same options)"))
                continue
            }
            let analyzer: Analyzer
            if let merged { analyzer = merged } else {
                var o = options
                o.limits = partial.aggregator.limits
                // Room for the 5xx by request ID of every partial that carries them, whichever comes first.
                o.limits.failedRequests = max(o.limits.failedRequests, Aggregator.Limits().failedRequests)
                o.deploys = partial.aggregator.deploys.map(\.marker)
                o.deployWindow = partial.aggregator.deployWindow
                o.now = partial.aggregator.now
                if let tally = partial.aggregator.errorTally { o.errorTimeTolerance = tally.toleranceSeconds }
                analyzer = Analyzer(options: o, aggregator: Aggregator(limits: o.limits, deploys: o.deploys,
                                                                       deployWindow: o.deployWindow, now: o.now))
                // A merge keeps the series only while every partial so far had it.
                analyzer.aggregator.recordsSeconds = partial.aggregator.recordsSeconds
                merged = analyzer
                reference = (path, partial)
            }
            if !partial.aggregator.recordsSeconds { analyzer.aggregator.recordsSeconds = false }
            analyzer.absorb(partial)
        }
        if let merged, !mergeDeploys.isEmpty { merged.aggregator.applyDeploys(mergeDeploys, now: options.now) }
        return (merged ?? Analyzer(options: options), errors)
    }

    /// Adds one partial's counts.
    private func absorb(_ p: Partial) {
        aggregator.merge(p.aggregator)
        inputs += p.inputs
        linesTotal += p.lines
        malformedTotal += p.malformedTotal
        for (reason, count) in p.malformedReasons { malformedReasons[reason, default: 0] += count }
        for example in p.malformedExamples where malformedExamples.count < options.limits.malformedExamples {
            malformedExamples.append(example)
        }
        otherTotal += p.otherTotal
        for (reason, entry) in p.otherReasons {
            if var known = otherReasons[reason] {
                known.count += entry.count
                otherReasons[reason] = known
            } else {
                otherReasons[reason] = entry
            }
        }
        for note in p.notes where !notes.contains(note) { notes.append(note) }
        appLogInputs += p.appLogs
        errorLogInputs += p.errorLogs
        for host in p.hosts {
            if let i = hosts.firstIndex(where: { $0.name == host.name }) {
                hosts[i].requests += host.requests
                hosts[i].serverErrors += host.serverErrors
                hosts[i].classes.add(host.classes)
            } else {
                hosts.append(host)
            }
        }
    }

    /// The summary of everything analysed so far.
    public func finish() -> TriageSummary {
        var s = aggregator.summary(top: options.top)
        s.inputs = inputs
        s.lines = linesTotal
        s.malformedLines = malformedTotal
        s.otherLines = otherTotal
        s.otherByReason = otherReasons.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
        for i in s.inputs.indices where s.inputs[i].trailingTextLines > 0 && s.inputs[i].unreadFields == nil {
            s.inputs[i].unreadFields = "\(s.inputs[i].trailingTextLines) lines carry fields after the last one of '\(s.inputs[i].format)', left unread"
        }
        s.malformedExamples = malformedExamples
        s.malformedByReason = malformedReasons.map { ($0.key, $0.value) }.sorted {
            $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0
        }
        s.correlation.appLogs = appLogInputs
        if !errorLogInputs.isEmpty {
            var e = s.errorLog ?? TriageSummary.ErrorLog()
            e.inputs = errorLogInputs
            e.toleranceSeconds = options.errorTimeTolerance
            if s.errorLog == nil { e.serverErrors = s.serverErrors }
            s.errorLog = e
        }
        s.hosts = hosts.sorted { ($0.serverErrors, $1.name) > ($1.serverErrors, $0.name) }
        s.correlation.hint = correlationHint(for: s)
        s.hints = notes + hints(for: s)
        return s
    }

    private func correlationHint(for s: TriageSummary) -> String? {
        let c = s.correlation
        guard c.serverErrors > 0 else { return nil }
        if c.withRequestID == 0 {
            let lines = ConfigHints.lines(servers(s.inputs.filter { $0.records > 0 }), ConfigHints.requestID)
                ?? "log a request ID the application also logs"
            return "No 5xx carried a request ID, so none can be matched to application logs. \(lines)"
        }
        if !c.appLogs.isEmpty, c.matched == 0 {
            let events = c.appLogs.reduce(0) { $0 + $1.errorEventsWithRequestID }
            if c.appLogs.reduce(0, { $0 + $1.timeMismatches }) > 0 {
                return "Application events carry the 5xx request IDs but at times too far from the access log's: check the clocks, or widen --app-time-tolerance."
            }
            return events == 0
                ? "The application logs have no error events with a request ID: log the ID the proxy sends (X-Request-ID) on every line, e.g. Rails config.log_tags = [:request_id], or give --app-id-pattern."
                : "None of the application logs' error events carry a 5xx request ID: check that the application logs the ID the proxy sends (X-Request-ID), or give --app-id-pattern."
        }
        return nil
    }

    private func hints(for s: TriageSummary) -> [String] {
        var hints: [String] = []
        let read = s.inputs.filter { $0.records > 0 }
        let statusOnly = read.filter { !$0.hasUpstreamFields }
        if s.statusOnlyCount > 0, !statusOnly.isEmpty {
            var text = "Classification used the status code alone for \(statusOnly.map(\.path).joined(separator: ", ")): a 502/503/504 may come from the proxy or the application."
            if let lines = ConfigHints.lines(servers(statusOnly), ConfigHints.upstreamFields) {
                text += " To know, log the upstream fields. \(lines)"
            }
            hints.append(text)
        }
        if s.serverErrors > 0, read.allSatisfy({ !$0.hasRequestID }), s.correlation.withRequestID == 0 {
            var text = "No request IDs in the log, so 5xx cannot be matched to application logs."
            if let lines = ConfigHints.lines(servers(read), ConfigHints.requestID) { text += " \(lines)" }
            hints.append(text)
        }
        for input in s.inputs {
            guard let unread = input.unreadFields else { continue }
            var text = "\(input.path): \(unread)."
            if let suggestion = input.suggestedLogFormat { text += " To read them: --log-format '\(suggestion)'" }
            hints.append(text)
        }
        return hints
    }

    /// The servers that write the inputs' formats, each once, in order of appearance.
    private func servers(_ inputs: [TriageSummary.Input]) -> [LogServer] {
        var seen: [LogServer] = []
        for input in inputs { for server in input.servers where !seen.contains(server) { seen.append(server) } }
        return seen
    }
}

