/// Reads a whole line layout that no preset fits from the sample lines themselves: a
/// server's own `log_format` or `LogFormat` (`[$time_iso8601]` in place of
/// `[$time_local]`, `$request_time` first, Apache's `[%{%Y-%m-%d %H:%M:%S}t]`), once
/// per input, when detection has no other answer.
///
/// Each line is cut into tokens as ``TailInference`` cuts a tail (`"quoted"`,
/// `[bracketed]`, `key=value`, bare), with a bare date and clock time (`2026-11-21
/// 10:00:00`) kept as one token; the most common token sequence wins. Three columns
/// anchor the layout and must be there:
///
/// - the request: a quoted `METHOD target HTTP/x` in most lines;
/// - the status: the first bare column of three-digit statuses after the request;
/// - the time, by its shape: CLF (`21/Nov/2026:10:00:00 +0100`), ISO 8601, a date
///   and clock time with a space, or epoch seconds (`1763719200.123`, nginx `$msec`).
///
/// Around them, by place: the first address column before the request is the client;
/// a bare integer column right after the status is the body size; two quoted columns
/// right after those are the referer and the user agent. Every other column gets its
/// meaning as a tail's does (by key name, then by shape: a decimal is the request
/// time, 32 hex digits a request ID…), and one with none an ignored placeholder,
/// reported with the `--log-format` to fill in.
///
/// The result is a format string in nginx's syntax, or Apache's when only Apache can
/// spell the time, compiled by the usual compiler: detection scores it on the sample
/// like any candidate, and the hot path runs it like any format.
enum LayoutInference {
    /// The name an inferred format carries in reports.
    static let formatName = "inferred"
    /// More columns than any server's layout has (nginx `upstreaminfo` has 21, HAProxy's
    /// httplog 27): lines beyond this are not a layout to infer, and would make one
    /// format of thousands of fields.
    static let maxColumns = 64

