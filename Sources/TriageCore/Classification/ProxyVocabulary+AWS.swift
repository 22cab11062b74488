extension ProxyVocabulary {
    /// ALB `error_reason` codes [ALB user guide, "Access logs", "Error reason codes"], matched
    /// whole: what each says about the request when the target sent no status.
    static let albErrorReasons: [Entry] = [
        // A request to a Lambda function failed.
        Entry("LambdaUnhandled", .originAnswered),                                    // the function's own unhandled exception
        Entry("LambdaUnhandledException", .localReply),                               // the load balancer's own unhandled exception
        Entry("LambdaConnectionTimeout", .timedOut, .connect, .connectionTimedOut),   // connecting to Lambda timed out
        Entry("LambdaInvalidResponse", .connectFailed, .responseHeader, .invalidResponse), // malformed or incomplete answer
        Entry("LambdaResponseTooLarge", .connectFailed, .responseHeader, .invalidResponse), // answer over 1 MB
        Entry("LambdaServiceException", .connectFailed, .unknown, .platformError),    // Lambda's internal error
        Entry("LambdaResourceNotFound", .noHealthyUpstream, .connect),                // no such function
        Entry("LambdaThrottling", .noHealthyUpstream, .connect),                      // too many requests for the function
        // The function could not be started: its VPC, runtime, code or keys are unusable.
        Entry("LambdaEC2AccessDeniedException", .noHealthyUpstream, .connect),
        Entry("LambdaEC2ThrottledException", .noHealthyUpstream, .connect),
        Entry("LambdaEC2UnexpectedException", .noHealthyUpstream, .connect),
        Entry("LambdaENILimitReachedException", .noHealthyUpstream, .connect),
        Entry("LambdaInvalidRuntimeException", .noHealthyUpstream, .connect),
        Entry("LambdaInvalidSecurityGroupIDException", .noHealthyUpstream, .connect),
        Entry("LambdaInvalidSubnetIDException", .noHealthyUpstream, .connect),
        Entry("LambdaInvalidZipFileException", .noHealthyUpstream, .connect),
        Entry("LambdaKMSAccessDeniedException", .noHealthyUpstream, .connect),
        Entry("LambdaKMSDisabledException", .noHealthyUpstream, .connect),
        Entry("LambdaKMSInvalidStateException", .noHealthyUpstream, .connect),
        Entry("LambdaKMSNotFoundException", .noHealthyUpstream, .connect),
        Entry("LambdaSubnetIPAddressLimitReachedException", .noHealthyUpstream, .connect),
        // The load balancer did not invoke the function.
        Entry("LambdaAccessDenied", .localReply, .unknown, .noUpstreamAttempted),   // no permission to invoke it
        Entry("LambdaBadRequest", .localReply, .request),                           // the client's headers or body not UTF-8
        Entry("LambdaRequestTooLarge", .localReply, .request),                      // the client's body over 1 MB
        // A weighted target group could not be chosen.
        Entry("AWSALBTGCookieInvalid", .localReply),
        Entry("WeightedTargetGroupsUnhandledException", .localReply),
    ]

    /// Families of codes, by prefix, for codes not in ``albErrorReasons``: the authenticate
    /// action (`AuthInvalidIdToken`, `AuthTokenEpRequestTimeout`, `AuthUnhandledException`…)
    /// and AWS WAF (`WAFConnectionError`, `WAFServiceError`…) failed before any target was
    /// tried; another `Lambda…` code is a failed invocation.
    static let albErrorReasonFamilies: [Entry] = [
        Entry("Auth", .localReply, .request, .denied),
        Entry("WAF", .localReply, .request),
        Entry("Lambda", .connectFailed, .unknown, .invalidResponse),
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
        // A backend status 0 (classic ELB: `-1 -1 -1 504 0`) is no answer, as `-` is.
        let status0 = record.upstreamStatus.count == 1 && line[Int(record.upstreamStatus.start)] == UInt8(ascii: "0")
        if record.upstreamStatus.hasValue(in: line) && !status0 {
            // The target answered (a WAF that failed open still forwarded the request).
            if let target = attempts.last?.status, target >= 500, target <= 599, status >= 500 {
                facts.note(.originAnswered)
                return facts
            }
            return attemptFacts(status: status, attempts: attempts, line: line)
        }
        let reason = record.proxyFlags.bytes(in: line)
        if record.proxyFlags.hasValue(in: line),
           let entry = albErrorReasons.first(where: { $0.bytes.elementsEqual(reason) })
            ?? albErrorReasonFamilies.first(where: { reason.starts(with: $0.bytes) }) {
            facts.note(entry.signal, phase: entry.phase, cause: entry.cause)
            return facts
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
