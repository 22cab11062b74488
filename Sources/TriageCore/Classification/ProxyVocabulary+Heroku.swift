extension ProxyVocabulary {
    /// Heroku router error codes [Heroku Dev Center, "Heroku Error Codes"; heroku/cli
    /// `src/lib/apps/error-info.ts`]. The router serves its errors as 503.
    public static let herokuCodes: [Entry] = [
        Entry("H10", .noHealthyUpstream, .connect, .appCrashed),      // app crashed
        Entry("H11", .noHealthyUpstream, .queue),                      // backlog too deep
        Entry("H12", .timedOut, .responseHeader, .requestTimeout),     // request timeout (30 s)
        Entry("H13", .upstreamReset, .responseHeader, .prematureClose), // connection closed without response
        Entry("H14", .noHealthyUpstream, .connect),                    // no web dynos running
        Entry("H15", .timedOut, .responseBody),                        // idle connection
        Entry("H16", .localReply),                                     // redirect to herokuapp.com
        Entry("H17", .upstreamReset, .responseHeader, .invalidResponse), // poorly formatted HTTP response
        Entry("H18", .upstreamReset, .responseBody, .connectionReset), // server request interrupted
        Entry("H19", .timedOut, .connect, .connectionTimedOut),        // backend connection timeout
        Entry("H20", .noHealthyUpstream, .connect, .appBootTimeout),   // app boot timeout
        Entry("H21", .connectFailed, .connect, .connectionRefused),    // backend connection refused
        Entry("H22", .noHealthyUpstream, .connect),                    // connection limit reached
        Entry("H23", .localReply),                                     // endpoint misconfigured
        Entry("H24", .localReply),                                     // forced close
        Entry("H25", .localReply, .request, .denied),                  // HTTP restriction
        Entry("H26", .localReply, .request),                           // request error
        Entry("H27", [.clientAborted, .responseNotSent], .request, .clientClosed), // client request interrupted
        Entry("H28", [.clientAborted, .responseNotSent], .request, .clientClosed), // client connection idle
        Entry("H31", .localReply, .request),                           // misdirected request
        Entry("H80", .localReply),                                     // maintenance mode
        Entry("H81", .localReply),                                     // blank app
        Entry("H82", .localReply),                                     // free dyno quota exhausted
        Entry("H99", .localReply, .unknown, .platformError),           // platform error
    ]

    private static let codeKey: [UInt8] = Array("code=".utf8)

    /// Facts from a router line: the error code when `at=error` names one; without one,
    /// a 5xx came from the dyno (the application) itself.
    static func herokuFacts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>) -> FailureFacts {
        var facts = FailureFacts(status: record.status, hasProxyEvidence: true)
        let at = record.proxyFlags.bytes(in: line)
        var i = 0
        while i + 8 <= at.count {
            if at[i] == UInt8(ascii: "c"), startsWith(at, i, codeKey) {
                let code = UnsafeBufferPointer(rebasing: at[(i + 5)..<min(at.count, i + 8)])
                if let entry = herokuCodes.first(where: { $0.bytes.elementsEqual(code) }) {
                    facts.note(entry.signal, phase: entry.phase, cause: entry.cause)
                } else {
                    facts.note(.localReply)
                }
                return facts
            }
            i += 1
        }
        facts.note(record.upstreamAddr.hasValue(in: line) ? .originAnswered : .localReply)
        return facts
    }
}
