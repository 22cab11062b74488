/// How a format's proxy writes its failures, and their mapping onto ``FailureFacts``.
///
/// Every format reads its upstream fields into the same record ranges; the
/// vocabulary says how to read the one field whose meaning differs by proxy
/// (``AccessRecord/proxyFlags``): Envoy's response flags, HAProxy's
/// termination state, ALB's `error_reason`, Heroku's error code. The mapping
/// tables are data; the decision stays in ``Classifier/rows``.
public enum ProxyVocabulary: UInt8, Sendable, CaseIterable {
    /// nginx `$upstream_status` / `$upstream_addr` lists (also Traefik's
    /// `OriginStatus`): the attempts alone, no flags.
    case upstreamAttempts
    /// Envoy's `%RESPONSE_FLAGS%` (`UF,URX`).
    case envoy
    /// HAProxy's termination state (`%tsc`/`%ts`: `sH--`), server name (`<NOSRV>`) and retries (`%rc`).
    case haproxy
    /// AWS ALB and classic ELB: the load balancer's status against the target's (`-`: no
    /// answer), and ALB's `error_reason`.
    case awsLoadBalancer
    /// Traefik's CLF: only the client's status and the service URL (`-` when no
    /// service was chosen); the origin's status is not in this format.
    case traefikCLF
    /// Heroku's router: `at=error code=H12 desc="…"` (the error code), `dyno=` (the upstream).
    case heroku

    /// One entry of a flag table: the signal a code sets, and where and why.
    public struct Entry: Sendable {
        public var code: String
        public var signal: FailureFacts.Signals
        public var phase: FailurePhase
        public var cause: FailureCause
        /// The code says this only beside this final status (nil: beside any). Envoy answers a
        /// timeout it enforces itself with 504 when the request was fully received and 408 when
        /// not; with any other status the response had begun and the status is the upstream's.
        public var onlyWithStatus: Int?
        let bytes: [UInt8]

        init(_ code: String, _ signal: FailureFacts.Signals, _ phase: FailurePhase = .unknown,
             _ cause: FailureCause = .unknown, onlyWithStatus: Int? = nil) {
            self.code = code
            self.signal = signal
            self.phase = phase
            self.cause = cause
            self.onlyWithStatus = onlyWithStatus
            self.bytes = Array(code.utf8)
        }

        /// True when the code speaks beside `status`.
        @inline(__always)
        func applies(to status: Int) -> Bool { onlyWithStatus.map { $0 == status } ?? true }
    }

