/// How severe an application-log line says it is.
public enum AppSeverity: Int, Sendable, Comparable {
    case unknown, debug, info, warning, error

    public static func < (a: AppSeverity, b: AppSeverity) -> Bool { a.rawValue < b.rawValue }

    /// `error`, `ERR`, `Fatal`, `CRITICAL`, `severe`, `panic`, `emerg`, `alert` are errors.
    static func named(_ word: UnsafeBufferPointer<UInt8>) -> AppSeverity? {
        // Every level word has 3 to 11 letters: `I` and `F` of Ruby's marks are rejected at once.
        guard word.count >= 3, word.count <= 11 else { return nil }
        var packed: UInt64 = 0
        for b in word {
            let lower = b | 0x20
            guard lower >= 0x61 && lower <= 0x7A else { return nil }
            packed = packed << 5 | UInt64(lower - 0x60)
        }
        for (candidate, severity) in words where candidate == packed { return severity }
        return nil
    }

    /// Packed five bits a letter; a short array beats hashing on this per-line path.
    private static let words: [(UInt64, AppSeverity)] = {
        // The levels most lines carry first: each line's level word is looked up here.
        let table: [(String, AppSeverity)] = [
            ("info", .info), ("debug", .debug), ("warn", .warning), ("error", .error), ("fatal", .error),
            ("warning", .warning), ("trace", .debug), ("verbose", .debug), ("fine", .debug),
            ("information", .info), ("notice", .info),
            ("err", .error), ("critical", .error), ("crit", .error),
            ("severe", .error), ("panic", .error), ("emerg", .error), ("emergency", .error), ("alert", .error),
        ]
        return table.map { word, severity in (word.utf8.reduce(UInt64(0)) { $0 << 5 | UInt64($1 - 0x60) }, severity) }
    }()

    /// A numeric level: pino/bunyan (10–60: 50 error, 60 fatal) or a small
    /// number, which syslog (GELF) and Nextcloud read differently: 3 is an
    /// error to both and 5–7 are syslog's notice, info and debug, but 0–2 are
    /// syslog's emergencies and Nextcloud's debug, info and warning, and 4 is a
    /// syslog warning and Nextcloud's fatal. Those are left unknown rather than
    /// guessed: an unknown event still counts when it carries an exception.
    static func numbered(_ value: Int) -> AppSeverity {
        switch value {
        case 50...: return .error
        case 40..<50: return .warning
        case 10..<40: return .info
        case 3: return .error
        case 5...7: return .info
        default: return .unknown
        }
    }
}

/// What the first pass learns from one application-log line, as byte ranges into it.
struct AppLine {
    /// True when the line begins an event (it has a time stamp, a level or is JSON);
    /// false for the continuation lines of a multi-line event (stack frames, SQL, …).
    var isEventStart = false
    var isJSON = false
    /// Starts with a space or tab: certainly a continuation.
    var isIndented = false
    var time: Int64?
    var timeIsZoneless = false
    /// Text lines: where the time stamp is; ``AppLineScanner/readDetails(_:into:)`` reads it into `time`.
    var timeRange: Range<Int>?
    var timeKind = AppLineScanner.TimeKind.iso
    var severity = AppSeverity.unknown
    /// JSON lines: from ``AppLineScanner/scan(_:into:)``; text lines: from ``AppLineScanner/readDetails(_:into:)``.
    var id: Range<Int>?
    /// Where the message starts on a text line: after the time and level from
    /// ``AppLineScanner/scan(_:into:)``, after the tags too once ``AppLineScanner/readDetails(_:into:)`` ran.
    var messageStart = 0

    mutating func reset() { self = AppLine() }
}

/// Reads the time, severity and request ID of application-log lines without
/// allocating: text lines (Rails, Python, Java, Go, OpenStack, logfmt) and
/// JSON lines (request-ID, level and time keys under their usual names).
///
/// One per thread (it owns a JSON scanner and regex match data).
final class AppLineScanner {
    /// The user's `--app-id-pattern`: replaces the built-in text forms.
    /// The user's pattern, else the built-in one, and the numbers of its `id` groups.
    private let idPattern: Regex
    /// Lines whose ID search gave up on PCRE2's match limit (they have no ID), so far.
    var idPatternLimitHits: Int { idPattern.limitHits }
    /// The pattern that finds request IDs, as the user gave it; nil for the built-in one.
    let userIDPattern: String?
    private let idGroups: [Int]
    private let json = JSONScanner()

