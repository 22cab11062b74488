import TriageCore

/// Sentences about what the server error logs said, shared by the renderers (each escapes them its own way).
enum ErrorLogText {
    /// `10.0.1.13:8080: 395 × connection refused 13:30–13:45`.
    static func upstreamCause(_ c: TriageSummary.UpstreamCause) -> String {
        "\(c.address): \(Format.count(c.count)) × \(c.cause.phrase)\(span(c.firstSeen, c.lastSeen))"
    }

    /// ` 13:30–13:45`, ` 13:30` for one minute, empty without times.
    static func span(_ first: Int64?, _ last: Int64?) -> String {
        guard let first else { return "" }
        guard let last, Format.clock(last) != Format.clock(first) else { return " " + Format.clock(first) }
        return " \(Format.clock(first))–\(Format.clock(last))"
    }

    /// `395 × connection refused, 12 × connection reset`.
    static func causes(_ causes: [(cause: ErrorCause, count: Int)]) -> String {
        causes.map { "\(Format.count($0.count)) × \($0.cause.phrase)" }.joined(separator: ", ")
    }

    /// `The error logs explained 420 of 480 5xx and 109 retried requests; 12 error lines with a cause matched no request.`
    static func coverage(_ e: TriageSummary.ErrorLog) -> String {
        var text = "The error logs explained \(Format.count(e.explainedServerErrors)) of \(Format.count(e.serverErrors)) 5xx"
        if e.explainedRetried > 0 { text += " and \(Format.count(e.explainedRetried)) requests that succeeded after a failed attempt (retried_ok)" }
        text += "; \(Format.count(e.unmatchedLines)) of \(Format.count(e.causeLines)) error lines with a cause matched no request"
        text += " (joined by client, request line and time within \(e.toleranceSeconds) s, or by upstream and time)."
        if e.untracked > 0 { text += " \(Format.count(e.untracked)) more lines with a cause did not fit in memory and were not joined." }
        if e.serverErrors > 0 && e.causeLines >= 10 && e.matchedLines * 10 < e.causeLines {
            // Times are compared on the access log's wall clock; an access log in UTC beside an
            // error log in the server's zone joins nothing.
            text += " Few lines joined: if the error log's clock is not the access log's (an access log in UTC, "
                + "as $msec or a Z time write it), give its zone with --error-log-timezone."
        }
        return text
    }

    /// `error.log: 1,204 lines, 1,180 entries (nginx), 22 continuation lines, 430 with a cause`.
    static func input(_ i: TriageSummary.ErrorLogInput) -> String {
        let dialect = i.apacheEntries > i.nginxEntries ? "Apache" : "nginx"
        var parts = ["\(Format.count(i.lines)) lines", "\(Format.count(i.entries)) \(dialect) entries"]
        if i.continuationLines > 0 { parts.append("\(Format.count(i.continuationLines)) continuation lines") }
        if i.otherLines > 0 { parts.append("\(Format.count(i.otherLines)) access lines") }
        if i.unrecognised > 0 { parts.append("\(Format.count(i.unrecognised)) unrecognised") }
        parts.append("\(Format.count(i.causes.total)) with a cause")
        var how = i.isGzip ? " (gzip)" : ""
        if i.isInterleaved { how += " (error lines among the access lines)" } else if i.isDetected { how += " (recognised as an error log)" }
        return "\(i.path)\(how): " + parts.joined(separator: ", ")
    }
}
