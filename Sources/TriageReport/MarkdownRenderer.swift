import TriageCore

/// Renders the summary as GitHub-flavoured Markdown for an incident ticket or a chat.
///
/// The verdict comes first (the same lines as the terminal report, from
/// ``Verdict``), then tables. A section with nothing to show is left out.
/// Every piece of log-derived text goes through ``MarkdownText``: routes,
/// addresses, request IDs, paths and excerpts as code spans, everything else
/// as escaped prose, so nothing from a log can become a link, a mention, a
/// heading, HTML or an extra table column.
public struct MarkdownRenderer: Sendable {
    /// Rows of the overview timeline; the step is coarsened until it fits.
    static let timelineRows = 24
    /// Minutes of the per-minute table around the busiest moment.
    static let busiestWindowMinutes = 10
    static let malformedExampleLimit = 10
    static let barWidth = 20

    public init() {}

    public func render(_ s: TriageSummary) -> String {
        var out: [String] = ["# 5xx triage report", ""]
        out.append(Format.overview(s))
        out += verdict(s)
        out += classes(s)
        out += timeline(s)
        out += deploys(s)
        out += incidents(s)
        out += signatures(s)
        out += routes(s)
        out += upstreams(s)
        out += clients(s)
        out += hosts(s)
        out += inputs(s)
        out += appLogs(s)
        out += errorLogs(s)
        out += malformed(s)
        out += hints(s)
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Sections

    private func verdict(_ s: TriageSummary) -> [String] {
        let verdict = Verdict(s)
        // The worst route and upstream appear inside verdict sentences; show
        // them as code spans there too. If the wording changes, they are
        // still escaped as prose.
        let worstRoute = s.routesBy5xx.first.map { "\($0.method) \($0.route)" }
        let worstUpstream = s.upstreams.first?.address
        let topError = s.signatures.first { $0.source == .appLog }
        var out = ["", "## Verdict", ""]
        for (i, line) in verdict.lines.enumerated() {
            let literal = line.hasPrefix("Worst route: ") ? worstRoute : line.hasPrefix("Worst upstream: ") ? worstUpstream
                : line.hasPrefix("Top error: ") ? topError?.title : nil
            let route = line.hasPrefix("Top error: ") ? topError?.routes.first : nil
            let text = prose(line, literals: ([literal, route].compactMap { $0 } + (verdict.literals[line] ?? [])).filter { !$0.isEmpty })
            out.append(i == 0 ? "- **\(text)**" : "- \(text)")
        }
        if s.serverErrors > 0 {
            let bound = s.clientsAffectedIsLowerBound ? "at least " : ""
            out.append("- Clients: \(bound)\(Format.count(s.clientsAffected)) distinct clients got a 5xx; \(Format.count(s.serverErrorsWithRequestID)) of \(Format.count(s.serverErrors)) 5xx carry a request ID.")
        }
        return out
    }

    private func classes(_ s: TriageSummary) -> [String] {
        let shown = s.classDetails.filter { $0.count > 0 }
        guard !shown.isEmpty else { return [] }
        let spansDays = Format.spansDays(s)
        let when = { (t: Int64?) -> String in t.map { spansDays ? Format.dateTime($0) : Format.clock($0) } ?? "" }
        var out = ["", "## Classes", ""]
        out += MarkdownText.header(["class", "meaning", "count", "share of 5xx", "first seen (UTC)", "last seen (UTC)",
                                    "status-only", "sample request IDs"], numeric: [2, 3, 6])
        for detail in shown {
            let c = detail.failureClass
            let share = c.isServerError ? Format.percent(detail.count, of: s.serverErrors) : "not 5xx"
            out.append(MarkdownText.row([
                MarkdownText.code(c.identifier), MarkdownText.text(c.summary), Format.count(detail.count), share,
                when(detail.firstSeen), when(detail.lastSeen), Format.count(detail.statusOnly), codeList(detail.sampleRequestIDs),
            ]))
        }
        out.append("")
        out.append("Share is of server errors. Status-only: decided from the status code alone (the log has no upstream fields).")
        return out
    }

    private func deploys(_ s: TriageSummary) -> [String] {
        guard let first = s.deploys.first else { return [] }
        var out = ["", "## Deploys", ""]
        out += MarkdownText.header(["deploy", "time (UTC)", "verdict", "judged 5xx before", "judged 5xx after", "origin errors", "what changed"],
                                   numeric: [3, 4, 5])
        for d in s.deploys {
            let when = Format.dateTime(d.time) + (d.timeWasZoneless ? " (log's zone)" : "")
            let verdict = d.verdict == .regression ? "**regression**" : MarkdownText.text(d.verdict.rawValue)
            var changes = d.regressedRoutes.prefix(3).map { change in
                "\(MarkdownText.code("\(change.method) \(change.route)")) \(Format.count(change.before)) → \(Format.count(change.after))\(change.isNew ? " (new)" : "")"
            }
            changes += d.newSignatures.prefix(3).map { "new: \(MarkdownText.text($0.title)) (\(Format.count($0.count)))" }
            changes += d.findings.prefix(3).map { "failed: \(MarkdownText.text(CheckRenderer().line($0)))" }
            if let latency = Format.deployLatency(d) {
                changes.append(d.latencyShift?.isRegression == true ? "**\(MarkdownText.text(latency))**" : MarkdownText.text(latency))
            }
            if d.upstreamLikelyUnrelated { changes.append("upstream failures rose but origin errors did not: likely not this deploy") }
            if d.before.classes[.proxyError] + d.after.classes[.proxyError] > 0 {
                changes.append("\(MarkdownText.code("proxy_error")) \(Format.count(d.before.classes[.proxyError])) → \(Format.count(d.after.classes[.proxyError])) (not judged)")
            }
            out.append(MarkdownText.row([
                MarkdownText.code(d.label), when, verdict + ", " + MarkdownText.text(HTMLRenderer.pValueText(d.pValue)),
                rate(d.before), rate(d.after),
                "\(Format.count(d.before.classes[.originError])) → \(Format.count(d.after.classes[.originError])) (\(MarkdownText.text(d.originVerdict.rawValue)))",
                changes.joined(separator: "; "),
            ]))
        }
        out.append("")
        out.append("Judged 5xx: the rate of 5xx other than \(MarkdownText.code("proxy_error")) (rate limiting and proxy configuration are not a deploy's doing) in the \(first.windowSeconds / 60) minutes before and after each deploy. The verdict judges them in total, per class, per route and new signatures; exact test, p &lt; 0.01 (as \(MarkdownText.code("triage check")) does).")
        return out
    }

    /// The rate the verdict judged: 5xx other than proxy_error.
    private func rate(_ w: WindowCounts) -> String {
        let judged = w.errors(in: DeployComparison.gateClasses)
        return "\(Format.percent(judged, of: w.requests)) (\(Format.count(judged))/\(Format.count(w.requests)))"
    }

    private func incidents(_ s: TriageSummary) -> [String] {
        guard !s.incidents.isEmpty else { return [] }
        let withDate = Format.spansDays(s)
        var out = ["", "## Incidents", ""]
        out += MarkdownText.header(["window (UTC)", "problem", "peak", "5xx", "failures", "top route", "top upstream", "top client", "signatures"],
                                   numeric: [3, 4])
        for i in s.incidents {
            let entry = { (list: [Incident.Entry]) in
                list.first.map { "\(MarkdownText.code($0.name)) \(Format.count($0.failures))" } ?? "-"
            }
            out.append(MarkdownText.row([
                ProblemText.window(i, withDate: withDate), MarkdownText.text(ProblemText.what(i)),
                MarkdownText.text(ProblemText.peak(i, withDate: withDate)), Format.count(i.serverErrors), Format.count(i.failures),
                entry(i.topRoutes),
                entry(i.topUpstreams) + (i.upstreamsFromErrorLog && !i.topUpstreams.isEmpty ? " (error log)" : ""),
                entry(i.topClients),
                i.signatures.isEmpty ? "-" : i.signatures.map { MarkdownText.code($0.title) }.joined(separator: ", "),
            ]))
        }
        out.append("")
        out.append("Problems, most 5xx first: failures of one cause (a class on a route, an upstream or a client) that departed from their baseline; overlapping problems stay apart and each failure is in one problem.")
        if let approximation = s.incidentsApproximation {
            out.append("")
            out.append("Approximate causes: " + MarkdownText.text(approximation) + ".")
        }
        return out
    }

    /// The 5xx by error signature, then the message and stack of the top application errors.
    private func signatures(_ s: TriageSummary) -> [String] {
        guard !s.signatures.isEmpty else { return [] }
        var out = ["", "## Error signatures", ""]
        out.append(MarkdownText.text(Format.coverageSentence(s.correlation)))
        out.append("")
        out += MarkdownText.header(["rank", "signature", "5xx", "share", "first – last (UTC)", "source", "classes", "routes", "sample request ID"],
                                   numeric: [0, 2, 3])
        for (n, sig) in s.signatures.enumerated() {
            let span = sig.firstSeen.map { Format.seen($0, sig.lastSeen ?? $0, withDate: true) } ?? ""
            out.append(MarkdownText.row([
                "\(n + 1)", MarkdownText.code(sig.title), Format.count(sig.count), Format.percent(sig.count, of: s.serverErrors),
                span, sig.source == .appLog ? "app log" : "access log", mainClasses(sig.classes),
                sig.routes.prefix(3).map { MarkdownText.code($0) }.joined(separator: ", "),
                codeList(Array(sig.sampleRequestIDs.prefix(1))),
            ]))
        }
        for (n, sig) in s.signatures.enumerated().prefix(5) where sig.source == .appLog {
            out.append("")
            out.append("### \(n + 1). \(MarkdownText.text(sig.exceptionType ?? "Error")) (`\(sig.id)`)")
            out.append("")
            var facts: [String] = []
            if let location = sig.location { facts.append("example from \(MarkdownText.code(location, inTable: false))") }
            if !sig.frames.isEmpty { facts.append("frames " + sig.frames.map { MarkdownText.code($0, inTable: false) }.joined(separator: " ← ")) }
            if !facts.isEmpty { out.append(facts.joined(separator: "; ") + ".") }
            out.append("")
            out += MarkdownText.fenced(sig.exampleText)
        }
        if let hint = s.correlation.hint {
            out.append("")
            out.append("Note: " + MarkdownText.text(hint))
        }
        out.append("")
        out.append("Every 5xx is under one signature: an application error (exception type, message without its variable parts, top frames; algorithm `\(s.correlation.signatureAlgorithm)`) where an application log explained it, else what the access log says (class, route, upstream status).")
        return out
    }

    private func routes(_ s: TriageSummary) -> [String] {
        let failing = s.routesBy5xx
        guard !failing.isEmpty else { return [] }
        var out = ["", "## Top routes", ""]
        out += MarkdownText.header(["method", "route", "requests", "5xx", "main 5xx classes", "sample request IDs"], numeric: [2, 3])
        for route in failing {
            out.append(MarkdownText.row([
                MarkdownText.text(route.method), MarkdownText.code(route.route), Format.count(route.requests),
                Format.count(route.serverErrors), mainClasses(route.classes.serverErrorsOnly), codeList(route.sampleRequestIDs),
            ]))
        }
        out.append("")
        var note = "Routes with 5xx, most first; routes are normalised (`{id}`, `{uuid}`, `{hex}`; query dropped)."
        if s.routesOverflowRequests > 0 {
            note += " \(Format.count(s.distinctRoutes)) distinct routes kept; \(Format.counted(s.routesOverflowRequests, "later request")) counted under `(other routes)`."
        }
        out.append(note)
        return out
    }

    private func upstreams(_ s: TriageSummary) -> [String] {
        guard !s.upstreams.isEmpty else { return [] }
        var out = ["", "## Upstreams", ""]
        out += MarkdownText.header(["address", "attempts", "failed", "classes", "sample request IDs"], numeric: [1, 2])
        for upstream in s.upstreams {
            out.append(MarkdownText.row([
                MarkdownText.code(upstream.address), Format.count(upstream.requests), Format.count(upstream.failures),
                mainClasses(upstream.classes, limit: FailureClass.allCases.count), codeList(upstream.sampleRequestIDs),
            ]))
        }
        out.append("")
        out.append("Attempts are counted per upstream address; failed means a 5xx or no response that was retried or ended the request in a 5xx.")
        return out
    }

    private func clients(_ s: TriageSummary) -> [String] {
        let listed = s.clients.filter { $0.serverErrors > 0 }
        var out: [String] = []
        if !listed.isEmpty {
            out += ["", "## Clients", ""]
            out += MarkdownText.header(["client", "requests", "5xx", "main 5xx classes", "user agent", "retry storms"], numeric: [1, 2, 5])
            for c in listed {
                out.append(MarkdownText.row([
                    MarkdownText.code((c.serverErrorCountError != nil ? "≈" : "") + c.address), Format.count(c.requests),
                    Format.count(c.serverErrors), mainClasses(c.classes.serverErrorsOnly),
                    c.userAgent.map { MarkdownText.code($0) } ?? "", c.retryStorms > 0 ? Format.count(c.retryStorms) : "",
                ]))
            }
            out.append("")
            var note = "Clients by 5xx: the address in the log's client field (`$remote_addr`, `%h`); X-Forwarded-For is not read. The user agent is that of the client's earliest 5xx."
            if let bounds = ClientText.boundsNote(s) { note += " " + MarkdownText.text(bounds) }
            out.append(note)
        }
        let r = s.retryStorms
        if r.storms > 0 {
            out += ["", "## Retry storms", ""]
            out += MarkdownText.header(["method", "route", "storms", "failing requests", "largest storm"], numeric: [2, 3])
            let withDate = Format.spansDays(s)
            for route in r.routes {
                let largest = route.largest.map {
                    "\(MarkdownText.code($0.client)), \(ClientText.stormSize($0)) at \(Format.seen($0.first, $0.last, withDate: withDate))"
                } ?? ""
                out.append(MarkdownText.row([
                    MarkdownText.text(route.method), MarkdownText.code(route.route), Format.count(route.storms),
                    Format.count(route.requests), largest,
                ]))
            }
            out.append("")
            out.append(MarkdownText.text("A retry storm is \(ClientText.stormDefinition(r)). \(Format.counted(r.storms, "storm")), \(Format.counted(r.requests, "failing request"))\(r.clients > 0 ? ", " + Format.counted(r.clients, "client") : "")."))
        }
        return out
    }

    private func hosts(_ s: TriageSummary) -> [String] {
        guard !s.hosts.isEmpty else { return [] }
        var out = ["", "## Hosts", ""]
        out += MarkdownText.header(["host", "requests", "5xx", "share of 5xx", "5xx per class (share of the class)"], numeric: [1, 2, 3])
        for host in s.hosts {
            out.append(MarkdownText.row([
                MarkdownText.code(host.name), Format.count(host.requests), Format.count(host.serverErrors),
                Format.percent(host.serverErrors, of: s.serverErrors), MarkdownText.text(HostShares.describe(host, in: s)),
            ]))
        }
        out.append("")
        out.append(HostShares.note)
        return out
    }

    private func inputs(_ s: TriageSummary) -> [String] {
        guard !s.inputs.isEmpty else { return [] }
        var out = ["", "## Inputs", ""]
        out += MarkdownText.header(["path", "format", "lines", "records", "malformed", "notes"], numeric: [2, 3, 4])
        for input in s.inputs {
            var notes = [MarkdownText.text(input.formatSource)]
            if input.isGzip { notes.append("gzip") }
            if input.skipped > 0 { notes.append("\(Format.count(input.skipped)) lines skipped") }
            if input.blank > 0 { notes.append("\(Format.count(input.blank)) blank") }
            if let error = input.error { notes.append("**error:** " + MarkdownText.text(error)) }
            notes += Format.inputNotes(input, text: MarkdownText.text, code: { MarkdownText.code($0) })
            out.append(MarkdownText.row([
                MarkdownText.code(input.path), MarkdownText.text(input.format), Format.count(input.lines),
                Format.count(input.records), Format.count(input.malformed),
                notes.filter { !$0.isEmpty }.joined(separator: "; "),
            ]))
        }
        if let other = Format.otherLines(s) { out += ["", MarkdownText.text(other)] }
        return out
    }

    private func appLogs(_ s: TriageSummary) -> [String] {
        guard !s.correlation.appLogs.isEmpty else { return [] }
        var out = ["", "## Application logs", ""]
        out += MarkdownText.header(["path", "lines", "error events", "with request ID", "matched to 5xx", "notes"], numeric: [1, 2, 3, 4])
        for log in s.correlation.appLogs {
            var notes = Format.notes(log)
            if let error = log.error { notes.append("**error:** " + MarkdownText.text(error)) }
            out.append(MarkdownText.row([
                MarkdownText.code(log.path), Format.count(log.lines), Format.count(log.errorEvents),
                Format.count(log.errorEventsWithRequestID), Format.count(log.matchedEvents), notes.joined(separator: "; "),
            ]))
        }
        return out
    }

    /// What the server error logs said: causes by class, upstream and incident, and the logs read.
    private func errorLogs(_ s: TriageSummary) -> [String] {
        guard let e = s.errorLog else { return [] }
        var out = ["", "## Error logs", "", MarkdownText.text(ErrorLogText.coverage(e))]
        let classes = s.classDetails.filter { !$0.causes.isEmpty }
        if !classes.isEmpty {
            out += ["", "### Causes by class", ""]
            out += MarkdownText.header(["class", "causes", "decided by the error log"], numeric: [2])
            for detail in classes {
                out.append(MarkdownText.row([MarkdownText.code(detail.failureClass.identifier),
                                             MarkdownText.text(ErrorLogText.causes(detail.causes)), Format.count(detail.errorLog)]))
            }
        }
        if !e.upstreamCauses.isEmpty {
            out += ["", "### Causes by upstream", ""]
            out += MarkdownText.header(["upstream", "cause", "requests", "first (UTC)", "last (UTC)"], numeric: [2])
            for c in e.upstreamCauses.prefix(10) {
                out.append(MarkdownText.row([MarkdownText.code(c.address), MarkdownText.text(c.cause.phrase), Format.count(c.count),
                                             c.firstSeen.map(Format.clock) ?? "", c.lastSeen.map(Format.clock) ?? ""]))
            }
        }
        let incidents = s.incidents.filter { !$0.causes.isEmpty || !$0.context.isEmpty }
        if !incidents.isEmpty {
            out += ["", "### Incidents", ""]
            for i in incidents {
                var line = "- \(HTMLTimelineChart.range(i.start, i.end)) UTC"
                if !i.causes.isEmpty { line += ": " + MarkdownText.text(ErrorLogText.causes(i.causes)) }
                if !i.context.isEmpty {
                    line += "; error lines explaining no request: "
                        + i.context.prefix(3).map { MarkdownText.text(ErrorLogText.upstreamCause($0)) }.joined(separator: "; ")
                }
                out.append(line)
            }
        }
        out += ["", "### Error logs read", ""]
        out += MarkdownText.header(["path", "lines", "entries", "continuation lines", "access lines", "unrecognised", "with a cause"],
                                   numeric: [1, 2, 3, 4, 5, 6])
        for input in e.inputs {
            var path = MarkdownText.code(input.path)
            if input.isInterleaved { path += " (interleaved)" } else if input.isDetected { path += " (recognised)" }
            if let error = input.error { path += " **error:** " + MarkdownText.text(error) }
            out.append(MarkdownText.row([path, Format.count(input.lines), Format.count(input.entries),
                                         Format.count(input.continuationLines), Format.count(input.otherLines),
                                         Format.count(input.unrecognised), Format.count(input.causes.total)]))
        }
        return out
    }

    private func malformed(_ s: TriageSummary) -> [String] {
        guard s.malformedLines > 0 || !s.malformedExamples.isEmpty else { return [] }
        var out = ["", "## Malformed lines", ""]
        var text = "\(Format.count(s.malformedLines)) lines did not parse and are not counted as requests."
        if !s.malformedByReason.isEmpty {
            text += " By field: " + s.malformedByReason.map { "\(MarkdownText.text($0.reason)) \(Format.count($0.count))" }
                .joined(separator: ", ") + "."
        }
        out.append(text)
        let examples = s.malformedExamples.prefix(Self.malformedExampleLimit)
        guard !examples.isEmpty else { return out }
        out.append("")
        out += MarkdownText.header(["line", "reason", "excerpt"])
        for example in examples {
            out.append(MarkdownText.row([
                MarkdownText.code("\(example.path):\(example.line)"), MarkdownText.text(example.reason),
                MarkdownText.code(example.excerpt),
            ]))
        }
        if s.malformedExamples.count > examples.count {
            out.append("")
            out.append("First \(examples.count) of \(Format.count(s.malformedExamples.count)) examples; the JSON report lists them all.")
        }
        return out
    }

    private func hints(_ s: TriageSummary) -> [String] {
        guard !s.hints.isEmpty else { return [] }
        return ["", "## Notes", ""] + s.hints.map { "- " + MarkdownText.text($0) }
    }

    // MARK: - Timeline

    /// A 5xx count per time slot, with its requests and classes.
    private struct Slot {
        var start: Int64
        var requests = 0
        var serverErrors = 0
        var classes = ClassCounts()
    }

    /// An overview of the span with 5xx in at most ``timelineRows`` rows and,
    /// when that needed slots coarser than a bucket, the busiest minutes one by one.
    private func timeline(_ s: TriageSummary) -> [String] {
        let errorBuckets = s.timeline.filter { $0.serverErrors > 0 }
        guard let first = errorBuckets.first, let last = errorBuckets.last else { return [] }
        let bucket = max(1, s.timelineBucketSeconds)
        let rows = { (step: Int64) in
            (HTMLTimelineChart.slotStart(last.start, step) - HTMLTimelineChart.slotStart(first.start, step)) / step + 1
        }
        let step = HTMLTimelineChart.steps.filter { $0 >= bucket && $0 % bucket == 0 }.first { rows($0) <= Int64(Self.timelineRows) }
            ?? ((last.start - first.start) / Int64(Self.timelineRows - 1) / 86_400 + 1) * 86_400
        let columns = FailureClass.allCases.filter { $0.isServerError && s.classes[$0] > 0 }
        let spansDays = last.start - first.start >= 86_400 || step >= 86_400

        var out = ["", "## Timeline", ""]
        out.append("5xx per \(HTMLTimelineChart.describe(step)), from the first 5xx to the last (UTC).")
        out.append("")
        out += table(slots(s.timeline, from: first.start, through: last.start, step: step), step: step,
                     columns: columns, spansDays: spansDays)

        if step > bucket {
            let window = busiestWindow(errorBuckets, bucket: bucket)
            out.append("")
            out.append("Busiest \(HTMLTimelineChart.describe(window.end - window.start)), per \(HTMLTimelineChart.describe(bucket)):")
            out.append("")
            out += table(slots(s.timeline, from: window.start, through: window.end - bucket, step: bucket), step: bucket,
                         columns: columns, spansDays: spansDays)
        }
        return out
    }

    /// The window of ``busiestWindowMinutes`` with the most 5xx, starting at a
    /// bucket with 5xx (the earliest such window on ties).
    private func busiestWindow(_ errorBuckets: [TriageSummary.TimelineBucket], bucket: Int64) -> (start: Int64, end: Int64) {
        let length = max(bucket, Int64(Self.busiestWindowMinutes) * 60 / bucket * bucket)
        var best = (start: errorBuckets[0].start, errors: -1)
        var end = 0
        var errors = 0
        for candidate in errorBuckets {
            while end < errorBuckets.count && errorBuckets[end].start < candidate.start + length {
                errors += errorBuckets[end].serverErrors
                end += 1
            }
            if errors > best.errors { best = (candidate.start, errors) }
            errors -= candidate.serverErrors
        }
        return (best.start, best.start + length)
    }

    private func slots(_ timeline: [TriageSummary.TimelineBucket], from: Int64, through: Int64, step: Int64) -> [Slot] {
        let base = HTMLTimelineChart.slotStart(from, step)
        let count = Int((HTMLTimelineChart.slotStart(through, step) - base) / step) + 1
        var slots = (0..<count).map { Slot(start: base + Int64($0) * step) }
        for bucket in timeline where bucket.start >= base && bucket.start < base + Int64(count) * step {
            let i = Int((bucket.start - base) / step)
            slots[i].requests += bucket.requests
            slots[i].serverErrors += bucket.serverErrors
            slots[i].classes.add(bucket.classes)
        }
        return slots
    }

    private func table(_ slots: [Slot], step: Int64, columns: [FailureClass], spansDays: Bool) -> [String] {
        let peak = slots.map(\.serverErrors).max() ?? 0
        let numeric = Set(1...(2 + columns.count))
        var out = MarkdownText.header(["time (UTC)", "requests", "5xx"] + columns.map { MarkdownText.code($0.identifier) } + [""],
                                      numeric: numeric)
        for slot in slots {
            let label = step >= 86_400 ? String(Format.dateTime(slot.start).prefix(10))
                : spansDays ? Format.dateTime(slot.start) : Format.clock(slot.start)
            var cells = [label, Format.count(slot.requests), Format.count(slot.serverErrors)]
            cells += columns.map { slot.classes[$0] > 0 ? Format.count(slot.classes[$0]) : "" }
            cells.append(bar(slot.serverErrors, peak: peak))
            out.append(MarkdownText.row(cells))
        }
        return out
    }

    private func bar(_ value: Int, peak: Int) -> String {
        guard value > 0, peak > 0 else { return "" }
        return String(repeating: "█", count: max(1, (value * Self.barWidth + peak / 2) / peak))
    }

    // MARK: - Cells

    /// The classes with counts, most first (ties in report order), as `class n` pairs.
    private func mainClasses(_ counts: ClassCounts, limit: Int = 2) -> String {
        FailureClass.allCases.filter { counts[$0] > 0 }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            .prefix(limit)
            .map { "\(MarkdownText.code($0.identifier)) \(Format.count(counts[$0]))" }
            .joined(separator: ", ")
    }

    private func codeList(_ values: [String]) -> String {
        values.map { MarkdownText.code($0) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// A sentence as prose, with each of `literals` (log text inside it) as a code span.
    private func prose(_ line: String, literals: [String]) -> String {
        for literal in literals {
            guard let range = line.firstRange(of: literal) else { continue }
            // Escaping mid-line text as if it began a line is harmless: `\-` renders as `-`.
            return prose(String(line[..<range.lowerBound]), literals: literals)
                + MarkdownText.code(literal, inTable: false)
                + prose(String(line[range.upperBound...]), literals: literals)
        }
        return MarkdownText.text(line)
    }
}
