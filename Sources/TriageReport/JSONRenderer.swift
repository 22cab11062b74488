import TriageCore

/// Renders the summary as the versioned JSON report described in Docs/JSONReport.md.
public struct JSONRenderer: Sendable {
    public init() {}

    public func render(_ s: TriageSummary) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.string("schema_version", TriageVersion.jsonSchema)
        w.beginObject("generator")
        w.string("name", "triage")
        w.string("version", TriageVersion.current)
        w.endObject()

        w.beginArray("inputs")
        for input in s.inputs {
            w.beginObject()
            w.string("path", input.path)
            w.string("format", input.format)
            w.string("format_source", input.formatSource)
            w.bool("gzip", input.isGzip)
            w.int("lines", input.lines)
            w.int("records", input.records)
            w.int("malformed", input.malformed)
            w.int("blank", input.blank)
            w.int("skipped", input.skipped)
            w.int("outside_time_range", input.outsideTimeRange)
            w.bool("has_upstream_fields", input.hasUpstreamFields)
            w.bool("has_request_id", input.hasRequestID)
            w.optionalString("error", input.error)
            w.int("error_log_lines", input.errorLogLines)
            w.int("other_lines", input.otherLines)
            w.int("trailing_text_lines", input.trailingTextLines)
            w.optionalString("unread_fields", input.unreadFields)
            w.optionalString("suggested_log_format", input.suggestedLogFormat)
            w.beginArray("servers")
            for server in input.servers { w.string(nil, server.rawValue) }
            w.endArray()
            w.endObject()
        }
        w.endArray()

        w.beginObject("totals")
        w.int("lines", s.lines)
        w.int("requests", s.requests)
        w.int("server_errors", s.serverErrors)
        w.int("malformed_lines", s.malformedLines)
        w.int("clients_affected", s.clientsAffected)
        w.bool("clients_affected_is_lower_bound", s.clientsAffectedIsLowerBound)
        w.int("server_errors_with_request_id", s.serverErrorsWithRequestID)
        w.optionalString("first_time", s.firstTime.map(Timestamp.rfc3339))
        w.optionalString("last_time", s.lastTime.map(Timestamp.rfc3339))
        Self.writeLatency(&w, "latency", s.latency)
        Self.writeLatency(&w, "upstream_latency", s.upstreamLatency)
        w.double("latency_relative_error", (LatencyHistogram.relativeError * 10_000).rounded() / 10_000)
        w.int("served_from_cache", s.servedFromCache.total)
        w.endObject()

        w.beginObject("status_counts")
        for (status, count) in s.statusCounts { w.int(String(status), count) }
        w.endObject()

        writeClasses(&w, "classes", s.classes)
        w.beginArray("class_details")
        for detail in s.classDetails {
            w.beginObject()
            w.string("class", detail.failureClass.identifier)
            w.int("count", detail.count)
            w.int("status_only", detail.statusOnly)
            w.optionalString("first_seen", detail.firstSeen.map(Timestamp.rfc3339))
            w.optionalString("last_seen", detail.lastSeen.map(Timestamp.rfc3339))
            writeStrings(&w, "sample_request_ids", detail.sampleRequestIDs)
            w.int("error_log", detail.errorLog)
            Self.writeCauses(&w, "causes", detail.causes)
            Self.writeLatency(&w, "latency", s.classLatency[detail.failureClass])
            Self.writeTopClient(&w, countKey: "count", detail.topClient)
            w.int("served_from_cache", s.servedFromCache[detail.failureClass])
            w.endObject()
        }
        w.endArray()
        w.beginObject("confidence")
        w.int("upstream_fields", s.classes.total - s.statusOnlyCount - s.errorLogDecidedCount)
        w.int("status_only", s.statusOnlyCount)
        w.int("error_log", s.errorLogDecidedCount)
        w.endObject()

