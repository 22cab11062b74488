/// A field of a log format: what it means and how the format wrote it.
public struct FormatField: Equatable, Sendable {
    public var kind: FieldKind
    /// As written in the format (`$status`, `%>s`), for messages.
    public var name: String
    /// For `.timeCustom`: the strftime-like layout (`%Y-%m-%dT%H:%M:%S`).
    public var timeLayout: TimeLayout?
    /// Free text whose value may hold spaces (a request header, a cookie), whatever its kind.
    public var mayHoldSpaces: Bool

    public init(kind: FieldKind, name: String, timeLayout: TimeLayout? = nil, mayHoldSpaces: Bool = false) {
        self.kind = kind
        self.name = name
        self.timeLayout = timeLayout
        self.mayHoldSpaces = mayHoldSpaces
    }
}

public enum FormatElement: Equatable, Sendable {
    case literal([UInt8])
    case field(FormatField)
}

/// A log format compiled from an nginx `log_format` or Apache `LogFormat`.
///
/// It is a sequence of literals and fields; ``RecordParser`` runs it over the
/// bytes of each line.
public struct LogFormat: Equatable, Sendable {
    public enum Dialect: String, Sendable { case nginx, apache, json, haproxy, envoy, aws, heroku, logfmt }

    /// The `--log-format` value that compiles this format's definition again
    /// (`nginx:…`, `apache:…`, `haproxy:…`, `envoy:…`).
    public var specification: String {
        switch dialect {
        case .apache: return "apache:" + definition
        case .haproxy: return "haproxy:" + definition
        case .envoy: return "envoy:" + definition
        default: return "nginx:" + definition
        }
    }

    /// For the JSON dialect: which dotted path (`request.method`) holds which field.
    public struct JSONField: Equatable, Sendable {
        public var path: String
        public var kind: FieldKind
        public init(path: String, kind: FieldKind) {
            self.path = path
            self.kind = kind
        }
    }

    /// Preset name (`combined`) or `custom`.
    public var name: String
    public var dialect: Dialect
    /// The format string as given.
    public var definition: String
    public var elements: [FormatElement]
    /// Presets accept extra fields after the last one (many servers append
    /// some); formats the user wrote must match whole lines.
    public var allowsTrailingText: Bool
    /// True when the server appends fields to this format over the years and text after
    /// the last known field is expected, not a sign of a longer format or unread fields:
    /// Heroku's router (`protocol=`, …) and ALB (`classification`, `conn_trace_id`, …;
    /// AWS: "ignore any fields at the end of the log entry that you were not expecting").
    public var appendsFields: Bool { dialect == .heroku || (dialect == .aws && allowsTrailingText) }
    /// For the JSON dialect: the paths read; later entries win over earlier ones for the same field.
    public var jsonFields: [JSONField] = [] {
        didSet { if jsonFields.contains(where: { $0.kind == .proxyFlags || $0.kind == .proxyDetails }) { vocabulary = .envoy } }
    }
    /// For the JSON dialect: flat objects take ``JSONFlatScanner``'s fast path (tests turn
    /// it off to check both paths give the same records and reports).
    public var jsonFlatFastPath = true
    /// For text formats: ``RecordParser`` first tries every field's first split in one loop
    /// (the backtracking matcher runs only when that fails), and finds where a token field
    /// ends and where the next literal starts in one scan. Tests turn it off to check the
    /// reference path (the matcher alone, two scans per token) gives the same records and reports.
    public var textFastPath = true
    /// Docker json-file envelopes of the usual shape are peeled without the general JSON
    /// scanner (``EnvelopePeeler``); tests turn it off to compare.
    public var envelopeFastPath = true
    /// Turns every fast path off: the reference decoding, for equivalence tests.
    public mutating func useReferenceDecoding() {
        jsonFlatFastPath = false
        textFastPath = false
        envelopeFastPath = false
    }
    /// How the proxy that writes this format reports failures (what ``AccessRecord/proxyFlags`` means).
    public var vocabulary: ProxyVocabulary = .upstreamAttempts
    /// The envelope its lines arrive in (Docker json-file, CRI, syslog), peeled before parsing.
    public var envelope: EnvelopeKind = .none
    /// What a viewer or process manager wrote before each line inside the envelope
    /// (`docker compose`'s `name | `, a time column), peeled with it.
    public var linePrefix: LinePrefix = .none
    /// The lines carry no time: each record takes its envelope's or prefix's.
    public var timeFromEnvelope: Bool {
        (envelope != .none || linePrefix != .none) && !fields.contains(where: { $0.kind.isTime })
    }
    /// The zone of times written without one (`--log-timezone`); UTC unless the user says.
    public var logTimeZone: LogTimeZone = .utc
    /// For a preset extended by the tail read from the sample: the preset alone, which reads
    /// the lines written without that tail (a server's default `combined` access_log and a
    /// site's `upstream` one writing to one file). At most one: an array because a struct
    /// cannot hold an optional of its own type.
    public var withoutTail: [LogFormat] = []
    /// True when a time field carries no zone, so the report says which zone was assumed.
    public var hasZonelessTime: Bool { has(.timeCLFLocal) }
    /// The servers known to write this format, most likely first (`combined`: nginx, Apache):
    /// hints give a config line for each. Set from the dialect unless a preset says more.
    public var servers: [LogServer]

