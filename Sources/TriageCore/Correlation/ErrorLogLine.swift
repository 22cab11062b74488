#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of a server error log, read in place: ranges into the line's bytes.
///
/// Two dialects, as their sources write them (`/work/shared/FORMATS.md`):
///
/// - **nginx** (`ngx_log_error_core`, `ngx_http_log_error`):
///   `2026/11/20 13:30:01 [error] 31#31: *4711 connect() failed (111: Connection refused)
///   while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET /x HTTP/1.1",
///   upstream: "http://10.0.1.13:8080/x", host: "shop.example"` — local time without a zone;
///   `*N` is the connection number; the `client:`… fields follow the message.
/// - **Apache 2.4** (`do_errorlog_default`), and 2.2/1.3 without module and pid:
///   `[Fri Nov 20 13:30:01.123456 2026] [proxy:error] [pid 9:tid 7] (111)Connection refused:
///   [client 203.0.113.9:51234] AH00957: http: attempt to connect to 10.0.1.13:8080 (*) failed`.
///
/// Times are kept as *wall-clock* seconds (the local date and time read as if it
/// were UTC): error logs write no zone, so they are compared with the access log's
/// local time (its UTC time plus its offset). Nothing here allocates.
struct ErrorLogLine {
    enum Dialect: Sendable { case nginx, apache }

    var dialect: Dialect = .nginx
    /// Local date and time read as UTC seconds.
    var wallTime: Int64 = .min
    var level = FieldRange.absent
    /// From the start of the message to the `, client: ` fields (nginx) or the end (Apache).
    var message = FieldRange.absent
    /// nginx's `*N` connection number; -1 without one.
    var connection: Int64 = -1
    var client = FieldRange.absent
    var server = FieldRange.absent
    /// The request line, inside its quotes.
    var request = FieldRange.absent
    /// The upstream peer, `host:port` (scheme and URI removed).
    var upstream = FieldRange.absent
    var host = FieldRange.absent
    /// True when the message opened a quote it did not close (nginx's `FastCGI sent in stderr: "…`
    /// with the program's newlines kept): the lines after it continue this entry until one closes it.
    var isOpen = false

    /// Whether a level is an error or worse (nginx `error`, `crit`, `alert`, `emerg`; Apache the same).
    func isErrorLevel(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        let l = level.bytes(in: line)
        return Self.equals(l, "error") || Self.equals(l, "crit") || Self.equals(l, "alert") || Self.equals(l, "emerg")
    }

    // MARK: - Parsing

    /// Reads the line as the start of an error-log entry; nil when it is not one.
    static func parse(_ p: UnsafeBufferPointer<UInt8>) -> ErrorLogLine? {
        if let line = parseNginx(p) { return line }
        return parseApache(p)
    }

    /// True when the line starts like an nginx or Apache error-log line (a cheap check of its first bytes).
    static func looksLikeEntry(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.count >= 22, p[4] == slash, p[7] == slash, p[10] == space, p[13] == colon, p[16] == colon,
           p[19] == space, p[20] == openBracket { return true }
        return p.count >= 27 && p[0] == openBracket && p[4] == space && p[8] == space
            && isLetter(p[1]) && isLetter(p[5]) && parse(p) != nil
    }

    private static func parseNginx(_ p: UnsafeBufferPointer<UInt8>) -> ErrorLogLine? {
        guard p.count >= 22, p[4] == slash, p[7] == slash, p[10] == space, p[13] == colon, p[16] == colon,
              p[19] == space, p[20] == openBracket,
              let year = Timestamp.number(p, 0, 4), let month = Timestamp.number(p, 5, 2),
              let day = Timestamp.number(p, 8, 2), let hour = Timestamp.number(p, 11, 2),
              let minute = Timestamp.number(p, 14, 2), let second = Timestamp.number(p, 17, 2),
              let time = Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        var line = ErrorLogLine()
        line.dialect = .nginx
        line.wallTime = time
        var i = 21
        while i < p.count && p[i] != closeBracket { i += 1 }
        guard i < p.count else { return nil }
        line.level = FieldRange(21, i)
        i += 1
        // " PID#TID: "
        guard i < p.count, p[i] == space else { return nil }
        i += 1
        let pidStart = i
        while i < p.count && (isDigit(p[i]) || p[i] == hash) { i += 1 }
        guard i > pidStart, i + 1 < p.count, p[i] == colon, p[i + 1] == space else { return nil }
        i += 2
        if i < p.count, p[i] == star {
            var j = i + 1
            var n: Int64 = 0
            while j < p.count, isDigit(p[j]), n < Int64.max / 10 { n = n * 10 + Int64(p[j] - zero); j += 1 }
            if j > i + 1 {
                line.connection = n
                i = j
                if i < p.count, p[i] == space { i += 1 }
            }
        }
        let messageStart = i
        if let fields = find(clientMarker, in: p, from: messageStart) {
            line.message = FieldRange(messageStart, fields)
            line.readFields(p, from: fields)
        } else {
            line.message = FieldRange(messageStart, p.count)
            line.isOpen = hasOpenQuote(p, from: messageStart)
        }
        return line
    }