    /// The facts of one record.
    ///
    /// - Parameters:
    ///   - record: the parsed line.
    ///   - line: its bytes.
    ///   - attempts: filled from the record by the caller when the line has upstream fields.
    ///   - hasUpstreamFields: false when the line carries no upstream field at all (the status decides alone).
    @inline(__always)
    public func facts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>, attempts: UpstreamAttempts,
                      hasUpstreamFields: Bool) -> FailureFacts {
        let status = record.status
        guard hasUpstreamFields else { return FailureFacts(status: status, hasProxyEvidence: false) }
        if self == .awsLoadBalancer { return Self.loadBalancerFacts(record, line: line, attempts: attempts) }
        if self == .traefikCLF { return Self.traefikFacts(record, line: line) }
        if self == .heroku { return Self.herokuFacts(record, line: line) }
        guard self != .upstreamAttempts, record.proxyFlags.isPresent || record.proxyDetails.isPresent else {
            return Self.listFacts(record, line: line, attempts: attempts)
        }
        switch self {
        case .upstreamAttempts:
            return Self.listFacts(record, line: line, attempts: attempts)
        case .envoy:
            return Self.envoyFacts(record, line: line, attempts: attempts)
        case .haproxy:
            return Self.haproxyFacts(record, line: line)
        case .awsLoadBalancer:
            return Self.loadBalancerFacts(record, line: line, attempts: attempts)
        case .traefikCLF:
            return Self.traefikFacts(record, line: line)
        case .heroku:
            return Self.herokuFacts(record, line: line)
        }
    }

    // MARK: - Upstream attempt lists (nginx)

    /// Facts from the upstream fields as lists of attempts (nginx, Traefik JSON, and any
    /// format whose flags are missing on the line).
    static func listFacts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>, attempts: UpstreamAttempts) -> FailureFacts {
        let status = record.status
        if attempts.addressIsServiceName {
            // Traefik JSON's `ServiceName` without a `ServiceURL`: no server was chosen.
            var facts = noServerChosenFacts(status: status)
            if record.retries > 0 { facts.note(.retried) }
            return facts
        }
        if !record.upstreamStatus.isPresent {
            if let last = attempts.last, !last.address.isPresent || attempts.addressesAreHosts
                || !Classifier.isGroupName(last.address.bytes(in: line)) {
                return unstatedAttemptFacts(status: status, attempts: attempts)
            }
            if attempts.isEmpty && !record.upstreamAddr.isPresent && !record.upstreamResponseTime.isPresent {
                // Only connect or header times, all `-`: no header arrived, but whether an
                // upstream was tried at all is not said (a response time or an address would).
                return FailureFacts(status: status, hasProxyEvidence: false)
            }
        }
        var facts = attemptFacts(status: status, attempts: attempts, line: line)
        // A count of retries beside one attempt (Traefik's `RetryAttempts`): earlier attempts failed.
        if record.retries > 0 { facts.note(.retried) }
        return facts
    }

    /// Attempts read from addresses and times alone: the format logs no `$upstream_status`,
    /// so an attempt's status 0 is not nginx's `-` (no header received).
    /// - A 5xx whose last attempt has a response header time (`$upstream_header_time`): the
    ///   upstream answered, the 5xx is its own.
    /// - Another 5xx: the status decides alone (`status_only`); a response time is logged for
    ///   failed connects too.
    /// - Below 500 after several attempts: nginx tries the next upstream only after one
    ///   failed, so the request was retried.
    static func unstatedAttemptFacts(status: Int, attempts: UpstreamAttempts) -> FailureFacts {
        let answered = (attempts.last?.headerMicros ?? -1) >= 0
        if status >= 500 && answered {
            var facts = FailureFacts(status: status, hasProxyEvidence: true)
            facts.note(.originAnswered)
            return facts
        }
        if status < 500 && attempts.count >= 2 {
            var facts = FailureFacts(status: status, hasProxyEvidence: true)
            facts.note(.retried)
            return facts
        }
        return FailureFacts(status: status, hasProxyEvidence: false)
    }

    /// Facts from nginx-style attempts, reading the last address from `line` to spot a group name.
    @inline(__always)
    static func attemptFacts(status: Int, attempts: UpstreamAttempts, line: UnsafeBufferPointer<UInt8>) -> FailureFacts {
        var isGroupName = false
        if let last = attempts.last, last.address.isPresent, !attempts.addressesAreHosts {
            isGroupName = Classifier.isGroupName(last.address.bytes(in: line))
        }
        return attemptFacts(status: status, attempts: attempts, lastAddressIsGroupName: isGroupName)
    }

    /// Facts from nginx-style attempts: the last attempt says why a 5xx failed,
    /// an earlier failed one that a later attempt followed is a retry.
    static func attemptFacts(status: Int, attempts: UpstreamAttempts, lastAddressIsGroupName: Bool) -> FailureFacts {
        var facts = FailureFacts(status: status, hasProxyEvidence: true)
        if attempts.count >= 2 {
            for i in 0..<(attempts.count - 1) where attempts[i].status == 0 || attempts[i].status >= 500 {
                facts.note(.retried)
                break
            }
        }
        guard let last = attempts.last else {
            facts.note(.localReply, cause: .noUpstreamAttempted)
            return facts
        }
        if lastAddressIsGroupName {
            facts.note(.noHealthyUpstream, cause: .noLiveUpstreams)
            return facts
        }
        noteAttempt(status: last.status, into: &facts)
        return facts
    }

    /// The signal one attempt's logged status gives. nginx records 502 for a
    /// failed connect or an invalid response and 504 for a timeout
    /// (`ngx_http_upstream_next`); `-` (0) means no response header arrived,
    /// and then the final status the proxy chose tells why.
    static func noteAttempt(status: Int, into facts: inout FailureFacts) {
        switch status {
        case 502: facts.note(.connectFailed, cause: .upstreamAnswered502)
        case 503: facts.note(.noHealthyUpstream, cause: .upstreamAnswered503)
        case 504: facts.note(.timedOut, cause: .upstreamAnswered504)
        case 0:
            switch facts.status {
            case 504: facts.note(.timedOut)
            case 503: facts.note(.noHealthyUpstream)
            case 502: facts.note(.connectFailed)
            case 499: facts.note(.clientAborted, cause: .clientClosed)
            default: facts.note(.localReply)
            }
        case 500...599: facts.note(.originAnswered)
        default:
            // The upstream answered below 500 but the client got a 5xx: the proxy failed the response.
            facts.note(.localReply, cause: .upstreamAnsweredBelow500)
        }
    }

    // MARK: - Traefik CLF

    /// A 5xx without a service URL (`"-"`) was made by Traefik itself: a 503 is its load
    /// balancer finding no available server (the URL is written by the server's handler,
    /// so none was chosen), any other 5xx a local reply. With a URL, the CLF line cannot
    /// tell the origin's answer from Traefik's (no `OriginStatus`), so the status decides
    /// alone, marked `status_only`.
    static func traefikFacts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>) -> FailureFacts {
        if record.status >= 500 && record.status <= 599 && !record.upstreamAddr.hasValue(in: line) {
            return noServerChosenFacts(status: record.status)
        }
        return FailureFacts(status: record.status, hasProxyEvidence: false)
    }

    /// Traefik chose no server (no service URL, in its CLF or JSON log): a 503 is its load
    /// balancer's "no available server", any other 5xx its own answer (`api@internal`, a
    /// middleware, a config error).
    static func noServerChosenFacts(status: Int) -> FailureFacts {
        var facts = FailureFacts(status: status, hasProxyEvidence: true)
        if status == 503 {
            facts.note(.noHealthyUpstream, cause: .noLiveUpstreams)
        } else if status >= 500 && status <= 599 {
            facts.note(.localReply, cause: .noUpstreamAttempted)
        }
        return facts
    }

    // MARK: - Envoy

    /// Envoy's response flags [Envoy access-log docs, `stream_info/utility.h`].
    /// Order does not matter here: several signals may be set, and the decision
    /// table's row order says which decides (no healthy upstream, then timeout,
    /// then connect/reset, then local replies).
    public static let envoyFlags: [Entry] = baseEnvoyFlags + envoyLongFlagNames.compactMap { long, short in
        // `%RESPONSE_FLAGS_LONG%` writes each flag's long name: the same signal.
        baseEnvoyFlags.first { $0.code == short }.map {
            Entry(long, $0.signal, $0.phase, $0.cause, onlyWithStatus: $0.onlyWithStatus)
        }
    }

    private static let baseEnvoyFlags: [Entry] = [
        Entry("DC", .clientAborted, .unknown, .clientClosed),        // downstream connection termination
        Entry("DR", .clientAborted, .unknown, .clientClosed),        // downstream remote reset (HTTP/2)
        Entry("UH", .noHealthyUpstream, .connect, .noLiveUpstreams), // no healthy upstream host
        Entry("UO", .noHealthyUpstream, .connect),                   // upstream overflow (circuit breaking)
        Entry("LH", .noHealthyUpstream, .connect),                   // failed local health check
        Entry("UT", .timedOut, .responseHeader, .requestTimeout),    // upstream request timeout
        // Upstream max stream duration reached: the router answers 504 when the request was
        // fully received and the response had not begun (`maybeRequestTimeoutCode`).
        Entry("UMSDR", .timedOut, .responseHeader, .requestTimeout, onlyWithStatus: 504),
        Entry("UF", .connectFailed, .connect),                       // upstream connection failure
        // Retry limit reached [router.cc]: on a reset (`maybeRetryReset`) beside the reset's own
        // flag (UF, UC, UR, UT…), which then decides; alone when the upstream's own retriable
        // response was passed on (`onUpstreamHeaders`): retried, and the upstream answered.
        Entry("URX", .retried, .unknown, .retriesExhausted),
        Entry("DF", .connectFailed, .connect),                       // DNS resolution failed
        Entry("UC", .upstreamReset, .unknown, .prematureClose),      // upstream connection termination
        Entry("UR", .upstreamReset, .unknown, .connectionReset),     // upstream remote reset
        Entry("UPE", .upstreamReset, .responseHeader, .invalidResponse), // upstream protocol error
        Entry("NR", .localReply, .unknown, .noRoute),                // no route configured
        Entry("NC", .localReply, .unknown, .noRoute),                // no cluster
        Entry("RL", .rateLimited, .unknown, .rateLimited),           // rate limited locally
        Entry("RLSE", .localReply),                                  // rate limit service error
        Entry("DO", .rateLimited),                                   // drop overload
        Entry("UDO", .rateLimited),                                  // unconditional drop overload
        Entry("UAEX", .localReply, .unknown, .denied),               // denied by external authorization
        Entry("LR", .localReply),                                    // connection local reset
        Entry("DPE", .localReply, .request),                         // downstream protocol error
        Entry("IH", .localReply, .request),                          // invalid Envoy request headers
        // Stream idle timeout, "in addition to 408 or 504": 504 when the whole request was
        // received and the upstream sent nothing in time (`maybeRequestTimeoutCode`); 408 is
        // the client's slowness (no class).
        Entry("SI", .timedOut, .responseHeader, .requestTimeout, onlyWithStatus: 504),
        Entry("FI", .localReply),                                    // fault injected
        Entry("OM", .localReply),                                    // overload manager terminated
        Entry("NFCF", .localReply),                                  // no filter config found
        // The downstream connection outlived `max_connection_duration` (or TCP proxy's
        // `max_downstream_connection_duration`): Envoy's limit on the client's connection.
        Entry("DT", .localReply),
        Entry("RFCF", .servedFromCache),                             // response from the cache filter
        Entry("DI", []),                                             // delay injected: no failure
    ]

    /// Envoy's long flag names (`%RESPONSE_FLAGS_LONG%`) and their short codes
    /// [Envoy `source/common/stream_info/utility.h`, `ResponseFlagUtils`].
    static let envoyLongFlagNames: [(long: String, short: String)] = [
        ("DownstreamConnectionTermination", "DC"), ("DownstreamRemoteReset", "DR"), ("NoHealthyUpstream", "UH"),
        ("UpstreamOverflow", "UO"), ("FailedLocalHealthCheck", "LH"), ("UpstreamRequestTimeout", "UT"),
        ("UpstreamMaxStreamDurationReached", "UMSDR"), ("UpstreamConnectionFailure", "UF"),
        ("UpstreamRetryLimitExceeded", "URX"), ("DnsResolutionFailed", "DF"), ("DnsResolutionFailure", "DF"),
        ("UpstreamConnectionTermination", "UC"), ("UpstreamRemoteReset", "UR"), ("UpstreamProtocolError", "UPE"),
        ("NoRouteFound", "NR"), ("NoClusterFound", "NC"), ("RateLimited", "RL"), ("RateLimitServiceError", "RLSE"),
        ("DropOverload", "DO"), ("DropOverLoad", "DO"), ("UnconditionalDropOverload", "UDO"),
        ("UnauthorizedExternalService", "UAEX"), ("LocalReset", "LR"), ("DownstreamProtocolError", "DPE"),
        ("InvalidEnvoyRequestHeaders", "IH"), ("StreamIdleTimeout", "SI"), ("FaultInjected", "FI"),
        ("OverloadManagerTerminated", "OM"), ("NoFilterConfigFound", "NFCF"), ("DurationTimeout", "DT"),
        ("ResponseFromCacheFilter", "RFCF"), ("DelayInjected", "DI"),
    ]

    /// Facts from Envoy's flags and response code details. Without a failure flag or
    /// detail, a 5xx that reached an upstream (`%UPSTREAM_HOST%` set, or `via_upstream`)
    /// is the application's: Envoy logs no upstream status of its own.
    static func envoyFacts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>,
                           attempts: UpstreamAttempts) -> FailureFacts {
        var facts = FailureFacts(status: record.status, hasProxyEvidence: true)
        noteCodes(record.proxyFlags.bytes(in: line), separator: UInt8(ascii: ","), table: envoyFlags, into: &facts)
        noteEnvoyDetails(record.proxyDetails.bytes(in: line), into: &facts)
        // Envoy flags no retry that succeeded: `URX` below 500 is a retriable answer (a 409, a
        // listed status) passed on when the retries ran out, not a success after a failure.
        if record.status < 500 { facts.signals.remove(.retried) }
        let failures: FailureFacts.Signals = [.noHealthyUpstream, .timedOut, .connectFailed, .upstreamReset,
                                              .rateLimited, .localReply]
        if facts.has(.originAnswered) && !facts.signals.isDisjoint(with: failures) {
            // `via_upstream`: the upstream set the status. A flag beside it tells of earlier
            // attempts, not of this answer, which is the upstream's own.
            var answered = FailureFacts(status: record.status, hasProxyEvidence: true)
            answered.note(.originAnswered)
            answered.signals.formUnion(facts.signals.intersection(.retried))
            return answered
        }
        if facts.signals.isDisjoint(with: failures) {
            if facts.has(.originAnswered) {
                return facts
            } else if !record.upstreamStatus.isPresent, facts.has(.retried) || record.upstreamAddr.hasValue(in: line) {
                // `URX` with no reset or timeout flag: the retries ran out on the upstream's own
                // retriable answer (Istio's `503 URX`), which Envoy passed on.
                facts.note(.originAnswered)
            } else {
                // An upstream status in the line (a user mapping) still speaks, as nginx's would.
                var fromAttempts = attemptFacts(status: record.status, attempts: attempts, line: line)
                fromAttempts.signals.formUnion(facts.signals)
                return fromAttempts
            }
        }
        return facts
    }

    /// Notes the signal of each `separator`-joined code of `codes` found in `table`.
    @inline(__always)
    static func noteCodes(_ codes: UnsafeBufferPointer<UInt8>, separator: UInt8, table: [Entry],
                          into facts: inout FailureFacts) {
        guard codes.count > 0, !(codes.count == 1 && codes[0] == UInt8(ascii: "-")) else { return }
        var start = 0
        while start < codes.count {
            var end = start
            while end < codes.count && codes[end] != separator { end += 1 }
            let token = UnsafeBufferPointer(rebasing: codes[start..<end])
            if let entry = table.first(where: { $0.bytes.elementsEqual(token) }), entry.applies(to: facts.status) {
                facts.note(entry.signal, phase: entry.phase, cause: entry.cause)
            }
            start = end + 1
        }
    }
}
