/// What the join with server error logs counted, in a form that adds up across hosts.
///
/// An ``ErrorLogJoin`` refers to its ``ErrorLogIndex`` (entries by position,
/// upstreams by their place in the index's table, a bitmap of matched lines):
/// none of that means anything on another machine. The tally keeps the same
/// facts by value — upstreams by name, unmatched lines by their wall-clock
/// second, upstream and cause — so the tallies of several hosts' partials add
/// up to the tally of one run over all their logs (each host's error log holds
/// the lines about the requests its own access log holds; Docs/ScaleOut.md).
struct ErrorLogTally {
    struct UpstreamCause: Hashable { var upstream: String; var cause: ErrorCause }
    /// An error line that matched no request: kept for the incident it falls in (``ErrorLogJoin/context``).
    struct Unmatched: Hashable { var wallTime: Int64; var upstream: String?; var cause: ErrorCause }

    var toleranceSeconds: Int64 = 2
    var causeLines = 0
    var matchedLines = 0
    var untracked = 0
    var explainedServerErrors = 0
    var explainedRetried = 0
    var classCauses = [CauseCounts](repeating: CauseCounts(), count: FailureClass.allCases.count)
    var upstreamCauses: [UpstreamCause: ErrorLogJoin.Span] = [:]
    var minuteCauses: [Int64: [CauseCounts]] = [:]
    struct MinuteUpstream: Hashable { var minute: Int64; var upstream: String; var failureClass: FailureClass }
    /// Requests per minute, upstream (by name) and class that an error line named the upstream of.
    var minuteUpstreams: [MinuteUpstream: Int] = [:]
    var unmatched: [Unmatched: Int] = [:]
    /// `--error-log-timezone`, to place unmatched lines (not in partials: a merge places them
    /// by the access log's offset).
    var timeZone: LogTimeZone?

    /// Adds another host's tally.
    mutating func merge(_ other: ErrorLogTally) {
        toleranceSeconds = other.toleranceSeconds
        causeLines += other.causeLines
        matchedLines += other.matchedLines
        untracked += other.untracked
        explainedServerErrors += other.explainedServerErrors
        explainedRetried += other.explainedRetried
        for c in FailureClass.allCases { classCauses[c.rawValue].add(other.classCauses[c.rawValue]) }
        for (k, v) in other.upstreamCauses {
            var span = upstreamCauses[k] ?? ErrorLogJoin.Span()
            span.count += v.count
            span.first = min(span.first, v.first)
            span.last = max(span.last, v.last)
            upstreamCauses[k] = span
        }
        for (minute, perClass) in other.minuteCauses {
            var mine = minuteCauses[minute] ?? [CauseCounts](repeating: CauseCounts(), count: FailureClass.allCases.count)
            for c in FailureClass.allCases { mine[c.rawValue].add(perClass[c.rawValue]) }
            minuteCauses[minute] = mine
        }
        for (k, v) in other.minuteUpstreams { minuteUpstreams[k, default: 0] += v }
        for (k, v) in other.unmatched { unmatched[k, default: 0] += v }
    }

    // MARK: - Summary

    /// Adds the error logs' causes to the summary's classes, upstreams and incidents,
    /// and the counts of `errorLog` (its inputs are the analyzer's to fill).
    ///
    /// - Parameter logUTCOffset: the access log's offset, to place the error lines' zoneless times.
    func summarize(into s: inout TriageSummary, logUTCOffset: Int) {
        var e = s.errorLog ?? TriageSummary.ErrorLog()
        e.toleranceSeconds = toleranceSeconds
        e.causeLines = causeLines
        e.matchedLines = matchedLines
        e.untracked = untracked
        e.explainedServerErrors = explainedServerErrors
        e.explainedRetried = explainedRetried
        e.serverErrors = s.serverErrors
        e.upstreamCauses = upstreamCauses.map { key, span in
            TriageSummary.UpstreamCause(address: key.upstream, cause: key.cause, count: span.count,
                                        firstSeen: span.first == .max ? nil : span.first,
                                        lastSeen: span.last == .min ? nil : span.last)
        }.sorted(by: Self.causeOrder)
        s.errorLog = e

        for c in FailureClass.allCases where c.rawValue < s.classDetails.count {
            s.classDetails[c.rawValue].causes = classCauses[c.rawValue].sorted
        }
        for i in s.upstreams.indices {
            s.upstreams[i].causes = e.upstreamCauses.filter { $0.address == s.upstreams[i].address }
        }
        for i in s.incidents.indices {
            let incident = s.incidents[i]
            var counts = CauseCounts()
            var minute = incident.start
            while minute < incident.end {
                if let perClass = minuteCauses[minute] {
                    for c in incident.anomalousClasses { counts.add(perClass[c.rawValue]) }
                }
                minute += 60
            }
            s.incidents[i].causes = counts.sorted
            if incident.topUpstreams.isEmpty {
                // The access log names no upstream: the error lines joined to the incident's
                // requests may.
                s.incidents[i].topUpstreams = upstreams(of: incident)
                s.incidents[i].upstreamsFromErrorLog = !s.incidents[i].topUpstreams.isEmpty
            }
            s.incidents[i].context = context(from: incident.start, to: incident.end, logUTCOffset: Int64(logUTCOffset))
            if s.incidents[i].topUpstreams.isEmpty && incident.dominantClass == .upstreamUnavailable {
                // Apache answers each request to a worker in error with a 503 and an AH00940
                // line naming the worker but no client: the lines explain no request, yet in the
                // window of a problem of 503s they name the upstream it is about.
                s.incidents[i].topUpstreams = Self.disabledUpstreams(s.incidents[i].context, of: incident)
                s.incidents[i].upstreamsFromErrorLog = !s.incidents[i].topUpstreams.isEmpty
            }
        }
    }