    /// The inferred layout of `lines`, or nil when they have no request, status and time
    /// columns in a consistent sequence.
    static func infer(_ lines: [[UInt8]]) -> TailInference.Outcome? {
        var rows: [[TailInference.Token]] = []
        var counts: [String: Int] = [:]
        var order: [String] = []
        for line in lines where !line.isEmpty {
            guard let tokens = TailInference.tokenize([UInt8(ascii: " ")] + line, from: 0),
                  tokens.count <= maxColumns else { continue }
            let joined = joiningDateAndTime(tokens)
            let shape = TailInference.signature(joined)
            if counts[shape] == nil { order.append(shape) }
            counts[shape, default: 0] += 1
            rows.append(joined)
        }
        guard var shape = order.first else { return nil }
        for other in order.dropFirst() where counts[other, default: 0] > counts[shape, default: 0] { shape = other }
        rows = rows.filter { TailInference.signature($0) == shape }
        guard let first = rows.first, first.count >= 3 else { return nil }
        let values = (0..<first.count).map { i in rows.map { $0[i].value } }

        // The anchors.
        guard let request = values.indices.first(where: { i in
            first[i].quote != .bracket && first[i].key == nil && isMostly(values[i], isRequestLine)
        }) else { return nil }
        guard let status = values.indices.first(where: { i in
            i > request && first[i].quote == .none && first[i].key == nil
                && values[i].allSatisfy { TailInference.shape(Substring($0)) == .status }
        }) else { return nil }
        var time: (index: Int, kind: TimeShape)?
        for i in values.indices where i != request && i != status && first[i].key == nil {
            if let kind = TimeShape.of(values[i], quote: first[i].quote) {
                time = (i, kind)
                break
            }
        }
        guard let time else { return nil }

        var columns = first.map { TailInference.Column(token: $0, nginx: nil, apache: nil, meaning: "") }
        func set(_ i: Int, _ nginx: String?, _ apache: String?, _ meaning: String) {
            columns[i].nginx = nginx
            columns[i].apache = apache
            columns[i].meaning = meaning
        }
        var anchored: Set<Int> = [request, status, time.index]
        set(request, "$request", "%r", "request")
        set(status, "$status", "%>s", "status")
        set(time.index, time.kind.nginx, time.kind.apache(quote: first[time.index].quote), time.kind.meaning)
        if let client = values.indices.first(where: { i in
            i < request && !anchored.contains(i) && first[i].quote == .none && first[i].key == nil
                && !TailInference.shapes(values[i]).isEmpty && TailInference.shapes(values[i]).isSubset(of: [.ip])
        }) {
            anchored.insert(client)
            set(client, "$remote_addr", "%h", "client address")
        }
        if let host = values.indices.first(where: { i in
            i < request && !anchored.contains(i) && first[i].key == nil && first[i].quote != .bracket
                && TailInference.shapes(values[i]).contains(.hostName)
                && TailInference.shapes(values[i]).isSubset(of: [.hostName, .ip])
                && !values[i].contains { $0.contains(",") }
        }) {
            // `$host` or `%v` before the request: the virtual host (a name, or the address asked for).
            anchored.insert(host)
            set(host, "$host", "%v", "host")
        }
        if let client = columns.firstIndex(where: { $0.nginx == "$remote_addr" }), time.index == client + 3,
           first[client + 1].quote == .none, first[client + 2].quote == .none,
           first[client + 1].key == nil, first[client + 2].key == nil {
            // CLF's `%h %l %u %t`: ident and user between the client and the time.
            anchored.formUnion([client + 1, client + 2])
            set(client + 1, "$field\(client + 2)", "%l", "ident")
            set(client + 2, "$remote_user", "%u", "user")
        }
        // Separators (`|`) between columns are written as they are, and skipped when
        // columns are found by place.
        let separators = Set(values.indices.filter { first[$0].key == nil && first[$0].quote == .none && isSeparator(values[$0]) })
        func next(after i: Int) -> Int {
            var k = i + 1
            while separators.contains(k) { k += 1 }
            return k
        }
        let bytes = next(after: status)
        if bytes < first.count, !anchored.contains(bytes), first[bytes].quote == .none, first[bytes].key == nil,
           !TailInference.shapes(values[bytes]).isEmpty,
           TailInference.shapes(values[bytes]).isSubset(of: [.integer, .status]) {
            anchored.insert(bytes)
            set(bytes, "$body_bytes_sent", "%b", "body bytes")
        }
        let refererIndex = anchored.contains(bytes) ? next(after: bytes) : bytes
        let agentIndex = next(after: refererIndex)
        if agentIndex < first.count, !anchored.contains(refererIndex), !anchored.contains(agentIndex),
           first[refererIndex].quote == .double, first[agentIndex].quote == .double,
           first[refererIndex].key == nil, first[agentIndex].key == nil,
           values[refererIndex].allSatisfy({ $0 == "-" || $0.isEmpty }) || isMostly(values[refererIndex], isReferer) {
            anchored.formUnion([refererIndex, agentIndex])
            set(refererIndex, "$http_referer", "%{Referer}i", "referer")
            set(agentIndex, "$http_user_agent", "%{User-Agent}i", "user agent")
        } else if let agent = values.indices.first(where: { i in
            !anchored.contains(i) && first[i].quote == .double && first[i].key == nil && isMostly(values[i], isUserAgent)
        }) {
            // A quoted product/version (`curl/8.5.0`, `Mozilla/5.0 (…)`) alone: the user agent.
            anchored.insert(agent)
            set(agent, "$http_user_agent", "%{User-Agent}i", "user agent")
        }

        // The rest, as a tail's fields.
        var taken: Set<FieldKind> = [.request, .status, .remoteAddr, .bytesSent]
        var sawTime = false, sawUpstreamTime = false
        let isDecimal = values.indices.map { i in
            !anchored.contains(i) && first[i].key == nil && TailInference.shapes(values[i]).contains(.decimal)
                && TailInference.shapes(values[i]).isSubset(of: [.decimal, .integer])
        }
        let hasDecimal = isDecimal.contains(true)
        for i in values.indices where !anchored.contains(i) {
            if separators.contains(i) {
                columns[i].nginx = values[i][0]
                columns[i].apache = values[i][0]
                columns[i].meaning = ""
            } else if let key = first[i].key {
                columns[i].assignKey(key, values: values[i], taken: &taken)
            } else if TailInference.shapes(values[i]).isEmpty {
                // Dashes in every line (`-` for ident or user): nothing to read.
                columns[i].isUnknown = true
            } else {
                columns[i].assignShape(values: values[i], index: i, sawTime: &sawTime, sawUpstreamTime: &sawUpstreamTime,
                                       hasDecimal: hasDecimal, taken: &taken)
            }
        }
        return build(columns, rows: rows, anchored: anchored, useApache: time.kind.nginx == nil)
    }