        w.beginArray("routes")
        for route in s.routes {
            w.beginObject()
            w.string("method", route.method)
            w.string("route", route.route)
            w.int("requests", route.requests)
            w.int("server_errors", route.serverErrors)
            writeClasses(&w, "classes", route.classes)
            writeStrings(&w, "sample_request_ids", route.sampleRequestIDs)
            w.bool("approximate", route.failureCountError != nil)
            w.int("failure_count_error", route.failureCountError ?? 0)
            Self.writeLatency(&w, "latency", route.latency)
            Self.writeTopClient(&w, countKey: "server_errors", route.topClient)
            w.endObject()
        }
        w.endArray()
        w.int("distinct_routes", s.distinctRoutes)
        w.int("routes_overflow_requests", s.routesOverflowRequests)
        w.int("approximate_routes", s.approximateRoutes)

        w.beginArray("upstreams")
        for upstream in s.upstreams {
            w.beginObject()
            w.string("address", upstream.address)
            w.int("requests", upstream.requests)
            w.int("failures", upstream.failures)
            writeClasses(&w, "classes", upstream.classes)
            writeStrings(&w, "sample_request_ids", upstream.sampleRequestIDs)
            w.beginArray("causes")
            for c in upstream.causes {
                w.beginObject()
                w.string("cause", c.cause.identifier)
                w.int("count", c.count)
                w.optionalString("first_seen", c.firstSeen.map(Timestamp.rfc3339))
                w.optionalString("last_seen", c.lastSeen.map(Timestamp.rfc3339))
                w.endObject()
            }
            w.endArray()
            Self.writeLatency(&w, "latency", upstream.latency)
            w.endObject()
        }
        w.endArray()
        w.int("upstreams_overflow_attempts", s.upstreamsOverflowAttempts)
        Self.writeClients(&w, s)

        w.beginObject("timeline")
        w.int("bucket_seconds", Int(s.timelineBucketSeconds))
        w.beginArray("buckets")
        for bucket in s.timeline {
            w.beginObject()
            w.string("start", Timestamp.rfc3339(bucket.start))
            w.int("requests", bucket.requests)
            w.int("server_errors", bucket.serverErrors)
            writeClasses(&w, "classes", bucket.classes)
            if let p95 = bucket.latency.quantile(0.95) { w.double("p95", Double(p95) / 1_000_000) } else { w.null("p95") }
            w.endObject()
        }
        w.endArray()
        w.endObject()