    public init(name: String, dialect: Dialect, definition: String, elements: [FormatElement],
                allowsTrailingText: Bool) {
        // A name can come from a user's nginx.conf (`log_format NAME`), whose bytes are
        // as untrusted as a log's; reports show it, so it is made safe here.
        self.name = LogText.sanitize(name)
        self.dialect = dialect
        self.definition = definition
        self.elements = Self.mergingLiterals(elements)
        self.allowsTrailingText = allowsTrailingText
        switch dialect {
        case .nginx: servers = [.nginx]
        case .apache: servers = [.apache]
        case .haproxy: servers = [.haproxy]
        case .envoy: servers = [.envoy]
        case .heroku: servers = [.heroku]
        case .json, .aws, .logfmt: servers = []
        }
    }

    public var fields: [FormatField] {
        if dialect == .json { return jsonFields.map { FormatField(kind: $0.kind, name: $0.path) } }
        return elements.compactMap { if case let .field(f) = $0 { return f } else { return nil } }
    }

    public func has(_ kind: FieldKind) -> Bool { hasField { $0 == kind } }

    /// True when the format carries any upstream variable, so classification can
    /// use more than the status code.
    public var hasUpstreamFields: Bool { hasField { $0.isUpstream } }

    /// Whether some field's kind passes `test`, without building ``fields`` (format
    /// detection asks this of every preset for every input, and the array it built
    /// each time was a tenth of detection's cost).
    @inline(__always)
    private func hasField(_ test: (FieldKind) -> Bool) -> Bool {
        if dialect == .json { return jsonFields.contains { test($0.kind) } }
        return elements.contains { if case let .field(f) = $0 { return test(f.kind) } else { return false } }
    }
    /// logfmt lines carry whichever keys each line has: the format claims only its status, and
    /// whether an input had request IDs or upstream fields is judged from its records
    /// (``LineProcessor``), as its times come from an envelope when the lines have none.
    public var judgesFieldsPerRecord: Bool { dialect == .logfmt }
    public var hasRequestID: Bool { has(.requestID) }
    /// A status field of either kind (`$status`, or HAProxy's `%ST` that may be `-1`).
    public var hasStatus: Bool { has(.status) || has(.statusOrNone) }

    private static func mergingLiterals(_ elements: [FormatElement]) -> [FormatElement] {
        var merged: [FormatElement] = []
        for element in elements {
            if case let .literal(bytes) = element {
                if bytes.isEmpty { continue }
                if case let .literal(previous)? = merged.last {
                    merged[merged.count - 1] = .literal(previous + bytes)
                    continue
                }
            }
            merged.append(element)
        }
        return merged
    }

    /// Parses a `--log-format` argument: a preset name, `nginx:FORMAT`,
    /// `apache:FORMAT`, or a pasted `log_format …;` / `LogFormat "…"` line.
    public static func parse(specification spec: String) throws -> LogFormat {
        if let preset = LogFormat.preset(named: spec) ?? LogFormat.jsonPreset(named: spec) { return preset }
        let trimmed = spec.trimmingWhitespace()
        if trimmed.hasPrefix("nginx:") { return try nginx(String(trimmed.dropFirst(6))) }
        if trimmed.hasPrefix("apache:") { return try apache(String(trimmed.dropFirst(7))) }
        if trimmed.hasPrefix("haproxy:") { return try haproxy(String(trimmed.dropFirst(8))) }
        if trimmed.hasPrefix("envoy:") { return try envoy(String(trimmed.dropFirst(6))) }
        if trimmed.hasPrefix("log_format") {
            let formats = try NginxConfig.logFormats(in: trimmed, path: "--log-format")
            guard let first = formats.first else { throw TriageError.invalidFormat("no log_format found in '\(spec)'") }
            return try nginx(first.definition, name: first.name)
        }
        if trimmed.hasPrefix("LogFormat") { return try apache(fromDirective: trimmed) }
        if trimmed.contains("$") && !trimmed.contains("%") { return try nginx(trimmed) }
        if trimmed.contains("%") && !trimmed.contains("$") { return try apache(trimmed) }
        throw TriageError.unknownPreset(spec)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
