/// Reads one JSON access-log line into an ``AccessRecord``.
///
/// The JSON object may follow a prefix (`caddy  | ` from docker compose, a
/// syslog header, `ACCESS `): decoding starts at the first `{` and the object
/// must end the line. Values: numbers or numeric strings; `null`, `""` and
/// `-` are absent. String values are kept as byte ranges of their (escaped)
/// content, so nothing allocates per field: paths are looked up in a table
/// keyed by bytes.
final class JSONRecordDecoder: LineDecoder {
    enum Failure {
        case none, noObject, invalidJSON, trailingText, noStatus
        /// An error logger's event (Caddy's `http.log.error`): a status, but not a request.
        case errorEvent
        case badValue(field: Int, start: Int, end: Int)
    }

    let format: LogFormat
    let hasUpstreamFields: Bool
    private let scanner = JSONScanner()
    private let paths: ByteKeyTable<FieldKind>
    /// The fast path for flat objects (``JSONFlatScanner``); nil when turned off
    /// (tests compare both paths) or when a field's path is nested (Caddy's
    /// `request.method`): such lines would always fall back.
    private let flatKeys: JSONFlatKeys?
    /// Bit n set when some field's path is n bytes long (n < 63; bit 63: 63 or more): most
    /// leaves of a nested line (Caddy's headers) are no field's, and their length says so
    /// before their path is hashed.
    private let pathLengths: UInt64
    private var failure = Failure.none
    private var failureColumn = 0
    /// The first address of the line's X-Forwarded-For (``FieldKind/forwardedFor``), absent
    /// when it has none: set by ``store``, it becomes the client when the line is done, so it
    /// wins over the connection's address whichever key comes first.
    private var forwardedClient = FieldRange.absent

    init(format: LogFormat, fastPath: Bool = true) {
        self.format = format
        self.hasUpstreamFields = format.hasUpstreamFields
        let table = ByteKeyTable<FieldKind>(limit: max(1, format.jsonFields.count))
        for field in format.jsonFields {
            Array(field.path.utf8).withUnsafeBufferPointer { key in
                if let index = table.index(of: key, make: { field.kind }) { table.values[index] = field.kind }
            }
        }
        self.paths = table
        pathLengths = table.keys.reduce(UInt64(0)) { $0 | 1 << UInt64(min($1.count, 63)) }
        let nested = format.jsonFields.contains { $0.path.utf8.contains(UInt8(ascii: ".")) }
        self.flatKeys = fastPath && !nested ? JSONFlatKeys(keys: table.keys) : nil
    }

    var failurePosition: Int { failureColumn }

    /// The last line failed on a value its flavour could not read (a bad time, a status that
    /// is not a number): a line of this flavour, damaged. Detection counts such lines for the
    /// flavour whose keys they have.
    var failedOnValue: Bool {
        if case .badValue = failure { return true }
        return false
    }

    /// Caddy's error loggers (`http.log.error`, `http.log.error.log0`…).
    static let errorLogger = Array("http.log.error".utf8)

    /// A text line in a JSON log, a JSON event without a status (a server's own message), or
    /// an error logger's event.
    func otherShapeReason(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        switch failure {
        case .errorEvent: return "error-log event (\(String(decoding: Self.errorLogger, as: UTF8.self))…), not an access-log entry"
        case .noObject, .noStatus: return OtherLine.reason(line, format: format)
        default: return nil
        }
    }

    func parse(_ line: UnsafeBufferPointer<UInt8>, into record: inout AccessRecord) -> Bool {
        record = AccessRecord()
        failure = .none
        failureColumn = 0
        forwardedClient = .absent
        guard let start = find(UInt8(ascii: "{"), line, 0) else {
            failure = .noObject
            return false
        }
        if let flatKeys {
            if parseFlat(line, from: start, keys: flatKeys, into: &record) { return true }
            forwardedClient = .absent
        }
        var hasStatus = false
        var isErrorEvent = false
        var bad: Failure?
        var out = record
        let lengths = pathLengths
        let end = scanner.scan(line, from: start) { path, kind, range in
            guard bad == nil, lengths & (1 << UInt64(min(path.count, 63))) != 0, let index = paths.find(path) else { return }
            let fieldKind = paths.values[index]
            if kind == .null { return }
            if fieldKind == .eventLogger {
                isErrorEvent = startsWith(line, range.lowerBound, Self.errorLogger)
            } else if !store(fieldKind, kind, range.lowerBound, range.upperBound, line, &out) {
                bad = .badValue(field: index, start: range.lowerBound, end: range.upperBound)
            } else if fieldKind == .status {
                hasStatus = true
            }
        }
        guard let end else {
            failure = .invalidJSON
            failureColumn = start
            return false
        }
        var rest = end
        while rest < line.count, line[rest] == 0x20 || line[rest] == 0x09 { rest += 1 }
        guard rest == line.count else {
            failure = .trailingText
            failureColumn = rest
            return false
        }
        if let bad {
            failure = bad
            if case let .badValue(_, s, _) = bad { failureColumn = s }
            return false
        }
        guard hasStatus else {
            failure = .noStatus
            failureColumn = line.count
            return false
        }
        guard !isErrorEvent else {
            failure = .errorEvent
            failureColumn = line.count
            return false
        }
        finish(line, &out)
        record = out
        return true
    }