    /// The upstreams error lines named for requests of `incident`'s classes within its window,
    /// most 5xx first (at most `top`). Counts are capped at the incident's own: problems of one
    /// class that overlap in time share the minutes' counts.
    func upstreams(of incident: Incident, top: Int = 5) -> [Incident.Entry] {
        var byName: [String: (serverErrors: Int, failures: Int)] = [:]
        for (key, count) in minuteUpstreams
        where key.minute >= incident.start && key.minute < incident.end && incident.classes[key.failureClass] > 0 {
            var sum = byName[key.upstream] ?? (0, 0)
            if key.failureClass.isServerError { sum.serverErrors += count }
            sum.failures += count
            byName[key.upstream] = sum
        }
        return byName.map { name, sum in
            Incident.Entry(name: name, count: min(sum.serverErrors, incident.serverErrors),
                           failures: min(sum.failures, incident.failures))
        }.sorted(by: Incident.Entry.byImpact).prefix(top).map { $0 }
    }

    /// The upstreams that unmatched "disabled" lines in a problem's window name, one line a
    /// request (Apache's AH00940), counts capped at the problem's own.
    static func disabledUpstreams(_ context: [TriageSummary.UpstreamCause], of incident: Incident) -> [Incident.Entry] {
        context.filter { $0.cause == .upstreamDisabled && $0.address != "-" }
            .map { Incident.Entry(name: $0.address, count: min($0.count, incident.serverErrors),
                                  failures: min($0.count, incident.failures)) }
            .sorted(by: Incident.Entry.byImpact)
    }

    /// Error lines in [start, end) (UTC) that matched no request, per upstream and cause.
    func context(from start: Int64, to end: Int64, logUTCOffset: Int64) -> [TriageSummary.UpstreamCause] {
        struct Key: Hashable { var upstream: String?; var cause: ErrorCause }
        var groups: [Key: ErrorLogJoin.Span] = [:]
        for (entry, count) in unmatched {
            let time = timeZone.map { $0.utc(fromLocal: entry.wallTime).seconds } ?? entry.wallTime - logUTCOffset
            guard time >= start && time < end else { continue }
            var span = groups[Key(upstream: entry.upstream, cause: entry.cause)] ?? ErrorLogJoin.Span()
            span.count += count
            span.first = min(span.first, time)
            span.last = max(span.last, time)
            groups[Key(upstream: entry.upstream, cause: entry.cause)] = span
        }
        return groups.map { key, span in
            TriageSummary.UpstreamCause(address: key.upstream ?? "-", cause: key.cause,
                                        count: span.count, firstSeen: span.first, lastSeen: span.last)
        }.sorted(by: Self.causeOrder)
    }

    static func causeOrder(_ a: TriageSummary.UpstreamCause, _ b: TriageSummary.UpstreamCause) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.address != b.address { return a.address < b.address }
        return a.cause < b.cause
    }
}

extension ErrorLogJoin {
    /// What this join counted, by value (see ``ErrorLogTally``).
    func tally() -> ErrorLogTally {
        var t = ErrorLogTally()
        t.toleranceSeconds = index.tolerance
        t.causeLines = index.entries.count
        t.matchedLines = matched.reduce(0) { $0 + $1.nonzeroBitCount }
        t.untracked = index.untracked
        t.explainedServerErrors = explainedServerErrors
        t.explainedRetried = explainedRetried
        t.classCauses = classCauses
        for (key, span) in upstreamCauses {
            // An upstream the index could not name (its table was full) is not listed, as before.
            guard let name = index.upstreamName(key.upstream) else { continue }
            var known = t.upstreamCauses[.init(upstream: name, cause: key.cause)] ?? Span()
            known.count += span.count
            known.first = min(known.first, span.first)
            known.last = max(known.last, span.last)
            t.upstreamCauses[.init(upstream: name, cause: key.cause)] = known
        }
        t.minuteCauses = minuteCauses
        t.timeZone = index.timeZone
        for (key, count) in minuteUpstreams {
            guard let name = index.upstreamName(key.upstream) else { continue }
            t.minuteUpstreams[.init(minute: key.minute, upstream: name, failureClass: key.failureClass), default: 0] += count
        }
        for (i, entry) in index.entries.enumerated() where !isMatched(i) {
            t.unmatched[.init(wallTime: entry.wallTime, upstream: index.upstreamName(entry.upstream), cause: entry.cause),
                        default: 0] += 1
        }
        return t
    }
}
