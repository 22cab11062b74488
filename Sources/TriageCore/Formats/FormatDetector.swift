/// Chooses a log format by trying candidates on the first lines of an input.
///
/// Every candidate of ``FormatCandidate/detectionTable`` (or those given) runs
/// over the sample. The winner matches the most sample lines; ties go to the
/// format that leaves no trailing text, then to the one that fills more
/// fields (a JSON flavour over the generic JSON mapping, `main` over
/// `combined`), then to the one with more fields.
///
/// A winner must match at least half the non-blank sample lines (counting for
/// JSON the valid events without a status: a server's own messages), or at
/// least three of them: a file that mixes shapes (error lines between access
/// lines, a container's start-up output) is still read, its other lines
/// counted with a reason. A format the user gave needs one matching line.
///
/// When a text winner leaves trailing fields, ``TailInference`` reads them
/// once, on the sample, into a longer format of the same field program.
public enum FormatDetector {
    public struct Result: Sendable {
        public var candidate: FormatCandidate
        public var format: LogFormat {
            get { candidate.format }
            set { candidate.format = newValue }
        }
        public var matched: Int
        public var sampled: Int
        /// Fields filled over the matched lines (a time taken from the envelope counts as one).
        public var filled = 0
        /// Why the winner won over the next best candidate, for --verbose.
        public var reason: String = ""
        /// What was inferred of the fields after the preset's last one, when any.
        public var tail: TailInference.Outcome?
    }

    public static let sampleSize = 64

    /// Detects among formats (each read by its usual decoder).
    public static func detect(_ sample: [[UInt8]], candidates: [LogFormat], path: String,
                              isGiven: Bool = false) throws -> Result {
        try detect(sample, among: candidates.map(FormatCandidate.init), path: path, isGiven: isGiven)
    }

