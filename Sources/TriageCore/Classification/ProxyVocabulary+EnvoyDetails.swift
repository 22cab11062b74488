extension ProxyVocabulary {
    /// Envoy's `%RESPONSE_CODE_DETAILS%` (Istio's default text and JSON formats log it)
    /// [Envoy docs, "Response Code Details"; `source/common/router/router.cc`]: why the
    /// stream ended, in words. Matched on the word before any `{`; what the braces hold
    /// is read by ``envoyResetReasons``.
    public static let envoyDetails: [Entry] = [
        Entry("via_upstream", .originAnswered),                                   // the upstream's own response
        Entry("no_healthy_upstream", .noHealthyUpstream, .connect, .noLiveUpstreams),
        Entry("maintenance_mode", .noHealthyUpstream, .connect),                  // cluster in maintenance
        Entry("upstream_response_timeout", .timedOut, .responseHeader, .requestTimeout),
        Entry("upstream_per_try_timeout", .timedOut, .responseHeader, .requestTimeout),
        Entry("upstream_per_try_idle_timeout", .timedOut, .responseBody, .requestTimeout),
        Entry("upstream_max_stream_duration_reached", .timedOut, .responseBody, .requestTimeout),
        Entry("upstream_reset_before_response_started", .upstreamReset, .responseHeader),
        Entry("upstream_reset_after_response_started", .upstreamReset, .responseBody),
        Entry("cluster_not_found", .localReply, .unknown, .noRoute),
        Entry("route_not_found", .localReply, .unknown, .noRoute),
        Entry("filter_chain_not_found", .localReply, .unknown, .noRoute),
        Entry("direct_response", .localReply),
        Entry("request_rate_limited", .rateLimited, .unknown, .rateLimited),      // rate-limit filter
        Entry("local_rate_limited", .rateLimited, .unknown, .rateLimited),        // local_ratelimit filter
        Entry("ext_authz_denied", .localReply, .request, .denied),
        Entry("ext_authz_error", .localReply, .request),
        Entry("downstream_remote_disconnect", .clientAborted, .unknown, .clientClosed),
        Entry("downstream_local_disconnect", .localReply),
        // The connection manager's stream idle timeout and `max_stream_duration`: 504 when the
        // request was fully received, before any response (`maybeRequestTimeoutCode`), 408 when not.
        Entry("stream_idle_timeout", .timedOut, .responseHeader, .requestTimeout, onlyWithStatus: 504),
        Entry("max_duration_timeout", .timedOut, .responseHeader, .requestTimeout, onlyWithStatus: 504),
        // `request_timeout` runs until the request is sent upstream: a 504 there is a slow filter.
        Entry("request_overall_timeout", .localReply, .request),
        Entry("request_header_timeout", .localReply, .request),
        Entry("duration_timeout", .localReply),
        Entry("overload", .localReply),
        Entry("overload_manager", .localReply),
        Entry("internal_redirect", .localReply),
        Entry("cache.response_from_cache_filter", .servedFromCache),             // the cache filter answered
        // The downstream (client) side's HTTP/2 stream reset by the client: it left.
        Entry("http2.remote_reset", .clientAborted, .unknown, .clientClosed),
        Entry("http2.remote_refuse", .clientAborted, .unknown, .clientClosed),
    ]

    /// Reasons inside `upstream_reset_*_response_started{…}`: Envoy's reset reasons
    /// (`resetReasonToString`, spaces written `_`; older builds keep the spaces), joined
    /// by `,` or `|` with the transport failure (`delayed_connect_error:_111`).
    public static let envoyResetReasons: [Entry] = [
        Entry("connection_failure", .connectFailed, .connect),
        Entry("remote_connection_failure", .connectFailed, .connect),
        Entry("local_connection_failure", .connectFailed, .connect),
        Entry("connection_timeout", .timedOut, .connect, .connectionTimedOut),
        Entry("connection_termination", .upstreamReset, .unknown, .prematureClose),
        Entry("remote_reset", .upstreamReset, .unknown, .connectionReset),
        Entry("remote_refused_stream_reset", .upstreamReset, .unknown, .connectionReset),
        Entry("protocol_error", .upstreamReset, .responseHeader, .invalidResponse),
        Entry("overflow", .noHealthyUpstream, .connect),
        Entry("local_reset", .localReply),
    ]

    private static let codecPrefixes: [[UInt8]] = [Array("http1.".utf8), Array("http2.".utf8), Array("http3.".utf8)]

    /// Notes what Envoy's response code details say; a codec error (`http1.codec_error`,
    /// `http2.too_many_headers`) not in the table is the client's bad request, answered by Envoy.
    static func noteEnvoyDetails(_ details: UnsafeBufferPointer<UInt8>, into facts: inout FailureFacts) {
        guard details.count > 0, !(details.count == 1 && details[0] == UInt8(ascii: "-")) else { return }
        var wordEnd = 0
        while wordEnd < details.count && details[wordEnd] != UInt8(ascii: "{") { wordEnd += 1 }
        let word = UnsafeBufferPointer(rebasing: details[0..<wordEnd])
        // The reasons first: they say more than the word (a connect failure, not any reset).
        if wordEnd < details.count {
            var start = wordEnd + 1
            while start < details.count {
                var end = start
                while end < details.count, details[end] != UInt8(ascii: ","), details[end] != UInt8(ascii: "|"),
                      details[end] != UInt8(ascii: "}") { end += 1 }
                let reason = UnsafeBufferPointer(rebasing: details[start..<end])
                if let entry = envoyResetReasons.first(where: { Self.sameWords($0.bytes, reason) }) {
                    facts.note(entry.signal, phase: entry.phase, cause: entry.cause)
                }
                start = end + 1
            }
        }
        if let entry = envoyDetails.first(where: { $0.bytes.elementsEqual(word) }) {
            guard entry.applies(to: facts.status) else { return }
            facts.note(entry.signal, phase: entry.phase, cause: entry.cause)
        } else if codecPrefixes.contains(where: { startsWith(word, 0, $0) }) {
            facts.note(.localReply, phase: .request)
        }
    }

    /// `a_b` equals `a_b` or `a b` (older Envoy kept the spaces of a reason).
    private static func sameWords(_ table: [UInt8], _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard table.count == value.count else { return false }
        for i in 0..<table.count where table[i] != value[i] {
            if !(table[i] == UInt8(ascii: "_") && value[i] == UInt8(ascii: " ")) { return false }
        }
        return true
    }
}
