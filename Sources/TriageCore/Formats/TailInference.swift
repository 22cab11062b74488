/// Reads the fields a server appends after a preset (`combined` + `rt=0.045
/// us="200" rid=…`, Apache `combined` + `%D %{X-Request-ID}i`), once per input,
/// from the sample lines.
///
/// The tail of each sample line is cut into tokens: `key=value` (value bare or
/// quoted), `"quoted"`, `[bracketed]` or bare, where a bare value continues
/// over nginx list separators (`502, 200`, `a : b`). The most common token
/// sequence wins. Each token is then given a meaning:
///
/// - by key name, in any order: nginx variable names (`request_time`,
///   `upstream_status`, `request_id`…), the usual short names (`rt uct uht urt
///   us ua rid`, Amplify's `main_ext` `ut ul cs sn`) and ingress-nginx's (`req_id`);
/// - by shape, for positional tokens: a 32-hex or UUID token is a request ID;
///   a quoted list of addresses is `X-Forwarded-For`; a decimal is the request
///   time (a second one the upstream time); an integer is Apache's `%D`
///   (microseconds; `%T` seconds when most values are 0); a list of statuses
///   is the upstream status; a list of `host:port` the upstream address.
///
/// The result is a format string in the server's own syntax, compiled by the
/// usual compiler: the hot path runs the same field program as any format.
/// Tokens with no known meaning are matched as ignored placeholders
/// (`$field12`) and reported, with the `--log-format` to fill in.
public enum TailInference {
    public struct Outcome: Sendable {
        /// The preset extended by the tail; nil when the tail has no consistent shape.
        public var format: LogFormat?
        /// What was read, for messages: `rt (request time), us (upstream status), …`.
        public var summary: String
        /// Fields matched but not understood, as named in ``suggestion`` with an example value.
        public var unknown: [(name: String, example: String)]
        /// A `--log-format` value that reads the whole line (placeholders for unknown fields).
        public var suggestion: String?
    }

