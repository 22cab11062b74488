/// Text a log viewer or a process manager writes before each line it shows, inside
/// any envelope: what `docker compose logs` (and forego, foreman) put before a
/// container's line, or a log store's time column (Grafana's "Download logs",
/// `logcli query`).
///
/// Detected on the sample after the envelope is peeled, and peeled per line the
/// same way; a line without the prefix comes back whole.
public enum LinePrefix: String, Sendable, CaseIterable {
    case none
    /// `web-1  | ` (docker compose v2), `web_1  | ` (v1), `nginx.1 | ` (forego,
    /// foreman), the name padded to the widest and maybe wrapped in ANSI colour
    /// codes; `docker compose logs -t` adds an RFC 3339 time after the bar.
    case compose
    /// A time column: `2023-12-25 19:09:29.000<TAB>` (Grafana's text download,
    /// `dateTimeFormat(…, defaultWithMS)` + tab), `1703502569000<TAB>2023-12-25T…<TAB>`
    /// (newer Grafana), `2023-12-25T19:09:29+08:00 {job="nginx"} ` (logcli's default
    /// output; `--no-labels` leaves the labels out).
    case timeColumn = "time-column"
    /// A syslog header inside a container log's envelope: HAProxy's `log stdout` without
    /// `format raw` writes `<134>Oct 10 13:55:36 haproxy[8]: ` before each line, and
    /// Docker or Kubernetes wraps that line again.
    case syslog

    /// For the report: what was peeled.
    public var description: String {
        switch self {
        case .none: return "none"
        case .compose: return "docker compose 'name | ' prefix"
        case .timeColumn: return "log viewer time column"
        case .syslog: return "syslog header"
        }
    }

    /// The prefix at least half of `lines` carry, or `.none`.
    public static func detect(_ lines: [[UInt8]]) -> LinePrefix {
        let nonEmpty = lines.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else { return .none }
        var best = LinePrefix.none, bestCount = 0
        for kind in [LinePrefix.compose, .timeColumn, .syslog] {
            var count = 0
            for line in nonEmpty where line.withUnsafeBufferPointer({ kind.payloadStart($0) != nil }) { count += 1 }
            if count > bestCount { (best, bestCount) = (kind, count) }
        }
        return bestCount * 2 >= nonEmpty.count ? best : .none
    }

    /// Where the line after the prefix starts, and the range of the time the prefix
    /// carries (if any); nil when the line has no such prefix.
    @inline(__always)
    func payloadStart(_ p: UnsafeBufferPointer<UInt8>) -> (start: Int, time: Range<Int>?)? {
        switch self {
        case .none: return nil
        case .compose: return Self.composeStart(p)
        case .timeColumn: return Self.timeColumnStart(p)
        // The header's time has no year or zone: the line's own time is read.
        case .syslog: return EnvelopePeeler.syslogPayloadStart(p).map { ($0, nil) }
        }
    }

    // MARK: - docker compose

    /// `[ESC[…m]NAME<spaces>| [ESC[…m][TIME ]`: at least one space before the bar,
    /// one after it (compose's `%-Ns | `).
    static func composeStart(_ p: UnsafeBufferPointer<UInt8>) -> (start: Int, time: Range<Int>?)? {
        var i = skipANSI(p, 0)
        let nameStart = i
        while i < p.count && i - nameStart <= 128 && isNameByte(p[i]) { i += 1 }
        guard i > nameStart, i < p.count, p[i] == UInt8(ascii: " ") else { return nil }
        while i < p.count && p[i] == UInt8(ascii: " ") { i += 1 }
        guard i + 1 < p.count, p[i] == UInt8(ascii: "|"), p[i + 1] == UInt8(ascii: " ") else { return nil }
        i = skipANSI(p, i + 2)
        // `-t`: an RFC 3339 time right after the bar.
        if let end = rfc3339End(p, i) {
            let time = i..<end
            i = end
            if i < p.count && p[i] == UInt8(ascii: " ") { i += 1 }
            return (i, time)
        }
        return (i, nil)
    }

    @inline(__always)
    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) || b == UInt8(ascii: "-")
            || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
    }

    /// After any ANSI SGR sequences (`ESC [ digits;… m`) at `from`.
    @inline(__always)
    static func skipANSI(_ p: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i + 2 < p.count && p[i] == 0x1B && p[i + 1] == UInt8(ascii: "[") {
            var j = i + 2
            while j < p.count && ((p[j] >= 0x30 && p[j] <= 0x39) || p[j] == UInt8(ascii: ";")) { j += 1 }
            guard j < p.count, p[j] == UInt8(ascii: "m") else { return i }
            i = j + 1
        }
        return i
    }

    // MARK: - Time column

    static func timeColumnStart(_ p: UnsafeBufferPointer<UInt8>) -> (start: Int, time: Range<Int>?)? {
        // Newer Grafana: epoch ms, tab, ISO time, tab.
        var i = 0
        while i < p.count && i < 20 && p[i] >= 0x30 && p[i] <= 0x39 { i += 1 }
        if i >= 13, i < p.count, p[i] == 0x09, let end = rfc3339End(p, i + 1), end < p.count, p[end] == 0x09 {
            return (end + 1, (i + 1)..<end)
        }
        guard let end = rfc3339End(p, 0), end < p.count else { return nil }
        if p[end] == 0x09 { return (end + 1, 0..<end) }
        // logcli: the time, a space, then `{labels}` padded with spaces, or the line (--no-labels).
        guard p[end] == UInt8(ascii: " "), p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t") else { return nil }
        i = end + 1
        if i < p.count && p[i] == UInt8(ascii: "{") {
            var inQuotes = false
            var j = i + 1
            while j < p.count {
                let b = p[j]
                if b == UInt8(ascii: "\\") { j += 2; continue }
                if b == UInt8(ascii: "\"") { inQuotes.toggle() }
                if b == UInt8(ascii: "}") && !inQuotes { break }
                j += 1
            }
            guard j < p.count else { return nil }
            i = j + 1
            while i < p.count && p[i] == UInt8(ascii: " ") { i += 1 }
        }
        return (i, 0..<end)
    }

    /// The end of `YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm]` at `from`.
    static func rfc3339End(_ p: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int? {
        let n = p.count
        guard from + 19 <= n else { return nil }
        func digits(_ at: Int, _ count: Int) -> Bool {
            for k in at..<(at + count) where !(p[k] >= 0x30 && p[k] <= 0x39) { return false }
            return true
        }
        guard digits(from, 4), p[from + 4] == UInt8(ascii: "-"), digits(from + 5, 2), p[from + 7] == UInt8(ascii: "-"),
              digits(from + 8, 2), p[from + 10] == UInt8(ascii: "T") || p[from + 10] == UInt8(ascii: " ")
                || p[from + 10] == UInt8(ascii: "t"),
              digits(from + 11, 2), p[from + 13] == UInt8(ascii: ":"), digits(from + 14, 2),
              p[from + 16] == UInt8(ascii: ":"), digits(from + 17, 2) else { return nil }
        var i = from + 19
        if i < n && (p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",")) {
            i += 1
            let start = i
            while i < n && p[i] >= 0x30 && p[i] <= 0x39 { i += 1 }
            guard i > start else { return nil }
        }
        if i < n && (p[i] == UInt8(ascii: "Z") || p[i] == UInt8(ascii: "z")) {
            i += 1
        } else if i + 6 <= n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) && digits(i + 1, 2)
                    && p[i + 3] == UInt8(ascii: ":") && digits(i + 4, 2) {
            i += 6
        }
        return i
    }
}
