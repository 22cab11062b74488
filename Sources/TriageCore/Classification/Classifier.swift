/// Decides the ``FailureClass`` of a request. Pure: no I/O, no state.
///
/// The decision table, with the reason for each row, is in
/// `Docs/Classification.md`; each row has a test in `ClassifierTests`.
public enum Classifier {
    public struct Decision: Equatable, Sendable {
        public var failureClass: FailureClass
        public var confidence: Confidence
    }

    /// Classifies a request from its final status and its upstream attempts.
    ///
    /// - Parameters:
    ///   - status: the status the client received.
    ///   - attempts: the upstream attempts read from the line.
    ///   - hasUpstreamFields: whether the log format records upstream fields at all;
    ///     without them the decision rests on the status alone.
    ///   - lastAddressIsGroupName: the last attempt's address is an upstream group
    ///     name rather than host:port (nginx writes this for "no live upstreams").
    /// - Returns: nil for requests that need no class (success without failed attempts, 4xx).
    public static func classify(status: Int, attempts: UpstreamAttempts, hasUpstreamFields: Bool,
                                lastAddressIsGroupName: Bool = false) -> Decision? {
        guard hasUpstreamFields else {
            guard let c = statusOnlyClass(status) else { return nil }
            return Decision(failureClass: c, confidence: .statusOnly)
        }
        if status == 499 { return Decision(failureClass: .clientClosed, confidence: .upstreamFields) }
        if status >= 500 && status <= 599 {
            guard let last = attempts.last else {
                return Decision(failureClass: .proxyError, confidence: .upstreamFields)
            }
            if lastAddressIsGroupName {
                return Decision(failureClass: .upstreamUnavailable, confidence: .upstreamFields)
            }
            return Decision(failureClass: attemptClass(status: last.status, finalStatus: status),
                            confidence: .upstreamFields)
        }
        if status < 500 && attempts.count >= 2 {
            for i in 0..<(attempts.count - 1) where attempts[i].status == 0 || attempts[i].status >= 500 {
                return Decision(failureClass: .retriedOK, confidence: .upstreamFields)
            }
        }
        return nil
    }

    /// Class of one failed upstream attempt from its logged status.
    ///
    /// A `-` status (0) means no response header arrived; then the final status
    /// nginx chose tells why (504 timeout, 502 connect/protocol failure, 503 none available).
    public static func attemptClass(status: Int, finalStatus: Int) -> FailureClass {
        switch status {
        case 502: return .upstreamUnreachable
        case 503: return .upstreamUnavailable
        case 504: return .upstreamTimeout
        case 0:
            switch finalStatus {
            case 504: return .upstreamTimeout
            case 503: return .upstreamUnavailable
            case 499: return .clientClosed
            case 502: return .upstreamUnreachable
            default: return .proxyError
            }
        case 500...599: return .originError
        default:
            // The upstream answered below 500 but the client got a 5xx: the proxy failed the response.
            return .proxyError
        }
    }

    /// Envoy response flags and the class each says, most specific first.
    ///
    /// They apply to a 5xx response (and to status 0 with `DC`, a client that
    /// went away before any response): the proxy says exactly why. A 5xx keeps
    /// a server-error class whatever the flags (`DC` is skipped for it), so the
    /// server-error classes always add up to the 5xx count.
    public static let proxyFlagClasses: [(flag: String, failureClass: FailureClass)] = [
        ("DC", .clientClosed),          // downstream connection termination
        ("UH", .upstreamUnavailable),   // no healthy upstream host
        ("UO", .upstreamUnavailable),   // upstream overflow (circuit breaking)
        ("UT", .upstreamTimeout),       // upstream request timeout
        ("UF", .upstreamUnreachable),   // upstream connection failure
        ("URX", .upstreamUnreachable),  // retry limit or max connect attempts reached
        ("UC", .upstreamUnreachable),   // upstream connection termination
        ("UR", .upstreamUnreachable),   // upstream remote reset
        ("NR", .proxyError),            // no route configured
        ("NC", .proxyError),            // no cluster
        ("RL", .proxyError),            // rate limited locally
        ("UAEX", .proxyError),          // denied by external authorization
        ("LR", .proxyError),            // connection local reset
        ("DPE", .proxyError),           // downstream protocol error
        ("IH", .proxyError), ("SI", .proxyError), ("FI", .proxyError), ("OM", .proxyError),
    ]

    /// The class Envoy's response flags give a response, or nil when they say
    /// nothing (`-`) or the response is not a failure.
    public static func classFromProxyFlags(_ flags: UnsafeBufferPointer<UInt8>, status: Int) -> FailureClass? {
        guard status >= 500 || status == 0, flags.count > 0, !(flags.count == 1 && flags[0] == UInt8(ascii: "-")) else {
            return nil
        }
        var best: Int?
        var start = 0
        while start < flags.count {
            var end = start
            while end < flags.count && flags[end] != UInt8(ascii: ",") { end += 1 }
            let token = UnsafeBufferPointer(rebasing: flags[start..<end])
            if let index = proxyFlagClasses.firstIndex(where: { $0.flag.utf8.elementsEqual(token) }),
               status == 0 || proxyFlagClasses[index].failureClass.isServerError {
                best = min(best ?? index, index)
            }
            start = end + 1
        }
        guard let best else { return nil }
        let c = proxyFlagClasses[best].failureClass
        // Status 0 is no response at all: only a client that left is a class there.
        return status == 0 && c != .clientClosed ? nil : c
    }

    /// The fallback when the log has no upstream fields.
    public static func statusOnlyClass(_ status: Int) -> FailureClass? {
        switch status {
        case 499: return .clientClosed
        case 502: return .upstreamUnreachable
        case 503: return .upstreamUnavailable
        case 504: return .upstreamTimeout
        case 500...599: return .originError
        default: return nil
        }
    }

    /// True when an upstream address is a group name (no port, not a socket):
    /// nginx logs the group's name when no live server was left to try.
    public static func isGroupName(_ address: UnsafeBufferPointer<UInt8>) -> Bool {
        guard address.count > 0 else { return false }
        if address.count >= 5, address[0] == UInt8(ascii: "u"), address[1] == UInt8(ascii: "n"),
           address[2] == UInt8(ascii: "i"), address[3] == UInt8(ascii: "x"), address[4] == UInt8(ascii: ":") {
            return false
        }
        for b in address where b == UInt8(ascii: ":") { return false }
        return true
    }
}