    /// Infers the tail of `base` from the sample lines it matched with trailing text.
    public static func infer(base: LogFormat, sample: [[UInt8]]) -> Outcome? {
        let parser = base.makeDecoder()
        var record = AccessRecord()
        var tails: [[Token]] = []
        for line in sample {
            let ok = line.withUnsafeBufferPointer { parser.parse($0, into: &record) }
            guard ok, record.hasTrailingText else { continue }
            if let tokens = tokenize(line, from: Int(record.trailingStart)) { tails.append(tokens) }
        }
        guard !tails.isEmpty else { return nil }
        // The most common shape of tail (keys, quoting, separators); of shapes as common, the one
        // met first in the file, so that the answer never depends on a dictionary's order.
        var counts: [String: Int] = [:]
        var order: [String] = []
        for t in tails {
            let shape = signature(t)
            if counts[shape] == nil { order.append(shape) }
            counts[shape, default: 0] += 1
        }
        var shape = order[0]
        for other in order.dropFirst() where counts[other, default: 0] > counts[shape, default: 0] { shape = other }
        let count = counts[shape, default: 0]
        guard count * 2 >= tails.count else {
            return Outcome(format: nil, summary: "no consistent shape", unknown: [], suggestion: nil)
        }
        let rows = tails.filter { signature($0) == shape }
        guard let first = rows.first else { return nil }
        let baseKinds = Set(base.fields.map(\.kind))
        var columns: [Column] = []
        var sawTime = baseKinds.contains(.requestTimeSeconds) || baseKinds.contains(.requestTimeMicros)
            || baseKinds.contains(.requestTimeMillis)
        var sawUpstreamTime = baseKinds.contains(.upstreamResponseTime)
        var taken = baseKinds
        let hasDecimal = (0..<first.count).contains { i in
            first[i].key == nil && shapes(rows.map { $0[i].value }).isSubset(of: [.decimal, .integer]) &&
                shapes(rows.map { $0[i].value }).contains(.decimal)
        }
        let isDecimalColumn = (0..<first.count).map { i in
            first[i].key == nil && shapes(rows.map { $0[i].value }).isSubset(of: [.decimal, .integer])
                && shapes(rows.map { $0[i].value }).contains(.decimal)
        }
        // Two bare integer columns or more and no decimal: Apache's `%I %O` (combinedio: bytes
        // in and out) or `%T %D`. Read as `%T %D` only when the first is whole seconds (mostly
        // 0) and another follows it; otherwise a byte count cannot be told from a duration,
        // and none is read as one (each is reported, with the --log-format to fill in).
        var integerReading: [Int: Column] = [:]
        if !sawTime && !hasDecimal {
            let integers = (0..<first.count).filter { i in
                let s = shapes(rows.map { $0[i].value })
                return first[i].key == nil && first[i].quote == .none && !s.isEmpty && s.isSubset(of: [.integer, .status])
            }
            if integers.count >= 2 {
                let numbers = { (i: Int) in rows.compactMap { Int($0[i].value) } }
                let seconds = integers.dropLast().first { i in
                    let n = numbers(i)
                    return (n.max() ?? 0) < 1000 && n.filter { $0 == 0 }.count * 2 >= n.count
                }
                for i in integers {
                    var column = Column(token: first[i], nginx: nil, apache: nil, meaning: "")
                    if let seconds, i == seconds {
                        column.apache = "%T"
                        column.meaning = "request time in whole seconds (Apache %T, by shape; the %D after it is finer)"
                    } else if let seconds, i == integers.first(where: { $0 > seconds }) {
                        column.apache = "%D"
                        column.meaning = "request time in microseconds (Apache %D, after %T, by shape)"
                        sawTime = true
                        taken.insert(.requestTimeMicros)
                    } else {
                        column.isUnknown = true
                        column.nginx = "$field\(i + 1)"
                        column.apache = "%{field\(i + 1)}e"
                        column.meaning = "field \(i + 1) (an integer: a byte count or a duration, not told apart)"
                    }
                    integerReading[i] = column
                }
            }
        }
        for index in 0..<first.count {
            let token = first[index]
            let values = rows.map { $0[index].value }
            var column = Column(token: token, nginx: nil, apache: nil, meaning: "")
            if let reading = integerReading[index] {
                column = reading
            } else if let key = token.key {
                column.assignKey(key, values: values, taken: &taken)
            } else if index + 1 < first.count, isDecimalColumn[index + 1], !sawTime, token.quote == .none,
                      shapes(values).isSubset(of: [.integer, .status]), !shapes(values).isEmpty {
                // `$request_length $request_time`: ingress-nginx's order, and many custom formats'.
                column.nginx = "$request_length"
                column.meaning = "request length (by shape, before the request time)"
            } else if base.has(.bytesSent), !base.has(.userAgent), index >= first.count - 2, first.count >= 2,
                      first[first.count - 2].quote == .double, first[first.count - 1].quote == .double,
                      first[first.count - 2].key == nil, first[first.count - 1].key == nil {
                // `common` + … + "referer" "user agent": the pair combined adds, after other fields.
                let isReferer = index == first.count - 2
                column.nginx = isReferer ? "$http_referer" : "$http_user_agent"
                column.apache = isReferer ? "%{Referer}i" : "%{User-Agent}i"
                column.meaning = isReferer ? "referer (by place)" : "user agent (by place)"
            } else {
                column.assignShape(values: values, index: index, sawTime: &sawTime, sawUpstreamTime: &sawUpstreamTime,
                                   hasDecimal: hasDecimal, taken: &taken)
            }
            columns.append(column)
        }
        return build(base: base, columns: columns, rows: rows)
    }

    // MARK: - Tokens

    struct Token {
        enum Quote: String { case none = "", double = "\"", bracket = "[" }
        /// Spaces before the token.
        var separator: Int
        var key: String?
        var quote: Quote
        var value: String
    }

    static func signature(_ tokens: [Token]) -> String {
        tokens.map { "\($0.separator)\($0.key ?? "")=\($0.quote.rawValue)" }.joined(separator: "|")
    }

