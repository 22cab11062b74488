import TriageCore

/// Renders the summary as one self-contained HTML5 page.
///
/// No network, no script: CSS is inline, the charts are SVG drawn here, so the
/// file can be attached to a ticket, mailed or opened offline and printed.
/// Every piece of log-derived text goes through ``HTMLText/escape(_:)``.
/// Sections with nothing to show are left out; each section is one function
/// returning a ``Section`` so new ones (deploys, incidents) slot into the list
/// in ``render(_:)``.
public struct HTMLRenderer: Sendable {
    public init() {}

    /// A titled part of the page; `id` is its anchor in the contents line.
    struct Section {
        var id: String
        var title: String
        var body: [String]
    }

    public func render(_ s: TriageSummary) -> String {
        let sections = [timeline(s), deploys(s), incidents(s), signatures(s), classes(s), routes(s), upstreams(s), clients(s), retryStorms(s), hosts(s), inputs(s),
                        appLogs(s), errorLogs(s), malformed(s), notes(s)]
            .compactMap { $0 }
        var out: [String] = []
        out.append("<!DOCTYPE html>")
        out.append("<html lang=\"en\">")
        out.append("<head>")
        out.append("<meta charset=\"utf-8\">")
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        out.append("<title>\(HTMLText.escape(title(s)))</title>")
        out.append("<style>")
        out.append(Self.css)
        out.append("</style>")
        out.append("</head>")
        out.append("<body>")
        out.append("<header>")
        out.append("<h1>5xx triage report</h1>")
        out.append("<p class=\"meta\">\(HTMLText.escape(Format.overview(s)))</p>")
        if !sections.isEmpty {
            let links = sections.map { "<a href=\"#\($0.id)\">\(HTMLText.escape($0.title))</a>" }
            out.append("<nav aria-label=\"Sections\">" + links.joined(separator: " · ") + "</nav>")
        }
        out.append("</header>")
        out.append("<main>")
        out += verdict(s)
        for section in sections {
            out.append("<section id=\"\(section.id)\" aria-labelledby=\"\(section.id)-title\">")
            out.append("<h2 id=\"\(section.id)-title\">\(HTMLText.escape(section.title))</h2>")
            out += section.body
            out.append("</section>")
        }
        out.append("</main>")
        out.append("</body>")
        out.append("</html>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Header and verdict

    private func title(_ s: TriageSummary) -> String {
        guard let first = s.firstTime, let last = s.lastTime else { return "5xx triage report" }
        return "5xx triage report, \(Format.dateTime(first)) to \(Format.dateTime(last)) UTC"
    }

    private func verdict(_ s: TriageSummary) -> [String] {
        let lines = Verdict(s).lines
        let state = s.serverErrors > 0 ? "failing" : s.requests > 0 ? "clean" : "unread"
        var out = ["<section id=\"verdict\" class=\"verdict \(state)\" aria-label=\"Verdict\">"]
        out.append("<p class=\"headline\">\(HTMLText.escape(lines[0]))</p>")
        var rest = lines.dropFirst().map { "<li>\(HTMLText.escape($0))</li>" }
        if s.serverErrors > 0 {
            let bound = s.clientsAffectedIsLowerBound ? "at least " : ""
            rest.append("<li>Clients: \(bound)\(Format.count(s.clientsAffected)) distinct clients got a 5xx; \(Format.count(s.serverErrorsWithRequestID)) of \(Format.count(s.serverErrors)) 5xx carry a request ID.</li>")
        }
        if !rest.isEmpty { out += ["<ul>"] + rest + ["</ul>"] }
        out.append("</section>")
        return out
    }

    // MARK: - Sections

    private func timeline(_ s: TriageSummary) -> Section? {
        let markers = s.deploys.map { HTMLTimelineChart.Marker(time: $0.time, label: $0.label) }
        let shades = s.incidents.map {
            HTMLTimelineChart.Shade(from: $0.start, to: $0.end, label: "incident \(HTMLTimelineChart.range($0.start, $0.end)) UTC")
        }
        guard s.serverErrors > 0,
              let chart = HTMLTimelineChart(s.timeline, bucketSeconds: s.timelineBucketSeconds, markers: markers, shades: shades) else {
            return nil
        }
        var body = ["<figure>", "<div class=\"scroll\">"]
        let withLatency = chart.latencyScale == nil ? "" : ", and p95 request time"
        body.append(chart.svg(title: "5xx per \(HTMLTimelineChart.describe(chart.step)) by class\(withLatency), UTC"))
        body.append("</div>")
        body.append("<figcaption>")
        var legend = ["<ul class=\"legend\">"]
        for c in chart.classes {
            legend.append("<li>\(HTMLPalette.swatch(c))<code>\(c.identifier)</code> \(Format.count(s.classes[c]))</li>")
        }
        legend.append("<li>\(HTMLTimelineChart.trafficSwatch)requests logged</li>")
        if chart.latencyScale != nil {
            legend.append("<li>\(HTMLTimelineChart.latencySwatch)p95 request time (right axis, within \(Format.percentOf(TimelineLatency.relativeError)))</li>")
        }
        if !chart.visibleMarkers.isEmpty { legend.append("<li>\(HTMLTimelineChart.markerSwatch)deploy</li>") }
        if !chart.visibleShades.isEmpty { legend.append("<li>\(HTMLTimelineChart.shadeSwatch)incident window</li>") }
        legend.append("</ul>")
        body += legend
        let bars = chart.step == chart.bucketSeconds ? "one bar per \(HTMLTimelineChart.describe(chart.step))"
            : "one bar per \(HTMLTimelineChart.describe(chart.step)) (\(chart.slots.count) bars)"
        body.append("<p class=\"note\">5xx per class, \(bars), times in UTC. Hover a bar for its counts.</p>")
        body.append("</figcaption>")
        body.append("</figure>")
        return Section(id: "timeline", title: "Timeline", body: body)
    }

    private func deploys(_ s: TriageSummary) -> Section? {
        guard let first = s.deploys.first else { return nil }
        let rows = s.deploys.map { d in
            let verdictClass = d.verdict == .regression ? "bad" : d.verdict == .improvement ? "good" : "quiet"
            let when = Format.dateTime(d.time) + (d.timeWasZoneless ? " (log's zone)" : "")
            var grew = d.regressedRoutes.prefix(3).map { change in
                "<span class=\"nowrap\">\(HTMLText.code("\(change.method) \(change.route)")) \(Format.count(change.before)) → \(Format.count(change.after))\(change.isNew ? " (new)" : "")</span>"
            }
            grew += d.newSignatures.prefix(3).map { "new: \(HTMLText.escape($0.title)) (\(Format.count($0.count)))" }
            grew += d.findings.prefix(3).map { "failed: \(HTMLText.escape(CheckRenderer().line($0)))" }
            if let latency = Format.deployLatency(d) {
                grew.append(d.latencyShift?.isRegression == true ? "<strong class=\"bad\">\(HTMLText.escape(latency))</strong>" : HTMLText.escape(latency))
            }
            if d.upstreamLikelyUnrelated { grew.append("upstream failures rose but origin errors did not: likely not this deploy") }
            if d.before.classes[.proxyError] + d.after.classes[.proxyError] > 0 {
                grew.append("\(HTMLText.code("proxy_error")) \(Format.count(d.before.classes[.proxyError])) → \(Format.count(d.after.classes[.proxyError])) (not judged)")
            }
            return row([
                cell(HTMLText.code(d.label), nowrap: true), cell(HTMLText.escape(when), className: "num"),
                cell("<strong class=\"\(verdictClass)\">\(HTMLText.escape(d.verdict.rawValue))</strong><br><span class=\"note\">\(HTMLText.escape(Self.pValueText(d.pValue)))</span>", nowrap: true),
                cell(rate(d.before), className: "num"), cell(rate(d.after), className: "num"),
                cell("\(Format.count(d.before.classes[.originError])) → \(Format.count(d.after.classes[.originError]))<br><span class=\"note\">\(HTMLText.escape(d.originVerdict.rawValue))</span>", className: "num"),
                cell(grew.joined(separator: "<br>"), className: "changes"),
            ])
        }
        var body = table(["deploy", "time (UTC)", "verdict", "judged 5xx before", "judged 5xx after", "origin errors", "what changed"],
                         numeric: [1, 3, 4, 5], rows: rows)
        body.append("<p class=\"note\">Judged 5xx: the rate of 5xx other than proxy_error (rate limiting and proxy configuration are not a deploy's doing) in the \(first.windowSeconds / 60) minutes before and after each deploy. The verdict judges them in total, per class, per route and new signatures; exact test, p &lt; 0.01 (as triage check does).</p>")
        return Section(id: "deploys", title: "Deploys", body: body)
    }

    private func incidents(_ s: TriageSummary) -> Section? {
        guard !s.incidents.isEmpty else { return nil }
        let withDate = Format.spansDays(s)
        let rows = s.incidents.map { i in
            let entry = { (list: [Incident.Entry]) in
                list.first.map { "<span class=\"nowrap\">\(HTMLText.code($0.name)) \(Format.count($0.failures))</span>" } ?? "-"
            }
            return row([
                cell(HTMLText.escape(ProblemText.window(i, withDate: withDate)), className: "num"),
                cell(HTMLPalette.swatch(i.dominantClass) + HTMLText.escape(ProblemText.what(i))),
                cell(HTMLText.escape(ProblemText.peak(i, withDate: withDate)), className: "num"),
                number(i.serverErrors), number(i.failures),
                cell(entry(i.topRoutes)),
                cell(entry(i.topUpstreams) + (i.upstreamsFromErrorLog && !i.topUpstreams.isEmpty ? " (error log)" : "")),
                cell(entry(i.topClients)),
                cell(i.signatures.isEmpty ? "-" : i.signatures.map { HTMLText.code($0.title) }.joined(separator: "<br>")),
            ])
        }
        var body = table(["window (UTC)", "problem", "peak", "5xx", "failures", "top route", "top upstream", "top client", "signatures"],
                         numeric: [0, 2, 3, 4], rows: rows)
        body.append("<p class=\"note\">Problems, most 5xx first: failures of one cause (a class on a route, an upstream or a client) that departed from their baseline; overlapping problems stay apart and each failure is in one problem.</p>")
        if let approximation = s.incidentsApproximation {
            body.append("<p class=\"note\">Approximate causes: \(HTMLText.escape(approximation)).</p>")
        }
        return Section(id: "incidents", title: "Incidents", body: body)
    }

    /// The rate the verdict judged: 5xx other than proxy_error.
    private func rate(_ w: WindowCounts) -> String {
        let judged = w.errors(in: DeployComparison.gateClasses)
        return "\(Format.percent(judged, of: w.requests))<br><span class=\"note\">\(Format.count(judged)) / \(Format.count(w.requests))</span>"
    }

    /// `p < 0.001`, `p = 0.042`, or a dash when the test gave no number.
    static func pValueText(_ p: Double) -> String {
        p.isFinite ? pValue(p) : "p –"
    }

    private func classes(_ s: TriageSummary) -> Section? {
        let shown = s.classDetails.filter { $0.count > 0 }
        guard !shown.isEmpty else { return nil }
        var body = classBar(s)
        let spansDays = Format.spansDays(s)
        let when = { (t: Int64?) -> String in t.map { spansDays ? Format.dateTime($0) : Format.clock($0) } ?? "" }
        var rows: [String] = []
        for detail in shown {
            let c = detail.failureClass
            let share = c.isServerError ? Format.percent(detail.count, of: s.serverErrors) : "not 5xx"
            rows.append(row([
                cell(HTMLPalette.swatch(c) + "<code>\(c.identifier)</code>", nowrap: true), cell(HTMLText.escape(c.summary)),
                number(detail.count), cell(share, className: "num"), cell(when(detail.firstSeen), className: "num"),
                cell(when(detail.lastSeen), className: "num"), number(detail.statusOnly), ids(detail.sampleRequestIDs),
            ]))
        }
        body += table(["class", "meaning", "count", "share of 5xx", "first seen", "last seen", "status-only", "sample request IDs"],
                      numeric: [2, 3, 4, 5, 6], rows: rows)
        body.append("<p class=\"note\">Share is of server errors; <code>client_closed</code> (499) and <code>retried_ok</code> are not 5xx. Times in UTC. Status-only: decided from the status code alone (the log has no upstream fields).</p>")
        return Section(id: "classes", title: "Classes", body: body)
    }

    /// One horizontal bar split by 5xx class.
    private func classBar(_ s: TriageSummary) -> [String] {
        let parts = FailureClass.allCases.filter { $0.isServerError && s.classes[$0] > 0 }
        let total = parts.reduce(0) { $0 + s.classes[$1] }
        guard total > 0 else { return [] }
        var out = ["<svg class=\"classbar\" viewBox=\"0 0 1000 20\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Share of 5xx by class\">"]
        var x = 0.0
        for c in parts {
            let w = Double(s.classes[c]) / Double(total) * 1000
            out.append("<rect x=\"\(HTMLText.number(x))\" width=\"\(HTMLText.number(w))\" height=\"20\" fill=\"\(HTMLPalette.color(c))\"><title>\(c.identifier): \(Format.count(s.classes[c])) (\(Format.percent(s.classes[c], of: total)))</title></rect>")
            x += w
        }
        out.append("</svg>")
        return out
    }

    /// 5xx by error signature; the top application errors open to their message and stack.
    private func signatures(_ s: TriageSummary) -> Section? {
        guard !s.signatures.isEmpty else { return nil }
        var body = ["<p>\(HTMLText.escape(Format.coverageSentence(s.correlation)))</p>"]
        let rows = s.signatures.enumerated().map { n, sig in
            let span = sig.firstSeen.map { Format.seen($0, sig.lastSeen ?? $0, withDate: true) } ?? ""
            return row([
                number(n + 1), cell(HTMLText.code(sig.title), className: "signature"), number(sig.count),
                cell(Format.percent(sig.count, of: s.serverErrors), className: "num"), cell(HTMLText.escape(span), nowrap: true),
                cell(sig.source == .appLog ? "app log" : "access log", nowrap: true), cell(classList(sig.classes, limit: 2)),
                cell(sig.routes.prefix(3).map(HTMLText.code).joined(separator: " "), className: "route"),
                ids(Array(sig.sampleRequestIDs.prefix(1))),
            ])
        }
        body += table(["rank", "signature", "5xx", "share", "first – last (UTC)", "source", "classes", "routes", "sample request ID"],
                      numeric: [0, 2, 3], rows: rows)
        let firstApplication = s.signatures.firstIndex { $0.source == .appLog }
        for (n, sig) in s.signatures.enumerated().prefix(5) where sig.source == .appLog {
            body.append("<details\(n == firstApplication ? " open" : "")>")
            body.append("<summary>\(n + 1). \(HTMLText.code(sig.title))</summary>")
            var facts = ["signature <code>\(HTMLText.escape(sig.id))</code>"]
            if let location = sig.location { facts.append("example from \(HTMLText.code(location))") }
            if !sig.frames.isEmpty { facts.append("frames " + sig.frames.map(HTMLText.code).joined(separator: " ← ")) }
            body.append("<p class=\"note\">\(facts.joined(separator: "; "))</p>")
            // Each line escaped alone: the escaper shows control characters (a newline too) as \xHH.
            body.append("<pre class=\"stack\">" + sig.exampleText.map(HTMLText.escape).joined(separator: "\n") + "</pre>")
            body.append("</details>")
        }
        if let hint = s.correlation.hint { body.append("<p class=\"note\">Note: \(HTMLText.escape(hint))</p>") }
        body.append("<p class=\"note\">Every 5xx is under one signature: an application error (exception type, message without its variable parts, top frames; algorithm <code>\(HTMLText.escape(s.correlation.signatureAlgorithm))</code>) where an application log explained it, else what the access log says (class, route, upstream status).</p>")
        return Section(id: "signatures", title: "Error signatures", body: body)
    }

    private func appLogs(_ s: TriageSummary) -> Section? {
        guard !s.correlation.appLogs.isEmpty else { return nil }
        let rows = s.correlation.appLogs.map { log in
            var notes = Format.notes(log)
            if let error = log.error { notes.append("<strong class=\"error\">error: \(HTMLText.escape(error))</strong>") }
            return row([
                cell(HTMLText.code(log.path)), number(log.lines), number(log.errorEvents), number(log.errorEventsWithRequestID),
                number(log.matchedEvents), cell(notes.joined(separator: "; ")),
            ])
        }
        return Section(id: "app-logs", title: "Application logs",
                       body: table(["path", "lines", "error events", "with request ID", "matched to 5xx", "notes"],
                                   numeric: [1, 2, 3, 4], rows: rows))
    }

    /// What the server error logs said: causes by class, upstream and incident, and the logs read.
    private func errorLogs(_ s: TriageSummary) -> Section? {
        guard let e = s.errorLog else { return nil }
        var body = ["<p>\(HTMLText.escape(ErrorLogText.coverage(e)))</p>"]
        let classes = s.classDetails.filter { !$0.causes.isEmpty }
        if !classes.isEmpty {
            body += table(["class", "causes", "decided by the error log"], numeric: [2], rows: classes.map { detail in
                row([cell(HTMLPalette.swatch(detail.failureClass) + "<code>\(detail.failureClass.identifier)</code>", nowrap: true),
                     cell(HTMLText.escape(ErrorLogText.causes(detail.causes))), number(detail.errorLog)])
            })
        }
        if !e.upstreamCauses.isEmpty {
            body += table(["upstream", "cause", "requests", "first", "last"], numeric: [2, 3, 4], rows: e.upstreamCauses.prefix(10).map { c in
                row([cell(HTMLText.code(c.address)), cell(HTMLText.escape(c.cause.phrase)), number(c.count),
                     cell(c.firstSeen.map(Format.clock) ?? "", className: "num"), cell(c.lastSeen.map(Format.clock) ?? "", className: "num")])
            })
        }
        let incidents = s.incidents.filter { !$0.causes.isEmpty || !$0.context.isEmpty }
        if !incidents.isEmpty {
            body.append("<ul>")
            for i in incidents {
                var line = HTMLText.escape(HTMLTimelineChart.range(i.start, i.end)) + " UTC"
                if !i.causes.isEmpty { line += ": " + HTMLText.escape(ErrorLogText.causes(i.causes)) }
                if !i.context.isEmpty {
                    line += "<br><span class=\"note\">error lines explaining no request: "
                        + i.context.prefix(3).map { HTMLText.escape(ErrorLogText.upstreamCause($0)) }.joined(separator: "; ") + "</span>"
                }
                body.append("<li>\(line)</li>")
            }
            body.append("</ul>")
        }
        body += table(["path", "lines", "entries", "continuation lines", "access lines", "unrecognised", "with a cause"],
                      numeric: [1, 2, 3, 4, 5, 6], rows: e.inputs.map { input in
            var path = HTMLText.code(input.path)
            if input.isInterleaved { path += " (interleaved)" } else if input.isDetected { path += " (recognised)" }
            if let error = input.error { path += " <strong class=\"error\">error: \(HTMLText.escape(error))</strong>" }
            return row([cell(path), number(input.lines), number(input.entries), number(input.continuationLines),
                        number(input.otherLines), number(input.unrecognised), number(input.causes.total)])
        })
        return Section(id: "error-logs", title: "Error logs", body: body)
    }

    private func routes(_ s: TriageSummary) -> Section? {
        let failing = s.routesBy5xx
        guard !failing.isEmpty else { return nil }
        let rows = failing.map { route in
            row([
                cell(HTMLText.escape(route.method), nowrap: true), cell(HTMLText.code(route.route), className: "route"),
                number(route.requests), number(route.serverErrors), cell(classList(route.classes.serverErrorsOnly, limit: 2)),
                ids(route.sampleRequestIDs),
            ])
        }
        var body = table(["method", "route", "requests", "5xx", "main 5xx classes", "sample request IDs"], numeric: [2, 3], rows: rows)
        var note = "Routes with 5xx, most first. Routes are normalised (<code>{id}</code>, <code>{uuid}</code>, <code>{hex}</code>; query dropped)."
        if s.routesOverflowRequests > 0 {
            note += " \(Format.count(s.distinctRoutes)) distinct routes kept; \(Format.counted(s.routesOverflowRequests, "later request")) counted under <code>(other routes)</code>."
        }
        body.append("<p class=\"note\">\(note)</p>")
        return Section(id: "routes", title: "Top routes", body: body)
    }

    private func upstreams(_ s: TriageSummary) -> Section? {
        guard !s.upstreams.isEmpty else { return nil }
        let rows = s.upstreams.map { upstream in
            row([
                cell(HTMLText.code(upstream.address), nowrap: true), number(upstream.requests), number(upstream.failures),
                cell(classList(upstream.classes, limit: FailureClass.allCases.count)), ids(upstream.sampleRequestIDs),
            ])
        }
        var body = table(["address", "attempts", "failed", "classes", "sample request IDs"], numeric: [1, 2], rows: rows)
        body.append("<p class=\"note\">Sorted by failed attempts. Failed: a 5xx or no response that was retried or ended the request in a 5xx.</p>")
        return Section(id: "upstreams", title: "Upstreams", body: body)
    }

    private func clients(_ s: TriageSummary) -> Section? {
        let listed = s.clients.filter { $0.serverErrors > 0 }
        guard !listed.isEmpty else { return nil }
        let rows = listed.map { c in
            row([
                cell(HTMLText.code((c.serverErrorCountError != nil ? "≈" : "") + c.address), nowrap: true), number(c.requests),
                number(c.serverErrors), cell(classList(c.classes.serverErrorsOnly, limit: 2)),
                cell(c.userAgent.map(HTMLText.code) ?? "", className: "route"),
                cell(c.retryStorms > 0 ? Format.count(c.retryStorms) : "", className: "num"),
            ])
        }
        var body = table(["client", "requests", "5xx", "main 5xx classes", "user agent", "retry storms"], numeric: [1, 2, 5], rows: rows)
        var note = "Clients by 5xx: the address in the log's client field (<code>$remote_addr</code>, <code>%h</code>); X-Forwarded-For is not read. The user agent is that of the client's earliest 5xx."
        if let bounds = ClientText.boundsNote(s) { note += " " + HTMLText.escape(bounds) }
        body.append("<p class=\"note\">\(note)</p>")
        return Section(id: "clients", title: "Clients", body: body)
    }

    private func retryStorms(_ s: TriageSummary) -> Section? {
        let r = s.retryStorms
        guard r.storms > 0 else { return nil }
        let withDate = Format.spansDays(s)
        let rows = r.routes.map { route in
            row([
                cell(HTMLText.escape(route.method), nowrap: true), cell(HTMLText.code(route.route), className: "route"),
                number(route.storms), number(route.requests),
                cell(route.largest.map {
                    HTMLText.code($0.client) + ", " + HTMLText.escape("\(ClientText.stormSize($0)) at \(Format.seen($0.first, $0.last, withDate: withDate))")
                } ?? ""),
            ])
        }
        var body = table(["method", "route", "storms", "failing requests", "largest storm"], numeric: [2, 3], rows: rows)
        body.append("<p class=\"note\">\(HTMLText.escape("A retry storm is \(ClientText.stormDefinition(r)). \(Format.counted(r.storms, "storm")), \(Format.counted(r.requests, "failing request"))\(r.clients > 0 ? ", " + Format.counted(r.clients, "client") : "")."))</p>")
        return Section(id: "retry-storms", title: "Retry storms", body: body)
    }

    private func hosts(_ s: TriageSummary) -> Section? {
        guard !s.hosts.isEmpty else { return nil }
        let rows = s.hosts.map { host in
            row([
                cell(HTMLText.code(host.name), nowrap: true), number(host.requests), number(host.serverErrors),
                cell(Format.percent(host.serverErrors, of: s.serverErrors)), cell(HTMLText.escape(HostShares.describe(host, in: s))),
            ])
        }
        var body = table(["host", "requests", "5xx", "share of 5xx", "5xx per class (share of the class)"], numeric: [1, 2], rows: rows)
        body.append("<p class=\"note\">\(HostShares.note)</p>")
        return Section(id: "hosts", title: "Hosts", body: body)
    }

    private func inputs(_ s: TriageSummary) -> Section? {
        guard !s.inputs.isEmpty else { return nil }
        let rows = s.inputs.map { input in
            var notes = [HTMLText.escape(input.formatSource)]
            if input.isGzip { notes.append("gzip") }
            if input.skipped > 0 { notes.append("\(Format.count(input.skipped)) lines skipped") }
            if input.blank > 0 { notes.append("\(Format.count(input.blank)) blank") }
            if let error = input.error { notes.append("<strong class=\"error\">error: \(HTMLText.escape(error))</strong>") }
            notes += Format.inputNotes(input, text: HTMLText.escape, code: HTMLText.code)
            return row([
                cell(HTMLText.code(input.path)), cell(HTMLText.escape(input.format), nowrap: true), number(input.lines),
                number(input.records), number(input.malformed), cell(notes.filter { !$0.isEmpty }.joined(separator: "; ")),
            ])
        }
        var body = table(["path", "format", "lines", "records", "malformed", "notes"], numeric: [2, 3, 4], rows: rows)
        if let other = Format.otherLines(s) { body.append("<p class=\"note\">\(HTMLText.escape(other))</p>") }
        return Section(id: "inputs", title: "Inputs", body: body)
    }

    private func malformed(_ s: TriageSummary) -> Section? {
        guard s.malformedLines > 0 || !s.malformedExamples.isEmpty else { return nil }
        var text = "\(Format.count(s.malformedLines)) lines did not parse and are not counted as requests."
        if !s.malformedByReason.isEmpty {
            text += " By field: " + s.malformedByReason.map { "\(HTMLText.escape($0.reason)) \(Format.count($0.count))" }
                .joined(separator: ", ") + "."
        }
        var body = ["<p>\(text)</p>"]
        if !s.malformedExamples.isEmpty {
            let rows = s.malformedExamples.map { example in
                row([
                    cell(HTMLText.code("\(example.path):\(example.line)"), nowrap: true), cell(HTMLText.escape(example.reason)),
                    cell(HTMLText.code(example.excerpt), className: "excerpt"),
                ])
            }
            body += table(["line", "reason", "excerpt"], numeric: [], rows: rows)
        }
        return Section(id: "malformed", title: "Malformed lines", body: body)
    }

    private func notes(_ s: TriageSummary) -> Section? {
        guard !s.hints.isEmpty else { return nil }
        return Section(id: "notes", title: "Notes", body: ["<ul>"] + s.hints.map { "<li>\(HTMLText.escape($0))</li>" } + ["</ul>"])
    }

    // MARK: - Tables

    /// A table in a wrapper that scrolls sideways on narrow screens.
    private func table(_ titles: [String], numeric: Set<Int>, rows: [String]) -> [String] {
        let head = titles.enumerated().map { i, title in
            "<th scope=\"col\"\(numeric.contains(i) ? " class=\"num\"" : "")>\(HTMLText.escape(title))</th>"
        }
        return ["<div class=\"scroll\">", "<table>", "<thead><tr>" + head.joined() + "</tr></thead>", "<tbody>"]
            + rows + ["</tbody>", "</table>", "</div>"]
    }

    private func row(_ cells: [String]) -> String { "<tr>" + cells.joined() + "</tr>" }

    /// A cell of already-escaped HTML.
    private func cell(_ html: String, className: String? = nil, nowrap: Bool = false) -> String {
        let classes = [className, nowrap ? "nowrap" : nil].compactMap { $0 }
        return classes.isEmpty ? "<td>\(html)</td>" : "<td class=\"\(classes.joined(separator: " "))\">\(html)</td>"
    }

    private func number(_ value: Int) -> String { cell(Format.count(value), className: "num") }

    private func ids(_ values: [String]) -> String {
        cell(values.map(HTMLText.code).joined(separator: " "), className: "ids")
    }

    /// Classes with counts, most first (ties in report order), each with its colour.
    private func classList(_ counts: ClassCounts, limit: Int) -> String {
        FailureClass.allCases.filter { counts[$0] > 0 }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            .prefix(limit)
            .map { "<span class=\"nowrap\">\(HTMLPalette.swatch($0))<code>\($0.identifier)</code> \(Format.count(counts[$0]))</span>" }
            .joined(separator: " ")
    }

    // MARK: - Style

    static let css = """
    :root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --alt: #f6f8fa; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 76rem; padding: 1.5rem 1.25rem 3rem; color: var(--fg); background: #fff;
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    h1 { font-size: 1.6rem; margin: 0; }
    h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
    .meta { margin: .1rem 0 .4rem; color: var(--muted); }
    nav { font-size: .875rem; margin-bottom: 1rem; }
    nav a { color: #0969da; text-decoration: none; }
    .note, figcaption { color: var(--muted); font-size: .85rem; }
    .verdict { margin: 1rem 0; padding: .8rem 1.1rem; border-left: 5px solid #b42318; background: #fef3f2; border-radius: 4px; }
    .verdict.clean { border-color: #1a7f37; background: #eef9f0; }
    .verdict.unread { border-color: var(--muted); background: var(--alt); }
    .verdict .headline { margin: 0 0 .3rem; font-size: 1.15rem; font-weight: 650; }
    .verdict ul { margin: 0; padding-left: 1.2rem; }
    .verdict li { margin: .15rem 0; }
    figure { margin: 0; }
    .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
    .chart { display: block; width: 100%; height: auto; }
    .classbar { display: block; width: 100%; height: 1.1rem; margin: .2rem 0 .8rem; border-radius: 3px; }
    .legend { list-style: none; display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: .5rem 0 0; padding: 0; color: var(--fg); }
    .swatch { vertical-align: -1px; margin-right: .35em; }
    table { border-collapse: collapse; width: 100%; font-size: .875rem; }
    th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
    th { background: var(--alt); font-weight: 600; white-space: nowrap; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .nowrap { white-space: nowrap; }
    code { font: .9em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
      background: var(--alt); padding: .05em .3em; border-radius: 3px; overflow-wrap: anywhere; }
    td.route { min-width: 12rem; }
    td.signature { min-width: 20rem; }
    /* A deploy's list of changes keeps a readable width; on a narrow screen the table scrolls. */
    td.changes { min-width: 18rem; }
    td.ids { min-width: 14rem; }
    td.ids code { display: inline-block; margin: 0 .2em .2em 0; }
    td.excerpt code { white-space: pre-wrap; }
    details { margin: .6rem 0; }
    summary { cursor: pointer; }
    pre.stack { font: .8rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
      background: var(--alt); padding: .6rem .8rem; border-radius: 4px; overflow-x: auto; white-space: pre; margin: .3rem 0 0; }
    .error, .bad { color: #b42318; }
    .good { color: #1a7f37; }
    @media (max-width: 40rem) {
      body { padding: 1rem .75rem 2rem; font-size: 14px; }
      h1 { font-size: 1.35rem; }
      th, td { padding: .3rem .45rem; }
      /* The chart scales down to the screen: its text grows in viewBox units to stay
         readable, and every other time label and the y-axis title make room. */
      .chart text { font-size: 24px; }
      .chart .x-axis text.tick:nth-of-type(even), .chart .y-axis .title { display: none; }
    }
    @media print {
      @page { margin: 14mm; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      body { max-width: none; padding: 0; font-size: 9.5pt; }
      nav { display: none; }
      .scroll { overflow: visible; }
      td.route { min-width: 9rem; }
      td.signature { min-width: 12rem; }
      td.ids { min-width: 0; }
      h2 { break-after: avoid; }
      tr, figure, .verdict, pre.stack { break-inside: avoid; }
      details > *:not(summary) { display: block; }
      pre.stack { white-space: pre-wrap; }
    }
    """
}
