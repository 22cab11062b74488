#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads generic logfmt access lines (`time=… method=GET path=/a status=502
/// duration=1.2ms request_id=…`, keys in any order), as Go and Ruby middlewares
/// (lograge, slog, go-kit) write them.
///
/// The keys are not in a fixed order, so this is not a field program: the line
/// is walked once, pair by pair, and each key is looked up in a small table by
/// its bytes. Values are quoted (Go escapes) or bare; nothing is allocated per
/// line. A line without `status=` is another event of the same stream (an
/// application log line), counted as an other line.
final class LogfmtRecordDecoder: LineDecoder {
    enum Failure { case none, noPairs, noStatus, badValue(key: String, start: Int, end: Int) }

    let format: LogFormat
    let hasUpstreamFields: Bool
    private var failure = Failure.none
    private var failureColumn = 0

    /// Keys with a meaning, by their bytes [go-logfmt, lograge `key_value.rb`, slog, go-kit].
    /// `code` is a status only as three digits, and never over `status=` (Heroku's router
    /// writes `code=H12` beside its `status=503`); go-kit's `took` is a Go duration.
    static let keys: [(key: [UInt8], kind: FieldKind)] = ([
        ("status", .status), ("status_code", .status), ("code", .statusOrNone), ("method", .method), ("path", .requestURI),
        ("uri", .requestURI), ("url", .requestURI), ("duration", .logfmtMillis), ("latency", .logfmtMillis),
        ("took", .logfmtMillis), ("request_id", .requestID),
        ("requestId", .requestID), ("req_id", .requestID), ("reqid", .requestID), ("trace_id", .requestID),
        ("remote_ip", .remoteAddr), ("remote_addr", .remoteAddr), ("client_ip", .remoteAddr), ("ip", .remoteAddr),
        ("host", .host), ("time", .timeAuto), ("ts", .timeAuto), ("timestamp", .timeAuto), ("bytes", .bytesSent),
        ("size", .bytesSent), ("user_agent", .userAgent), ("upstream", .upstreamAddr), ("upstream_addr", .upstreamAddr),
    ] as [(String, FieldKind)]).map { (Array($0.0.utf8), $0.1) }

    /// ``keys`` by length: `keysByLength[n]` holds the keys of `n` bytes, so a key is
    /// compared only with the few of its length.
    private let keysByLength: [[(key: [UInt8], kind: FieldKind)]]

    init(format: LogFormat) {
        self.format = format
        // `upstream=` may be on any line: the aggregator judges each line by the fields it holds.
        self.hasUpstreamFields = true
        let longest = Self.keys.map(\.key.count).max() ?? 0
        var table = [[(key: [UInt8], kind: FieldKind)]](repeating: [], count: longest + 1)
        for entry in Self.keys { table[entry.key.count].append(entry) }
        keysByLength = table
    }

