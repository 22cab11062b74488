extension ProxyVocabulary {
    /// ALB `error_reason` codes [ALB user guide, "Error reason codes"]: a prefix and its signal.
    /// `LambdaUnhandled` is the function's own exception; the other `Lambda…` codes say
    /// the load balancer could not get a usable answer from it.
    static let albErrorReasons: [(prefix: [UInt8], signal: FailureFacts.Signals, cause: FailureCause)] = [
        (Array("LambdaUnhandled".utf8), .originAnswered, .unknown),
        (Array("Lambda".utf8), .connectFailed, .invalidResponse),
        (Array("Auth".utf8), .localReply, .denied),
        (Array("AWSALBTGCookieInvalid".utf8), .localReply, .unknown),
        (Array("WeightedTargetGroupsUnhandledException".utf8), .localReply, .unknown),
    ]

    /// Facts from an ALB or classic ELB line.
    ///
    /// The target (backend) status is the target's own answer, `-` when none
    /// arrived: then the load balancer answered itself, and its status says why
    /// (502 connection or response failure, 503 no registered or healthy
    /// target, 504 timeout; 460: the client closed first). A target status is the
    /// target's real answer ("recorded only if a connection was established to the
    /// target and the target sent a response"), not a proxy's verdict on an attempt as
    /// nginx's `$upstream_status` 502 is: a target's 5xx, even a 502, is the target's own.
    static func loadBalancerFacts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>,
                                  attempts: UpstreamAttempts) -> FailureFacts {
        let status = record.status
        var facts = FailureFacts(status: status, hasProxyEvidence: true)
        let reason = record.proxyFlags.bytes(in: line)
        if record.proxyFlags.hasValue(in: line),
           let entry = albErrorReasons.first(where: { reason.starts(with: $0.prefix) }) {
            facts.note(entry.signal, cause: entry.cause)
            return facts
        }
        // A backend status 0 (classic ELB: `-1 -1 -1 504 0`) is no answer, as `-` is.
        let status0 = record.upstreamStatus.count == 1 && line[Int(record.upstreamStatus.start)] == UInt8(ascii: "0")
        if record.upstreamStatus.hasValue(in: line) && !status0 {
            if let target = attempts.last?.status, target >= 500, target <= 599, status >= 500 {
                facts.note(.originAnswered)
                return facts
            }
            return attemptFacts(status: status, attempts: attempts, line: line)
        }
        switch status {
        case 460, 0: facts.note([.clientAborted, .responseNotSent], cause: .clientClosed)
        case 502: facts.note(.connectFailed, cause: .loadBalancerAnswered)
        case 503: facts.note(.noHealthyUpstream, cause: .loadBalancerAnswered)
        case 504: facts.note(.timedOut, cause: .loadBalancerAnswered)
        default: facts.note(.localReply, cause: .loadBalancerAnswered)
        }
        return facts
    }
}
