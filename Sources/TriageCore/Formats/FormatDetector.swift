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
        // Lines in an envelope (Docker, CRI, syslog) are judged by what is inside it;
        // the bare lines are tried too, and the better fit wins.
        let envelope = EnvelopeKind.detect(sample)
        guard envelope != .none else { return try detectBare(sample, among: candidates, path: path, isGiven: isGiven) }
        let peeler = EnvelopePeeler(kind: envelope)
        let peeled = sample.map { line in line.withUnsafeBufferPointer { Array(peeler.peel($0).payload) } }
        let bare = try? detectBare(sample, among: candidates, path: path, isGiven: isGiven)
        do {
            var inside = try detectBare(peeled, among: candidates, path: path, isGiven: isGiven)
            if let bare, bare.matched > inside.matched { return bare }
            inside.format.envelope = envelope
            inside.reason = "lines in a \(envelope.description) envelope" + (inside.reason.isEmpty ? "" : "; " + inside.reason)
            return inside
        } catch {
            if let bare { return bare }
            throw error
        }
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
        var damagedReason = ""
        if !isGiven, let longer = longerFormatWithDamagedLines(scores, best: scores[bestIndex], count: lines.count) {
            let damaged = scores[longer].outcomes.filter { $0 == .failed }.count
            damagedReason = "'\(scores[longer].candidate.format.name)' reads \(scores[longer].exact) sample lines whole; "
                + "'\(scores[bestIndex].candidate.format.name)' reads the \(damaged) it fails only with text left over, "
                + "so they are damaged lines of it"
            bestIndex = longer
        }
        let best = scores[bestIndex]
        guard isEnough(best) else { throw noFit(scores, firstLine: firstLine, count: lines.count, path: path) }

        var tail: TailInference.Outcome?
        if best.trailing > 0, best.candidate.format.dialect == .nginx || best.candidate.format.dialect == .apache {
            tail = TailInference.infer(base: best.candidate.format, sample: lines)
            if !isGiven, let extended = tail?.format {
                let candidate = FormatCandidate(extended)
                let extendedScore = score(candidate, lines)
                // The longer format must read every line the preset read.
                if extendedScore.matched >= best.matched {
                    scores.append(extendedScore)
                    bestIndex = scores.count - 1
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
            if second.matched < winner.matched {
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
        if let tail, tail.format != nil, winner.candidate.format.name != best.candidate.format.name {
            reason += (reason.isEmpty ? "" : "; ") + "the fields after '\(best.candidate.format.name)' read as \(tail.summary)"
        }
        return Result(candidate: winner.candidate, matched: winner.matched, sampled: lines.count, reason: reason, tail: tail)
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
            let ok = line.withUnsafeBufferPointer { parser.parse($0, into: &record) }
            s.outcomes.append(!ok ? .failed : record.hasTrailingText ? .trailing : .exact)
            if ok {
                s.matched += 1
                if record.hasTrailingText { s.trailing += 1 } else { s.exact += 1 }
                s.filled += record.filledFieldCount
            } else if candidate.format.dialect == .json && parser.failedFieldName == "status" {
                s.otherEvents += 1
            }
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
        if a.matched != b.matched { return a.matched < b.matched }
        if a.exact != b.exact { return a.exact < b.exact }
        if a.filled != b.filled { return a.filled < b.filled }
        return a.candidate.format.fields.count < b.candidate.format.fields.count
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
        explanation += "  give the format with --log-format 'nginx:…' or 'apache:…', or --nginx-conf FILE --log-format NAME"
        return TriageError.noFormatFits(path: path, explanation: explanation)
    }
}
