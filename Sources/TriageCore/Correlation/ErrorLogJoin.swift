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

    init(index: ErrorLogIndex) {
        self.index = index
        matched = [UInt64](repeating: 0, count: (index.entries.count + 63) / 64)
    }

    func isMatched(_ entry: Int) -> Bool { matched[entry >> 6] & (1 << UInt64(entry & 63)) != 0 }

    /// Looks the request up and returns its decision with the error log's cause, if one fits.
    ///
    /// - Parameters:
    ///   - decision: what the access log alone decided.
    ///   - attempts: the upstream attempts read from the line (empty without upstream fields).
    func join(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>, decision: Classifier.Decision?,
              attempts: UpstreamAttempts) -> (Classifier.Decision?, ErrorCause?) {
        let status = record.status
        guard record.time != .min, status != 499, status >= 100, status <= 599 else { return (decision, nil) }
        let wall = record.time + Int64(record.utcOffset)
        guard index.mayHave(wall) else { return (decision, nil) }
        let isServerError = status >= 500
        // Below 500, only a request that the access log did not already explain otherwise.
        if !isServerError, let decision, decision.failureClass != .retriedOK { return (decision, nil) }

        var best = -1, bestScore = 0
        let hostKey = record.host.hasValue(in: line) ? ByteKeyTable<Void>.hash(record.host.bytes(in: line)) : 0
        func consider(_ i: Int) {
            let e = index.entries[i]
            if e.hostKey != 0 && hostKey != 0 && e.hostKey != hostKey { return }
            let score = Self.score(e.cause, status: status)
            guard score > 0 else { return }
            markMatched(i)
            if score > bestScore || (score == bestScore && best >= 0 && e.wallTime > index.entries[best].wallTime) {
                best = i
                bestScore = score
            }
        }
        let client = ErrorLogIndex.firstAddress(record.remoteAddr.bytes(in: line))
        if client.count > 0 {
            var method = record.method.bytes(in: line), target = record.target.bytes(in: line)
            if !record.method.isPresent, record.request.isPresent {
                (method, target) = ErrorLogIndex.split(requestLine: record.request.bytes(in: line))
            }
            if method.count > 0 {
                index.forEach(key: ErrorLogIndex.requestKey(client: client, method: method, target: target), near: wall, consider)
            }
            if index.hasClientOnlyEntries {
                index.forEach(key: ErrorLogIndex.clientKey(client), near: wall) { i in
                    if index.entries[i].requestKey == 0 { consider(i) }
                }
            }
        }
        if best < 0 {
            // By upstream and time: an error line about the address a failed attempt went to,
            // when its cause is that attempt's kind of failure.
            for k in 0..<attempts.count {
                let a = attempts[k]
                guard a.address.isPresent, a.status == 0 || a.status >= 502 else { continue }
                let attemptClass = Classifier.attemptClass(status: a.status, finalStatus: status)
                index.forEach(upstream: a.address.bytes(in: line), near: wall) { i in
                    if index.entries[i].cause.serverErrorClass == attemptClass { consider(i) }
                }
            }
        }
        guard best >= 0 else { return (decision, nil) }
        let cause = index.entries[best].cause
        let upstream = index.entries[best].upstream
        if isServerError {
            // A cause that is not what the proxy answers for this status (a refused connect and a 500)
            // belongs to another attempt or another request: it decides nothing.
            guard bestScore == 2, let causeClass = cause.serverErrorClass else { return (decision, nil) }
            var result = Classifier.Decision(failureClass: causeClass, confidence: .errorLog)
            if let decision, decision.confidence != .statusOnly {
                // The upstream fields decided; the error log adds the cause when it agrees.
                guard decision.failureClass == causeClass else { return (decision, nil) }
                result = decision
            }
            explainedServerErrors += 1
            note(cause, failureClass: result.failureClass, entryUpstream: upstream, time: record.time)
            return (result, cause)
        }
        explainedRetried += 1
        note(cause, failureClass: .retriedOK, entryUpstream: upstream, time: record.time)
        return (Classifier.Decision(failureClass: .retriedOK, confidence: decision?.confidence ?? .errorLog), cause)
    }

    /// How well a cause explains a final status: 2 when it is the status the proxy makes for it,
    /// 1 when it is a failure of another kind, 0 when it explains nothing about this request.
    static func score(_ cause: ErrorCause, status: Int) -> Int {
        guard let c = cause.serverErrorClass else { return 0 }
        guard status >= 500 else { return cause.isFailedAttempt ? 1 : 0 }
        switch (c, status) {
        case (.upstreamTimeout, 504): return 2
        case (.upstreamUnreachable, 502), (.upstreamUnreachable, 503): return 2 // Apache answers 503 when it cannot connect
        case (.upstreamUnavailable, 502), (.upstreamUnavailable, 503): return 2
        case (.proxyError, _) where status != 502 && status != 504: return 2
        default: return 1
        }
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
    }
}
