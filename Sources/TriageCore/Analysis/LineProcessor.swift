#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns one input's lines into records and feeds them to an aggregator.
///
/// One per thread: it owns its parser (and its time cache) and counts what it
/// saw; several processors over chunks of one file are summed afterwards.
final class LineProcessor {
    let parser: LineDecoder
    /// The preset alone, for lines without the tail the format was extended by.
    private let withoutTail: LineDecoder?
    /// Where records go; after ``handOver(to:)``, the aggregator this one's counts were merged into.
    private(set) var aggregator: Aggregator
    let path: String
    let maxLineLength: Int
    let exampleLimit: Int
    private let since: TimeSpec?
    private let until: TimeSpec?
    private let timeReference: Int64
    private let plausibleTimes: ClosedRange<Int64>
    /// [lower, upper): resolved at the first timed record (zoneless times need its offset).
    private var timeBounds: (lower: Int64, upper: Int64)?
    private var record = AccessRecord()
    /// Cached from the parser's format: read per line.
    private let vocabulary: ProxyVocabulary
    /// Peels the envelope the format's lines arrive in (Docker, CRI, syslog), if any.
    private let peeler: EnvelopePeeler?
    /// The format's lines have no time: each record takes its envelope's (syslog header, CRI time…).
    private let timeFromEnvelope: Bool
    private let logTimeZone: LogTimeZone
    /// Heroku's router appends keys after `bytes=` over the years (`protocol=`, …), left
    /// unread by design (Formats.md): text there is not a field the format missed.
    private let keysAfterLastAreKnown: Bool
    /// The clock (or `--now`, if later): an RFC 3164 envelope time takes the latest year
    /// that does not put it after this.
    private let yearReference: Int64

    var lines = 0
    var records = 0
    var malformed = 0
    var blank = 0
    var outsideTimeRange = 0
    /// Lines of a server error log interleaved with the access lines (counted, read by the error-log pass).
    var errorLogLines = 0
    /// The input interleaves error-log lines: they are counted as such, not as malformed.
    var countsErrorLogLines = false
    /// The last error-log line opened a quoted message whose continuation lines follow.
    private var isInOpenErrorEntry = false
    /// Lines of another shape (see ``OtherLine``), by reason, with the first of each.
    var other = 0
    var otherReasons: [String: (count: Int, example: TriageSummary.MalformedExample)] = [:]
    /// Records read with text left after the format's last field.
    var trailing = 0
    /// For formats whose lines carry any keys (``LogFormat/judgesFieldsPerRecord``): records
    /// that held a request ID, and an upstream field.
    var recordsWithRequestID = 0
    var recordsWithUpstreamFields = 0
    private let judgesFieldsPerRecord: Bool
    /// The first malformed lines, with line numbers as this processor saw them.
    var examples: [TriageSummary.MalformedExample] = []
    var reasons: [String: Int] = [:]
    /// Records on which a `--route-rule` gave up on PCRE2's match limit, the first
    /// one's line (as this processor numbered it), and the hits by rule.
    var routeRuleLimitLines = 0
    var routeRuleLimitFirstLine: Int?
    private let routeRuleLimitHitsBefore: [Int]
    var routeRuleLimitHits: [Int] {
        routeRuleLimitHitsKept ?? zip(aggregator.routeRuleLimitHits, routeRuleLimitHitsBefore).map { $0 - $1 }
    }
    private var routeRuleLimitHitsKept: [Int]?