    private static func parseApache(_ p: UnsafeBufferPointer<UInt8>) -> ErrorLogLine? {
        // [Www Mmm dd hh:mm:ss[.uuuuuu] yyyy]
        guard p.count >= 27, p[0] == openBracket, p[4] == space, p[8] == space,
              let month = Timestamp.monthNumber(p[5], p[6], p[7]) else { return nil }
        let dayTens = p[9] == space ? 0 : Int(p[9]) - 48
        guard dayTens >= 0 && dayTens <= 3, isDigit(p[10]), p[11] == space, p[14] == colon, p[17] == colon,
              let hour = Timestamp.number(p, 12, 2), let minute = Timestamp.number(p, 15, 2),
              let second = Timestamp.number(p, 18, 2) else { return nil }
        var i = 20
        if i < p.count, p[i] == dot {
            i += 1
            while i < p.count && isDigit(p[i]) { i += 1 }
        }
        guard i + 6 <= p.count, p[i] == space, let year = Timestamp.number(p, i + 1, 4), p[i + 5] == closeBracket,
              let time = Timestamp.seconds(year: year, month: month, day: dayTens * 10 + Int(p[10] - zero),
                                           hour: hour, minute: minute, second: second) else { return nil }
        i += 6
        guard i + 2 < p.count, p[i] == space, p[i + 1] == openBracket else { return nil }
        var line = ErrorLogLine()
        line.dialect = .apache
        line.wallTime = time
        i += 2
        let levelStart = i
        while i < p.count && p[i] != closeBracket { i += 1 }
        guard i < p.count else { return nil }
        // [module:level] in 2.4, [level] before.
        var levelFrom = levelStart
        for k in levelStart..<i where p[k] == colon { levelFrom = k + 1 }
        line.level = FieldRange(levelFrom, i)
        i += 1
        if i < p.count, p[i] == space { i += 1 }
        // [pid N:tid T] (2.4) is not part of the message.
        if i + 5 < p.count, p[i] == openBracket, p[i + 1] == UInt8(ascii: "p"), p[i + 2] == UInt8(ascii: "i"),
           p[i + 3] == UInt8(ascii: "d"), p[i + 4] == space {
            while i < p.count && p[i] != closeBracket { i += 1 }
            i = min(p.count, i + 1)
            if i < p.count, p[i] == space { i += 1 }
        }
        line.message = FieldRange(i, p.count)
        if let c = find(apacheClientMarker, in: p, from: i) {
            var j = c + apacheClientMarker.count
            let start = j
            while j < p.count && p[j] != closeBracket { j += 1 }
            line.client = withoutPort(p, start, j)
        }
        line.upstream = apacheUpstream(p, from: i)
        return line
    }

    /// Reads nginx's `, client: a, server: b, request: "…", upstream: "…", host: "…"` from `start`.
    mutating func readFields(_ p: UnsafeBufferPointer<UInt8>, from start: Int) {
        var i = start
        while i + 2 < p.count, p[i] == comma, p[i + 1] == space {
            i += 2
            let keyStart = i
            while i < p.count && p[i] != colon && p[i] != space { i += 1 }
            guard i + 1 < p.count, p[i] == colon, p[i + 1] == space else { return }
            let key = UnsafeBufferPointer(rebasing: p[keyStart..<i])
            i += 2
            var valueStart = i, valueEnd: Int
            if i < p.count, p[i] == quote {
                // A quoted value ends at a quote followed by the next field or the end of the line
                // (nginx does not escape quotes inside the request line).
                valueStart = i + 1
                var j = valueStart
                while j < p.count {
                    if p[j] == quote && (j + 1 == p.count || Self.startsField(p, j + 1)) { break }
                    j += 1
                }
                valueEnd = min(j, p.count)
                i = min(j + 1, p.count)
            } else {
                var j = i
                while j < p.count && !(p[j] == comma && Self.startsField(p, j)) { j += 1 }
                valueEnd = j
                i = j
            }
            let range = FieldRange(valueStart, valueEnd)
            if Self.equals(key, "client") {
                client = range
            } else if Self.equals(key, "server") {
                server = range
            } else if Self.equals(key, "request") {
                request = range
            } else if Self.equals(key, "upstream") {
                upstream = Self.peer(p, valueStart, valueEnd)
            } else if Self.equals(key, "host") {
                host = range
            }
        }
    }