        w.beginObject("other_lines")
        w.int("count", s.otherLines)
        w.beginArray("by_reason")
        for other in s.otherByReason {
            w.beginObject()
            w.string("reason", other.reason)
            w.int("count", other.count)
            w.beginObject("example")
            w.string("path", other.example.path)
            w.int("line", other.example.line)
            w.string("reason", other.example.reason)
            w.string("excerpt", other.example.excerpt)
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.endObject()

        w.beginObject("malformed")
        w.int("count", s.malformedLines)
        w.beginArray("by_reason")
        for (reason, count) in s.malformedByReason {
            w.beginObject()
            w.string("reason", reason)
            w.int("count", count)
            w.endObject()
        }
        w.endArray()
        w.beginArray("examples")
        for example in s.malformedExamples {
            w.beginObject()
            w.string("path", example.path)
            w.int("line", example.line)
            w.string("reason", example.reason)
            w.string("excerpt", example.excerpt)
            w.endObject()
        }
        w.endArray()
        w.endObject()

        writeStrings(&w, "hints", s.hints)

        w.beginArray("signatures")
        for sig in s.signatures {
            w.beginObject()
            w.string("id", sig.id)
            w.string("title", sig.title)
            w.string("source", sig.source.rawValue)
            w.int("count", sig.count)
            w.double("share", s.serverErrors > 0 ? Double(sig.count) / Double(s.serverErrors) : 0)
            w.optionalString("first_seen", sig.firstSeen.map(Timestamp.rfc3339))
            w.optionalString("last_seen", sig.lastSeen.map(Timestamp.rfc3339))
            writeStrings(&w, "routes", sig.routes)
            writeClasses(&w, "classes", sig.classes)
            writeStrings(&w, "sample_request_ids", sig.sampleRequestIDs)
            w.optionalString("exception_type", sig.exceptionType)
            w.optionalString("message", sig.message)
            writeStrings(&w, "stack", sig.stack)
            writeStrings(&w, "frames", sig.frames)
            w.optionalString("location", sig.location)
            if let status = sig.upstreamStatus { w.int("upstream_status", status) } else { w.null("upstream_status") }
            w.optionalString("follows_deploy", sig.followsDeploy)
            w.optionalString("cause", sig.cause?.identifier)
            w.endObject()
        }
        w.endArray()

        let c = s.correlation
        w.beginObject("correlation")
        w.int("server_errors", c.serverErrors)
        w.int("with_request_id", c.withRequestID)
        w.int("matched", c.matched)
        w.int("unmatched", c.withRequestID - c.matched - c.untracked)
        w.int("untracked", c.untracked)
        w.int("distinct_signatures", c.distinctSignatures)
        w.string("signature_algorithm", c.signatureAlgorithm)
        w.optionalString("hint", c.hint)
        w.beginArray("app_logs")
        for log in c.appLogs {
            w.beginObject()
            w.string("path", log.path)
            w.bool("gzip", log.isGzip)
            w.int("lines", log.lines)
            w.int("events", log.events)
            w.int("error_events", log.errorEvents)
            w.int("error_events_with_request_id", log.errorEventsWithRequestID)
            w.int("matched_events", log.matchedEvents)
            w.int("time_mismatches", log.timeMismatches)
            if let shift = log.zoneShiftSeconds { w.int("zone_shift_seconds", shift) } else { w.null("zone_shift_seconds") }
            w.int("id_pattern_limit_lines", log.idPatternLimit?.lines ?? 0)
            if let limit = log.idPatternLimit { w.int("id_pattern_limit_first_line", limit.firstLine) } else {
                w.null("id_pattern_limit_first_line")
            }
            w.optionalString("error", log.error)
            w.endObject()
        }
        w.endArray()
        w.endObject()

        Self.writeErrorLog(&w, s.errorLog)

        w.beginArray("deploys")
        for d in s.deploys {
            w.beginObject()
            w.string("label", d.label)
            w.string("time", Timestamp.rfc3339(d.time))
            w.bool("time_was_zoneless", d.timeWasZoneless)
            w.int("window_seconds", Int(d.windowSeconds))
            if let cut = d.afterSeconds { w.int("after_seconds", Int(cut)) } else { w.null("after_seconds") }
            Self.writeWindow(&w, "before", d.before)
            Self.writeWindow(&w, "after", d.after)
            w.string("verdict", d.verdict.rawValue)
            w.double("p_value", d.pValue)
            w.string("origin_verdict", d.originVerdict.rawValue)
            w.double("origin_p_value", d.originPValue)
            w.bool("upstream_likely_unrelated", d.upstreamLikelyUnrelated)
            w.beginArray("new_signatures")
            for sig in d.newSignatures {
                w.beginObject()
                w.string("id", sig.id)
                w.string("title", sig.title)
                w.string("class", sig.failureClass.identifier)
                w.int("count", sig.count)
                w.endObject()
            }
            w.endArray()
            w.beginArray("regressed_routes")
            for r in d.regressedRoutes {
                w.beginObject()
                w.string("method", r.method)
                w.string("route", r.route)
                w.int("before", r.before)
                w.int("after", r.after)
                w.bool("new", r.isNew)
                w.endObject()
            }
            w.endArray()
            w.beginArray("findings")
            for f in d.findings {
                w.beginObject()
                w.string("kind", f.kind.rawValue)
                w.string("subject", f.subject)
                w.int("before", f.before)
                w.int("after", f.after)
                w.int("requests_before", f.requestsBefore)
                w.int("requests_after", f.requestsAfter)
                w.double("p_value", f.pValue)
                w.double("alpha", f.alpha)
                w.string("message", CheckRenderer().line(f))
                w.endObject()
            }
            w.endArray()
            Self.writeLatencyShift(&w, d.latencyShift)
            w.endObject()
        }
        w.endArray()

        w.beginArray("incidents")
        let withDate = Format.spansDays(s)
        for i in s.incidents {
            w.beginObject()
            w.string("start", Timestamp.rfc3339(i.start))
            w.string("end", Timestamp.rfc3339(i.end))
            w.string("peak", Timestamp.rfc3339(i.peak))
            w.int("peak_server_errors", i.peakServerErrors)
            w.int("requests", i.requests)
            w.int("server_errors", i.serverErrors)
            writeClasses(&w, "classes", i.classes)
            writeStrings(&w, "anomalous_classes", i.anomalousClasses.map(\.identifier))
            for (key, entries) in [("top_routes", i.topRoutes), ("top_upstreams", i.topUpstreams)] {
                w.beginArray(key)
                for e in entries {
                    w.beginObject()
                    w.string("name", e.name)
                    w.int("server_errors", e.count)
                    w.int("failures", e.failures)
                    w.endObject()
                }
                w.endArray()
            }
            w.string("top_upstreams_from", i.topUpstreams.isEmpty ? "none" : i.upstreamsFromErrorLog ? "error_log" : "access_log")
            Self.writeCauses(&w, "causes", i.causes)
            Self.writeUpstreamCauses(&w, "error_log_context", i.context)
            w.string("summary", ProblemText.line(i, withDate: withDate))
            w.string("dominant_class", i.dominantClass.identifier)
            w.int("failures", i.failures)
            w.int("peak_failures", i.peakFailures)
            w.beginArray("status_counts")
            for sc in i.statusCounts {
                w.beginObject()
                w.int("status", sc.status)
                w.int("count", sc.count)
                w.endObject()
            }
            w.endArray()
            w.beginArray("top_clients")
            for e in i.topClients {
                w.beginObject()
                w.string("name", e.name)
                w.int("server_errors", e.count)
                w.int("failures", e.failures)
                w.endObject()
            }
            w.endArray()
            writeStrings(&w, "detected_by", i.detectedBy)
            if let deploy = i.followsDeploy { w.string("follows_deploy", deploy) } else { w.null("follows_deploy") }
            w.beginArray("signatures")
            for sig in i.signatures {
                w.beginObject()
                w.string("id", sig.id)
                w.string("title", sig.title)
                w.int("count", sig.count)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        if let approximation = s.incidentsApproximation {
            w.string("incidents_approximation", approximation)
        } else {
            w.null("incidents_approximation")
        }
        if let offset = s.logUTCOffset { w.int("log_utc_offset_seconds", offset) } else { w.null("log_utc_offset_seconds") }
        w.beginArray("hosts")
        for host in s.hosts {
            w.beginObject()
            w.string("name", host.name)
            w.int("requests", host.requests)
            w.int("server_errors", host.serverErrors)
            writeClasses(&w, "classes", host.classes)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.text + "\n"
    }

    static func writeCauses(_ w: inout JSONWriter, _ name: String, _ causes: [(cause: ErrorCause, count: Int)]) {
        w.beginArray(name)
        for c in causes {
            w.beginObject()
            w.string("cause", c.cause.identifier)
            w.int("count", c.count)
            w.endObject()
        }
        w.endArray()
    }

    static func writeUpstreamCauses(_ w: inout JSONWriter, _ name: String, _ causes: [TriageSummary.UpstreamCause]) {
        w.beginArray(name)
        for c in causes {
            w.beginObject()
            w.string("upstream", c.address)
            w.string("cause", c.cause.identifier)
            w.int("count", c.count)
            w.optionalString("first_seen", c.firstSeen.map(Timestamp.rfc3339))
            w.optionalString("last_seen", c.lastSeen.map(Timestamp.rfc3339))
            w.endObject()
        }
        w.endArray()
    }

    static func writeErrorLog(_ w: inout JSONWriter, _ e: TriageSummary.ErrorLog?) {
        guard let e else {
            w.null("error_log")
            return
        }
        w.beginObject("error_log")
        w.int("tolerance_seconds", Int(e.toleranceSeconds))
        w.int("server_errors", e.serverErrors)
        w.int("explained_server_errors", e.explainedServerErrors)
        w.int("explained_retried", e.explainedRetried)
        w.int("cause_lines", e.causeLines)
        w.int("matched_lines", e.matchedLines)
        w.int("unmatched_lines", e.unmatchedLines)
        w.int("untracked", e.untracked)
        writeUpstreamCauses(&w, "upstream_causes", e.upstreamCauses)
        w.beginArray("inputs")
        for input in e.inputs {
            w.beginObject()
            w.string("path", input.path)
            w.bool("gzip", input.isGzip)
            w.bool("detected", input.isDetected)
            w.bool("interleaved", input.isInterleaved)
            w.int("lines", input.lines)
            w.int("entries", input.entries)
            w.int("nginx_entries", input.nginxEntries)
            w.int("apache_entries", input.apacheEntries)
            w.int("errors", input.errors)
            w.int("continuation_lines", input.continuationLines)
            w.int("blank", input.blank)
            w.int("access_lines", input.otherLines)
            w.int("unrecognised", input.unrecognised)
            w.beginObject("causes")
            for c in ErrorCause.allCases where input.causes[c] > 0 { w.int(c.identifier, input.causes[c]) }
            w.endObject()
            w.int("kept", input.kept)
            w.beginArray("examples")
            for example in input.examples {
                w.beginObject()
                w.int("line", example.line)
                w.string("reason", example.reason)
                w.string("excerpt", example.excerpt)
                w.endObject()
            }
            w.endArray()
            w.optionalString("error", input.error)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    static func writeWindow(_ w: inout JSONWriter, _ name: String, _ c: WindowCounts) {
        w.beginObject(name)
        w.int("requests", c.requests)
        w.int("server_errors", c.serverErrors)
        w.beginObject("classes")
        for cls in FailureClass.allCases { w.int(cls.identifier, c.classes[cls]) }
        w.endObject()
        writeLatency(&w, "latency", TriageSummary.Latency(c.latency))
        w.endObject()
    }

    private func writeClasses(_ w: inout JSONWriter, _ name: String, _ counts: ClassCounts) {
        w.beginObject(name)
        for c in FailureClass.allCases { w.int(c.identifier, counts[c]) }
        w.endObject()
    }

    private func writeStrings(_ w: inout JSONWriter, _ name: String, _ values: [String]) {
        w.beginArray(name)
        for value in values { w.string(nil, value) }
        w.endArray()
    }
}

extension JSONRenderer {
    /// `latency_regression`: the p95 test of ``LatencyShift`` around one deploy, or null.
    static func writeLatencyShift(_ w: inout JSONWriter, _ shift: LatencyShift?) {
        guard let shift else { return w.null("latency_regression") }
        w.beginObject("latency_regression")
        w.double("ratio", shift.ratio)
        if let r = shift.observedRatio { w.double("observed_ratio", (r * 1000).rounded() / 1000) } else { w.null("observed_ratio") }
        if let b = shift.beforeUpperBound { w.double("before_p95_upper_bound", Double(b) / 1_000_000) } else { w.null("before_p95_upper_bound") }
        w.int("slow_after", shift.slowAfter)
        w.double("p_value", shift.pValue)
        w.bool("regression", shift.isRegression)
        w.optionalString("insufficient", shift.insufficientReason)
        w.endObject()
    }

    /// `{"count": n, "p50": s, "p95": s, "p99": s, "max": s}` in seconds, or null.
    static func writeLatency(_ w: inout JSONWriter, _ name: String, _ latency: TriageSummary.Latency?) {
        guard let latency else { return w.null(name) }
        let seconds = { (micros: Int64) in Double(micros) / 1_000_000 }
        w.beginObject(name)
        w.int("count", latency.count)
        w.double("p50", seconds(latency.p50))
        w.double("p95", seconds(latency.p95))
        w.double("p99", seconds(latency.p99))
        w.double("max", seconds(latency.max))
        w.endObject()
    }
}
