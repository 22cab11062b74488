extension ProxyVocabulary {
    /// HAProxy's termination state: the first character says who ended the
    /// session, the second in which phase [HAProxy configuration manual §8.5].
    /// Table of the first character; the phase refines it below.
    static let haproxyCauses: [(code: UInt8, signal: FailureFacts.Signals, cause: FailureCause)] = [
        (UInt8(ascii: "C"), .clientAborted, .clientClosed),      // the client aborted
        (UInt8(ascii: "c"), .clientAborted, .clientClosed),      // client-side timeout
        (UInt8(ascii: "S"), .connectFailed, .connectionRefused), // the server refused or aborted (phase decides)
        (UInt8(ascii: "s"), .timedOut, .requestTimeout),         // server-side timeout
        (UInt8(ascii: "P"), .localReply, .denied),               // the proxy blocked: deny, tarpit, limit, bad response
        (UInt8(ascii: "L"), .localReply, .unknown),              // handled locally (redirect, return, cache, stats)
        (UInt8(ascii: "R"), .localReply, .unknown),              // a resource of the proxy was exhausted
        (UInt8(ascii: "I"), .localReply, .unknown),              // internal error in the proxy
        (UInt8(ascii: "D"), .upstreamReset, .unknown),           // killed: the server went down
        (UInt8(ascii: "U"), .localReply, .unknown),              // killed on a backup: an active server came back
        (UInt8(ascii: "K"), .localReply, .unknown),              // killed by the administrator
    ]

    /// The phase of the termination state's second character: `R` waiting for the request
    /// (nothing sent to a server), `Q` queued for a slot, `C` connecting, `H` waiting for
    /// the response headers, `D` the data phase, `L` sending the last data to the client
    /// after the server finished, `T` tarpitted (no server involved).
    static func haproxyPhase(_ code: UInt8) -> FailurePhase {
        switch code {
        case UInt8(ascii: "R"): return .request
        case UInt8(ascii: "Q"): return .queue
        case UInt8(ascii: "C"): return .connect
        case UInt8(ascii: "H"): return .responseHeader
        case UInt8(ascii: "D"), UInt8(ascii: "L"): return .responseBody
        default: return .unknown
        }
    }

    private static let noServer: [UInt8] = Array("<NOSRV>".utf8)

    /// Facts from an HAProxy `httplog` line.
    ///
    /// - `C…`/`c…`: the client left. HAProxy logs the status it *would* have
    ///   sent (503 before 2.5 for a client that left while queued or
    ///   connecting, `-1` since), so a 5xx or `-1` with a client-side
    ///   termination never reached anyone: `client_aborted` + `response_not_sent`.
    /// - `S`: `SC` the server refused the connection; `SH` it closed or reset it before
    ///   its response headers (`upstream_reset`).
    /// - `s`: a server timeout; `sQ` while queued.
    /// - The data phase (`D`, `L`) with a real server, whoever ended the session (`SD`,
    ///   `sD`, `CD`, `cD`, `CL`…): the server's response headers had been received and
    ///   forwarded, so the status on the line is the server's own and a 5xx is the
    ///   application's (`origin_answered`); what went wrong after it only cut the body.
    /// - `P`, `L`, `R`, `I`, `U`, `K`: the proxy answered itself, except `PH`: the
    ///   server's response was blocked as invalid (`upstream_reset`, invalid response).
    /// - `<NOSRV>` with a normal or server-side state: no server was available.
    /// - `%rc` > 0 (`+N` when redispatched): a connection attempt failed and was retried.
    /// - a normal state (`--`) with a server: the server's own answer.
    static func haproxyFacts(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>) -> FailureFacts {
        var facts = FailureFacts(status: record.status, hasProxyEvidence: true)
        let state = record.proxyFlags.bytes(in: line)
        let first = state.count > 0 ? state[0] : UInt8(ascii: "-")
        let phase = state.count > 1 ? haproxyPhase(state[1]) : .unknown
        if record.retries > 0 { facts.note(.retried) }
        let server = record.upstreamAddr.bytes(in: line)
        let noServer = server.elementsEqual(Self.noServer)
        let realServer = !noServer && server.first != UInt8(ascii: "<") && record.upstreamAddr.hasValue(in: line)
        if phase == .responseBody && realServer && first != UInt8(ascii: "L") {
            // The data phase: the server's status had been forwarded before the session ended.
            if first == UInt8(ascii: "C") || first == UInt8(ascii: "c") {
                facts.note(.clientAborted, phase: phase, cause: .clientClosed)
            }
            facts.note(.originAnswered, phase: phase)
            return facts
        }
        if let entry = haproxyCauses.first(where: { $0.code == first }) {
            var signal = entry.signal
            var cause = entry.cause
            if first == UInt8(ascii: "S") && phase != .connect {
                signal = .upstreamReset
                cause = phase == .responseHeader ? .prematureClose : .connectionReset
            }
            if first == UInt8(ascii: "s") && phase == .queue { cause = .queueTimeout }
            if first == UInt8(ascii: "P") && phase == .responseHeader {
                // `PH`: the proxy blocked the server's response as invalid or incomplete
                // (or a response filter matched), always with a 502: the server's answer failed.
                signal = .upstreamReset
                cause = .invalidResponse
            }
            facts.note(signal, phase: phase, cause: cause)
            if signal == .clientAborted && phase != .responseBody && (record.status == 0 || record.status >= 500) {
                facts.note(.responseNotSent)
            }
        }
        if noServer && (first == UInt8(ascii: "-") || first == UInt8(ascii: "S") || first == UInt8(ascii: "s")) {
            facts.note(.noHealthyUpstream, cause: .noLiveUpstreams)
        }
        if first == UInt8(ascii: "-") && !noServer {
            if server.first == UInt8(ascii: "<") || !record.upstreamAddr.hasValue(in: line) {
                // `<STATS>`, `<CACHE>`…: an applet of the proxy answered.
                facts.note(.localReply)
            } else {
                // A normal end: the status is the server's (a 5xx is the application's).
                facts.note(.originAnswered)
            }
        }
        return facts
    }
}