    /// The meaning of `key`, if it has one.
    @inline(__always)
    private func kind(of key: UnsafeBufferPointer<UInt8>) -> FieldKind? {
        guard key.count < keysByLength.count, let base = key.baseAddress else { return nil }
        for entry in keysByLength[key.count] where entry.key.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, key.count) == 0 }) {
            return entry.kind
        }
        return nil
    }

    var failurePosition: Int { failureColumn }

    func parse(_ line: UnsafeBufferPointer<UInt8>, into record: inout AccessRecord) -> Bool {
        record = AccessRecord()
        failure = .none
        failureColumn = 0
        var i = 0
        var pairs = 0
        var hasStatus = false
        /// A `status=` key was read: a `code=` does not replace it.
        var hasStatusKey = false
        let n = line.count
        guard let base = line.baseAddress else {
            failure = .noPairs
            return false
        }
        while i < n {
            while i < n && line[i] == UInt8(ascii: " ") { i += 1 }
            let keyStart = i
            while i < n && line[i] != UInt8(ascii: "=") && line[i] != UInt8(ascii: " ") { i += 1 }
            guard i < n, line[i] == UInt8(ascii: "="), i > keyStart else {
                // A line must start with a pair: `TIME heroku[router]: at=…` is another format's.
                if pairs == 0 {
                    failure = .noPairs
                    return false
                }
                // A word without `=` between pairs: skipped.
                while i < n && line[i] != UInt8(ascii: " ") { i += 1 }
                continue
            }
            let keyEnd = i
            i += 1
            var valueStart = i, valueEnd = i
            if i < n && line[i] == UInt8(ascii: "\"") {
                i += 1
                valueStart = i
                // The closing quote: the first one after an even run of backslashes
                // (a backslash escapes the byte after it, Go's quoting).
                var from = i
                i = n + 1
                while from < n, let hit = memchr(base + from, 0x22, n - from) {
                    let quote = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                    var backslashes = 0
                    while quote - backslashes - 1 >= valueStart && line[quote - backslashes - 1] == UInt8(ascii: "\\") {
                        backslashes += 1
                    }
                    if backslashes % 2 == 0 {
                        i = quote
                        break
                    }
                    from = quote + 1
                }
                valueEnd = min(i, n)
                i += 1
            } else {
                i = memchr(base + i, 0x20, n - i).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? n
                valueEnd = i
            }
            pairs += 1
            let key = UnsafeBufferPointer(rebasing: line[keyStart..<keyEnd])
            guard let kind = kind(of: key) else { continue }
            if kind == .statusOrNone {
                // `code=503` (go-kit): a status when three digits and no `status=` was read.
                if !hasStatusKey, valueEnd - valueStart == 3, let v = integerOrDash(line, valueStart, valueEnd), v >= 100, v <= 599 {
                    record.status = Int(v)
                    hasStatus = true
                }
                continue
            }
            if !store(kind, valueStart, valueEnd, line, &record) {
                failure = .badValue(key: String(decoding: key, as: UTF8.self), start: valueStart, end: valueEnd)
                failureColumn = valueStart
                return false
            }
            if kind == .status {
                hasStatus = true
                hasStatusKey = true
            }
        }
        guard pairs >= 2 else {
            failure = .noPairs
            return false
        }
        guard hasStatus else {
            failure = .noStatus
            failureColumn = n
            return false
        }
        if record.method.isPresent && record.target.isPresent {
            record.hasValidRequestLine = record.target.count > 0
        }
        return true
    }

    private func store(_ kind: FieldKind, _ start: Int, _ end: Int, _ line: UnsafeBufferPointer<UInt8>,
                       _ record: inout AccessRecord) -> Bool {
        let range = FieldRange(start, end)
        switch kind {
        case .status:
            guard let v = integerOrDash(line, start, end), v >= 100, v <= 999 else { return false }
            record.status = Int(v)
        case .logfmtMillis:
            record.requestMicros = Self.durationMicros(line, start, end) ?? -1
        case .timeAuto:
            if let t = Timestamp.parseAny(range.bytes(in: line)) { record.time = t }
        case .bytesSent:
            if let v = integerOrDash(line, start, end) { record.bytesSent = v }
        default:
            if end > start { _ = record.setRange(kind, range) }
        }
        return true
    }

    /// A bare number is milliseconds (lograge's `duration=89.57`); anything else is read as
    /// Go writes a `time.Duration` (slog, go-kit): `1.5ms`, `2s`, `350µs`/`350us`, `12ns`,
    /// `1m0.002s`, `1h2m3s` (``goDurationMicros``).
    static func durationMicros(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        if let millis = decimalMicros(line, start, end, scale: 1000), millis >= 0 { return millis }
        return goDurationMicros(line, start, end)
    }

    func describeFailure(in line: UnsafeBufferPointer<UInt8>) -> String {
        switch failure {
        case .none: return "no failure"
        case .noPairs: return "not key=value pairs"
        case .noStatus: return "key=value pairs without status=: not an access-log entry"
        case let .badValue(key, start, end):
            let shown = LogText.display(UnsafeBufferPointer(rebasing: line[start..<min(end, start + 40)]))
            return "\(key)= at column \(start + 1): expected a 3-digit status, found '\(shown)'"
        }
    }

    var failedFieldName: String {
        switch failure {
        case let .badValue(key, _, _): return key
        case .noStatus: return "status"
        default: return "logfmt"
        }
    }

    func otherShapeReason(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        switch failure {
        case .noPairs: return OtherLine.reason(line, format: format)
        case .noStatus: return "logfmt event without status= (not an access-log entry)"
        default: return nil
        }
    }
}

extension LogFormat {
    /// Generic logfmt access lines (keys in any order), read by ``LogfmtRecordDecoder``.
    public static var logfmtPresets: [LogFormat] {
        var format = LogFormat(name: "logfmt", dialect: .logfmt,
                               definition: "status= method= path= duration= request_id= … (logfmt, any order)",
                               elements: [.field(FormatField(kind: .status, name: "status="))], allowsTrailingText: false)
        format.servers = [.generic]
        return [format]
    }
}