    /// Cuts `line[from...]` into tokens; nil when a quote or bracket is left open.
    static func tokenize(_ line: [UInt8], from: Int) -> [Token]? {
        var tokens: [Token] = []
        var i = from
        let n = line.count
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "\""), open = UInt8(ascii: "["), close = UInt8(ascii: "]")
        func text(_ a: Int, _ b: Int) -> String { String(decoding: line[a..<b], as: UTF8.self) }
        /// End of a quoted value starting after the opening quote at `start`.
        func closingQuote(_ start: Int) -> Int? {
            var j = start
            while j < n {
                if line[j] == UInt8(ascii: "\\") { j += 2; continue }
                if line[j] == quote { return j }
                j += 1
            }
            return nil
        }
        /// End of a bare value: the next space that does not continue a list.
        func bareEnd(_ start: Int) -> Int {
            var j = start
            while j < n {
                if line[j] == space {
                    let continues = (j > start && line[j - 1] == UInt8(ascii: ","))
                        || (j + 2 < n && line[j + 1] == UInt8(ascii: ":") && line[j + 2] == space)
                        || (j >= 2 && line[j - 1] == UInt8(ascii: ":") && line[j - 2] == space)
                    if !continues { return j }
                }
                j += 1
            }
            return n
        }
        while i < n {
            var separator = 0
            while i < n && (line[i] == space || line[i] == UInt8(ascii: "\t")) { separator += 1; i += 1 }
            guard i < n else { break }
            guard separator > 0 else { return nil }
            if line[i] == quote {
                guard let end = closingQuote(i + 1) else { return nil }
                tokens.append(Token(separator: separator, key: nil, quote: .double, value: text(i + 1, end)))
                i = end + 1
            } else if line[i] == open {
                guard let end = line[(i + 1)...].firstIndex(of: close) else { return nil }
                tokens.append(Token(separator: separator, key: nil, quote: .bracket, value: text(i + 1, end)))
                i = end + 1
            } else {
                var k = i
                while k < n, isKeyByte(line[k], first: k == i) { k += 1 }
                if k > i, k < n, line[k] == UInt8(ascii: "=") {
                    let key = text(i, k)
                    if k + 1 < n, line[k + 1] == quote {
                        guard let end = closingQuote(k + 2) else { return nil }
                        tokens.append(Token(separator: separator, key: key, quote: .double, value: text(k + 2, end)))
                        i = end + 1
                    } else {
                        let end = bareEnd(k + 1)
                        tokens.append(Token(separator: separator, key: key, quote: .none, value: text(k + 1, end)))
                        i = end
                    }
                } else {
                    let end = bareEnd(i)
                    tokens.append(Token(separator: separator, key: nil, quote: .none, value: text(i, end)))
                    i = end
                }
            }
        }
        return tokens
    }

    private static func isKeyByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || (!first && ((b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x2D))
    }

    // MARK: - Shapes

    /// `uniqueID`: Apache mod_unique_id's `UNIQUE_ID`, 24 characters of `[A-Za-z0-9@-]` with
    /// upper and lower case letters and digits (`ZdMh3n8AAQEAAB2dL5oAAAAE`).
    /// `hexParts`: hex digits in parts joined by `_` and `:` (at least one `_`, 16 hex digits
    /// or more), as HAProxy's `unique-id-format %{+X}o\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid` writes
    /// them (`CB007115:C863_0A000001:01BB_65F2C1A2_0002:0861`).
    enum Shape: Hashable { case dash, status, integer, decimal, hex32, uuid, uniqueID, hexParts, hostPort, ip, hostName, other }

    /// The shapes a request ID takes: 32 hex digits (`$request_id`), a UUID, Apache's
    /// `UNIQUE_ID`, HAProxy's unique ID.
    static let requestIDShapes: Set<Shape> = [.hex32, .uuid, .uniqueID, .hexParts]

    /// The shapes of the elements of the values (lists split at `,` and ` : `), dashes left out.
    static func shapes(_ values: [String]) -> Set<Shape> {
        var result: Set<Shape> = []
        for value in values {
            for element in elements(value) {
                let shape = self.shape(element)
                if shape != .dash { result.insert(shape) }
            }
        }
        return result
    }

    /// The elements of a value: `502, 200` and `a : b` are lists (`host:port` is one element).
    static func elements(_ value: String) -> [Substring] {
        value.split(whereSeparator: { $0 == "," || $0 == " " }).filter { $0 != ":" }
    }

    static func shape(_ s: Substring) -> Shape {
        if s.isEmpty || s == "-" { return .dash }
        // `$host` of nginx's catch-all server (`server_name _;`) when the request named no host.
        if s == "_" { return .hostName }
        let bytes = Array(s.utf8)
        let digits = bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        if digits {
            if bytes.count == 3, let v = Int(s), v >= 100, v <= 599 { return .status }
            return .integer
        }
        let dots = bytes.filter { $0 == 0x2E }.count
        if dots == 1, bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }), bytes.first != 0x2E, bytes.last != 0x2E {
            return .decimal
        }
        let isHex = { (b: UInt8) in (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }
        if bytes.count == 32, bytes.allSatisfy(isHex) { return .hex32 }
        if bytes.count == 36, bytes.enumerated().allSatisfy({ [8, 13, 18, 23].contains($0.offset) ? $0.element == 0x2D : isHex($0.element) }) {
            return .uuid
        }
        if bytes.count == 24, bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }), bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }),
           bytes.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
           bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x40 || $0 == 0x2D }) {
            return .uniqueID
        }
        if s.hasPrefix("unix:") { return .hostPort }
        // host:port, a.b.c.d:port, [v6]:port
        if let colon = s.lastIndex(of: ":"), colon != s.startIndex, !s[s.index(after: colon)...].isEmpty,
           s[s.index(after: colon)...].allSatisfy(\.isNumber), !s[..<colon].contains(":") || s.hasPrefix("[") {
            return .hostPort
        }
        if dots == 3, bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) { return .ip }
        if s.contains(":"), bytes.allSatisfy({ isHex($0) || $0 == 0x3A }) { return .ip }
        if bytes.count >= 16, bytes.count <= 128, bytes.contains(0x5F), bytes.filter(isHex).count >= 16,
           bytes.allSatisfy({ isHex($0) || $0 == 0x5F || $0 == 0x3A }) {
            return .hexParts
        }
        // example.com, www.shop.example: letters, digits, dots and hyphens, with a letter and a dot.
        if dots >= 1, bytes.contains(where: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }),
           bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }) {
            return .hostName
        }
        return .other
    }

    // MARK: - Meanings

    /// Short and long key names and the nginx variable each stands for.
    static let keyAliases: [String: String] = [
        "rt": "request_time", "reqtime": "request_time", "req_time": "request_time", "request_time": "request_time",
        "uct": "upstream_connect_time", "upstream_connect_time": "upstream_connect_time",
        "uht": "upstream_header_time", "upstream_header_time": "upstream_header_time",
        "urt": "upstream_response_time", "ut": "upstream_response_time", "upt": "upstream_response_time",
        "upstream_time": "upstream_response_time", "upstream_response_time": "upstream_response_time",
        "us": "upstream_status", "ust": "upstream_status", "upstream_status": "upstream_status",
        "ua": "upstream_addr", "upa": "upstream_addr", "upstream": "upstream_addr", "upstream_addr": "upstream_addr",
        "ul": "upstream_response_length", "upstream_response_length": "upstream_response_length",
        "uqt": "upstream_queue_time", "upstream_queue_time": "upstream_queue_time",
        "cs": "upstream_cache_status", "cache": "upstream_cache_status", "cache_status": "upstream_cache_status",
        "upstream_cache_status": "upstream_cache_status",
        "rid": "request_id", "reqid": "request_id", "req_id": "request_id", "request_id": "request_id",
        "requestid": "request_id", "x_request_id": "request_id", "http_x_request_id": "http_x_request_id",
        "correlation_id": "http_x_correlation_id", "trace_id": "http_x_amzn_trace_id",
        "host": "host", "http_host": "http_host", "vhost": "host", "sn": "server_name", "server_name": "server_name",
        "xff": "http_x_forwarded_for", "http_x_forwarded_for": "http_x_forwarded_for",
        "forwarded_for": "http_x_forwarded_for",
        "rl": "request_length", "request_length": "request_length",
    ]

    struct Column {
        var token: Token
        /// The field as written in each dialect (nil: that dialect has no such field).
        var nginx: String?
        var apache: String?
        var meaning: String
        var isUnknown = false

        mutating func assignKey(_ key: String, values: [String], taken: inout Set<FieldKind>) {
            let lowered = key.lowercased()
            if let variable = keyAliases[lowered] ?? (nginxVariableKinds[lowered] != nil ? lowered : nil),
               let kind = nginxVariableKinds[variable] ?? (variable.hasPrefix("upstream_") ? .ignoredList : nil),
               // A tail's `server=` names the server that wrote the line, not NPM's forward host.
               kind != .upstreamHost,
               !taken.contains(kind) || kind == .ignored || kind == .ignoredList || kind == .host,
               fits(kind, values) {
                if kind != .ignored && kind != .ignoredList { taken.insert(kind) }
                nginx = "$" + variable
                meaning = "\(key) (\(describe(kind, variable)))"
                if kind == .requestID { apache = "%{X-Request-ID}i" }
            } else {
                // A field of the server's that triage has no use for: matched by its key, ignored.
                let clash = nginxVariableKinds[lowered] != nil || keyAliases[lowered] != nil
                nginx = "$" + (clash ? "tail_" : "") + lowered.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
                meaning = "\(key) (not used)"
            }
        }

        mutating func assignShape(values: [String], index: Int, sawTime: inout Bool, sawUpstreamTime: inout Bool,
                                  hasDecimal: Bool, taken: inout Set<FieldKind>) {
            let s = shapes(values)
            let isList = values.contains { $0.contains(",") || $0.contains(" : ") }
            func set(_ n: String?, _ a: String?, _ m: String, _ kind: FieldKind) {
                nginx = n
                apache = a
                meaning = m
                if kind != .ignored && kind != .ignoredList { taken.insert(kind) }
            }
            if s.isEmpty {
                isUnknown = true
            } else if s.isSubset(of: TailInference.requestIDShapes), !isList, !taken.contains(.requestID) {
                set("$request_id", s == [.uniqueID] ? "%{UNIQUE_ID}e" : "%{X-Request-ID}i", "request ID (by shape)", .requestID)
            } else if token.quote == .double, s.isSubset(of: [.ip]) {
                set("$http_x_forwarded_for", "%{X-Forwarded-For}i", "X-Forwarded-For (by shape)", .ignoredList)
            } else if token.quote == .double, s.isSubset(of: [.hostName, .hostPort]), s.contains(.hostName), !isList,
                      !taken.contains(.host) {
                set("$host", "%{Host}i", "host (by shape)", .host)
            } else if s.isSubset(of: [.decimal, .integer]), s.contains(.decimal), !sawTime, !isList {
                sawTime = true
                set("$request_time", nil, "request time in seconds (by shape)", .requestTimeSeconds)
            } else if s.isSubset(of: [.decimal, .integer]), s.contains(.decimal), !sawUpstreamTime {
                sawUpstreamTime = true
                set("$upstream_response_time", nil, "upstream response time (by shape)", .upstreamResponseTime)
            } else if s.isSubset(of: [.integer, .status]), !isList, isPortColumn(values) {
                // Few distinct port numbers: a port ($server_port), not a duration nor a status.
                set("$server_port", "%p", "server port (by shape)", .ignored)
            } else if s == [.status], !taken.contains(.upstreamStatus),
                      values.contains(where: { Self.commonStatuses.contains($0) }) || isList {
                set("$upstream_status", nil, "upstream status (by shape)", .upstreamStatus)
            } else if s == [.hostPort], !taken.contains(.upstreamAddr) {
                set("$upstream_addr", nil, "upstream address (by shape)", .upstreamAddr)
            } else if s.isSubset(of: [.integer, .status]), !isList, !sawTime, !hasDecimal {
                sawTime = true
                let numbers = values.compactMap { Int($0) }
                let zeros = numbers.filter { $0 == 0 }.count
                // No request is served in under 10 µs: many values that small are milliseconds.
                let small = numbers.filter { $0 < 10 }.count
                if let max = numbers.max(), max < 1000, zeros * 2 >= numbers.count {
                    set(nil, "%T", "request time in whole seconds (Apache %T, by shape)", .requestTimeSeconds)
                } else if small * 5 >= numbers.count {
                    set(nil, "%{ms}T", "request time in milliseconds (Apache %{ms}T, Tomcat 9's %D; by shape)", .requestTimeMillis)
                } else {
                    set(nil, "%D", "request time in microseconds (Apache %D, by shape)", .requestTimeMicros)
                }
            } else {
                isUnknown = true
            }
            if isUnknown {
                nginx = "$field\(index + 1)"
                apache = "%{field\(index + 1)}e"
                meaning = "field \(index + 1) (not understood)"
            }
        }

        static let commonStatuses: Set<String> = ["200", "201", "204", "206", "301", "302", "304", "400", "401",
                                                  "403", "404", "429", "499", "500", "502", "503", "504"]
        static let wellKnownPorts: Set<String> = ["80", "443", "8080", "8443", "8000", "8888", "445", "22", "21", "25", "3389"]

        /// Port numbers: few distinct values below 65536, over many lines or all well known.
        private func isPortColumn(_ values: [String]) -> Bool {
            // No port is 0: a column holding 0 is a duration in whole seconds (Apache's %T: 0, 1, 60).
            guard values.allSatisfy({ (1..<65536).contains(Int($0) ?? 0) }), Set(values).count <= 8 else { return false }
            return values.count >= 16 || values.allSatisfy { Self.wellKnownPorts.contains($0) }
        }

        private func fits(_ kind: FieldKind, _ values: [String]) -> Bool {
            let s = shapes(values)
            switch kind {
            case .requestTimeSeconds, .upstreamConnectTime, .upstreamHeaderTime, .upstreamResponseTime:
                return s.isSubset(of: [.decimal, .integer, .status])
            case .upstreamStatus: return s.isSubset(of: [.status])
            default: return true
            }
        }

        private func describe(_ kind: FieldKind, _ variable: String) -> String {
            switch kind {
            case .requestTimeSeconds: return "request time"
            case .upstreamConnectTime: return "upstream connect time"
            case .upstreamHeaderTime: return "upstream header time"
            case .upstreamResponseTime: return "upstream response time"
            case .upstreamStatus: return "upstream status"
            case .upstreamAddr: return "upstream address"
            case .requestID: return "request ID"
            case .host: return "host"
            default: return "$" + variable
            }
        }
    }

    // MARK: - The format

    /// An HAProxy preset's tail: the request IDs a `log-format` of httplog plus `%ID` (or
    /// `%{+Q}ID`) appends. Any other field leaves the tail unread, and reported.
    private static func buildHAProxy(base: LogFormat, columns: [Column]) -> Outcome {
        let summary = columns.map(\.meaning).joined(separator: ", ")
        var definition = base.definition
        for column in columns {
            let t = column.token
            guard column.nginx == "$request_id", t.key == nil, t.quote != .bracket else {
                return Outcome(format: nil, summary: summary, unknown: [], suggestion: nil)
            }
            definition += String(repeating: " ", count: t.separator) + (t.quote == .double ? "%{+Q}ID" : "%ID")
        }
        var format = try? LogFormat.haproxy(definition, name: base.name + "+tail")
        format?.allowsTrailingText = true
        return Outcome(format: format, summary: summary, unknown: [], suggestion: "haproxy:" + definition)
    }

    /// Each preset spelled in both dialects, so a tail in either can be appended.
    static let baseSpellings: [String: (nginx: String?, apache: String?)] = [
        "combined": (#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
                     #"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#),
        "main": (#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#,
                 #"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{X-Forwarded-For}i""#),
        "common": (#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#, #"%h %l %u %t "%r" %>s %b"#),
        "vhost_combined": (#"$host:$server_port $remote_addr - $remote_user [$time_local] "$request" $status $bytes_sent "$http_referer" "$http_user_agent""#,
                           #"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#),
    ]

    private static func build(base: LogFormat, columns: [Column], rows: [[Token]]) -> Outcome {
        if base.dialect == .haproxy { return buildHAProxy(base: base, columns: columns) }
        let spelled = baseSpellings[base.name]
        let nginxBase = spelled?.nginx ?? (base.dialect == .nginx ? base.definition : nil)
        let apacheBase = spelled?.apache ?? (base.dialect == .apache ? base.definition : nil)
        let nginxOK = nginxBase != nil && columns.allSatisfy { $0.nginx != nil }
        let apacheOK = apacheBase != nil && columns.allSatisfy { $0.apache != nil }
        // nginx unless only Apache can spell the tail (%D); Apache when the preset is Apache's own.
        let useApache = apacheOK && (!nginxOK || base.dialect == .apache)
        var unknown: [(String, String)] = []
        var definition = useApache ? (apacheBase ?? "") : (nginxBase ?? "")
        for (i, column) in columns.enumerated() {
            let t = column.token
            definition += String(repeating: " ", count: t.separator)
            if let key = t.key { definition += key + "=" }
            let field = (useApache ? column.apache : column.nginx) ?? "$field\(i + 1)"
            switch t.quote {
            case .none: definition += field
            case .double: definition += "\"" + field + "\""
            case .bracket: definition += "[" + field + "]"
            }
            // The example is log text: it reaches reports, so it is made safe here.
            if column.isUnknown { unknown.append((field, LogText.sanitize(rows.first.map { $0[i].value } ?? ""))) }
        }
        let summary = columns.map(\.meaning).joined(separator: ", ")
        guard nginxOK || apacheOK else {
            return Outcome(format: nil, summary: summary, unknown: unknown, suggestion: nil)
        }
        let name = base.name + "+tail"
        var format = try? (useApache ? LogFormat.apache(definition, name: name, allowsTrailingText: true)
                                     : LogFormat.nginx(definition, name: name, allowsTrailingText: true))
        if format != nil {
            let fromShape = columns.contains { $0.apache != nil && $0.nginx == nil }
            format?.servers = fromShape ? [.apache, .tomcat] : (useApache ? base.servers : (columns.allSatisfy { $0.apache != nil } ? base.servers : [.nginx]))
        }
        return Outcome(format: format, summary: summary, unknown: unknown,
                       suggestion: (useApache ? "apache:" : "nginx:") + definition)
    }
}
