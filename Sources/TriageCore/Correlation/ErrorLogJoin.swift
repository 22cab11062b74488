/// Joins access-log requests to the error-log lines that say why they failed.
///
/// One per aggregator (so one per thread); the ``ErrorLogIndex`` it reads is
/// shared. A request is looked up only when some error line lies within the
/// tolerance of its second (``ErrorLogIndex/mayHave(_:)``), then by its client
/// and request line (nginx), its client alone (Apache writes no request line),
/// and, when the access log has `$upstream_addr`, by a failed attempt's
/// upstream address. Times are compared as local wall-clock times: the access
/// log's UTC time plus its offset against the error log's zoneless time.
final class ErrorLogJoin {
    let index: ErrorLogIndex
    /// Entries that matched some request (one bit per entry).
    private(set) var matched: [UInt64]
    /// 5xx whose class or cause an error line gave.
    var explainedServerErrors = 0
    /// Requests below 500 that an error line showed had a failed attempt first (`retried_ok`).
    var explainedRetried = 0
    /// Per class, the causes of its requests.
    var classCauses = [CauseCounts](repeating: CauseCounts(), count: FailureClass.allCases.count)
    struct UpstreamCause: Hashable { var upstream: Int32; var cause: ErrorCause }
    struct Span { var count = 0; var first: Int64 = .max; var last: Int64 = .min }
    /// Per upstream (as the error log names it) and cause: how many requests, first and last (UTC).
    var upstreamCauses: [UpstreamCause: Span] = [:]
    /// Per minute (UTC) and class, the causes: for incidents.
    var minuteCauses: [Int64: [CauseCounts]] = [:]
    struct MinuteUpstream: Hashable { var minute: Int64; var upstream: Int32; var failureClass: FailureClass }
    /// Per minute (UTC), upstream and class, the requests an error line named the upstream of:
    /// an incident's upstreams when the access log names none.
    var minuteUpstreams: [MinuteUpstream: Int] = [:]

    init(index: ErrorLogIndex) {
        self.index = index
        matched = [UInt64](repeating: 0, count: (index.entries.count + 63) / 64)
    }

    func isMatched(_ entry: Int) -> Bool { matched[entry >> 6] & (1 << UInt64(entry & 63)) != 0 }

    /// An error line joined to a request: its cause, its upstream, and whether it decides the class.
    struct Match {
        var cause: ErrorCause
        var upstream: Int32
        /// The access line had no upstream evidence: the error log's fact decides its class
        /// (confidence `error_log`); otherwise the line's own fields decide and the cause is added
        /// only when it says the same.
        var decidesClass: Bool
        var fact: ProxyVocabulary.ErrorLogFact
    }

    /// Looks the request up; when an error line says why it failed, adds that line's fact to `facts`
    /// (for a line without upstream evidence) and returns the match.
    ///
    /// - Parameters:
    ///   - facts: what the access line says; the ``Classifier`` decides from them afterwards.
    ///   - attempts: the upstream attempts read from the line (empty without upstream fields).
    func join(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>, facts: inout FailureFacts,
              attempts: UpstreamAttempts) -> Match? {
        let status = record.status
        guard record.time != .min, status != 499, status >= 100, status <= 599 else { return nil }
        let wall = index.wallTime(utc: record.time, accessOffset: record.utcOffset)
        guard index.mayHave(wall) else { return nil }
        let isServerError = status >= 500

        var best = -1, bestScore = 0
        var bestTime = Int64.min
        let hostKey = record.host.hasValue(in: line) ? ByteKeyTable<Void>.hash(record.host.bytes(in: line)) : 0
        func consider(_ i: Int, _ e: ErrorLogIndex.Entry) {
            // A different virtual host is a different request (when both logs name one).
            if hostKey != 0 && (e.hostKey != 0 || e.serverKey != 0) && e.hostKey != hostKey && e.serverKey != hostKey { return }
            let score = Self.score(e.cause, status: status)
            guard score > 0 else { return }
            markMatched(i)
            if score > bestScore || (score == bestScore && best >= 0 && e.wallTime > bestTime) {
                best = i
                bestScore = score
                bestTime = e.wallTime
            }
        }
        let client = ErrorLogIndex.firstAddress(record.remoteAddr.bytes(in: line))
        let clientKey = client.count > 0 ? ErrorLogIndex.clientKey(client) : 0
        if clientKey != 0, index.mayName(clientKey: clientKey) {
            var method = record.method.bytes(in: line), target = record.target.bytes(in: line)
            if !record.method.isPresent, record.request.isPresent {
                (method, target) = ErrorLogIndex.split(requestLine: record.request.bytes(in: line))
            }
            if method.count > 0 {
                index.forEach(key: ErrorLogIndex.requestKey(client: client, method: method, target: target), near: wall, consider)
            }
            if index.hasClientOnlyEntries {
                index.forEach(key: clientKey, near: wall) { i, e in
                    if e.requestKey == 0 { consider(i, e) }
                }
            }
        }
        if best < 0 {
            // By upstream and time: an error line about the address a failed attempt went to,
            // when its fact is what the proxy makes of that attempt's status.
            for k in 0..<attempts.count {
                let a = attempts[k]
                guard a.address.isPresent, a.status == 0 || a.status >= 502 else { continue }
                let attemptStatus = a.status == 0 ? status : a.status
                index.forEach(upstream: a.address.bytes(in: line), near: wall) { i, e in
                    if let fact = ProxyVocabulary.errorLogFact(e.cause),
                       ProxyVocabulary.errorLogFactFits(fact, status: attemptStatus) { consider(i, e) }
                }
            }
        }
        // A 5xx needs a line whose fact is what the proxy answers for its status (a refused
        // connect and a final 500 are another attempt's or another request's).
        guard best >= 0, !isServerError || bestScore == 2 else { return nil }
        let entry = index.entries[best]
        guard let fact = ProxyVocabulary.errorLogFact(entry.cause) else { return nil }
        let decidesClass = !facts.hasProxyEvidence
        if decidesClass { ProxyVocabulary.noteErrorLogFact(fact, into: &facts) }
        return Match(cause: entry.cause, upstream: entry.upstream, decidesClass: decidesClass, fact: fact)
    }

