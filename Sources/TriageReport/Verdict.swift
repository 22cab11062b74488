import TriageCore

/// The first lines of every human report: what broke, how much, since when.
///
/// Shared by the terminal and Markdown renderers so they never disagree.
public struct Verdict: Sendable {
    public var headline: String
    public var split: String?
    public var timing: String?
    public var whereLines: [String] = []
    /// One line per problem, most 5xx first (``ProblemText``).
    public var problems: [String] = []
    public var others: String?
    /// Log-derived text (routes, clients, user agents) in some lines, by line: Markdown shows it as code.
    public var literals: [String: [String]] = [:]

    public init(_ s: TriageSummary) {
        let pct = { (part: Int, whole: Int) in Format.percent(part, of: whole) }
        if s.requests == 0 {
            headline = "No requests could be read."
            return
        }
        if s.serverErrors == 0 {
            headline = "No server errors: \(Format.count(s.requests)) request\(s.requests == 1 ? "" : "s"), none answered 5xx."
        } else {
            headline = "\(Format.count(s.serverErrors)) server error\(s.serverErrors == 1 ? "" : "s") (5xx) in \(Format.count(s.requests)) request\(s.requests == 1 ? "" : "s") (\(pct(s.serverErrors, s.requests)))."
            let origin = s.classes[.originError]
            let upstream = s.upstreamFailures
            let proxy = s.classes[.proxyError]
            var parts: [String] = []
            parts.append("origin (your application) \(Format.count(origin)) = \(pct(origin, s.serverErrors))")
            parts.append("upstream failures \(Format.count(upstream)) = \(pct(upstream, s.serverErrors))")
            if proxy > 0 { parts.append("proxy-made \(Format.count(proxy)) = \(pct(proxy, s.serverErrors))") }
            var text = "Split: " + parts.joined(separator: ", ") + "."
            if s.statusOnlyCount > 0 && s.statusOnlyCount >= s.classes.serverErrors {
                text += " Decided from status codes alone (no upstream fields in the log)."
            } else if s.statusOnlyCount > 0 {
                text += " \(Format.count(s.statusOnlyCount)) of them decided from the status code alone."
            }
            if s.errorLogDecidedCount > 0 {
                text += " \(Format.count(s.errorLogDecidedCount)) decided by the server's error log."
            }
            split = text
        }
        let errorBuckets = s.timeline.filter { $0.serverErrors > 0 }
        if let first = errorBuckets.first, let last = errorBuckets.last,
           let peak = errorBuckets.max(by: { $0.serverErrors < $1.serverErrors || ($0.serverErrors == $1.serverErrors && $0.start > $1.start) }) {
            let spansDays = Format.spansDays(s)
            let t = { (time: Int64) in spansDays ? Format.dateTime(time) : Format.clock(time) }
            timing = "First 5xx \(t(first.start)) UTC, peak \(t(peak.start)) with \(Format.count(peak.serverErrors))/min, last \(t(last.start)) UTC."
        }
        problems = s.incidents.prefix(Self.maxProblems).map { "Problem: " + ProblemText.line($0, withDate: Format.spansDays(s)) + "." }
        if s.incidents.count > Self.maxProblems {
            problems.append("… and \(Format.counted(s.incidents.count - Self.maxProblems, "smaller problem")) (see Incidents).")
        }
        if let route = s.routesBy5xx.first {
            let dominant = route.main5xxClass ?? .originError
            whereLines.append("Worst route: \(route.method) \(route.route): \(Format.count(route.serverErrors)) 5xx of \(Format.count(route.requests)), mostly \(dominant.identifier).")
        }
        if let upstream = s.upstreams.first, upstream.failures > 0 {
            let dominant = FailureClass.allCases.max { upstream.classes[$0] < upstream.classes[$1] } ?? .upstreamUnreachable
            let failing = s.upstreams.filter { $0.failures > 0 }
            let total = failing.reduce(0) { $0 + $1.failures }
            if upstream.failures * 2 > total {
                whereLines.append("Worst upstream: \(upstream.address): \(Format.counted(upstream.failures, "failed attempt")) of \(Format.count(upstream.requests)), mostly \(dominant.identifier).")
            } else {
                // No upstream holds most of the failures (an application bug answered by every
                // instance): naming the first would point at one instance.
                whereLines.append("Upstreams: failures spread over \(Format.count(failing.count)) upstreams, none with most of them (\(upstream.address) \(Format.count(upstream.failures)) of \(Format.count(total)) failed attempts), mostly \(dominant.identifier).")
            }
        }
        if let cause = s.errorLog?.upstreamCauses.first {
            whereLines.append("Error log: \(ErrorLogText.upstreamCause(cause)) UTC.")
        }
        if let top = s.signatures.first(where: { $0.source == .appLog }) {
            whereLines.append("Top error: \(top.title): \(Format.count(top.count)) 5xx (\(pct(top.count, s.serverErrors))) on \(top.routes.first ?? "-").")
        }
        for line in ClientText.verdictLines(s) {
            whereLines.append(line.text)
            literals[line.text] = line.literals
        }
        // Regressions first, in the order of their deploys: the earliest is where it began.
        var deployLines: [String] = []
        for d in s.deploys.sorted(by: { $0.time < $1.time }) where d.verdict == .regression {
            let blame = d.upstreamLikelyUnrelated ? " (upstream failures; origin errors did not rise)" : ""
            let at = Format.spansDays(s) ? Format.dateTime(d.time) : Format.clock(d.time)
            // The rate the verdict was judged on: proxy-made 5xx (a rate limit, a scraper) are left
            // out, and the line says so when there were any.
            let judged = DeployComparison.gateClasses
            let (e1, e2) = (d.before.errors(in: judged), d.after.errors(in: judged))
            var rate = e1 == d.before.serverErrors && e2 == d.after.serverErrors ? "5xx" : "5xx other than proxy_error"
            var (c1, c2) = (e1, e2)
            if Self.share(e2, d.after.requests) <= Self.share(e1, d.before.requests),
               let risen = FailureClass.allCases.filter({ judged.contains($0) && Self.rise(d, $0) > 0 })
                   .max(by: { Self.rise(d, $0) < Self.rise(d, $1) }) {
                // The judged rate fell (an outage before the deploy ended), so a class rose:
                // the line names it rather than a falling rate beside the word "regression".
                rate = risen.identifier
                (c1, c2) = (d.before.classes[risen], d.after.classes[risen])
            }
            deployLines.append("Deploy \(LogText.sanitize(d.label)) at \(at) UTC was followed by a regression: \(rate) \(Format.percent(c1, of: d.before.requests)) → \(Format.percent(c2, of: d.after.requests))\(blame).")
        }
        whereLines.insert(contentsOf: deployLines, at: 0)
        for d in s.deploys {
            guard let shift = d.latencyShift, shift.isRegression, let line = Format.deployLatency(d) else { continue }
            let at = Format.spansDays(s) ? Format.dateTime(d.time) : Format.clock(d.time)
            whereLines.append("Deploy \(LogText.sanitize(d.label)) at \(at) UTC slowed requests: \(line).")
        }
        let cached = FailureClass.allCases.filter { $0.isServerError && s.servedFromCache[$0] > 0 }
        if !cached.isEmpty {
            let total = cached.reduce(0) { $0 + s.servedFromCache[$1] }
            let parts = cached.map { "\($0.identifier) \(Format.count(s.servedFromCache[$0]))" }.joined(separator: ", ")
            whereLines.append("Served from cache: \(Format.counted(total, "5xx", plural: "5xx")) (\(parts)) were errors the cache kept serving; they never reached the upstreams and are not counted as upstream failures.")
        }
        var extra: [String] = []
        let closed = s.classes[.clientClosed], retried = s.classes[.retriedOK]
        if closed > 0 {
            // The status as the log wrote it: 499 (nginx), 460 (ALB), or none sent (HAProxy -1, Envoy 0).
            let statuses = ProblemText.abortStatuses.filter { status in s.statusCounts.contains { $0.status == status && $0.count > 0 } }
            let shown = statuses.isEmpty ? "" : " (" + statuses.map(String.init).joined(separator: ", ") + ")"
            extra.append("\(Format.counted(closed, "request")) the client gave up on" + shown)
        }
        if retried > 0 { extra.append("\(Format.count(retried)) succeeded only after a failed upstream attempt") }
        if !extra.isEmpty { others = "Also: " + extra.joined(separator: "; ") + "." }
    }