    /// Whether most values (dashes and empty values aside, at least one) pass `test`.
    private static func isMostly(_ values: [String], _ test: (String) -> Bool) -> Bool {
        let present = values.filter { $0 != "-" && !$0.isEmpty }
        guard !present.isEmpty else { return false }
        return present.filter(test).count * 10 >= present.count * 9
    }

    /// `GET /path HTTP/1.1`, `CONNECT host:443 HTTP/1.1`, HTTP/0.9's `GET /`.
    static func isRequestLine(_ value: String) -> Bool {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let method = parts.first, (3...12).contains(method.count),
              method.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D || $0 == 0x5F }),
              !parts[1].isEmpty else { return false }
        return parts.count == 2 || parts[2].hasPrefix("HTTP/")
    }

    /// A user agent: a product and its version (`curl/8.5.0`, `Mozilla/5.0 (X11)`), not a URL or path.
    private static func isUserAgent(_ value: String) -> Bool {
        guard let slash = value.firstIndex(of: "/"), slash != value.startIndex, !value.contains("://") else { return false }
        return value[..<slash].allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
            && value[..<slash].contains { $0.isLetter }
    }

    /// A referer: `-`, or a URL or path.
    private static func isReferer(_ value: String) -> Bool {
        value.contains("://") || value.hasPrefix("/") || value.hasPrefix("android-app:")
    }

    /// Values a server writes unquoted with spaces in them, cut by the tokenizer, as one
    /// token again: a date and its clock time (`2026-11-21 10:00:00`), a CLF time and its
    /// zone (`21/Nov/2026:10:00:00 +0100`), and a request line (`GET /a HTTP/1.1`).
    static func joiningDateAndTime(_ tokens: [TailInference.Token]) -> [TailInference.Token] {
        var result: [TailInference.Token] = []
        var i = 0
        func isBare(_ k: Int, separated: Bool = true) -> Bool {
            k < tokens.count && tokens[k].quote == .none && tokens[k].key == nil && (!separated || tokens[k].separator == 1)
        }
        while i < tokens.count {
            var joined = tokens[i]
            var count = 1
            if isBare(i, separated: false), isBare(i + 1) {
                let a = tokens[i].value, b = tokens[i + 1].value
                if matches(a, "dddd-dd-dd"), matches(String(b.prefix(8)), "dd:dd:dd") {
                    count = 2
                } else if matches(a, "dd/???/dddd:dd:dd:dd"), b.count == 5, b.first == "+" || b.first == "-",
                          matches(String(b.dropFirst()), "dddd") {
                    count = 2
                } else if isBare(i + 2), tokens[i + 2].value.hasPrefix("HTTP/"),
                          isRequestLine(a + " " + b + " " + tokens[i + 2].value) {
                    count = 3
                }
            }
            for k in 1..<count { joined.value += " " + tokens[i + k].value }
            result.append(joined)
            i += count
        }
        return result
    }

    /// A separator the layout writes between fields (`|`, `;`, `>`): the same one to three
    /// punctuation bytes in every line, never a value.
    static func isSeparator(_ values: [String]) -> Bool {
        guard let value = values.first, (1...3).contains(value.utf8.count), value != "-",
              value.utf8.allSatisfy({ "|;:,>~/\\#*+=".utf8.contains($0) }) else { return false }
        return values.allSatisfy { $0 == value }
    }

    /// Whether `value` is `pattern` with each `d` a digit, each `?` any byte and every other character itself.
    static func matches(_ value: String, _ pattern: String) -> Bool {
        let v = Array(value.utf8), p = Array(pattern.utf8)
        guard v.count == p.count else { return false }
        for (b, q) in zip(v, p) {
            if q == UInt8(ascii: "d") {
                guard b >= 0x30 && b <= 0x39 else { return false }
            } else if q != UInt8(ascii: "?") && b != q {
                return false
            }
        }
        return true
    }

    /// The shapes of time a column may have, and how each dialect spells them.
    enum TimeShape {
        /// `21/Nov/2026:10:00:00 +0100`, in brackets or not (without the zone: Apache's strftime alone).
        case clf(zone: Bool)
        /// `2026-11-21T10:00:00+01:00` (nginx `$time_iso8601`), with or without a fraction or zone.
        case iso8601
        /// `2026-11-21 10:00:00`: Apache `%{%Y-%m-%d %H:%M:%S}t`, no zone.
        case dateSpaceTime
        /// Seconds since 1970, `1763719200.123` (nginx `$msec`) or whole.
        case epoch(fraction: Bool)
        /// A CLF date with a space or `:` before the clock, milliseconds or microseconds, and
        /// maybe a zone: the Apache manual's `%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t`
        /// (`08/Apr/2021 11:33:23.101 -0300`).
        case clfParts(separator: Character, fractionDigits: Int, zone: Bool)

        /// The `clfParts` shape of `value`, or nil.
        static func clfParts(_ value: String) -> (separator: Character, fractionDigits: Int, zone: Bool)? {
            let v = Array(value.utf8)
            guard v.count >= 20, matches(String(decoding: v[0..<20], as: UTF8.self), "dd/???/dddd?dd:dd:dd"),
                  v[11] == UInt8(ascii: " ") || v[11] == UInt8(ascii: ":"),
                  Timestamp.monthNumber(v[3], v[4], v[5]) != nil else { return nil }
            var i = 20
            var digits = 0
            if i < v.count, v[i] == UInt8(ascii: ".") {
                i += 1
                while i < v.count, v[i] >= 0x30 && v[i] <= 0x39 { i += 1; digits += 1 }
                guard digits == 3 || digits == 6 else { return nil }
            }
            var zone = false
            if i < v.count {
                guard v.count - i == 6, v[i] == UInt8(ascii: " "), v[i + 1] == UInt8(ascii: "+") || v[i + 1] == UInt8(ascii: "-"),
                      v[(i + 2)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
                zone = true
            }
            return (Character(UnicodeScalar(v[11])), digits, zone)
        }

        static func of(_ values: [String], quote: TailInference.Token.Quote) -> TimeShape? {
            guard !values.isEmpty else { return nil }
            // Timestamp's own parsers judge them: a value is a time only if a field of that kind reads it.
            func all(_ test: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
                values.allSatisfy { Array($0.utf8).withUnsafeBufferPointer(test) }
            }
            if all({ Timestamp.parseCLF($0) != nil }) { return .clf(zone: true) }
            if all({ $0.count == 20 && Timestamp.parseCLFLocal($0) != nil }) { return .clf(zone: false) }
            if all({ $0.count >= 19 && $0[10] == UInt8(ascii: "T") && Timestamp.parseISO8601($0) != nil }) { return .iso8601 }
            if all({ $0.count == 19 && $0[10] == UInt8(ascii: " ") && Timestamp.parseISO8601($0) != nil }) {
                return .dateSpaceTime
            }
            if let first = clfParts(values[0]), first.fractionDigits > 0 || first.separator == " ",
               values.allSatisfy({ clfParts($0).map { $0 == first } ?? false }) {
                return .clfParts(separator: first.separator, fractionDigits: first.fractionDigits, zone: first.zone)
            }
            if quote == .none, values.allSatisfy({ value in
                let whole = value.split(separator: ".", maxSplits: 1).first.map(String.init) ?? value
                guard whole.count == 10, let seconds = Int(whole), seconds >= 946_684_800 else { return false }
                return value.count == 10 || (value.count > 11 && value.dropFirst(11).allSatisfy(\.isNumber))
            }) {
                return .epoch(fraction: values.contains { $0.contains(".") })
            }
            return nil
        }

        var nginx: String? {
            switch self {
            case .clf(let zone): return zone ? "$time_local" : nil
            case .iso8601: return "$time_iso8601"
            case .dateSpaceTime, .clfParts: return nil
            case .epoch: return "$msec"
            }
        }

        /// Apache's `%t` brings its own brackets; a strftime `%{…}t` does not.
        func apache(quote: TailInference.Token.Quote) -> String? {
            switch self {
            case .clf(let zone):
                return !zone ? "%{%d/%b/%Y:%H:%M:%S}t" : quote == .bracket ? "%t" : "%{%d/%b/%Y:%H:%M:%S %z}t"
            case .iso8601: return nil
            case .dateSpaceTime: return "%{%Y-%m-%d %H:%M:%S}t"
            case .epoch(let fraction): return fraction ? nil : "%{sec}t"
            case let .clfParts(separator, digits, zone):
                return "%{%d/%b/%Y\(separator)%H:%M:%S}t" + (digits == 3 ? ".%{msec_frac}t" : digits == 6 ? ".%{usec_frac}t" : "")
                    + (zone ? " %{%z}t" : "")
            }
        }

        var meaning: String {
            switch self {
            case .clf: return "time (CLF)"
            case .iso8601: return "time (ISO 8601)"
            case .dateSpaceTime: return "time (date and clock time, no zone)"
            case .epoch: return "time (seconds since 1970)"
            case .clfParts(_, let digits, let zone):
                return "time (CLF date" + (digits > 0 ? ", fraction" : "") + (zone ? ", zone" : ", no zone") + ")"
            }
        }
    }

    /// The format string of `columns`: nginx's syntax unless the time needs Apache's; a
    /// column the chosen dialect cannot spell is an ignored placeholder.
    private static func build(_ columns: [TailInference.Column], rows: [[TailInference.Token]], anchored: Set<Int>,
                              useApache: Bool) -> TailInference.Outcome? {
        var definition = ""
        var unknown: [(name: String, example: String)] = []
        var meanings: [String] = []
        for (i, column) in columns.enumerated() {
            let t = column.token
            if i > 0 { definition += String(repeating: " ", count: t.separator) }
            if let key = t.key { definition += key + "=" }
            let spelled = useApache ? column.apache : column.nginx
            var isUnknown = column.isUnknown || spelled == nil
            if anchored.contains(i) && spelled == nil { return nil }
            let placeholder = useApache ? "%{field\(i + 1)}e" : "$field\(i + 1)"
            var field = isUnknown ? placeholder : (spelled ?? placeholder)
            // A column of dashes alone that nothing names is read and left, not reported as not understood.
            let isDashes = !anchored.contains(i) && TailInference.shapes(rows.map { $0[i].value }).isEmpty
            if isDashes { isUnknown = false; field = placeholder }
            switch t.quote {
            case .none: definition += field
            case .double: definition += "\"" + field + "\""
            case .bracket: definition += field == "%t" ? field : "[" + field + "]"
            }
            if column.meaning.isEmpty && !isUnknown {
                // A separator: written as it is.
            } else if isUnknown {
                // The example is log text: it reaches reports, so it is made safe here.
                unknown.append((field, LogText.sanitize(rows.first.map { $0[i].value } ?? "")))
                meanings.append("field \(i + 1) (not understood)")
            } else if !isDashes {
                meanings.append(column.meaning)
            }
        }
        let compiled = try? (useApache ? LogFormat.apache(definition, name: formatName, allowsTrailingText: true)
                                       : LogFormat.nginx(definition, name: formatName, allowsTrailingText: true))
        guard var format = compiled else { return nil }
        format.servers = useApache ? [.apache] : [.nginx]
        return TailInference.Outcome(format: format, summary: meanings.joined(separator: ", "), unknown: unknown,
                                     suggestion: (useApache ? "apache:" : "nginx:") + definition)
    }
}