    /// `request_id=…`, `req_id: …`, `x-request-id=…`, `correlation_id=…`, `trace_id=…`,
    /// `req=…`, `rid=…`, and a UUID in brackets, `[uuid]` (Rails) or `[req-uuid …]` (OpenStack).
    static let builtinPattern =
        #"(?:^|[^A-Za-z0-9_])(?:x[-_]?)?(?:request[-_]?id|req[-_]?id|correlation[-_]?id|trace[-_]?id)["']?\s*[=:]\s*["']?(?<id>[A-Za-z0-9][A-Za-z0-9._+/-]{5,127})"#
        + #"|(?:^|[^A-Za-z0-9_])(?:req|rid)=["']?(?<id>[A-Za-z0-9][A-Za-z0-9._+/-]{5,127})"#
        + #"|\[(?:req-)?(?<id>[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})[\]\s]"#

    init(idPattern: String? = nil) throws {
        userIDPattern = idPattern
        if let idPattern {
            let user = try Regex(idPattern)
            guard user.groupNames["id"] != nil else {
                throw TriageError.regex(pattern: user.pattern, message: "needs a named group (?<id>…) for the request ID")
            }
            self.idPattern = user
        } else {
            self.idPattern = try Regex(Self.builtinPattern, caseInsensitive: true, duplicateNames: true)
        }
        idGroups = self.idPattern.groupNumbers(named: "id")
    }

    func scan(_ p: UnsafeBufferPointer<UInt8>, into line: inout AppLine) {
        line.reset()
        guard !p.isEmpty else { return }
        line.isIndented = p[0] == 0x20 || p[0] == 0x09
        if !line.isIndented, let open = jsonStart(p), scanJSON(p, from: open, into: &line) { return }
        if line.isIndented { return }
        scanText(p, into: &line)
    }

    // MARK: - Text lines

