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

    init(ledger: ServerErrorLedger, idPattern: String?, tolerance: Int64, logUTCOffset: Int, maxLineLength: Int) throws {
        self.ledger = ledger
        self.scanner = try AppLineScanner(idPattern: idPattern)
        self.builder = try SignatureBuilder()
        self.tolerance = tolerance
        self.logUTCOffset = Int64(logUTCOffset)
        self.maxLineLength = maxLineLength
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
        let failure = read(input.source, path: input.displayPath, into: &stats, progress: report)
        report?(stats.lines)
        stats.error = failure?.description
        return (stats, failure)
    }

    /// Reads application-log lines from `source` (tests feed memory sources in many read sizes).
    func read(_ source: ByteSource, path: String, into stats: inout TriageSummary.AppLogInput,
              progress: ((Int) -> Void)? = nil) -> TriageError? {
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
        let reader = LineReader(source: source, maxLineLength: maxLineLength)
        var failure: TriageError?
        let limitHitsBefore = scanner.idPatternLimitHits
        var limitHitsSeen = limitHitsBefore
        do {
            var untilProgress = Analyzer.progressInterval
            try reader.forEachLine { line in
                untilProgress -= 1
                if untilProgress == 0, let progress {
                    untilProgress = Analyzer.progressInterval
                    progress(line.number)
                }
                // An overlong line is cut to its first bytes: enough for the time, level and ID.
                assembler.feed(line.bytes, number: line.number)
                // A search that gave up on PCRE2's match limit left the line without an ID:
                // counted, and the first such line named in the report.
                if scanner.idPatternLimitHits != limitHitsSeen {
                    limitHitsSeen = scanner.idPatternLimitHits
                    if stats.idPatternLimit == nil { stats.idPatternLimit = .init(lines: 0, firstLine: line.number) }
                }
            }
        } catch let error as TriageError {
            failure = error
        } catch {
            failure = .readFailed(path: path, reason: "\(error)")
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
            stats.idPatternLimit?.lines = scanner.idPatternLimitHits - limitHitsBefore
            stats.idPatternLimit?.pattern = scanner.userIDPattern
        }
        return failure
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
