import ArgumentParser
import TriageCore
import TriageReport
#if canImport(Glibc)
import Glibc
#endif

/// `triage FILE…`: the 5xx triage report.
///
/// Exit codes (Docs/ExitCodes.md): 0 report written; 2 input damaged, unreadable
/// or in no known format (the report still covers what was read); 64 usage error.
@main
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Tell what broke from nginx and Apache access logs: which 5xx were your application's, which were upstream failures, when, where.",
        discussion: """
            Inputs are files, rotated sets (read oldest first) or - for standard input; gzip is \
            detected from the data, multi-member included.

            Log formats: presets \(LogFormat.presetNames.joined(separator: ", ")); \
            'nginx:<log_format string>'; 'apache:<LogFormat string>'; or a log_format NAME \
            read from --nginx-conf. Without --log-format the presets are tried on each input's first lines.

            Exit status: 0 the report was written; 2 an input was damaged, unreadable or in no \
            known format (the report covers everything that could be read); 64 usage error.
            """,
        version: TriageVersion.current
    )

    @Argument(help: ArgumentHelp("Access logs to read (plain or gzip); - reads standard input.", valueName: "file"))
    var files: [String] = []

    @Option(name: .customLong("log-format"),
            help: ArgumentHelp("Preset name, 'nginx:FORMAT', 'apache:FORMAT', or a log_format name from --nginx-conf.",
                               valueName: "format"))
    var logFormat: String?

    @Option(name: .customLong("nginx-conf"), help: ArgumentHelp("nginx.conf to read log_format definitions from.", valueName: "path"))
    var nginxConf: String?

    @Option(name: .customLong("format"), help: "Report format: terminal or json.")
    var reportFormat: ReportFormat = .terminal

    @Option(help: "Colour: auto (only on a terminal, honours NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Option(name: .customLong("route-rule"),
            help: ArgumentHelp("Name a route: targets whose path matches the PCRE2 REGEX count as ROUTE (repeatable; tried in order before {id}/{uuid}/{hex}).",
                               valueName: "REGEX=>ROUTE"))
    var routeRules: [String] = []

    @Option(help: "Length of the top lists (routes, upstreams).")
    var top: Int = 10

    @Option(name: .customLong("max-line-length"), help: "Lines longer than this many bytes are counted as malformed.")
    var maxLineLength: Int = 64 * 1024

    mutating func validate() throws {
        if files.isEmpty {
            if isatty(0) != 0 {
                throw ValidationError("give one or more log files, or - to read standard input")
            }
            files = ["-"]
        }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be read only once") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard maxLineLength >= 256 else { throw ValidationError("--max-line-length must be at least 256") }
        if nginxConf != nil && logFormat == nil {
            throw ValidationError("--nginx-conf needs --log-format NAME to say which log_format to use")
        }
    }

    func run() throws {
        var options = AnalysisOptions()
        options.top = top
        options.maxLineLength = maxLineLength
        do {
            if let format = try resolveFormat() { options.format = .fixed(format) }
            options.routeRules = try routeRules.map(RouteRule.init(specification:))
        } catch let error as TriageError {
            throw ValidationError(error.description)
        }

        let outcome = Analyzer(options: options).run(paths: files)
        let output: String
        switch reportFormat {
        case .terminal:
            let useColor: Bool
            switch color {
            case .always: useColor = true
            case .never: useColor = false
            case .auto: useColor = isatty(1) != 0 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
            }
            output = TerminalRenderer(color: useColor, width: terminalWidth()).render(outcome.summary)
        case .json:
            output = JSONRenderer().render(outcome.summary)
        }
        writeStandardOutput(output)
        for error in outcome.errors {
            writeStandardError("triage: \(error.description)\n")
        }
        if !outcome.errors.isEmpty { throw ExitCode(2) }
    }

    private func resolveFormat() throws -> LogFormat? {
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

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

func terminalWidth() -> Int {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
    if let columns = getenv("COLUMNS"), let value = Int(String(cString: columns)), value > 20 { return value }
    return 80
}

func writeStandardOutput(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}