    init(parser: LineDecoder, aggregator: Aggregator, path: String, options: AnalysisOptions, timeReference: Int64,
         plausibleTimes: ClosedRange<Int64>) {
        self.plausibleTimes = plausibleTimes
        self.parser = parser
        self.withoutTail = parser.format.withoutTail.first?.makeDecoder()
        self.vocabulary = parser.format.vocabulary
        self.peeler = EnvelopePeeler(format: parser.format)
        self.peeler?.joinLimit = options.maxLineLength
        self.timeFromEnvelope = parser.format.timeFromEnvelope
        self.logTimeZone = parser.format.logTimeZone
        self.keysAfterLastAreKnown = parser.format.appendsFields
        self.judgesFieldsPerRecord = parser.format.judgesFieldsPerRecord
        self.yearReference = max(options.now, Int64(time(nil)))
        self.aggregator = aggregator
        self.routeRuleLimitHitsBefore = aggregator.routeRuleLimitHits
        self.path = path
        self.maxLineLength = options.maxLineLength
        self.exampleLimit = options.limits.malformedExamples
        self.since = options.since
        self.until = options.until
        self.timeReference = timeReference
    }

    /// Once the caller has merged this processor's aggregator into `target`: lets the
    /// aggregator go (its memory) and keeps the counts the caller still adds up.
    func handOver(to target: Aggregator) {
        routeRuleLimitHitsKept = routeRuleLimitHits
        aggregator = target
    }

    func process(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, isTerminated: Bool, isOverlong: Bool) {
        lines += 1
        if isOverlong {
            noteMalformed(number, kind: "overlong line",
                          reason: "line over \(maxLineLength) bytes (--max-line-length)", bytes)
            return
        }
        if bytes.isEmpty {
            blank += 1
            return
        }
        let payload = peeler?.peel(bytes).payload ?? bytes
        if let peeler, peeler.lastPiece != .whole {
            switch peeler.lastPiece {
            case .held:
                // Counted as an other line: the request is the joined line, read at its last piece.
                noteOther(number, reason: OtherLine.criPartialPiece, example: "a piece of a longer line, joined with the next", bytes)
                return
            case .joinedOverlong:
                noteMalformed(number, kind: "overlong line",
                              reason: "CRI pieces joined to over \(maxLineLength) bytes (--max-line-length)", bytes)
                return
            default: break
            }
        }
        var hasUpstreamFields = parser.hasUpstreamFields
        var parsed = parser.parse(payload, into: &record)
        if !parsed, let withoutTail, withoutTail.parse(payload, into: &record), !record.hasTrailingText {
            // A line of the preset alone beside lines with the tail: a request all the same.
            parsed = true
            hasUpstreamFields = withoutTail.hasUpstreamFields
        }
        if parsed {
            isInOpenErrorEntry = false
            if timeFromEnvelope, let time = peeler?.envelopeTime(reference: yearReference, zone: logTimeZone) {
                record.time = time.seconds
                record.utcOffset = time.offset
            }
            if record.time != .min && !plausibleTimes.contains(record.time) {
                // A line from 1970 or 9999 is damage or a hostile line, not traffic:
                // counted with its reason, and kept out of the per-minute series.
                noteMalformed(number, kind: "implausible time", reason: implausibleReason(record.time), bytes)
                return
            }
            records += 1
            if record.hasTrailingText && !keysAfterLastAreKnown { trailing += 1 }
            if judgesFieldsPerRecord {
                if record.requestID.hasValue(in: payload) { recordsWithRequestID += 1 }
                if record.upstreamAddr.hasValue(in: payload) || record.upstreamStatus.hasValue(in: payload) {
                    recordsWithUpstreamFields += 1
                }
            }
            if (since != nil || until != nil) && !isInTimeRange(record) {
                outsideTimeRange += 1
                return
            }
            let limitHitsBefore = aggregator.routeRuleLimitTotal
            aggregator.add(record, line: payload, hasUpstreamFields: hasUpstreamFields, vocabulary: vocabulary)
            if aggregator.routeRuleLimitTotal != limitHitsBefore {
                routeRuleLimitLines += 1
                if routeRuleLimitFirstLine == nil { routeRuleLimitFirstLine = number }
            }
        } else if countsErrorLogLines, let entry = ErrorLogLine.parse(payload) {
            // Inside the access lines' envelope, as the nginx image writes both streams to one container log.
            errorLogLines += 1
            isInOpenErrorEntry = entry.isOpen
        } else if isInOpenErrorEntry {
            errorLogLines += 1
            if ErrorLogLine.find(Self.clientMarker, in: payload, from: 0) != nil { isInOpenErrorEntry = false }
        } else if let reason = parser.otherShapeReason(payload) {
            noteOther(number, reason: reason, example: parser.describeFailure(in: payload), bytes)
        } else {
            // Columns count from the start of what the format read (inside any envelope).
            var reason = parser.describeFailure(in: payload)
            if !isTerminated { reason = "last line has no line break (cut short?): " + reason }
            noteMalformed(number, kind: parser.failedFieldName, reason: reason, bytes)
        }
    }