    /// Settles a match once the ``Classifier`` has decided: an error-log decision is marked
    /// `error_log`; on a line with upstream fields the cause stands only when its fact alone
    /// gives the class they gave. Counts the cause; returns it, or nil when it does not stand.
    func settle(_ match: Match, decision: inout Classifier.Decision?, status: Int, time: Int64) -> ErrorCause? {
        guard var d = decision else { return nil }
        if match.decidesClass {
            d.confidence = .errorLog
            decision = d
        } else {
            var alone = FailureFacts(status: status, hasProxyEvidence: false)
            ProxyVocabulary.noteErrorLogFact(match.fact, into: &alone)
            guard Classifier.decide(alone)?.failureClass == d.failureClass else { return nil }
        }
        if status >= 500 { explainedServerErrors += 1 } else { explainedRetried += 1 }
        note(match.cause, failureClass: d.failureClass, entryUpstream: match.upstream, time: time)
        return match.cause
    }

    /// How well a cause explains a final status: 2 when its fact is what the proxy answers
    /// for that status, 1 when it is a failure of another kind (or, below 500, a failed
    /// attempt before the answer), 0 when it explains nothing about this request.
    static func score(_ cause: ErrorCause, status: Int) -> Int {
        guard let fact = ProxyVocabulary.errorLogFact(cause) else { return 0 }
        guard status >= 500 else { return ProxyVocabulary.errorLogFactIsFailedAttempt(fact) ? 1 : 0 }
        return ProxyVocabulary.errorLogFactFits(fact, status: status) ? 2 : 1
    }

    private func markMatched(_ i: Int) { matched[i >> 6] |= 1 << UInt64(i & 63) }

    /// Counts one request's cause under its class, upstream and minute.
    func note(_ cause: ErrorCause, failureClass: FailureClass, entryUpstream: Int32, time: Int64) {
        classCauses[failureClass.rawValue][cause] += 1
        let minute = time - ((time % 60) + 60) % 60
        var perClass = minuteCauses[minute] ?? [CauseCounts](repeating: CauseCounts(), count: FailureClass.allCases.count)
        perClass[failureClass.rawValue][cause] += 1
        minuteCauses[minute] = perClass
        if entryUpstream >= 0 {
            var span = upstreamCauses[UpstreamCause(upstream: entryUpstream, cause: cause)] ?? Span()
            span.count += 1
            span.first = min(span.first, time)
            span.last = max(span.last, time)
            upstreamCauses[UpstreamCause(upstream: entryUpstream, cause: cause)] = span
            minuteUpstreams[MinuteUpstream(minute: minute, upstream: entryUpstream, failureClass: failureClass), default: 0] += 1
        }
    }

    /// Adds what another thread's join counted over the same index.
    func merge(_ other: ErrorLogJoin) {
        for k in 0..<min(matched.count, other.matched.count) { matched[k] |= other.matched[k] }
        explainedServerErrors += other.explainedServerErrors
        explainedRetried += other.explainedRetried
        for c in FailureClass.allCases { classCauses[c.rawValue].add(other.classCauses[c.rawValue]) }
        for (k, v) in other.upstreamCauses {
            var span = upstreamCauses[k] ?? Span()
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
    }
}
