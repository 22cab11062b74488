import ArgumentParser
import TriageCore
#if canImport(Glibc)
import Glibc
#endif

/// Options every command shares: what to read and how to parse it.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Access logs to read (plain or gzip); a directory reads its files (error logs among them are recognised); - reads standard input.", valueName: "file"))
    var files: [String] = []

    @Option(name: .customLong("log-format"),
            help: ArgumentHelp("Preset name, 'nginx:FORMAT', 'apache:FORMAT', 'haproxy:FORMAT' (log-format), "
                               + "'envoy:FORMAT', or a log_format name from --nginx-conf.",
                               valueName: "format"))
    var logFormat: String?

    @Option(name: .customLong("field"),
            help: ArgumentHelp("For JSON logs: read a field from a dotted path, e.g. status=resp.code or request_id=headers.x-req-id (repeatable).",
                               valueName: "NAME=PATH"))
    var jsonFields: [String] = []

    @Option(name: .customLong("nginx-conf"), help: ArgumentHelp("nginx.conf to read log_format definitions from.", valueName: "path"))
    var nginxConf: String?

    @Option(name: .customLong("route-rule"),
            help: ArgumentHelp("Name a route: targets whose path matches the PCRE2 REGEX count as ROUTE (repeatable; tried in order before {id}/{uuid}/{hex}).",
                               valueName: "REGEX=>ROUTE"))
    var routeRules: [String] = []

    @Option(name: .customLong("max-line-length"), help: "Lines longer than this many bytes are counted as malformed.")
    var maxLineLength: Int = 64 * 1024

    @Option(help: "Deflate engine for gzip inputs: isal (ISA-L, fast) or zlib (the fallback).")
    var inflate: InflateEngine = .isal

    @Option(name: .customLong("log-timezone"),
            help: ArgumentHelp("Zone of log times written without one (HAProxy's accept date, syslog): UTC (default), +02:00, or Europe/Paris.",
                               valueName: "zone"))
    var logTimeZone: String = "UTC"

    @Option(help: "Threads that parse (default: one per core, at most 8; 1 reads in one pass): a large file in one part each (plain, gzip, CRI), standard input and smaller files in blocks of lines; an --app-log in blocks whose lines the threads scan, grouped into events in order.")
    var threads: Int = 0

    mutating func validate() throws {
        if files.isEmpty {
            if isatty(0) != 0 {
                throw ValidationError("give one or more log files, or - to read standard input")
            }
            files = ["-"]
        }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be read only once") }
        guard maxLineLength >= 256 else { throw ValidationError("--max-line-length must be at least 256") }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (one per core) or more") }
        if nginxConf != nil && logFormat == nil {
            throw ValidationError("--nginx-conf needs --log-format NAME to say which log_format to use")
        }
    }

    /// Fills the parts of `options` these flags decide.
    func apply(to options: inout AnalysisOptions) throws {
        options.maxLineLength = maxLineLength
        options.threads = threads
        options.inflateEngine = inflate
        do {
            options.logTimeZone = try LogTimeZone.parse(logTimeZone)
            if let format = try resolveFormat() { options.format = .fixed(format) }
            options.routeRules = try routeRules.map(RouteRule.init(specification:))
        } catch let error as TriageError {
            throw ValidationError(error.description)
        }
    }

    private func resolveFormat() throws -> LogFormat? {
        let base = try resolveBaseFormat()
        guard !jsonFields.isEmpty else { return base }
        if let base, base.dialect != .json {
            throw TriageError.invalidFormat("--field maps JSON logs; '\(base.name)' is a text format")
        }
        return try LogFormat.json(base: base ?? LogFormat.jsonPreset(named: "json"), overrides: jsonFields)
    }

    private func resolveBaseFormat() throws -> LogFormat? {
        guard let logFormat else { return nil }
        if let nginxConf {
            let definitions = try NginxConfig.logFormats(inFile: nginxConf)
            guard let match = definitions.first(where: { $0.name == logFormat }) else {
                let names = definitions.map(\.name).joined(separator: ", ")
                throw TriageError.nginxConfig(path: nginxConf,
                                              reason: "no log_format named '\(logFormat)' (found: \(names.isEmpty ? "none" : names))")
            }
            return try LogFormat.nginx(match.definition, name: match.name)
        }
        return try LogFormat.parse(specification: logFormat)
    }
}

extension InflateEngine: ExpressibleByArgument {}

/// A duration option value: `90s`, `15m`, `2h`, `1h30m`.
struct Duration: ExpressibleByArgument {
    var seconds: Int64
    init(seconds: Int64) { self.seconds = seconds }
    init?(argument: String) {
        guard let seconds = TimeSpec.duration(argument), seconds > 0 else { return nil }
        self.seconds = seconds
    }
}

/// `--now`: the reference for relative times.
func resolveNow(_ text: String?) throws -> Int64 {
    let wallClock = Int64(time(nil))
    guard let text else { return wallClock }
    guard let spec = TimeSpec(text) else { throw ValidationError("--now: cannot read a time from '\(text)'") }
    return spec.resolve(reference: wallClock, utcOffset: 0)
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func isEnabled() -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto: return isatty(1) != 0 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
        }
    }
}

/// The terminal's width when standard output is one; nil for a pipe or a file.
func terminalWidthIfTerminal() -> Int? { isatty(1) != 0 ? terminalWidth() : nil }

func terminalWidth() -> Int {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
    if let columns = getenv("COLUMNS"), let value = Int(String(cString: columns)), value > 20 { return value }
    return 80
}

/// Writes the report to standard output.
///
/// - Returns: false when it could not be written whole (`> /dev/full`, a closed
///   pipe, a disk error); the reason is then on standard error, and the caller
///   exits 2 as for `-o`. A closed pipe (`| head`) is not worth a message.
func writeStandardOutput(_ text: String) -> Bool { writeStandardOutput(Array(text.utf8)) }

/// Writes bytes (a report's text, or a partial) to standard output; see ``writeStandardOutput(_:)``.
func writeStandardOutput(_ bytes: [UInt8]) -> Bool {
    var failure: Int32 = 0
    bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let n = write(1, base + offset, buffer.count - offset)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                failure = n < 0 ? errno : EIO
                return
            }
            offset += n
        }
    }
    guard failure != 0 else { return true }
    if failure != EPIPE {
        writeStandardError("triage: cannot write the report to standard output: \(String(cString: strerror(failure)))\n")
    }
    return false
}

/// Writes a message to standard error. Messages quote user and log text (a deploy
/// label, a file's line): each line is passed through ``LogText/sanitize(_:)``, so
/// no escape sequence reaches the terminal; the line breaks between them stay.
func writeStandardError(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    writeStandardErrorRaw(lines.map { LogText.sanitize(String($0)) }.joined(separator: "\n"))
}

/// Writes bytes to standard error as they are (the progress display's own escapes).
func writeStandardErrorRaw(_ text: String) {
    var text = text
    text.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}
