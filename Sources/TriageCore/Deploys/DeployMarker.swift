/// A deploy: when it happened and what it was called.
public struct DeployMarker: Equatable, Sendable {
    public var time: TimeSpec
    public var label: String
    /// Where it came from, for messages: `deploys.txt:3` or `--deploy`.
    public var origin: String

    public init(time: TimeSpec, label: String, origin: String) {
        self.time = time
        self.label = label
        self.origin = origin
    }

    /// Parses `--deploy TIME[=LABEL]`.
    public init(argument: String) throws {
        var timeText = argument
        var label = ""
        if let eq = argument.lastIndex(of: "=") {
            timeText = String(argument[..<eq])
            label = String(argument[argument.index(after: eq)...])
        }
        guard let time = TimeSpec(timeText) else {
            throw TriageError.deploys(origin: "--deploy", reason: "cannot read a time from '\(timeText)' (ISO 8601, epoch seconds or ms, 21/Nov/2026:10:00:00 +0000, or now-10m)")
        }
        self.init(time: time, label: label.isEmpty ? timeText : label, origin: "--deploy")
    }
}

/// Reads deploy markers from a file: one marker a line, in one of three forms.
///
/// - text: a time, then an optional label (`2026-11-20T10:30:00Z v2.14.0`);
///   the time may contain one space (`2026-11-20 10:30:00`, CLF with its zone);
/// - JSON lines: an object with `time`/`timestamp`/`deployed_at` and
///   `version`/`label`/`sha`/`name`;
/// - CSV with a header naming those columns.
/// Blank lines and `#` comments are skipped. A line that cannot be read stops
/// with an error naming the file, the line and the field.
public enum DeployFile {
    static let timeKeys = ["time", "timestamp", "deployed_at", "date", "ts", "@timestamp"]
    static let labelKeys = ["version", "label", "sha", "name", "release", "commit", "description"]

    public static func read(path: String) throws -> [DeployMarker] {
        let source = try FileDescriptorSource.open(path)
        var markers: [DeployMarker] = []
        var csvColumns: (time: Int, label: Int?)?
        var firstContentLine = true
        let scanner = JSONScanner()
        try LineReader(source: source, maxLineLength: 64 * 1024).forEachLine { line in
            let text = LogText.display(line.bytes).trimmingWhitespace()
            let origin = "\(path):\(line.number)"
            if text.isEmpty || text.hasPrefix("#") { return }
            defer { firstContentLine = false }
            if text.hasPrefix("{") {
                markers.append(try jsonMarker(line.bytes, scanner: scanner, origin: origin))
                return
            }
            if firstContentLine, text.contains(","), let header = csvHeader(text) {
                csvColumns = header
                return
            }
            if let columns = csvColumns {
                let cells = text.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: " \t\"")
                }
                guard columns.time < cells.count else {
                    throw TriageError.deploys(origin: origin, reason: "column \(columns.time + 1) (time): the line has \(cells.count) columns")
                }
                guard let time = TimeSpec(cells[columns.time]) else {
                    throw TriageError.deploys(origin: origin, reason: "column \(columns.time + 1) (time): cannot read a time from '\(cells[columns.time])'")
                }
                let label = columns.label.flatMap { $0 < cells.count ? cells[$0] : nil } ?? ""
                markers.append(DeployMarker(time: time, label: label.isEmpty ? cells[columns.time] : label, origin: origin))
                return
            }
            markers.append(try textMarker(text, origin: origin))
        }
        return markers
    }

    static func textMarker(_ text: String, origin: String) throws -> DeployMarker {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        // The time is the first word or the first two (a space inside ISO or CLF).
        for count in [2, 1] where words.count >= count {
            let timeText = words.prefix(count).joined(separator: " ")
            if count == 1, words.count >= 2, Self.looksLikeClock(words[1]) {
                // `2026-11-21 25:10:00 v3.2.1`: the date alone would read as midnight, and the
                // bad clock time become the label.
                throw TriageError.deploys(origin: origin, reason: "cannot read a time from '\(words[0]) \(words[1])' (ISO 8601, epoch seconds or ms, or 21/Nov/2026:10:00:00 +0000)")
            }
            if let time = TimeSpec(timeText), !time.isRelative {
                let label = words.dropFirst(count).joined(separator: " ")
                return DeployMarker(time: time, label: label.isEmpty ? timeText : label, origin: origin)
            }
        }
        throw TriageError.deploys(origin: origin, reason: "cannot read a time from '\(words.first ?? "")' (ISO 8601, epoch seconds or ms, or 21/Nov/2026:10:00:00 +0000)")
    }

    /// `10:30`, `25:10:00`, `10:30:00.123Z`: a clock time written after a date.
    static func looksLikeClock(_ word: Substring) -> Bool {
        let digits = word.prefix { $0.isASCII && $0.isNumber }
        return (1...2).contains(digits.count) && word.dropFirst(digits.count).first == ":"
    }

    static func jsonMarker(_ bytes: UnsafeBufferPointer<UInt8>, scanner: JSONScanner, origin: String) throws -> DeployMarker {
        var fields: [String: String] = [:]
        let end = scanner.scan(bytes) { path, kind, range in
            let key = String(decoding: path, as: UTF8.self).lowercased()
            guard timeKeys.contains(key) || labelKeys.contains(key) else { return }
            let raw = UnsafeBufferPointer(rebasing: bytes[range])
            fields[key] = kind == .string ? JSONScanner.decodeString(raw) : String(decoding: raw, as: UTF8.self)
        }
        guard end != nil else { throw TriageError.deploys(origin: origin, reason: "not valid JSON") }
        guard let timeKey = timeKeys.first(where: { fields[$0] != nil }), let timeText = fields[timeKey] else {
            throw TriageError.deploys(origin: origin, reason: "no time field (one of \(timeKeys.joined(separator: ", ")))")
        }
        guard let time = TimeSpec(timeText), !time.isRelative else {
            throw TriageError.deploys(origin: origin, reason: "field \(timeKey): cannot read a time from '\(timeText)'")
        }
        let label = labelKeys.compactMap { fields[$0] }.first ?? timeText
        return DeployMarker(time: time, label: label, origin: origin)
    }

    static func csvHeader(_ text: String) -> (time: Int, label: Int?)? {
        let cells = text.lowercased().split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: " \t\"")
        }
        guard let time = cells.firstIndex(where: { timeKeys.contains($0) }) else { return nil }
        let label = labelKeys.lazy.compactMap { key in cells.firstIndex(of: key) }.first
        return (time, label)
    }
}