    /// What both paths do to a line read whole: the forwarded client wins over the
    /// connection's address, and the request line is judged.
    @inline(__always)
    private func finish(_ line: UnsafeBufferPointer<UInt8>, _ record: inout AccessRecord) {
        if forwardedClient.isPresent { record.remoteAddr = forwardedClient }
        finishRequestLine(line, &record)
    }

    /// The fast path: true when the line is a flat, valid object with a status and
    /// every value fits its field; otherwise false, `record` to be rebuilt, and the
    /// general path decides (and explains any failure).
    @inline(__always)
    private func parseFlat(_ line: UnsafeBufferPointer<UInt8>, from start: Int, keys: JSONFlatKeys,
                           into record: inout AccessRecord) -> Bool {
        var hasStatus = false
        let outcome = JSONFlatScanner.scan(line, from: start, keys: keys) { index, kind, vStart, vEnd in
            if kind == .null { return true }
            let fieldKind = paths.values[index]
            // A logger's name is judged by the general path, which explains the line.
            guard fieldKind != .eventLogger, store(fieldKind, kind, vStart, vEnd, line, &record) else { return false }
            if fieldKind == .status { hasStatus = true }
            return true
        }
        guard case let .done(end) = outcome, hasStatus else {
            record = AccessRecord()
            return false
        }
        var rest = end
        while rest < line.count, line[rest] == 0x20 || line[rest] == 0x09 { rest += 1 }
        guard rest == line.count else {
            record = AccessRecord()
            return false
        }
        finish(line, &record)
        return true
    }

    /// Stores one JSON value; false when it cannot be what the field needs.
    private func store(_ field: FieldKind, _ kind: JSONScanner.Kind, _ start: Int, _ end: Int,
                       _ line: UnsafeBufferPointer<UInt8>, _ record: inout AccessRecord) -> Bool {
        let range = FieldRange(start, end)
        let isAbsent = end == start || (end - start == 1 && line[start] == UInt8(ascii: "-"))
        switch field {
        case .status:
            guard let value = integerOrDash(line, start, end), value >= 0, value <= 999 else { return false }
            record.status = Int(value)
        case .bytesSent:
            if isAbsent { return true }
            guard let value = integerOrDash(line, start, end) else { return true } // a size is not worth rejecting a line
            record.bytesSent = value
        case .requestTimeSeconds, .requestTimeMillis, .requestTimeMicros, .requestTimeNanos:
            if isAbsent { return true }
            let scale: Int64 = field == .requestTimeSeconds ? 1_000_000 : field == .requestTimeMillis ? 1000 : 1
            if var micros = decimalMicros(line, start, end, scale: scale) {
                if field == .requestTimeNanos && micros > 0 { micros /= 1000 }
                record.requestMicros = micros
            } else if kind == .string, let micros = goDurationMicros(line, start, end) {
                // A unit in the value decides its scale: Caddy's `duration_format string`
                // (`12.345ms`, `1m2.5s`), a Cloud Logging `latency` (`0.012345s`).
                record.requestMicros = micros
            } else if let micros = Self.looseMicros(line, start, end, field: field) {
                // An exponent (`1.5e-05`) or a sign: rare, read through Double.
                if micros >= 0 { record.requestMicros = micros }
            }
            // Anything else (`00:00:00.0123`) leaves the duration unknown, as a size that cannot
            // be read does: not worth rejecting the line, which may be the input's every line.
        case .timeCLF, .timeISO8601, .timeEpochSeconds, .timeEpochMillis, .timeEpochMicros, .timeCustom, .timeAuto:
            if isAbsent { return true }
            guard let seconds = Timestamp.parseAny(range.bytes(in: line)) else { return false }
            record.time = seconds
        case .timeFallback:
            // Any other time on the line wins, before or after this one (`timeAuto` overwrites).
            if isAbsent || record.time != .min { return true }
            guard let seconds = Timestamp.parseAny(range.bytes(in: line)) else { return false }
            record.time = seconds
        case .upstreamName:
            // An address on the line wins, before or after this one (`upstreamAddr` overwrites).
            if isAbsent || record.upstreamAddr.isPresent { return true }
            record.upstreamAddr = range
            record.upstreamAddrIsServiceName = true
        case .retries:
            if isAbsent { return true }
            guard let count = signedMillis(line, start, end), count >= 0 else { return true } // not worth rejecting a line
            record.retries = Int32(clamping: count)
        case .remoteAddr:
            if isAbsent && kind == .string { return true }
            // A list (`client, proxy`): the client is its first address.
            let first = Self.firstElement(line, start, end)
            record.remoteAddr = FieldRange(first.start, first.end)
        case .remoteAddrWithPort:
            // Envoy's `downstream_remote_address`: `203.0.113.21:40313`, `[2001:db8::1]:40313`.
            if isAbsent { return true }
            let address = Self.withoutPort(line, start, end)
            record.remoteAddr = FieldRange(address.start, address.end)
        case .forwardedFor:
            if isAbsent { return true }
            let first = Self.firstElement(line, start, end)
            guard first.end > first.start, !(first.end - first.start == 1 && line[first.start] == UInt8(ascii: "-")) else { return true }
            let address = Self.withoutPort(line, first.start, first.end)
            forwardedClient = FieldRange(address.start, address.end)
        case .upstreamStatus, .proxyFlags, .proxyDetails:
            // Traefik's OriginStatus 0 is nginx's "-" (no answer); Envoy's "-" flags mean
            // "no flags", itself evidence: both are kept as they are.
            _ = record.setRange(field, range)
        default:
            if isAbsent && kind == .string { return true }
            _ = record.setRange(field, range)
        }
        return true
    }