    /// True when `, key: ` (a key of nginx's request fields) starts at `i`.
    private static func startsField(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i + 2 < p.count, p[i] == comma, p[i + 1] == space else { return false }
        var j = i + 2
        while j < p.count && isLowercase(p[j]) { j += 1 }
        return j > i + 2 && j + 1 < p.count && p[j] == colon && p[j + 1] == space
    }

    /// `http://10.0.1.13:8080/api/x` → `10.0.1.13:8080`; `fastcgi://unix:/run/php.sock:` → `unix:/run/php.sock`.
    private static func peer(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> FieldRange {
        var s = start
        if let scheme = find(schemeMarker, in: UnsafeBufferPointer(rebasing: p[..<end]), from: start) { s = scheme + 3 }
        var e = s
        if e + 5 <= end, p[e] == UInt8(ascii: "u"), p[e + 1] == UInt8(ascii: "n"), p[e + 2] == UInt8(ascii: "i"),
           p[e + 3] == UInt8(ascii: "x"), p[e + 4] == colon {
            e += 5
            while e < end && p[e] != colon { e += 1 }
        } else if e < end, p[e] == openBracket {
            while e < end && p[e] != closeBracket { e += 1 }
            while e < end && p[e] != slash { e += 1 }
        } else {
            while e < end && p[e] != slash { e += 1 }
        }
        return e > s ? FieldRange(s, e) : .absent
    }

    /// Apache names the backend in the message: `attempt to connect to 10.0.1.13:8080 (…)`,
    /// `error reading status line from remote server 10.0.1.13:8080`, `failed to make connection to backend: host`,
    /// `disabled connection for (10.0.1.13:8080)` (AH00940), `disabling worker for (10.0.1.13:8080) for 60s`
    /// (AH00959; hosts without the port before httpd 2.4.x wrote it).
    private static func apacheUpstream(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> FieldRange {
        for marker in apacheUpstreamMarkers {
            guard let at = find(marker, in: p, from: from) else { continue }
            let start = at + marker.count
            var end = start
            while end < p.count && p[end] != space && p[end] != comma && p[end] != openParen && p[end] != closeParen {
                end += 1
            }
            if end > start { return FieldRange(start, end) }
        }
        return .absent
    }

    /// `203.0.113.9:51234` → `203.0.113.9`; `[2001:db8::1]:51234` → `2001:db8::1`; an address without a port as is.
    private static func withoutPort(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> FieldRange {
        guard end > start else { return .absent }
        if p[start] == openBracket {
            var j = start + 1
            while j < end && p[j] != closeBracket { j += 1 }
            return FieldRange(start + 1, j)
        }
        var colons = 0, last = -1
        for k in start..<end where p[k] == colon { colons += 1; last = k }
        if colons == 1, last + 1 < end, (last + 1..<end).allSatisfy({ isDigit(p[$0]) }) { return FieldRange(start, last) }
        return FieldRange(start, end)
    }

    private static func hasOpenQuote(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        var n = 0
        for k in from..<p.count where p[k] == quote { n += 1 }
        return n % 2 == 1
    }

    // MARK: - Causes

    /// The cause the message states, when it is one of the table's (Docs/Correlation.md).
    static func cause(of message: UnsafeBufferPointer<UInt8>) -> ErrorCause? {
        for (needle, cause) in causeTable where find(needle, in: message, from: 0) != nil {
            if cause == .rateLimited, find(dryRun, in: message, from: 0) != nil { return nil }
            if cause == .timeoutConnecting {
                // "upstream timed out … while <phase>": the phase names the cause.
                for (phase, timed) in timeoutPhases where find(phase, in: message, from: 0) != nil { return timed }
                return .timeoutReadingHeader
            }
            return cause
        }
        return nil
    }

    /// Most specific first: a timeout or a refusal is named before the phase words around it.
    private static let causeTable: [([UInt8], ErrorCause)] = [
        ("no live upstreams", ErrorCause.noLiveUpstreams),
        ("limiting requests", .rateLimited),
        ("limiting connections", .connectionLimited),
        ("upstream timed out", .timeoutConnecting),
        ("(110: Connection timed out) while connecting", .timeoutConnecting),
        ("(70007)The timeout specified has expired", .timeoutConnecting),
        ("Connection refused", .connectionRefused),
        ("Connection reset by peer", .connectionReset),
        ("upstream prematurely closed connection", .prematurelyClosed),
        ("SSL_do_handshake() failed", .tlsHandshakeFailed),
        ("SSL handshake", .tlsHandshakeFailed),
        ("upstream SSL certificate", .tlsHandshakeFailed),
        ("upstream sent invalid", .invalidResponse),
        ("upstream sent too big header", .invalidResponse),
        ("upstream sent no valid", .invalidResponse),
        ("No route to host", .hostUnreachable),
        ("Host is unreachable", .hostUnreachable),
        ("upstream server temporarily disabled", .upstreamDisabled),
        // Apache mod_proxy (FORMATS.md, HTTPD modules/proxy).
        ("AH01114", .connectionRefused),
        ("failed to make connection to backend", .connectionRefused),
        ("AH01102", .prematurelyClosed),
        ("error reading status line from remote server", .prematurelyClosed),
        ("Error reading from remote server", .prematurelyClosed),
        ("AH00940", .upstreamDisabled),
        ("AH00959", .upstreamDisabled),
    ].map { (Array($0.0.utf8), $0.1) }

    private static let timeoutPhases: [([UInt8], ErrorCause)] = [
        ("while connecting to upstream", ErrorCause.timeoutConnecting),
        ("while reading response header from upstream", .timeoutReadingHeader),
        ("AH01102", .timeoutReadingHeader),
        ("while sending request to upstream", .timeoutSending),
        ("while reading upstream", .timeoutReading),
        ("AH01110", .timeoutReading),
    ].map { (Array($0.0.utf8), $0.1) }

    // MARK: - Bytes

    private static let clientMarker = Array(", client: ".utf8)
    private static let apacheClientMarker = Array("[client ".utf8)
    private static let schemeMarker = Array("://".utf8)
    private static let dryRun = Array(", dry run".utf8)
    private static let apacheUpstreamMarkers = [
        Array("attempt to connect to ".utf8), Array("from remote server ".utf8),
        Array("connection to backend: ".utf8), Array("disabled connection for (".utf8),
        Array("disabling worker for (".utf8),
    ]

    /// The offset of `needle` in `p` at or after `start`: glibc's vectorised `memchr` finds
    /// candidates for the first byte, `memcmp` checks the rest (the cause table searches
    /// every message for two dozen phrases).
    static func find(_ needle: [UInt8], in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, p.count >= needle.count, start <= p.count - needle.count,
              let base = p.baseAddress else { return nil }
        return needle.withUnsafeBufferPointer { n -> Int? in
            guard let nb = n.baseAddress else { return nil }
            let first = Int32(n[0])
            var i = start
            let last = p.count - n.count
            while i <= last {
                guard let hit = memchr(base + i, first, last - i + 1) else { return nil }
                let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                if n.count == 1 || memcmp(base + at + 1, nb + 1, n.count - 1) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }

    static func equals(_ p: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard p.count == s.utf8CodeUnitCount else { return false }
        guard let base = p.baseAddress else { return p.count == 0 }
        return memcmp(base, s.utf8Start, p.count) == 0
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= zero && b <= zero + 9 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
    @inline(__always) static func isLowercase(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }

}

private let slash = UInt8(ascii: "/"), space = UInt8(ascii: " "), colon = UInt8(ascii: ":")
private let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]"), hash = UInt8(ascii: "#")
private let star = UInt8(ascii: "*"), zero = UInt8(ascii: "0"), comma = UInt8(ascii: ","), dot = UInt8(ascii: ".")
private let quote = UInt8(ascii: "\""), openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")")