    private static func share(_ count: Int, _ requests: Int) -> Double { requests > 0 ? Double(count) / Double(requests) : 0 }

    /// How much a class's share of requests rose from the window before a deploy to the one after.
    private static func rise(_ d: DeployComparison, _ c: FailureClass) -> Double {
        share(d.after.classes[c], d.after.requests) - share(d.before.classes[c], d.before.requests)
    }

    /// Problems the verdict lists; the Incidents section lists them all.
    static let maxProblems = 6

    public var lines: [String] {
        [headline] + [split, timing].compactMap { $0 } + problems + whereLines + [others].compactMap { $0 }
    }
}

/// Number and time formatting shared by the human renderers.
public enum Format {
    /// `3 inputs · 10,029 requests · 2026-11-20 08:00 to 2026-11-20 13:59 UTC`.
    public static func overview(_ s: TriageSummary) -> String {
        var parts = [counted(s.inputs.count, "input"), counted(s.requests, "request")]
        if let first = s.firstTime, let last = s.lastTime {
            parts.append("\(dateTime(first)) to \(dateTime(last)) UTC")
        }
        return parts.joined(separator: " · ")
    }

    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "0%" }
        let tenths = (part * 1000 + whole / 2) / whole
        if part > 0 && tenths == 0 { return "<0.1%" }
        return "\(tenths / 10).\(tenths % 10)%"
    }

    public static func clock(_ t: Int64) -> String {
        let c = Timestamp.civil(t)
        return "\(two(c.hour)):\(two(c.minute))"
    }

    public static func dateTime(_ t: Int64) -> String {
        let c = Timestamp.civil(t)
        return "\(c.year)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `6 min`, `1 min 30 s`, `45 s`: a span of whole seconds.
    public static func seconds(_ s: Int64) -> String {
        if s < 60 { return "\(s) s" }
        return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s"
    }

    /// `0.2 ms`, `54 ms`, `1.25 s`, `60.0 s`: a duration in microseconds, three significant digits at most.
    public static func duration(_ micros: Int64) -> String {
        if micros == 0 { return "0 ms" }
        if micros < 10 { return "<0.01 ms" }
        let ms = Double(micros) / 1000
        func digits(_ v: Double, _ places: Int) -> String {
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            let n = Int64((v * scale).rounded())
            guard places > 0 else { return String(n) }
            let whole = n / Int64(scale), fraction = String(n % Int64(scale))
            return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        if ms < 1 { return digits(ms, 2) + " ms" }
        if ms < 10 { return digits(ms, 1) + " ms" }
        if ms < 1000 { return digits(ms, 0) + " ms" }
        let s = ms / 1000
        return (s < 10 ? digits(s, 2) : s < 100 ? digits(s, 1) : digits(s, 0)) + " s"
    }

    /// `request time p95 45 ms → 210 ms (4.67×), latency regression, p < 0.001`: the p95
    /// around a deploy, with the verdict of ``LatencyShift`` when it is one; nil when a
    /// window logged no request time.
    public static func deployLatency(_ d: DeployComparison) -> String? {
        guard let shift = d.latencyShift, let before = shift.before, let after = shift.after else { return nil }
        var text = "request time p95 \(duration(before.p95)) → \(duration(after.p95))"
        if let ratio = shift.observedRatio { text += " (\(factor(ratio)))" }
        if shift.isRegression { text += ", latency regression, " + pValue(shift.pValue) }
        return text
    }

    /// `2.3×`, `12×`: a ratio with two significant digits at most.
    public static func factor(_ r: Double) -> String {
        guard r.isFinite else { return "∞×" }
        if r >= 10 { return "\(Int(r.rounded()))×" }
        let tenths = Int((r * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)×"
    }

    /// `1%`, `0.5%`: a fraction as a short percentage.
    public static func percentOf(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)%" : "\(tenths / 10).\(tenths % 10)%"
    }

    /// `1 request`, `2 requests`: a count with its noun in the right number.
    public static func counted(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(count(n)) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    /// When a group's first and last events happened, to the minute, the same in every renderer.
    ///
    /// Both ends are the minutes the events fell in (not the end of the last minute), so a
    /// group seen within one minute shows one time. With `withDate`, the first is a full
    /// date and the last only a clock unless it falls on another day.
    public static func seen(_ first: Int64, _ last: Int64, withDate: Bool) -> String {
        let last = max(first, last)
        let firstMinute = first - ((first % 60) + 60) % 60, lastMinute = last - ((last % 60) + 60) % 60
        let from = withDate ? dateTime(first) : clock(first)
        if firstMinute == lastMinute { return from }
        let to = withDate && dateTime(first).prefix(10) != dateTime(last).prefix(10) ? dateTime(last) : clock(last)
        return from + "–" + to
    }

    /// Whether times between `first` and `last` need their date to be told apart.
    public static func spansDays(_ s: TriageSummary) -> Bool {
        guard let first = s.firstTime, let last = s.lastTime else { return false }
        return dateTime(first).prefix(10) != dateTime(last).prefix(10)
    }

    /// The plain-text notes on one application log (its damage, if any, is each renderer's to style).
    /// One sentence on the lines that were of another shape than their input's format, or nil.
    public static func otherLines(_ s: TriageSummary) -> String? {
        guard s.otherLines > 0 else { return nil }
        let reasons = s.otherByReason.prefix(5).map { "\($0.reason) \(count($0.count))" }.joined(separator: ", ")
        var text = "\(count(s.otherLines)) other lines (another shape than the input's format; not requests): \(reasons)."
        if let first = s.otherByReason.first {
            text += " First: \(first.example.path):\(first.example.line)."
        }
        return text
    }

    /// Notes on one access-log input beyond its counts: other lines, fields left unread, and
    /// the `--log-format` that reads them (given to `code` so that it can be shown as code).
    public static func inputNotes(_ input: TriageSummary.Input, text: (String) -> String = { $0 },
                                  code: (String) -> String = { $0 }) -> [String] {
        var notes: [String] = []
        if input.otherLines > 0 { notes.append(text("\(count(input.otherLines)) other lines")) }
        if let unread = input.unreadFields { notes.append(text(unread)) }
        if let suggestion = input.suggestedLogFormat {
            notes.append(text("to read every field: ") + code("--log-format '\(suggestion)'"))
        }
        return notes
    }

    public static func notes(_ log: TriageSummary.AppLogInput) -> [String] {
        var notes: [String] = []
        if log.isGzip { notes.append("gzip") }
        if log.timeMismatches > 0 { notes.append("\(count(log.timeMismatches)) with a 5xx's ID but too far in time") }
        if let shift = log.zoneShiftSeconds, shift != 0 { notes.append("clock \(offset(shift)) from the access log's zone") }
        return notes
    }

    /// ``coverage(_:)`` as a sentence of its own.
    public static func coverageSentence(_ c: TriageSummary.Correlation) -> String {
        let text = coverage(c)
        return text.prefix(1).uppercased() + text.dropFirst() + "."
    }

    /// `3 of 4 5xx with a request ID matched in application logs`, or why none could be.
    public static func coverage(_ c: TriageSummary.Correlation) -> String {
        if c.withRequestID == 0 { return "no 5xx carried a request ID" }
        let ids = "\(count(c.withRequestID)) of \(count(c.serverErrors)) 5xx carry a request ID"
        if c.appLogs.isEmpty { return ids + "; give --app-log to match them" }
        return ids + ", \(count(c.matched)) matched in application logs"
    }

    /// `+02:00`, `-05:30`: an offset in seconds as a zone.
    public static func offset(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
    }

    /// Cuts `s` to at most `width` display columns, without padding.
    public static func truncate(_ s: String, _ width: Int) -> String {
        s.unicodeScalars.count > width ? fit(s, width) : s
    }

    /// Pads or cuts `s` to `width` display columns (one per scalar; good enough for log text).
    /// A number right-aligned in a column of `width`, with a space before it however
    /// long it is: a count is never cut, and never runs into the column before it.
    public static func column(_ s: String, _ width: Int) -> String {
        let n = s.unicodeScalars.count + 1
        return String(repeating: " ", count: max(1, width - n + 1)) + s
    }

    public static func fit(_ s: String, _ width: Int, alignRight: Bool = false) -> String {
        let n = s.unicodeScalars.count
        if n > width {
            guard width > 1 else { return String(s.unicodeScalars.prefix(width).map(Character.init)) }
            var out = ""
            out.unicodeScalars.append(contentsOf: s.unicodeScalars.prefix(width - 1))
            return out + "…"
        }
        let padding = String(repeating: " ", count: width - n)
        return alignRight ? padding + s : s + padding
    }
}
