/// Chooses a log format by trying candidates on the first lines of an input.
///
/// The winner matches the most sample lines; ties go to the format that
/// leaves no trailing text, then to the one with more fields (so `main` beats
/// `combined` on `main` lines), then to the one that fills more fields (a
/// JSON flavour over the generic JSON mapping). A winner must match at least
/// half the non-blank sample lines, counting for JSON the valid lines without
/// a status (a server's own events mixed with its access log).
public enum FormatDetector {
    public struct Result: Sendable {
        public var format: LogFormat
        public var matched: Int
        public var sampled: Int
        /// Why the winner won over the next best candidate, for --verbose.
        public var reason: String = ""
    }

    public static let sampleSize = 64

    /// Detects among `candidates` (by default the presets).
    ///
    /// - Throws: ``TriageError/noFormatFits`` with a line, the closest
    ///   candidate and the field where it failed.
    public static func detect(_ sample: [[UInt8]], candidates: [LogFormat] = LogFormat.presets,
                              path: String) throws -> Result {
        // Lines in an envelope (Docker, CRI, syslog) are judged by what is inside it;
        // the bare lines are tried too, and the better fit wins.
        let envelope = EnvelopeKind.detect(sample)
        guard envelope != .none else { return try detectBare(sample, candidates: candidates, path: path) }
        let peeler = EnvelopePeeler(kind: envelope)
        let peeled = sample.map { line in line.withUnsafeBufferPointer { Array(peeler.peel($0).payload) } }
        let bare = try? detectBare(sample, candidates: candidates, path: path)
        do {
            var inside = try detectBare(peeled, candidates: candidates, path: path)
            if let bare, bare.matched > inside.matched { return bare }
            inside.format.envelope = envelope
            inside.reason = "lines in a \(envelope.description) envelope" + (inside.reason.isEmpty ? "" : "; " + inside.reason)
            return inside
        } catch {
            if let bare { return bare }
            throw error
        }
    }

    static func detectBare(_ sample: [[UInt8]], candidates: [LogFormat], path: String) throws -> Result {
        let lines = sample.filter { !$0.isEmpty }
        guard let firstLine = lines.first else {
            throw TriageError.noFormatFits(path: path, explanation: "the input has no lines to detect a format from")
        }
        struct Score {
            var format: LogFormat
            var matched: Int
            var exact: Int
            /// Fields filled over the matched lines: a JSON flavour that reads more of each line fits better.
            var filled: Int
            /// JSON lines valid but without a status: other events of the same log (a server's own messages).
            var otherEvents: Int
            var furthest: Int
            var message: String
        }
        var scores: [Score] = []
        var record = AccessRecord()
        for format in candidates {
            let parser = format.makeDecoder()
            var matched = 0, exact = 0, filled = 0, otherEvents = 0
            for line in lines {
                let ok = line.withUnsafeBufferPointer { parser.parse($0, into: &record) }
                if ok {
                    matched += 1
                    if !record.hasTrailingText { exact += 1 }
                    filled += record.filledFieldCount
                } else if format.dialect == .json && parser.failedFieldName == "status" {
                    otherEvents += 1
                }
            }
            var furthest = Int.max
            var message = ""
            firstLine.withUnsafeBufferPointer { buffer in
                if !parser.parse(buffer, into: &record) {
                    furthest = parser.failurePosition
                    message = parser.describeFailure(in: buffer)
                }
            }
            scores.append(Score(format: format, matched: matched, exact: exact, filled: filled, otherEvents: otherEvents,
                                furthest: furthest, message: message))
        }
        let best = scores.max { a, b in
            if a.matched != b.matched { return a.matched < b.matched }
            if a.exact != b.exact { return a.exact < b.exact }
            if a.filled != b.filled { return a.filled < b.filled }
            return a.format.fields.count < b.format.fields.count
        }
        // A JSON log may mix requests with the server's other events; those count as fitting.
        if let best, best.matched > 0, (best.matched + best.otherEvents) * 2 >= lines.count {
            var reason = ""
            if let second = scores.filter({ $0.format.name != best.format.name }).max(by: { a, b in
                a.matched != b.matched ? a.matched < b.matched : a.exact < b.exact }), candidates.count > 1 {
                if second.matched < best.matched {
                    reason = "next best '\(second.format.name)' matched \(second.matched)"
                } else if second.exact < best.exact {
                    reason = "'\(second.format.name)' matched as many but left trailing fields on \(second.matched - second.exact)"
                } else if second.filled < best.filled {
                    reason = "'\(second.format.name)' matched as many but read fewer fields (\(second.filled) vs \(best.filled))"
                } else {
                    reason = "'\(second.format.name)' matched as many; '\(best.format.name)' reads more fields"
                }
            }
            return Result(format: best.format, matched: best.matched, sampled: lines.count, reason: reason)
        }
        let closest = scores.max { a, b in
            a.matched != b.matched ? a.matched < b.matched : a.furthest < b.furthest
        }
        var explanation = "  line 1: \(LogText.display(Array(firstLine.prefix(160))))\(firstLine.count > 160 ? "…" : "")\n"
        if let closest {
            explanation += "  closest format: \(closest.format.name) (\(closest.matched) of \(lines.count) sample lines matched)\n"
            if !closest.message.isEmpty { explanation += "  where it failed: \(closest.message)\n" }
        }
        explanation += "  give the format with --log-format 'nginx:…' or 'apache:…', or --nginx-conf FILE --log-format NAME"
        throw TriageError.noFormatFits(path: path, explanation: explanation)
    }
}
