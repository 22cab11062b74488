import TriageCore

extension JSONRenderer {
    /// `{"client": …, "<countKey>": n, "user_agent": …}` or null.
    static func writeTopClient(_ w: inout JSONWriter, countKey: String, _ top: TriageSummary.TopClient?) {
        guard let top else { return w.null("top_client") }
        w.beginObject("top_client")
        w.string("client", top.address)
        w.int(countKey, top.count)
        w.optionalString("user_agent", top.userAgent)
        w.endObject()
    }

    /// `clients`, `client_counts` and `retry_storms` (1.5).
    static func writeClients(_ w: inout JSONWriter, _ s: TriageSummary) {
        w.beginArray("clients")
        for c in s.clients {
            w.beginObject()
            w.string("client", c.address)
            w.int("requests", c.requests)
            w.int("server_errors", c.serverErrors)
            w.beginObject("classes")
            for k in FailureClass.allCases { w.int(k.identifier, c.classes[k]) }
            w.endObject()
            w.optionalString("user_agent", c.userAgent)
            w.int("retry_storms", c.retryStorms)
            w.int("retry_storm_requests", c.retryStormRequests)
            w.bool("approximate", c.serverErrorCountError != nil)
            w.int("server_error_count_error", c.serverErrorCountError ?? 0)
            w.endObject()
        }
        w.endArray()
        w.beginObject("client_counts")
        w.int("distinct", s.clientCounts.distinct)
        w.int("approximate", s.clientCounts.approximate)
        w.int("overflow_requests", s.clientCounts.overflowRequests)
        w.bool("pairs_overflowed", s.clientCounts.pairsOverflowed)
        w.endObject()

        let r = s.retryStorms
        w.beginObject("retry_storms")
        w.int("gap_seconds", r.gapSeconds)
        w.int("min_requests", r.minimumRequests)
        w.int("storms", r.storms)
        w.int("requests", r.requests)
        w.int("clients", r.clients)
        w.beginArray("routes")
        for route in r.routes {
            w.beginObject()
            w.string("method", route.method)
            w.string("route", route.route)
            w.int("storms", route.storms)
            w.int("requests", route.requests)
            if let largest = route.largest {
                w.beginObject("largest")
                w.string("client", largest.client)
                w.int("requests", largest.requests)
                w.string("first", Timestamp.rfc3339(largest.first))
                w.string("last", Timestamp.rfc3339(largest.last))
                w.endObject()
            } else {
                w.null("largest")
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}