    private func scanText(_ p: UnsafeBufferPointer<UInt8>, into line: inout AppLine) {
        var messageStart = 0
        // The level search below jumps over the time stamp: its only words are `T`, `Z` and
        // a CLF month, none of them a level. It resumes on the stamp's last byte when that
        // is a letter followed by one (`…00Zerror` is the word `Zerror`, as without the jump).
        var skipFrom = -1
        var skipTo = 0
        if let found = Self.locateTime(p) {
            // Located by its shape only: most lines never need the time itself.
            line.timeRange = found.range
            line.timeKind = found.kind
            line.timeIsZoneless = found.isZoneless
            line.isEventStart = true
            messageStart = found.range.upperBound
            skipFrom = found.range.lowerBound
            let end = found.range.upperBound
            skipTo = end < p.count && Self.isLetter(p[end]) && Self.isLetter(p[end - 1]) ? end - 1 : end
        } else if Self.startsWithSyslogTime(p) || Self.startsWithCtime(p) || Self.startsWithRubyLoggerMark(p)
                    || Self.startsWith(p, "panic: ")
                    || Self.startsWith(p, "Exception in thread ") {
            line.isEventStart = true
        }
        // The first word that names a level decides the severity.
        var i = 0
        let end = min(p.count, 200)
        while i < end {
            guard Self.isLetter(p[i]) else {
                // A stamp starts with a digit: its start is met here.
                i = i == skipFrom ? skipTo : i + 1
                continue
            }
            let start = i
            while i < end, Self.isLetter(p[i]) { i += 1 }
            // Level words have 3 to 11 letters (``AppSeverity/named(_:)``): `I`, `T`, `Z` are skipped here.
            guard i - start >= 3, i - start <= 11 else { continue }
            if let severity = AppSeverity.named(UnsafeBufferPointer(rebasing: p[start..<i])) {
                line.severity = severity
                let isCapitals = p[start..<i].allSatisfy { $0 < UInt8(ascii: "a") }
                // A line that starts with its level in capitals (`ERROR:root:…`) starts an event;
                // `Error: …` is how JavaScript prints an exception inside a stack trace.
                if start == 0, isCapitals { line.isEventStart = true }
                // Go's `panic: …` is the message itself, not a level before it; and a level word
                // in the message's prose (`Failed with error foo`) is no level field to skip.
                var isField = isCapitals || start <= messageStart + 2
                if !isField, start > 0 {
                    switch p[start - 1] {
                    case UInt8(ascii: "["), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "|"): isField = true
                    default: break
                    }
                }
                if isField, !Self.startsWith(UnsafeBufferPointer(rebasing: p[start..<i]), "panic") || i - start != 5 {
                    messageStart = max(messageStart, i)
                }
                break
            }
        }
        line.messageStart = messageStart
    }

    /// Reads the request ID of a text line and where its message starts (after the level,
    /// `[tags]` and an ID tag before the message). Separate from ``scan(_:into:)`` because it
    /// costs most (a regex search) and is needed only for lines that may be kept: errors and
    /// lines of unknown level, not the debug and info lines that fill an application log.
    func readDetails(_ p: UnsafeBufferPointer<UInt8>, into line: inout AppLine) {
        guard !line.isJSON, !line.isIndented, !p.isEmpty else { return }
        if line.time == nil, let range = line.timeRange { line.time = Self.parseTime(p, range, line.timeKind) }
        line.messageStart = Self.skipSpringBootHeader(p, from: Self.skipTags(p, from: line.messageStart))
        let pattern = idPattern
        if pattern.search(p), let id = idGroups.lazy.compactMap({ pattern.group($0) }).first {
            line.id = id
            // `ERROR request_id=… NoMethodError: …`, `ERROR nova.compute [req-… - -] msg`: an ID tag
            // before the message, perhaps after the logger's name, is no part of it.
            if let whole = pattern.group(0), id.upperBound > line.messageStart,
               whole.lowerBound <= Self.endOfWord(p, from: line.messageStart) {
                var end = id.upperBound
                if p[whole.lowerBound] == UInt8(ascii: "[") || (whole.lowerBound + 1 < p.count && p[whole.lowerBound + 1] == UInt8(ascii: "[")) {
                    end = p[end...].firstIndex(of: UInt8(ascii: "]")) ?? end
                } else if end < p.count, p[end] == UInt8(ascii: "\"") || p[end] == UInt8(ascii: "'") {
                    end += 1
                }
                let after = Self.skipTags(p, from: end)
                // Nothing after the tag: then the tag is all the message there is.
                if after < p.count { line.messageStart = after }
            }
        }
    }

    /// The index after a logger's name at `start` (`nova.compute.manager`, `c.e.OrderController`)
    /// and the spaces after it; `start` itself when the word there is no such name (`failed:`).
    private static func endOfWord(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while i < p.count, isLetter(p[i]) || isDigit(p[i]) || p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: "_")
                || p[i] == UInt8(ascii: "$") || p[i] == UInt8(ascii: "/") || p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < p.count, p[i] == 0x20 || p[i] == 0x09 else { return start }
        while i < p.count, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
        return i
    }

    /// After the level of Spring Boot's default line (`ERROR 1 --- [exec-80] c.s.c.CheckoutController  : msg`,
    /// 3.x: `ERROR 1 --- [app] [exec-80] c.s.c.CheckoutController : msg`): the process ID,
    /// `---`, the thread and application tags and the padded logger name are no part of the
    /// message. `start` when the line has no such header.
    static func skipSpringBootHeader(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while i < p.count, isDigit(p[i]) { i += 1 }
        guard i > start, i + 5 <= p.count, p[i] == 0x20, p[i + 1] == UInt8(ascii: "-"), p[i + 2] == UInt8(ascii: "-"),
              p[i + 3] == UInt8(ascii: "-"), p[i + 4] == 0x20 else { return start }
        i = skipTags(p, from: i + 5)
        // The logger's name, padded with spaces, then ` : `.
        let limit = min(p.count, i + 160)
        var j = i
        while j < limit, isLetter(p[j]) || isDigit(p[j]) || p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: "_")
                || p[j] == UInt8(ascii: "$") || p[j] == UInt8(ascii: "-") { j += 1 }
        guard j > i else { return start }
        while j < limit, p[j] == 0x20 { j += 1 }
        guard j < limit, p[j] == UInt8(ascii: ":") else { return start }
        j += 1
        while j < p.count, p[j] == 0x20 { j += 1 }
        return j
    }

    /// Skips separators and up to four `[tags]` after the level.
    private static func skipTags(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        for _ in 0..<4 {
            while i < p.count, p[i] == 0x20 || p[i] == UInt8(ascii: ":") || p[i] == UInt8(ascii: "-")
                    || p[i] == UInt8(ascii: "]") || p[i] == UInt8(ascii: "|") || p[i] == 0x09 { i += 1 }
            guard i < p.count, p[i] == UInt8(ascii: "[") else { break }
            guard let close = p[i...].firstIndex(of: UInt8(ascii: "]")) else { break }
            i = close + 1
        }
        return min(i, p.count)
    }

    enum TimeKind { case iso, go, clf }

    /// Where the first time stamp in the first 64 bytes is, by its shape alone (no arithmetic):
    /// ISO 8601 (`2018-04-08T13:57:35.59`, `2017-05-16 00:00:20.345`, with or without a zone),
    /// Go's `2026/11/21 10:00:00` or CLF (`10/Oct/2000:13:55:36 -0700`).
    static func locateTime(_ p: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, kind: TimeKind, isZoneless: Bool)? {
        let limit = min(p.count, 64)
        var i = 0
        while i + 19 <= p.count && i < limit {
            defer { i += 1 }
            guard isDigit(p[i]), i == 0 || !isDigit(p[i - 1]) else { continue }
            let dateSeparator = p[i + 4]
            if (dateSeparator == UInt8(ascii: "-") || dateSeparator == UInt8(ascii: "/")), p[i + 7] == dateSeparator,
               isDigit(p[i + 1]), isDigit(p[i + 2]), isDigit(p[i + 3]), isDigit(p[i + 5]), isDigit(p[i + 6]),
               isDigit(p[i + 8]), isDigit(p[i + 9]), isDigit(p[i + 11]), isDigit(p[i + 12]), p[i + 13] == UInt8(ascii: ":"),
               isDigit(p[i + 14]), isDigit(p[i + 15]), p[i + 16] == UInt8(ascii: ":"), isDigit(p[i + 17]), isDigit(p[i + 18]) {
                let t = p[i + 10]
                if dateSeparator == UInt8(ascii: "/") {
                    // Go's log package: `2026/11/21 10:00:00`, local time without a zone; `log.Lmicroseconds` adds `.123456`.
                    guard t == 0x20 else { continue }
                    var end = i + 19
                    if end < p.count, p[end] == UInt8(ascii: ".") {
                        end += 1
                        while end < p.count, isDigit(p[end]) { end += 1 }
                    }
                    return (i..<end, .go, true)
                }
                guard t == UInt8(ascii: "T") || t == 0x20 || t == UInt8(ascii: "t") else { continue }
                var end = i + 19
                if end < p.count, p[end] == UInt8(ascii: ".") || p[end] == UInt8(ascii: ",") {
                    end += 1
                    while end < p.count, isDigit(p[end]) { end += 1 }
                }
                var zoneless = true
                if end < p.count, p[end] == UInt8(ascii: "Z") {
                    end += 1
                    zoneless = false
                } else if end + 5 <= p.count, p[end] == UInt8(ascii: "+") || p[end] == UInt8(ascii: "-") {
                    let colon = end + 6 <= p.count && p[end + 3] == UInt8(ascii: ":")
                    let length = colon ? 6 : 5
                    if let zone = Timestamp.zoneOffset(p, end), zone.length == length {
                        end += length
                        zoneless = false
                    }
                }
                return (i..<end, .iso, zoneless)
            } else if i + 26 <= p.count, p[i + 2] == UInt8(ascii: "/"), p[i + 6] == UInt8(ascii: "/"),
                      p[i + 11] == UInt8(ascii: ":"), p[i + 20] == 0x20 {
                return (i..<(i + 26), .clf, false)
            }
        }
        return nil
    }

    /// The Unix time of a stamp ``locateTime(_:)`` found (UTC when zoneless); nil when its numbers are no date.
    static func parseTime(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ kind: TimeKind) -> Int64? {
        switch kind {
        case .iso:
            return Timestamp.parseISO8601(UnsafeBufferPointer(rebasing: p[range]))
        case .clf:
            return Timestamp.parseCLF(UnsafeBufferPointer(rebasing: p[range]))
        case .go:
            var iso = Array(p[range.lowerBound..<(range.lowerBound + 19)])
            iso[4] = UInt8(ascii: "-")
            iso[7] = UInt8(ascii: "-")
            return iso.withUnsafeBufferPointer { Timestamp.parseISO8601($0) }
        }
    }


    /// The length and time of the prefix of a line in a Kubernetes (CRI) container log file
    /// (`/var/log/pods/…`): `2026-11-21T10:00:00.123456789Z stderr F `. Each line of a stack
    /// trace carries it too, so it must go before the line is judged.
    static func containerPrefix(_ p: UnsafeBufferPointer<UInt8>) -> (length: Int, time: Int64)? {
        guard p.count > 30, isDigit(p[0]), p[4] == UInt8(ascii: "-"), p[10] == UInt8(ascii: "T"),
              let space = p.prefix(40).firstIndex(of: 0x20), space + 10 <= p.count,
              startsWith(UnsafeBufferPointer(rebasing: p[(space + 1)...]), "stdout ")
                || startsWith(UnsafeBufferPointer(rebasing: p[(space + 1)...]), "stderr "),
              p[space + 8] == UInt8(ascii: "F") || p[space + 8] == UInt8(ascii: "P"), p[space + 9] == 0x20,
              let time = Timestamp.parseISO8601(UnsafeBufferPointer(rebasing: p[..<space]))
        else { return nil }
        return (space + 10, time)
    }

    /// `Nov 21 10:00:00` (syslog, no year): the line starts an event; its time is not used.
    private static func startsWithSyslogTime(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count >= 15, Timestamp.monthNumber(p[0], p[1], p[2]) != nil, p[3] == 0x20,
              p[9] == UInt8(ascii: ":"), p[12] == UInt8(ascii: ":") else { return false }
        return true
    }

    /// Apache's error log: `[Sun Dec 04 04:47:44 2005] [error] …`, `[Wed Oct 11 14:32:52.123456 2000] [core:error] …`;
    /// the line starts an event, its time is not used.
    private static func startsWithCtime(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count >= 26, p[0] == UInt8(ascii: "["), p[4] == 0x20, p[8] == 0x20,
              Timestamp.monthNumber(p[5], p[6], p[7]) != nil, p[14] == UInt8(ascii: ":"), p[17] == UInt8(ascii: ":") else { return false }
        return true
    }

    /// Ruby's Logger: `E, [2026-11-21T10:00:00.123 #42] ERROR -- : …`.
    private static func startsWithRubyLoggerMark(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        p.count >= 4 && p[0] >= UInt8(ascii: "A") && p[0] <= UInt8(ascii: "Z") && p[1] == UInt8(ascii: ",")
            && p[2] == 0x20 && p[3] == UInt8(ascii: "[")
    }

    static func startsWith(_ p: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard p.count >= n else { return false }
        for k in 0..<n where p[k] != prefix.utf8Start[k] { return false }
        return true
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    // MARK: - JSON lines

    /// The `{` of a line that is one JSON object, perhaps after a short prefix
    /// (`web-1  | {…}`, a syslog header).
    private func jsonStart(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var last = p.count - 1
        while last > 0, p[last] == 0x20 || p[last] == 0x0D || p[last] == 0x09 { last -= 1 }
        guard p[last] == UInt8(ascii: "}") else { return nil }
        return p.prefix(256).firstIndex(of: UInt8(ascii: "{"))
    }

    private func scanJSON(_ p: UnsafeBufferPointer<UInt8>, from start: Int, into line: inout AppLine) -> Bool {
        var idPriority = 0
        var id: Range<Int>?
        var time: Int64?
        var zoneless = false
        var severity = AppSeverity.unknown
        let end = json.scan(p, from: start) { path, kind, value in
            guard kind != .null, let role = AppJSONKeys.role(of: path) else { return }
            let bytes = UnsafeBufferPointer(rebasing: p[value])
            switch role {
            case let .requestID(priority):
                guard kind == .string || kind == .number, priority > idPriority, !bytes.isEmpty else { return }
                idPriority = priority
                id = value
            case .time:
                guard time == nil, let t = Timestamp.parseAny(bytes) else { return }
                time = t
                zoneless = kind == .string && Self.locateTime(bytes)?.isZoneless == true
            case .level:
                if kind == .number {
                    var n = 0
                    for b in bytes.prefix(4) where Self.isDigit(b) { n = n * 10 + Int(b - 0x30) }
                    severity = max(severity, AppSeverity.numbered(n))
                } else if let named = AppSeverity.named(bytes) {
                    severity = max(severity, named)
                }
            default:
                // `"error": false` or `""` says there is none; `null` was skipped above.
                let isFalse = kind == .bool && bytes.first == UInt8(ascii: "f")
                if role.marksError, !bytes.isEmpty, !isFalse { severity = max(severity, .error) }
            }
        }
        guard end != nil else { return false }
        line.isJSON = true
        line.isEventStart = true
        line.id = id
        line.time = time
        line.timeIsZoneless = zoneless
        line.severity = severity
        return true
    }
}