    private func noteOther(_ number: Int, reason: String, example text: String, _ bytes: UnsafeBufferPointer<UInt8>) {
        other += 1
        if let entry = otherReasons[reason] {
            otherReasons[reason] = (entry.count + 1, entry.example)
        } else {
            otherReasons[reason] = (1, example(number, reason: text, bytes))
        }
    }

    /// Blank lines read before this processor existed (the format sample).
    func countBlank(_ count: Int) {
        lines += count
        blank += count
    }

    /// Over-long lines read before this processor existed and not kept for an excerpt.
    func countOverlong(_ count: Int) {
        guard count > 0 else { return }
        lines += count
        malformed += count
        reasons["overlong line", default: 0] += count
    }

    /// Bytes of a malformed line shown in its example.
    static let excerptLength = 120

    private func implausibleReason(_ time: Int64) -> String {
        let shown = time > Timestamp.latestCivil || time < -Timestamp.latestCivil ? "\(time) s since 1970" : Timestamp.rfc3339(time)
        let side = time < plausibleTimes.lowerBound
            ? "before \(Timestamp.rfc3339(plausibleTimes.lowerBound))"
            : "after \(Timestamp.rfc3339(plausibleTimes.upperBound)) (2 days past the clock)"
        return "time \(shown) is \(side): not a plausible log time"
    }

    private static let clientMarker = Array(", client: ".utf8)

    private func noteMalformed(_ number: Int, kind: String, reason: String, _ bytes: UnsafeBufferPointer<UInt8>) {
        malformed += 1
        reasons[kind, default: 0] += 1
        if examples.count < exampleLimit { examples.append(example(number, reason: reason, bytes)) }
    }

    private func example(_ number: Int, reason: String, _ bytes: UnsafeBufferPointer<UInt8>) -> TriageSummary.MalformedExample {
        let excerpt = LogText.display(UnsafeBufferPointer(rebasing: bytes.prefix(Self.excerptLength)))
        return .init(path: path, line: number, reason: reason,
                     excerpt: bytes.count > Self.excerptLength ? excerpt + "…" : excerpt)
    }

    private func isInTimeRange(_ record: AccessRecord) -> Bool {
        guard record.time != .min else { return true }
        if timeBounds == nil {
            let offset = Int(record.utcOffset)
            timeBounds = (since?.resolve(reference: timeReference, utcOffset: offset) ?? .min,
                          until?.resolve(reference: timeReference, utcOffset: offset) ?? .max)
        }
        guard let bounds = timeBounds else { return true }
        return record.time >= bounds.lower && record.time < bounds.upper
    }
}

/// Reads at most `limit` bytes of another source: one chunk of a file.
final class LimitedSource: ByteSource {
    private let base: ByteSource
    private var remaining: Int64
    init(base: ByteSource, limit: Int64) {
        self.base = base
        self.remaining = limit
    }
    var consumedBytes: Int64 { base.consumedBytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, let start = buffer.baseAddress else { return 0 }
        let n = try base.read(into: UnsafeMutableRawBufferPointer(start: start, count: Int(min(Int64(buffer.count), remaining))))
        remaining -= Int64(n)
        return n
    }
}
