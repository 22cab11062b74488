import TriageCore

/// Renders the summary for a person at a terminal: verdict first, then detail.
///
/// All log-derived text reaching here was made safe by ``LogText`` in the core;
/// colour is added only when asked (the caller decides: TTY and `NO_COLOR`).
public struct TerminalRenderer: Sendable {
    public var color: Bool
    public var width: Int

    public init(color: Bool = false, width: Int = 80) {
        self.color = color
        self.width = max(60, width)
    }

    private func style(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
    private func heading(_ text: String) -> String { style(text, "1") }

    public func render(_ s: TriageSummary) -> String {
        var out: [String] = []
        let span: String
        if let first = s.firstTime, let last = s.lastTime {
            span = ", \(Format.dateTime(first)) to \(Format.dateTime(last)) UTC"
        } else {
            span = ""
        }
        out.append(contentsOf: wrap(heading("triage") + " \(Format.counted(s.inputs.count, "input")), \(Format.counted(s.requests, "request"))\(span)",
                                    indent: "  ", first: ""))
        out.append("")
        let verdict = Verdict(s)
        for (i, line) in verdict.lines.enumerated() {
            let text = i == 0 ? style(line, s.serverErrors > 0 ? "1;31" : "1;32") : line
            out.append(contentsOf: wrap(text, indent: "  ", first: "  "))
        }

        if s.classes.total > 0 {
            out.append("")
            out.append(heading("Classes"))
            let spansDays = Format.spansDays(s)
            let headerWhenWidth = spansDays ? 18 : 7
            out.append("  " + Format.fit("class", 22) + Format.fit("count", 8, alignRight: true)
                       + Format.fit("share", 8, alignRight: true) + "  " + Format.fit("first", headerWhenWidth) + "last")
            let when = { (t: Int64?) -> String in t.map { spansDays ? Format.dateTime($0) : Format.clock($0) } ?? "" }
            let whenWidth = spansDays ? 18 : 7
            for detail in s.classDetails {
                let share = detail.failureClass.isServerError ? Format.percent(detail.count, of: s.serverErrors) : "-"
                var row = "  " + Format.fit(detail.failureClass.identifier, 22)
                row += Format.column(Format.count(detail.count), 8)
                row += Format.fit(share, 8, alignRight: true) + "  "
                row += Format.fit(when(detail.firstSeen), whenWidth) + when(detail.lastSeen)
                if detail.count == 0 { row = style(row, "2") }
                out.append(row)
                if !detail.causes.isEmpty {
                    out.append(contentsOf: wrap(style("error log: " + ErrorLogText.causes(detail.causes), "2"), indent: "      ", first: "    "))
                }
            }
            out.append(contentsOf: wrap(style("5xx share is of server errors; client_closed (499) and retried_ok are not 5xx.", "2"),
                                        indent: "  ", first: "  "))
        }

        out.append(contentsOf: timeline(s))
        out.append(contentsOf: deploys(s))
        out.append(contentsOf: incidents(s))
        out.append(contentsOf: signatures(s))
        out.append(contentsOf: routes(s))
        out.append(contentsOf: latency(s))
        out.append(contentsOf: upstreams(s))
        out.append(contentsOf: hosts(s))
        out.append(contentsOf: samples(s))
        out.append(contentsOf: clients(s))
        out.append(contentsOf: retryStorms(s))
        out.append(contentsOf: inputs(s))
        out.append(contentsOf: appLogs(s))
        out.append(contentsOf: errorLogs(s))
        out.append(contentsOf: malformed(s))
        if !s.hints.isEmpty {
            out.append("")
            out.append(heading("Notes"))
            for hint in s.hints { out.append(contentsOf: wrap("- " + hint, indent: "    ", first: "  ")) }
        }
        return out.flatMap(fitToWidth).joined(separator: "\n") + "\n"
    }

    // MARK: - Sections

    private static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One row per hour (or coarser for long spans), one column per minute.
    private func timeline(_ s: TriageSummary) -> [String] {
        guard s.serverErrors > 0 || s.classes.total > 0, let firstBucket = s.timeline.first,
              let lastBucket = s.timeline.last else { return [] }
        // (minutes per column, columns per row): rows are whole hours or days,
        // the finest layout that keeps the timeline under 30 rows.
        let spanMinutes = Int((lastBucket.start - firstBucket.start) / 60) + 1
        let layouts = width >= 76
            ? [(1, 60), (5, 48), (10, 36), (15, 48), (30, 48), (60, 24), (240, 42), (1440, 28)]
            : [(1, 30), (2, 30), (5, 36), (10, 36), (30, 48), (60, 24), (240, 42), (1440, 28)]
        var step = 1440
        var columns = 28
        for (candidate, perRow) in layouts where spanMinutes <= candidate * perRow * 30 {
            step = candidate
            columns = perRow
            break
        }
        let columnSeconds = Int64(step * 60)
        let rowSeconds = columnSeconds * Int64(columns)
        var byColumn: [Int64: (errors: Int, requests: Int, classes: ClassCounts)] = [:]
        for bucket in s.timeline {
            let key = bucket.start - ((bucket.start % columnSeconds) + columnSeconds) % columnSeconds
            var entry = byColumn[key] ?? (0, 0, ClassCounts())
            entry.errors += bucket.serverErrors
            entry.requests += bucket.requests
            entry.classes.add(bucket.classes)
            byColumn[key] = entry
        }
        let peak = byColumn.values.map(\.errors).max() ?? 0
        var out = [""]
        let unit = step == 1 ? "minute" : "\(step) minutes"
        let rowUnit = rowSeconds % 86_400 == 0 ? "\(rowSeconds / 86_400) d" : rowSeconds % 3600 == 0 ? "\(rowSeconds / 3600) h" : "\(rowSeconds / 60) min"
        out.append(contentsOf: wrap(heading("Timeline") + "  5xx per \(unit), one row per \(rowUnit) (UTC; █ = \(peak), · = requests but no 5xx)",
                                    indent: "  ", first: ""))
        var rowStart = firstBucket.start - ((firstBucket.start % rowSeconds) + rowSeconds) % rowSeconds
        let spansDays = Format.spansDays(s)
        // Times that need their row: the columns with requests and the deploys, in order.
        let marks = (Array(byColumn.keys) + s.deploys.map(\.time)).sorted()
        var nextMark = 0
        while rowStart <= lastBucket.start {
            while nextMark < marks.count && marks[nextMark] < rowStart { nextMark += 1 }
            if nextMark < marks.count && marks[nextMark] >= rowStart + Self.foldedRows * rowSeconds {
                // Three empty rows or more: one line for the gap, then the next mark's row.
                let next = marks[nextMark]
                let nextRow = next - ((next % rowSeconds) + rowSeconds) % rowSeconds
                out.append("  " + style("⋮ no requests for \(Self.describeGap(nextRow - rowStart))", "2"))
                rowStart = nextRow
                continue
            }
            var row = ""
            var rowErrors = 0
            for c in 0..<columns {
                let key = rowStart + Int64(c) * columnSeconds
                guard let entry = byColumn[key] else { row += " "; continue }
                rowErrors += entry.errors
                if entry.errors == 0 {
                    row += style("·", "2")
                    continue
                }
                let level = peak > 0 ? min(7, (entry.errors * 8 - 1) / peak) : 0
                let glyph = String(Self.levels[level])
                let dominant = FailureClass.allCases.filter(\.isServerError).max { entry.classes[$0] < entry.classes[$1] }
                row += style(glyph, dominant == .originError ? "31" : dominant?.isUpstream == true ? "33" : "35")
            }
            let label = spansDays ? Format.dateTime(rowStart) : Format.clock(rowStart)
            out.append("  " + label + " " + row + " " + Format.count(rowErrors))
            // Incident windows: a bar under the columns they cover.
            for incident in s.incidents where incident.start < rowStart + rowSeconds && incident.end > rowStart {
                let from = Int((max(incident.start, rowStart) - rowStart) / columnSeconds)
                let to = Int((min(incident.end, rowStart + rowSeconds) - rowStart + columnSeconds - 1) / columnSeconds)
                let pad = String(repeating: " ", count: 2 + label.count + 1 + from)
                let bar = String(repeating: "─", count: max(1, to - from))
                let name = incident.start >= rowStart ? "incident \(Format.clock(incident.start))–\(Format.clock(incident.end))" : ""
                if pad.count + bar.count > width { continue }
                if name.isEmpty || pad.count + bar.count + 1 + name.count <= width {
                    out.append(pad + style(bar + (name.isEmpty ? "" : " " + name), "33"))
                } else if name.count + 1 <= pad.count - 2 {
                    // No room after the bar: the name goes before it, where the row label was.
                    out.append(String(repeating: " ", count: pad.count - name.count - 1) + style(name + " " + bar, "33"))
                } else {
                    out.append(pad + style(bar, "33"))
                }
            }
            for deploy in s.deploys where deploy.time >= rowStart && deploy.time < rowStart + rowSeconds {
                let column = Int((deploy.time - rowStart) / columnSeconds)
                let pad = String(repeating: " ", count: 2 + label.count + 1 + column)
                var text = "^ deploy \(LogText.sanitize(deploy.label)) \(Format.clock(deploy.time))"
                if pad.count + text.count > width { text = Format.truncate(text, max(1, width - pad.count)) }
                out.append(pad + style(text, "36"))
            }
            rowStart += rowSeconds
        }
        if color { out.append(contentsOf: wrap(style("colour: red = mostly origin errors, yellow = upstream, magenta = proxy", "2"), indent: "  ", first: "  ")) }
        return out
    }

    /// Runs of at least this many timeline rows without a request (or deploy) are folded
    /// into one line: traffic years apart, both times plausible, would otherwise print a
    /// row for every day between them.
    static let foldedRows: Int64 = 3

    /// `3 d`, `27 years 4 d`: the length of a run of empty timeline rows.
    static func describeGap(_ seconds: Int64) -> String {
        let days = seconds / 86_400
        if days >= 365 {
            let years = days / 365, rest = days % 365
            return "\(years) year\(years == 1 ? "" : "s")" + (rest > 0 ? " \(rest) d" : "")
        }
        if days > 0 { return "\(days) d" + (seconds % 86_400 >= 3600 ? " \(seconds % 86_400 / 3600) h" : "") }
        if seconds >= 3600 { return "\(seconds / 3600) h" }
        return "\(seconds / 60) min"
    }

    private func deploys(_ s: TriageSummary) -> [String] {
        guard !s.deploys.isEmpty else { return [] }
        var out = [""] + wrap(heading("Deploys") + "  5xx rate in the \(s.deploys[0].windowSeconds / 60) min before and after each (exact test, p < 0.01)",
                              indent: "  ", first: "")
        for d in s.deploys {
            let verdictStyle = d.verdict == .regression ? "1;31" : d.verdict == .improvement ? "32" : "0"
            let when = Format.dateTime(d.time) + (d.timeWasZoneless ? " (log's zone)" : " UTC")
            let cut = d.afterSeconds.map { "; after it \(Format.seconds($0)) until the next deploy" } ?? ""
            out.append(contentsOf: wrap(style(d.verdict.rawValue.uppercased(), verdictStyle) + "  \(LogText.sanitize(d.label)) at \(when)\(cut)",
                                        indent: "      ", first: "  "))
            let judged = DeployComparison.gateClasses
            let (e1, e2) = (d.before.errors(in: judged), d.after.errors(in: judged))
            out.append(contentsOf: wrap("5xx but proxy_error \(Format.percent(e1, of: d.before.requests)) (\(Format.count(e1))/\(Format.count(d.before.requests))) → \(Format.percent(e2, of: d.after.requests)) (\(Format.count(e2))/\(Format.count(d.after.requests))), \(pValue(d.pValue)); origin errors \(Format.count(d.before.classes[.originError])) → \(Format.count(d.after.classes[.originError])) (\(d.originVerdict.rawValue))",
                                        indent: "      ", first: "    "))
            if d.before.classes[.proxyError] + d.after.classes[.proxyError] > 0 {
                out.append(contentsOf: wrap("proxy_error \(Format.count(d.before.classes[.proxyError])) → \(Format.count(d.after.classes[.proxyError])) (not judged: rate limiting and proxy configuration are not a deploy's doing)",
                                            indent: "      ", first: "    "))
            }
            if let latency = Format.deployLatency(d) {
                let text = d.latencyShift?.isRegression == true ? style(latency, "1;31") : latency
                out.append(contentsOf: wrap(text, indent: "      ", first: "    "))
            }
            for finding in d.findings.prefix(3) {
                out.append(contentsOf: wrap("failed: " + CheckRenderer().line(finding), indent: "      ", first: "    "))
            }
            if d.findings.count > 3 { out.append(contentsOf: wrap("… and \(d.findings.count - 3) more (--format json lists them all)", indent: "      ", first: "    ")) }
            for change in d.regressedRoutes.prefix(3) {
                out.append(contentsOf: wrap("grew: \(change.method) \(change.route) \(Format.count(change.before)) → \(Format.count(change.after))\(change.isNew ? " (new)" : "")",
                                            indent: "      ", first: "    "))
            }
            for signature in d.newSignatures.prefix(2) {
                out.append(contentsOf: wrap("new: \(signature.title) (\(Format.count(signature.count)))", indent: "      ", first: "    "))
            }
            if d.upstreamLikelyUnrelated {
                out.append(contentsOf: wrap("note: upstream failures rose but origin errors did not: likely an upstream problem, not this deploy.", indent: "      ", first: "    "))
            }
        }
        return out
    }

    /// The 5xx grouped by error signature: what bug (or which failure mode) is behind them.
    private func signatures(_ s: TriageSummary) -> [String] {
        guard !s.signatures.isEmpty else { return [] }
        var out = [""] + wrap(heading("Signatures") + "  5xx grouped by error (\(Format.coverage(s.correlation)))", indent: "  ", first: "")
        let spansDays = Format.spansDays(s)
        let shown = s.signatures.prefix(8)
        var detailed = 0  // the first three application errors show their message and frames
        for (n, sig) in shown.enumerated() {
            let titleStyle = sig.source == .appLog ? "1" : "0"
            out.append(contentsOf: wrap(style(sig.title, titleStyle), indent: "      ", first: "  " + Format.fit("\(n + 1).", 4)))
            var facts = ["\(Format.count(sig.count)) 5xx (\(Format.percent(sig.count, of: s.serverErrors)))"]
            if let first = sig.firstSeen, let last = sig.lastSeen {
                facts.append(Format.seen(first, last, withDate: spansDays))
            }
            if let deploy = sig.followsDeploy { facts.append("new after deploy \(LogText.sanitize(deploy))") }
            facts.append(sig.source == .appLog ? "app log" : "access log only")
            facts += FailureClass.allCases.filter { sig.classes[$0] > 0 }.map { "\($0.identifier) \(sig.classes[$0])" }
            if sig.source == .appLog { facts += sig.routes.prefix(3) }
            out.append(contentsOf: wrap(facts.joined(separator: " · "), indent: "        ", first: "      "))
            if sig.source == .appLog, detailed < 3 {
                detailed += 1
                if let message = sig.message, !message.isEmpty {
                    out.append(style("      " + Format.truncate(message, width - 6), "2"))
                }
                if !sig.frames.isEmpty {
                    out.append(style("      at " + Format.truncate(sig.frames.joined(separator: " ← "), width - 9), "2"))
                }
            }
            if let id = sig.sampleRequestIDs.first {
                let location = sig.location.map { ", \($0)" } ?? ""
                out.append(contentsOf: wrap(style("e.g. request \(id)\(location)", "2"), indent: "        ", first: "      "))
            }
        }
        if s.correlation.distinctSignatures > shown.count {
            out.append(style("  \(Format.counted(s.correlation.distinctSignatures - shown.count, "more signature")): --top N lists more.", "2"))
        }
        if let hint = s.correlation.hint { out.append(contentsOf: wrap("note: " + hint, indent: "    ", first: "  ")) }
        return out
    }

    private func appLogs(_ s: TriageSummary) -> [String] {
        guard !s.correlation.appLogs.isEmpty else { return [] }
        var out = ["", heading("Application logs")]
        for log in s.correlation.appLogs {
            let kind = log.isGzip ? " (gzip)" : ""
            var line = "\(log.path)\(kind): \(Format.counted(log.lines, "line")), \(Format.counted(log.errorEvents, "error event")) (\(Format.count(log.errorEventsWithRequestID)) with a request ID), \(Format.count(log.matchedEvents)) matched to 5xx"
            if log.timeMismatches > 0 { line += ", \(Format.count(log.timeMismatches)) with a 5xx's ID but too far in time" }
            if let shift = log.zoneShiftSeconds, shift != 0 { line += "; its clock reads \(Format.offset(shift)) from the access log's zone" }
            out.append(contentsOf: wrap(line, indent: "    ", first: "  "))
            if let error = log.error { out.append(contentsOf: wrap(style("! " + error, "1;31"), indent: "      ", first: "    ")) }
        }
        return out
    }

    private func errorLogs(_ s: TriageSummary) -> [String] {
        guard let e = s.errorLog else { return [] }
        var out = ["", heading("Error logs") + "  why requests failed, from the server's error log"]
        out.append(contentsOf: wrap(ErrorLogText.coverage(e), indent: "    ", first: "  "))
        for c in e.upstreamCauses.prefix(10) { out.append("  " + ErrorLogText.upstreamCause(c)) }
        if e.upstreamCauses.count > 10 { out.append(style("  \(e.upstreamCauses.count - 10) more in --format json.", "2")) }
        for input in e.inputs {
            out.append(contentsOf: wrap(ErrorLogText.input(input), indent: "    ", first: "  "))
            if let error = input.error { out.append("    " + style("! " + error, "1;31")) }
            for example in input.examples.prefix(3) {
                out.append(style("    line \(example.line): \(example.reason): \(example.excerpt)", "2"))
            }
        }
        return out
    }

    private func incidents(_ s: TriageSummary) -> [String] {
        guard !s.incidents.isEmpty else { return [] }
        var out = [""] + wrap(heading("Incidents") + "  problems, most 5xx first; each failure in one problem", indent: "  ", first: "")
        let withDate = Format.spansDays(s)
        for i in s.incidents {
            out.append(contentsOf: wrap(ProblemText.line(i, withDate: withDate), indent: "      ", first: "  "))
            let minutes = (i.end - i.start) / 60
            var detail = ["\(minutes) min, peak \(ProblemText.peak(i, withDate: withDate))"]
            detail.append(i.anomalousClasses.map(\.identifier).joined(separator: ", "))
            out.append(contentsOf: wrap(detail.joined(separator: "; "), indent: "      ", first: "    "))
            var names: [String] = []
            if let r = i.topRoutes.first { names.append("route \(r.name) (\(Format.count(r.failures)))") }
            if let u = i.topUpstreams.first {
                let source = i.upstreamsFromErrorLog ? ", per the error log" : ""
                names.append("upstream \(u.name) (\(Format.count(u.failures))\(source))")
            }
            if let c = i.topClients.first { names.append("client \(c.name) (\(Format.count(c.failures)))") }
            if !names.isEmpty { out.append(contentsOf: wrap("top " + names.joined(separator: "; "), indent: "      ", first: "    ")) }
            for sig in i.signatures {
                out.append(contentsOf: wrap("signature: \(sig.title) (\(Format.count(sig.count)) 5xx in all)", indent: "      ", first: "    "))
            }
            if !i.causes.isEmpty { out.append(contentsOf: wrap("cause: " + ErrorLogText.causes(i.causes), indent: "      ", first: "    ")) }
            for c in i.context.prefix(3) {
                out.append(contentsOf: wrap(style("error log, explaining no request: " + ErrorLogText.upstreamCause(c), "2"),
                                            indent: "      ", first: "    "))
            }
        }
        if let approximation = s.incidentsApproximation {
            out.append(contentsOf: wrap(style("Approximate causes: " + approximation + ".", "2"), indent: "  ", first: "  "))
        }
        return out
    }

    /// Routes with 5xx, most first; the main class is the route's most frequent 5xx class.
    private func routes(_ s: TriageSummary) -> [String] {
        let failing = s.routesBy5xx
        guard !failing.isEmpty else { return [] }
        var out = [""] + wrap(heading("Routes") + "  by 5xx (routes normalised: {id} {uuid} {hex}, query dropped)", indent: "  ", first: "")
        // method 7, requests 10 and 5xx 8 (a space at least before each count, however
        // long), two spaces, and room for "upstream_unavailable 9,999".
        let routeWidth = max(16, width - 2 - 7 - 10 - 8 - 2 - 26)
        out.append("  " + Format.fit("method", 7) + Format.fit("route", routeWidth) + Format.fit("requests", 10, alignRight: true)
                   + Format.fit("5xx", 8, alignRight: true) + "  main 5xx class")
        for route in failing {
            let detail = route.main5xxClass.map { "\($0.identifier) \(Format.count(route.classes[$0]))" } ?? ""
            let mark = route.failureCountError != nil ? "≈" : ""
            out.append("  " + Format.fit(route.method, 7) + Format.fit(mark + route.route, routeWidth)
                       + Format.column(Format.count(route.requests), 10)
                       + Format.column(Format.count(route.serverErrors), 8) + "  " + detail)
        }
        if s.routesOverflowRequests > 0 {
            out.append(contentsOf: wrap(style("\(Format.count(s.distinctRoutes)) distinct routes kept; \(Format.counted(s.routesOverflowRequests, "later request")) counted under (other routes).", "2"),
                                        indent: "  ", first: "  "))
        }
        if failing.contains(where: { $0.failureCountError != nil }) {
            out.append(contentsOf: wrap(style("≈ tracked after the route table filled up: counts are lower bounds.", "2"), indent: "  ", first: "  "))
        }
        return out
    }

    /// The top clients by 5xx, each with its main 5xx class, user agent and storms.
    private func clients(_ s: TriageSummary) -> [String] {
        guard s.serverErrors > 0 else { return [] }
        let bound = s.clientsAffectedIsLowerBound ? "at least " : ""
        let got = s.clientsAffected == 1 && bound.isEmpty ? "1 client got a 5xx" : "\(bound)\(Format.count(s.clientsAffected)) distinct clients got a 5xx"
        let carry = s.serverErrorsWithRequestID == 1 ? "carries" : "carry"
        var out = [""] + wrap(heading("Clients") + "  by 5xx; \(got); \(Format.count(s.serverErrorsWithRequestID)) of \(Format.count(s.serverErrors)) 5xx \(carry) a request ID.",
                              indent: "  ", first: "")
        let listed = s.clients.filter { $0.serverErrors > 0 }
        guard !listed.isEmpty else { return out }
        // requests 10 and 5xx 8 (a space at least before each count), two spaces, and room
        // for "upstream_unavailable 9,999".
        let clientWidth = max(16, width - 2 - 10 - 8 - 2 - 26)
        out.append("  " + Format.fit("client", clientWidth) + Format.fit("requests", 10, alignRight: true)
                   + Format.fit("5xx", 8, alignRight: true) + "  main 5xx class")
        for client in listed {
            let mark = client.serverErrorCountError != nil ? "≈" : ""
            out.append("  " + Format.fit(mark + client.address, clientWidth) + Format.column(Format.count(client.requests), 10)
                       + Format.column(Format.count(client.serverErrors), 8) + "  " + ClientText.mainClass(client))
            var details: [String] = []
            if let ua = client.userAgent { details.append(Format.truncate(ua, width - 4)) }
            if client.retryStorms > 0 {
                details.append("\(Format.counted(client.retryStorms, "retry storm")) (\(Format.counted(client.retryStormRequests, "request")))")
            }
            if !details.isEmpty { out.append(contentsOf: wrap(style(details.joined(separator: " · "), "2"), indent: "      ", first: "    ")) }
        }
        if let note = ClientText.boundsNote(s) { out.append(contentsOf: wrap(style(note, "2"), indent: "  ", first: "  ")) }
        return out
    }

    /// Routes where clients repeated failing requests within seconds.
    private func retryStorms(_ s: TriageSummary) -> [String] {
        let r = s.retryStorms
        guard r.storms > 0 else { return [] }
        var out = [""] + wrap(heading("Retry storms") + "  \(ClientText.stormDefinition(r))", indent: "  ", first: "")
        let withDate = Format.spansDays(s)
        for route in r.routes {
            out.append(contentsOf: wrap("\(route.method) \(route.route): " + ClientText.stormSummary(route, withDate: withDate),
                                        indent: "      ", first: "  "))
        }
        return out
    }

    /// Percentiles of the request time (all requests, each 5xx class, the routes with 5xx)
    /// and of the upstream response time, when the log has them.
    private func latency(_ s: TriageSummary) -> [String] {
        guard s.latency != nil || s.upstreamLatency != nil else { return [] }
        var out = [""] + wrap(heading("Latency") + "  p50, p95, p99 within \(Format.percentOf(LatencyHistogram.relativeError)); max exact",
                              indent: "  ", first: "")
        func row(_ name: String, _ l: TriageSummary.Latency) {
            let numbers = "p50 \(Format.duration(l.p50)), p95 \(Format.duration(l.p95)), p99 \(Format.duration(l.p99)), max \(Format.duration(l.max)) (\(Format.count(l.count)))"
            // A name cut to fit still leaves a space before the numbers.
            out.append(contentsOf: wrap(Format.fit(name, 23) + " " + numbers, indent: String(repeating: " ", count: 26), first: "  "))
        }
        if let l = s.latency {
            row("request time", l)
            let classes = FailureClass.allCases.filter { s.classes[$0] > 0 && s.classLatency[$0] != nil }
            if !classes.isEmpty { out.append("  by class") }
            for c in classes {
                if let l = s.classLatency[c] { row("  " + c.identifier, l) }
            }
            let routes = s.routesBy5xx.prefix(5).filter { $0.latency != nil }
            if !routes.isEmpty { out.append("  routes with the most 5xx") }
            for route in routes {
                if let l = route.latency { row("  " + route.method + " " + route.route, l) }
            }
        }
        if let l = s.upstreamLatency { row("upstream response", l) }
        return out
    }

    /// Merged reports only: which host (partial) had which share of each class's 5xx.
    private func hosts(_ s: TriageSummary) -> [String] {
        guard !s.hosts.isEmpty else { return [] }
        var out = [""] + wrap(heading("Hosts") + "  by 5xx (merged from partials)", indent: "  ", first: "")
        for host in s.hosts {
            let head = "\(LogText.sanitize(host.name)): \(Format.counted(host.requests, "request")), \(Format.count(host.serverErrors)) 5xx (\(Format.percent(host.serverErrors, of: s.serverErrors)))"
            out.append(contentsOf: wrap(head + "; " + HostShares.describe(host, in: s), indent: "      ", first: "  "))
        }
        return out
    }

    private func upstreams(_ s: TriageSummary) -> [String] {
        let failing = s.upstreams.filter { $0.failures > 0 || $0.classes.total > 0 }
        guard !failing.isEmpty else { return [] }
        var out = ["", heading("Upstreams") + "  by failed attempts"]
        let addressWidth = max(22, width - 2 - 10 - 10 - 30)
        out.append("  " + Format.fit("address", addressWidth) + Format.fit("attempts", 10, alignRight: true)
                   + Format.fit("failed", 10, alignRight: true) + "  classes")
        // Classes go one per line in their column when they do not fit beside the numbers.
        let classIndent = String(repeating: " ", count: 2 + addressWidth + 10 + 10 + 2)
        for upstream in failing {
            let classes = FailureClass.allCases.filter { upstream.classes[$0] > 0 }
                .map { "\($0.identifier) \(Format.count(upstream.classes[$0]))" }
            let numbers = "  " + Format.fit(upstream.address, addressWidth)
                + Format.column(Format.count(upstream.requests), 10)
                + Format.column(Format.count(upstream.failures), 10) + "  "
            let joined = classes.joined(separator: ", ")
            let longest = classes.map { $0.unicodeScalars.count + 1 }.max() ?? 0
            if numbers.unicodeScalars.count + joined.unicodeScalars.count <= width {
                out.append(numbers + joined)
            } else if classIndent.count + longest > width {
                // Too narrow for a classes column: the classes go under the row.
                out.append(String(numbers.dropLast(2)))
                out.append(contentsOf: wrap(joined, indent: "      ", first: "    "))
            } else {
                for (n, c) in classes.enumerated() {
                    out.append((n == 0 ? numbers : classIndent) + c + (n < classes.count - 1 ? "," : ""))
                }
            }
        }
        if s.upstreamsOverflowAttempts > 0 {
            out.append(contentsOf: wrap(style("\(Format.counted(s.upstreamsOverflowAttempts, "attempt")) went to addresses beyond the 4,096 kept (not listed).", "2"),
                                        indent: "  ", first: "  "))
        }
        return out
    }

    private func samples(_ s: TriageSummary) -> [String] {
        let withSamples = s.classDetails.filter { !$0.sampleRequestIDs.isEmpty }
        guard !withSamples.isEmpty else { return [] }
        var out = ["", heading("Request IDs") + "  samples per class"]
        for detail in withSamples {
            out.append(contentsOf: wrap(Format.fit(detail.failureClass.identifier, 22) + detail.sampleRequestIDs.joined(separator: " "),
                                        indent: String(repeating: " ", count: 24), first: "  "))
        }
        for route in s.routesBy5xx.prefix(3) where !route.sampleRequestIDs.isEmpty {
            out.append(contentsOf: wrap("\(route.method) \(route.route): " + route.sampleRequestIDs.joined(separator: " "),
                                        indent: "      ", first: "  "))
        }
        return out
    }

    private func inputs(_ s: TriageSummary) -> [String] {
        var out = ["", heading("Inputs")]
        for input in s.inputs {
            let kind = input.isGzip ? " (gzip)" : ""
            var facts = [Format.counted(input.lines, "line"), Format.counted(input.records, "record"), "\(Format.count(input.malformed)) malformed"]
            if input.skipped > 0 { facts.append("\(Format.count(input.skipped)) skipped") }
            if input.outsideTimeRange > 0 { facts.append("\(Format.count(input.outsideTimeRange)) outside --since/--until") }
            out.append(contentsOf: wrap("\(input.path)\(kind): \(input.format), \(input.formatSource); " + facts.joined(separator: ", "),
                                        indent: "    ", first: "  "))
            if let error = input.error { out.append(contentsOf: wrap(style("! " + error, "1;31"), indent: "      ", first: "    ")) }
            for note in Format.inputNotes(input) { out.append(contentsOf: wrap(note, indent: "      ", first: "    ")) }
        }
        if let other = Format.otherLines(s) { out.append(contentsOf: wrap(other, indent: "    ", first: "  ")) }
        return out
    }

    private func malformed(_ s: TriageSummary) -> [String] {
        guard s.malformedLines > 0 else { return [] }
        var out = ["", heading("Malformed lines") + "  \(Format.count(s.malformedLines)) (not counted as requests)"]
        let reasons = s.malformedByReason.prefix(5).map { "\($0.reason) \($0.count)" }.joined(separator: ", ")
        out.append(contentsOf: wrap("by field: " + reasons, indent: "    ", first: "  "))
        for example in s.malformedExamples.prefix(5) {
            out.append(contentsOf: wrap("\(example.path):\(example.line): \(example.reason)", indent: "      ", first: "  "))
            out.append("      " + style(Format.fit(example.excerpt, width - 6), "2"))
        }
        if s.malformedExamples.count > 5 || s.malformedLines > 5 {
            out.append(contentsOf: wrap(style("(first \(min(5, s.malformedExamples.count)) shown; --format json lists up to \(s.malformedExamples.count))", "2"),
                                        indent: "  ", first: "  "))
        }
        return out
    }

    /// Wraps at spaces to the terminal width: `first` starts the first line, `indent` the others.
    ///
    /// Escape sequences take no width. A word longer than a whole line is left to ``fitToWidth(_:)``.
    private func wrap(_ text: String, indent: String, first: String) -> [String] {
        TextWrap.wrap(text, width: width, first: first, indent: indent)
    }

    /// The last guard of the width: a line still too long is wrapped at spaces under its own
    /// indentation, and a word wider than a line (a long path) is cut into pieces.
    private func fitToWidth(_ line: String) -> [String] {
        TextWrap.fit(line, width: width).flatMap { piece -> [String] in
            guard visibleWidth(piece[...]) > width else { return [piece] }
            var pieces: [String] = []
            var current = ""
            var n = 0
            var inEscape = false
            for scalar in piece.unicodeScalars {
                if inEscape || scalar == "\u{1B}" {
                    inEscape = scalar != "m"
                    current.unicodeScalars.append(scalar)
                    continue
                }
                if n == width {
                    pieces.append(current)
                    current = ""
                    n = 0
                }
                current.unicodeScalars.append(scalar)
                n += 1
            }
            pieces.append(current)
            return pieces
        }
    }

    private func visibleWidth(_ s: Substring) -> Int { TextWrap.visibleWidth(s) }
}