    /// Detects among `candidates` (by default the whole detection table).
    ///
    /// - Parameter isGiven: the user named the format: one matching line is enough,
    ///   and its trailing fields are reported, not inferred.
    /// - Throws: ``TriageError/noFormatFits`` with a line, the closest
    ///   candidate and the field where it failed.
    public static func detect(_ sample: [[UInt8]], among candidates: [FormatCandidate] = FormatCandidate.detectionTable,
                              path: String, isGiven: Bool = false) throws -> Result {
        // Lines in an envelope (Docker, CRI, syslog), or behind a viewer's prefix (a compose
        // `name | `, a time column), are judged by what is inside; the bare lines are tried
        // too, and the best fit wins (on a tie, the one that fills more fields, then the more
        // peeled reading).
        let envelope = EnvelopeKind.detect(sample)
        let outer = envelope == .none ? sample : peel(sample, EnvelopePeeler(kind: envelope))
        let prefix = LinePrefix.detect(outer)
        var readings: [(EnvelopeKind, LinePrefix)] = [(.none, .none)]
        if envelope != .none { readings.append((envelope, .none)) }
        if prefix != .none { readings.append((envelope, prefix)) }
        var best: Result?
        var firstError: Error?
        for (kind, inner) in readings {
            let peeled = kind == .none && inner == .none ? sample : peel(sample, EnvelopePeeler(kind: kind, prefix: inner))
            // Lines whose wrapper carries a time may leave it out themselves.
            let isTable = !isGiven && candidates.count > 1
            let table = kind == .none && inner == .none || !isTable ? candidates : candidates + FormatCandidate.untimedTable
            do {
                var result: Result
                do {
                    result = try detectBare(peeled, among: table, path: path, isGiven: isGiven)
                } catch where kind == .syslog {
                    // One syslog stream carries many programs: the access log may be a few
                    // of its lines. Judge it on the lines of one program (tag) at a time.
                    guard let one = try bestProgram(sample, peeled, table, path: path, isGiven: isGiven) else { throw error }
                    result = one
                }
                result.format.envelope = kind
                result.format.linePrefix = inner
                if result.format.timeFromEnvelope, kind == .none || !carriesTime(kind, inner, sample) { continue }
                // A tie goes to the reading that fills more fields (Heroku's `TIME heroku[router]: …`
                // read whole, not as a syslog payload read as generic logfmt), then to the more peeled.
                if let current = best, current.matched > result.matched
                    || (current.matched == result.matched && current.filled > result.filled) { continue }
                var wrappers: [String] = []
                if kind != .none { wrappers.append("a \(kind.description) envelope") }
                if inner != .none { wrappers.append("a \(inner.description)") }
                if !wrappers.isEmpty {
                    result.reason = "lines in " + wrappers.joined(separator: " and ") + (result.reason.isEmpty ? "" : "; " + result.reason)
                }
                best = result
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let best { return best }
        throw firstError ?? TriageError.noFormatFits(path: path, explanation: "no candidate formats")
    }

    /// The best detection over the lines of one syslog program, by its tag (RFC 3164
    /// `tag[pid]:`, RFC 5424 APP-NAME); the other programs' lines become other lines.
    private static func bestProgram(_ sample: [[UInt8]], _ peeled: [[UInt8]], _ table: [FormatCandidate], path: String,
                                    isGiven: Bool) throws -> Result? {
        var groups: [[UInt8]: [[UInt8]]] = [:]
        var order: [[UInt8]] = []
        for (line, payload) in zip(sample, peeled) {
            guard let tag = line.withUnsafeBufferPointer({ EnvelopePeeler.syslogTag($0) }) else { continue }
            if groups[tag] == nil { order.append(tag) }
            groups[tag, default: []].append(payload)
        }
        var best: Result?
        for tag in order where order.count > 1 {
            guard let lines = groups[tag], let result = try? detectBare(lines, among: table, path: path, isGiven: isGiven)
            else { continue }
            if best.map({ result.matched > $0.matched }) ?? true {
                best = result
                best?.sampled = sample.filter { !$0.isEmpty }.count
                best?.reason = "the lines of syslog program '\(LogText.sanitize(String(decoding: tag, as: UTF8.self)))'"
                    + (result.reason.isEmpty ? "" : "; " + result.reason)
            }
        }
        return best
    }

    /// The sample's payloads. CRI pieces are joined as reading joins them (a `P` piece is
    /// held, its line judged whole at the `F` piece), so a sample of long lines split into
    /// pieces is judged on the lines.
    private static func peel(_ lines: [[UInt8]], _ peeler: EnvelopePeeler) -> [[UInt8]] {
        peeler.joinLimit = AnalysisOptions().maxLineLength
        var payloads: [[UInt8]] = []
        for line in lines {
            line.withUnsafeBufferPointer { buffer in
                let payload = peeler.peel(buffer).payload
                if peeler.lastPiece != .held { payloads.append(Array(payload)) }
            }
        }
        return payloads
    }

    /// At least half the lines' wrappers give a time.
    private static func carriesTime(_ kind: EnvelopeKind, _ prefix: LinePrefix, _ lines: [[UInt8]]) -> Bool {
        let peeler = EnvelopePeeler(kind: kind, prefix: prefix)
        peeler.keepsTime = true
        var timed = 0, count = 0
        for line in lines where !line.isEmpty {
            count += 1
            line.withUnsafeBufferPointer { buffer in
                _ = peeler.peel(buffer)
                if peeler.envelopeTime(reference: 4_102_444_800, zone: .utc) != nil { timed += 1 }
            }
        }
        return count > 0 && timed * 2 >= count
    }

    static func detectBare(_ sample: [[UInt8]], among candidates: [FormatCandidate], path: String,
                           isGiven: Bool) throws -> Result {
        let lines = sample.filter { !$0.isEmpty }
        guard let firstLine = lines.first else {
            throw TriageError.noFormatFits(path: path, explanation: "the input has no lines to detect a format from")
        }
        var scores = candidates.map { score($0, lines) }
        func isEnough(_ s: Score) -> Bool {
            isGiven ? s.matched > 0 : s.matched > 0 && ((s.matched + s.otherEvents) * 2 >= lines.count || s.matched >= 3)
        }
        guard var bestIndex = scores.indices.max(by: { isWorse(scores[$0], than: scores[$1]) }) else {
            throw TriageError.noFormatFits(path: path, explanation: "no candidate formats")
        }
        if !isEnough(scores[bestIndex]) && !isGiven {
            // A preset behind one leading field ($server_addr, a vhost, an X-Forwarded-For list).
            let prefixed = prefixedPresets(lines).map { score($0, lines) }
            if let p = prefixed.indices.max(by: { isWorse(prefixed[$0], than: prefixed[$1]) }), isEnough(prefixed[p]) {
                scores.append(prefixed[p])
                bestIndex = scores.count - 1
            }
        }
        var layout: TailInference.Outcome?
        if !isEnough(scores[bestIndex]) && !isGiven, let inferred = LayoutInference.infer(lines),
           let format = inferred.format {
            // No preset reads the lines: their own layout, read from them.
            let inferredScore = score(FormatCandidate(format), lines)
            if isEnough(inferredScore) {
                scores.append(inferredScore)
                bestIndex = scores.count - 1
                layout = inferred
            }
        }
        var damagedReason = ""
        if !isGiven, let longer = longerFormatWithDamagedLines(scores, best: scores[bestIndex], count: lines.count) {
            let damaged = scores[longer].outcomes.filter { $0 == .failed }.count
            damagedReason = "'\(scores[longer].candidate.format.name)' reads \(scores[longer].exact) sample lines whole; "
                + "'\(scores[bestIndex].candidate.format.name)' reads the \(damaged) it fails only with text left over, "
                + "so they are damaged lines of it"
            bestIndex = longer
        }
        if !isGiven, scores[bestIndex].candidate.format.name == "main", Self.fourthQuotedAreIDs(lines),
           let combined = scores.firstIndex(where: { $0.candidate.format.name == "combined" }),
           scores[combined].matched >= scores[bestIndex].matched {
            // `main`'s last field is X-Forwarded-For, a list of addresses: a quoted request ID
            // (32 hex digits, a UUID) there is a field after `combined`, read by the tail.
            bestIndex = combined
        }
        let best = scores[bestIndex]
        guard isEnough(best) else { throw noFit(scores, firstLine: firstLine, count: lines.count, path: path) }

        var tail: TailInference.Outcome? = layout
        if layout == nil, best.trailing > 0,
           [.nginx, .apache, .haproxy].contains(best.candidate.format.dialect) {
            tail = TailInference.infer(base: best.candidate.format, sample: lines)
            if !isGiven, let extended = tail?.format {
                let candidate = FormatCandidate(extended)
                let extendedScore = score(candidate, lines)
                // The longer format must read every line the preset read, or nine in ten with the
                // rest read whole by the preset alone (health checks logged by a server-wide
                // `combined` into the site's file): those are read by the preset at run time.
                if extendedScore.matched >= best.matched {
                    scores.append(extendedScore)
                    bestIndex = scores.count - 1
                } else if extendedScore.matched * 10 >= best.matched * 9, best.exact + extendedScore.matched >= best.matched {
                    var withFallback = extendedScore
                    var format = extended
                    format.withoutTail = [best.candidate.format]
                    withFallback.candidate = FormatCandidate(format)
                    withFallback.matched = best.matched
                    scores.append(withFallback)
                    bestIndex = scores.count - 1
                    tail?.format = format
                } else {
                    tail?.format = nil
                }
            }
        }
        let winner = scores[bestIndex]
        var reason = ""
        if candidates.count > 1,
           let second = scores.filter({ $0.candidate.format.name != winner.candidate.format.name
                                        && $0.candidate.format.name != best.candidate.format.name })
            .max(by: { isWorse($0, than: $1) }) {
            if second.matched > winner.matched {
                reason = "'\(second.candidate.format.name)' matched \(second.matched) but read fewer fields (\(second.filled) vs \(winner.filled)); "
                    + "\(winner.damaged) lines have a bad value in '\(winner.candidate.format.name)' keys"
            } else if second.matched < winner.matched {
                reason = "next best '\(second.candidate.format.name)' matched \(second.matched)"
            } else if second.exact < winner.exact {
                reason = "'\(second.candidate.format.name)' matched as many but left trailing fields on \(second.matched - second.exact)"
            } else if second.filled < winner.filled {
                reason = "'\(second.candidate.format.name)' matched as many but read fewer fields (\(second.filled) vs \(winner.filled))"
            } else {
                reason = "'\(second.candidate.format.name)' matched as many; '\(winner.candidate.format.name)' reads more fields"
            }
        }
        if !damagedReason.isEmpty { reason = damagedReason }
        if let base = winner.candidate.format.withoutTail.first {
            reason += (reason.isEmpty ? "" : "; ") + "lines without the fields after '\(base.name)' are read by '\(base.name)' alone"
        }
        if let tail, tail.format != nil, winner.candidate.format.name != best.candidate.format.name {
            reason += (reason.isEmpty ? "" : "; ") + "the fields after '\(best.candidate.format.name)' read as \(tail.summary)"
        }
        return Result(candidate: winner.candidate, matched: winner.matched, sampled: lines.count,
                      filled: winner.filled + (winner.candidate.format.timeFromEnvelope ? winner.matched : 0),
                      reason: reason, tail: tail)
    }

    /// Whether the sample's fourth quoted fields (after the request, the referer and the user
    /// agent: where `main` has X-Forwarded-For) are request IDs (32 hex digits, UUIDs or
    /// Apache's `UNIQUE_ID`, `-` aside), not the addresses X-Forwarded-For holds.
    static func fourthQuotedAreIDs(_ lines: [[UInt8]]) -> Bool {
        var values: [String] = []
        for line in lines {
            let parts = line.split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false)
            guard parts.count >= 9 else { return false }
            let value = String(decoding: parts[7], as: UTF8.self)
            if value != "-" && !value.isEmpty { values.append(value) }
        }
        guard !values.isEmpty else { return false }
        return TailInference.shapes(values).isSubset(of: TailInference.requestIDShapes)
    }

    // MARK: - A leading field

    /// `combined`, `main` and `common` behind one leading field whose shape names it over the
    /// sample: addresses or nothing (`$server_addr`), host names (`$host`), a quoted list of
    /// addresses (`"$http_x_forwarded_for"`). Tried only when no candidate fits.
    static func prefixedPresets(_ lines: [[UInt8]]) -> [FormatCandidate] {
        var values: [String] = []
        var quoted = 0
        for line in lines {
            if line.first == UInt8(ascii: "\"") {
                guard let close = line.dropFirst().firstIndex(of: UInt8(ascii: "\"")) else { return [] }
                values.append(String(decoding: line[1..<close], as: UTF8.self))
                quoted += 1
            } else {
                let end = line.firstIndex(of: UInt8(ascii: " ")) ?? line.count
                values.append(String(decoding: line[0..<end], as: UTF8.self))
            }
        }
        guard quoted == 0 || quoted == lines.count else { return [] }
        let shapes = TailInference.shapes(values)
        let field: String
        var servers: [LogServer]? = [.nginx]
        if quoted > 0 {
            guard shapes.isSubset(of: [.ip]) else { return [] }
            field = #""$http_x_forwarded_for""#
        } else if shapes.isSubset(of: [.ip]) {
            field = "$server_addr"
        } else if shapes.isSubset(of: [.ip, .hostName]) {
            field = "$host"
            servers = nil
        } else {
            return []
        }
        return ["combined", "main", "common"].compactMap { name in
            guard let definition = TailInference.baseSpellings[name]?.nginx,
                  var format = try? LogFormat.nginx(field + " " + definition, name: name + "+prefix", allowsTrailingText: true)
            else { return nil }
            format.servers = servers ?? (LogFormat.preset(named: name)?.servers ?? [.nginx])
            return FormatCandidate(format)
        }
    }

    // MARK: - Damaged lines of a longer format

    /// A candidate that reads at least half the sample whole, where every line it fails is
    /// one `best` reads only with text left after its last field: the longer format is the
    /// file's, and those lines are its damaged lines (a quote lost in Traefik's
    /// `"RouterName"`), not lines of the shorter one. A line the longer format fails that
    /// `best` reads whole (nginx `main` over `combined` on a file that interleaves both)
    /// keeps the shorter format.
    static func longerFormatWithDamagedLines(_ scores: [Score], best: Score, count: Int) -> Int? {
        guard best.trailing > 0, best.outcomes.count == count else { return nil }
        var chosen: Int?
        for (index, s) in scores.enumerated() where s.candidate.format.name != best.candidate.format.name {
            guard s.exact * 2 >= count, s.exact > 0, s.matched < best.matched, s.outcomes.count == count else { continue }
            let fits = zip(s.outcomes, best.outcomes).allSatisfy { mine, theirs in mine != .failed || theirs == .trailing }
            if fits, chosen.map({ isWorse(scores[$0], than: s) }) ?? true { chosen = index }
        }
        return chosen
    }

    // MARK: - Scoring

    struct Score {
        var candidate: FormatCandidate
        var matched = 0
        /// Matched lines with nothing left after the last field.
        var exact = 0
        /// Matched lines with text left after the last field.
        var trailing = 0
        /// Fields filled over the matched lines: a JSON flavour that reads more of each line fits better.
        var filled = 0
        /// JSON lines valid but without a status: other events of the same log (a server's own messages).
        var otherEvents = 0
        /// JSON lines failed on a value of a key the flavour maps (a bad time): its lines, damaged.
        var damaged = 0
        var furthest = Int.max
        var message = ""
        /// Per sample line: how this candidate read it.
        var outcomes: [Outcome] = []
    }

    enum Outcome: UInt8 { case failed, exact, trailing }

    static func score(_ candidate: FormatCandidate, _ lines: [[UInt8]]) -> Score {
        let parser = candidate.makeDecoder()
        var s = Score(candidate: candidate)
        var record = AccessRecord()
        for line in lines {
            var ok = line.withUnsafeBufferPointer { parser.parse($0, into: &record) }
            // An error logger's event (Caddy's `http.log.error`) is a line of this format
            // that holds no request: it fits, and fills nothing.
            if !ok && candidate.format.dialect == .json && parser.failedFieldName == "logger" {
                ok = true
                record = AccessRecord()
            }
            // Heroku's router and ALB append fields over the years, left unread by design:
            // text after the last field is not a sign of a longer format.
            let isTrailing = record.hasTrailingText && !candidate.format.appendsFields
            s.outcomes.append(!ok ? .failed : isTrailing ? .trailing : .exact)
            if ok {
                s.matched += 1
                if isTrailing { s.trailing += 1 } else { s.exact += 1 }
                s.filled += record.filledFieldCount
            } else if candidate.format.dialect == .json && parser.failedFieldName == "status" {
                s.otherEvents += 1
            }
            if !ok, let json = parser as? JSONRecordDecoder, json.failedOnValue { s.damaged += 1 }
        }
        if let first = lines.first {
            first.withUnsafeBufferPointer { buffer in
                if !parser.parse(buffer, into: &record) {
                    s.furthest = parser.failurePosition
                    s.message = parser.describeFailure(in: buffer)
                }
            }
        }
        return s
    }

    static func isWorse(_ a: Score, than b: Score) -> Bool {
        if a.candidate.format.dialect == .json && b.candidate.format.dialect == .json {
            // JSON flavours share keys (`status`, `duration`): a flavour that reads only those
            // matches a line another flavour fails on one bad value (a month 13 in its time).
            // The lines a flavour knows are those it reads and those it finds damaged; among
            // as many, the flavour that reads more of them is the file's.
            let known = a.matched + a.damaged, otherKnown = b.matched + b.damaged
            if known != otherKnown { return known < otherKnown }
            if a.filled != b.filled { return a.filled < b.filled }
        }
        if a.matched != b.matched { return a.matched < b.matched }
        if a.exact != b.exact { return a.exact < b.exact }
        if a.filled != b.filled { return a.filled < b.filled }
        return a.candidate.format.fields.count < b.candidate.format.fields.count
    }

    /// What to give for a line no preset reads, by its look: JSON (`--field`), an HAProxy line
    /// (`haproxy:`), else nginx's or Apache's format string.
    static func formatAdvice(_ line: [UInt8]) -> String {
        let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        if trimmed.first == UInt8(ascii: "{") {
            return "a JSON line: map its keys with --field NAME=PATH (status=resp.code, time=ts, request_id=headers.x-req-id; "
                + "repeatable), or give --log-format json"
        }
        if Self.hasHAProxyAcceptDate(line) {
            return "an HAProxy line: give its log-format with --log-format 'haproxy:…' (the httplog preset is 'haproxy')"
        }
        return "give the format with --log-format 'nginx:…' or 'apache:…', or --nginx-conf FILE --log-format NAME"
    }

    /// `[20/Nov/2026:10:00:00.123] `: HAProxy's accept date, with milliseconds (`%tr`).
    static func hasHAProxyAcceptDate(_ line: [UInt8]) -> Bool {
        let isDigit = { (b: UInt8) in b &- UInt8(ascii: "0") < 10 }
        var i = 0
        while i + 8 < line.count {
            // `:SS.mmm] `
            if line[i] == UInt8(ascii: ":"), isDigit(line[i + 1]), isDigit(line[i + 2]), line[i + 3] == UInt8(ascii: "."),
               isDigit(line[i + 4]), isDigit(line[i + 5]), isDigit(line[i + 6]), line[i + 7] == UInt8(ascii: "]"),
               line[i + 8] == UInt8(ascii: " ") {
                return true
            }
            i += 1
        }
        return false
    }

    private static func noFit(_ scores: [Score], firstLine: [UInt8], count: Int, path: String) -> TriageError {
        let closest = scores.max { a, b in
            a.matched != b.matched ? a.matched < b.matched : a.furthest < b.furthest
        }
        var explanation = "  line 1: \(LogText.display(Array(firstLine.prefix(160))))\(firstLine.count > 160 ? "…" : "")\n"
        if let closest {
            explanation += "  closest format: \(closest.candidate.format.name) (\(closest.matched) of \(count) sample lines matched)\n"
            if !closest.message.isEmpty { explanation += "  where it failed: \(closest.message)\n" }
        }
        explanation += "  " + Self.formatAdvice(firstLine)
        return TriageError.noFormatFits(path: path, explanation: explanation)
    }
}