/// The roles JSON application-log keys play, told apart by their names with
/// case, `_`, `-`, `.` and `@` ignored (`request_id`, `requestId`, `x-request-id`,
/// `log.level`, `@timestamp`, ECS's `http.request.id`). A key matches by its full path or its last part.
enum AppJSONKeys {
    enum Role: Equatable {
        /// Higher priority wins: a request ID over a correlation ID over a trace ID.
        case requestID(priority: Int)
        case time, level, message
        /// The exception's type, message or stack: their presence makes the event an error.
        case exceptionType, exceptionMessage, stack
    }

    static func role(of path: UnsafeBufferPointer<UInt8>) -> Role? {
        var lastStart = 0
        for (i, b) in path.enumerated() where b == UInt8(ascii: ".") { lastStart = i + 1 }
        if let role = table[key(path)] { return role }
        if lastStart > 0, let role = table[key(UnsafeBufferPointer(rebasing: path[lastStart...]))], role.isLeafRole {
            return role
        }
        return nil
    }

    /// FNV-1a over the lowercased letters and digits of a key.
    static func key<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h = FNV1a()
        for b in bytes {
            let lower = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
            guard (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) else { continue }
            h.add(lower)
        }
        return h.value
    }

    private static let table: [UInt64: Role] = {
        var t: [UInt64: Role] = [:]
        for name in ["requestid", "reqid", "xrequestid", "httpxrequestid", "requestuuid", "httprequestid"] { t[key(name.utf8)] = .requestID(priority: 3) }
        for name in ["correlationid", "xcorrelationid"] { t[key(name.utf8)] = .requestID(priority: 2) }
        for name in ["traceid", "ddtraceid"] { t[key(name.utf8)] = .requestID(priority: 1) }
        for name in ["time", "timestamp", "ts", "datetime", "asctime", "t"] { t[key(name.utf8)] = .time }
        for name in ["level", "severity", "levelname", "loglevel", "lvl", "l", "severitytext"] { t[key(name.utf8)] = .level }
        for name in ["message", "msg", "m", "mt", "event"] { t[key(name.utf8)] = .message }
        for name in ["exceptiontype", "exceptionclass", "exceptionexception", "exceptionname", "errortype",
                     "errorkind", "errorclass", "errorname", "exctype", "errtype", "exceptionclassname"] {
            t[key(name.utf8)] = .exceptionType
        }
        for name in ["exceptionmessage", "errormessage", "errmessage", "exceptionmsg", "errormsg", "error", "err"] {
            t[key(name.utf8)] = .exceptionMessage
        }
        for name in ["stack", "stacktrace", "exceptionstacktrace", "exceptionstack", "errorstack", "errstack",
                     "excinfo", "traceback", "exception", "x", "errorstacktrace", "backtrace", "exceptionbacktrace"] {
            t[key(name.utf8)] = .stack
        }
        return t
    }()
}

extension AppJSONKeys.Role {
    /// Roles a nested key may take by its last part alone (`context.request_id`, `log.level`);
    /// messages and stacks must be named in full, so `data.message` is not the event's message.
    var isLeafRole: Bool {
        switch self {
        case .requestID, .time, .level: return true
        default: return false
        }
    }

    /// Roles whose presence makes a JSON event an error whatever its level says.
    var marksError: Bool {
        switch self {
        case .exceptionType, .exceptionMessage, .stack: return true
        default: return false
        }
    }
}