    /// The first element of a `, ` or `,` list, without the spaces around it.
    @inline(__always)
    static func firstElement(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (start: Int, end: Int) {
        var a = start
        while a < end && line[a] == UInt8(ascii: " ") { a += 1 }
        var b = a
        while b < end && line[b] != UInt8(ascii: ",") { b += 1 }
        while b > a && line[b - 1] == UInt8(ascii: " ") { b -= 1 }
        return (a, b)
    }

    /// An address without its port: `a.b.c.d:p` and `[v6]:p` (and `[v6]`) lose it; a bare IPv6
    /// address (more than one `:`), a host name, or anything else is kept whole.
    @inline(__always)
    static func withoutPort(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (start: Int, end: Int) {
        guard end > start else { return (start, end) }
        func isPort(_ from: Int) -> Bool {
            from < end && end - from <= 5 && (from..<end).allSatisfy { Timestamp.digit(line[$0]) != nil }
        }
        if line[start] == UInt8(ascii: "[") {
            var close = start + 1
            while close < end && line[close] != UInt8(ascii: "]") { close += 1 }
            guard close < end, close > start + 1 else { return (start, end) }
            if close + 1 == end || (line[close + 1] == UInt8(ascii: ":") && isPort(close + 2)) { return (start + 1, close) }
            return (start, end)
        }
        var colon = -1
        for i in start..<end where line[i] == UInt8(ascii: ":") {
            guard colon < 0 else { return (start, end) }
            colon = i
        }
        return colon > start && isPort(colon + 1) ? (start, colon) : (start, end)
    }

    /// A duration number `decimalMicros` does not read (an exponent, a sign), in µs of
    /// `field`'s unit; -1 for a negative one (none), nil when not a number.
    static func looseMicros(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, field: FieldKind) -> Int64? {
        let bytes = UnsafeBufferPointer(rebasing: line[start..<end])
        guard bytes.count <= 32, bytes.allSatisfy({ Timestamp.digit($0) != nil || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                                                    || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }),
              let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite
        else { return nil }
        if value < 0 { return -1 }
        let perUnit: Double = field == .requestTimeSeconds ? 1_000_000 : field == .requestTimeMillis ? 1000
            : field == .requestTimeMicros ? 1 : 0.001
        let micros = value * perUnit
        return micros < 9.2e18 ? Int64(micros) : nil
    }

    func describeFailure(in line: UnsafeBufferPointer<UInt8>) -> String {
        switch failure {
        case .none: return "no failure"
        case .noObject: return "no JSON object on the line"
        case .invalidJSON: return "not valid JSON from column \(failureColumn + 1)"
        case .trailingText: return "text after the JSON object at column \(failureColumn + 1)"
        case .noStatus:
            let names = format.jsonFields.filter { $0.kind == .status }.map(\.path).joined(separator: " or ")
            return "a JSON event without a status field (\(names)): not an access-log entry"
        case .errorEvent:
            return "an error logger's event (\(String(decoding: Self.errorLogger, as: UTF8.self))…): not an access-log entry"
        case let .badValue(field, start, end):
            let path = String(decoding: paths.keys[field], as: UTF8.self)
            let shown = LogText.display(UnsafeBufferPointer(rebasing: line[start..<min(end, start + 40)]))
            let kind = paths.values[field]
            let expected = [.requestTimeSeconds, .requestTimeMillis, .requestTimeMicros, .requestTimeNanos].contains(kind)
                ? "a duration (a number, or a string with a unit as Go writes it: 12.5ms, 1m2.5s) or '-'" : kind.expectation
            return "field \(path) at column \(start + 1): expected \(expected), found '\(shown)'"
        }
    }

    var failedFieldName: String {
        switch failure {
        case let .badValue(field, _, _): return String(decoding: paths.keys[field], as: UTF8.self)
        case .noStatus: return "status"
        case .errorEvent: return "logger"
        case .noObject, .invalidJSON, .trailingText: return "JSON"
        case .none: return "-"
        }
    }
}
