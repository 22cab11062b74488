// MARK: - Summary

extension ErrorLogJoin {
    /// Adds the error logs' causes to the summary's classes, upstreams and incidents,
    /// and the counts of `errorLog` (its inputs are the analyzer's to fill).
    ///
    /// - Parameter logUTCOffset: the access log's offset, to place the error lines' zoneless times.
    func summarize(into s: inout TriageSummary, logUTCOffset: Int) {
        var e = s.errorLog ?? TriageSummary.ErrorLog()
        e.toleranceSeconds = index.tolerance
        e.causeLines = index.entries.count
        e.matchedLines = matched.reduce(0) { $0 + $1.nonzeroBitCount }
        e.untracked = index.untracked
        e.explainedServerErrors = explainedServerErrors
        e.explainedRetried = explainedRetried
        e.serverErrors = s.serverErrors
        e.upstreamCauses = upstreamCauses.compactMap { key, span in
            guard let address = index.upstreamName(key.upstream) else { return nil }
            return TriageSummary.UpstreamCause(address: address, cause: key.cause, count: span.count,
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
            s.incidents[i].context = context(from: incident.start, to: incident.end, logUTCOffset: Int64(logUTCOffset))
        }
    }

    /// Error lines in [start, end) (UTC) that matched no request, per upstream and cause.
    func context(from start: Int64, to end: Int64, logUTCOffset: Int64) -> [TriageSummary.UpstreamCause] {
        var groups: [UpstreamCause: Span] = [:]
        for (i, entry) in index.entries.enumerated() where !isMatched(i) {
            let time = entry.wallTime - logUTCOffset
            guard time >= start && time < end else { continue }
            var span = groups[UpstreamCause(upstream: entry.upstream, cause: entry.cause)] ?? Span()
            span.count += 1
            span.first = min(span.first, time)
            span.last = max(span.last, time)
            groups[UpstreamCause(upstream: entry.upstream, cause: entry.cause)] = span
        }
        return groups.map { key, span in
            TriageSummary.UpstreamCause(address: index.upstreamName(key.upstream) ?? "-", cause: key.cause,
                                        count: span.count, firstSeen: span.first, lastSeen: span.last)
        }.sorted(by: Self.causeOrder)
    }

    static func causeOrder(_ a: TriageSummary.UpstreamCause, _ b: TriageSummary.UpstreamCause) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.address != b.address { return a.address < b.address }
        return a.cause < b.cause
    }
}
