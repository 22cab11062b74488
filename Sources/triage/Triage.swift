import ArgumentParser
import TriageCore
import TriageReport
#if canImport(Glibc)
import Glibc
#endif

/// `triage`: the root command; `triage FILE…` runs ``Report``.
@main
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Tell what broke from proxy access logs: which 5xx were your application's, which were upstream failures, when, where.",
        discussion: """
            Inputs are files, rotated sets (read oldest first), directories (their files; error logs \
            among them are recognised) or - for standard input; gzip is detected from the data, \
            multi-member included.

            Log formats: nginx and Apache presets \(LogFormat.presetNames.joined(separator: ", ")); \
            the proxies' own (HAProxy, Envoy and Istio, AWS ALB and ELB, Traefik, Heroku's router, \
            logfmt) \(LogFormat.dialectPresets.map(\.name).joined(separator: ", ")); JSON lines \
            (\(LogFormat.jsonPresetNames.joined(separator: ", ")); --field NAME=PATH for any other shape); \
            'nginx:<log_format string>'; 'apache:<LogFormat string>'; 'haproxy:<log-format string>'; \
            'envoy:<format string>'; or a log_format NAME read from --nginx-conf. Lines inside Docker \
            json-file, CRI or syslog envelopes are read too. Without --log-format the presets are tried \
            on each input's first lines; when none fits, the layout is read from the lines themselves \
            (the report gives it as a --log-format).

            Exit status (report): 0 the report was written; 2 an input was damaged, unreadable or in no \
            known format, or the --state file was corrupt (the report covers everything that could be read); \
            64 usage error; 75 another run holds the --state file (nothing read: try again later). \
            'triage check' has its own: see 'triage check --help'.

            Every option of the report (formats, deploys, --since, --state, -o …): triage report --help
            """,
        version: TriageVersion.current,
        subcommands: [Report.self, Check.self, Merge.self],
        defaultSubcommand: Report.self
    )

    /// ArgumentParser's `main`, except that its messages go through ``writeStandardError(_:)``:
    /// a usage error quotes the option's value (`--deploy '…'`), which is user text and must
    /// not reach the terminal with its escape sequences.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success {
                    _ = writeStandardOutput(message + "\n")
                } else {
                    writeStandardError(message + "\n")
                }
            }
            Glibc.exit(code.rawValue)
        }
    }
}

/// The triage report (the default command).
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the 5xx triage report (the default: 'triage FILE…' means 'triage report FILE…')."
    )

    @OptionGroup var input: InputOptions

    @Option(name: .customLong("format"),
            help: "Report format: terminal, json, markdown, html, or partial (a summary for 'triage merge'; needs -o, - for standard output).")
    var reportFormat: ReportFormat = .terminal

    @Option(help: ArgumentHelp("With --format partial: this host's name in a merged report (default: the machine's name).", valueName: "name"))
    var host: String?

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write the report to this file, atomically (a crash never leaves half a report in place of the last good one).", valueName: "file"))
    var output: String?

    @Option(help: "Colour: auto (only on a terminal, honours NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Option(help: "Length of the top lists (routes, upstreams).")
    var top: Int = 10

    @Option(name: .customLong("deploys"),
            help: ArgumentHelp("File of deploy markers: 'TIME LABEL' lines, JSON lines or CSV with a header.", valueName: "path"))
    var deploysFile: String?

    @Option(name: .customLong("deploy"), help: ArgumentHelp("A deploy marker (repeatable).", valueName: "TIME[=LABEL]"))
    var deploys: [String] = []

    @Option(name: .customLong("deploy-window"), help: ArgumentHelp("Time compared before and after each deploy (default 30m).", valueName: "duration"))
    var deployWindow: Duration?

    @Flag(name: .shortAndLong, help: "No progress display on standard error.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Explain choices on standard error: reading order, format detected and why, fields used to classify.")
    var verbose = false

    @Option(help: ArgumentHelp("Remember where this run stopped in each file and start there next time (for cron): every line once, across rename, copytruncate, compress and dateext; locked against overlapping runs.", valueName: "file"))
    var state: String?

    @Option(name: .customLong("state-wait"),
            help: ArgumentHelp("Seconds to wait for another run holding the --state file; then exit 75 without reading.", valueName: "seconds"))
    var stateWait: Int = 10

    @Option(help: ArgumentHelp("Only requests at or after TIME (absolute, or relative like 2h: back from the newest line, or from --now).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only requests before TIME (same forms as --since).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Reference time for relative times like now-10m (default: the clock; for --since/--until: the newest line).", valueName: "time"))
    var now: String?

    @Option(name: .customLong("app-log"),
            help: ArgumentHelp("An application log (plain or gzip, or a directory of them; repeatable) whose error events explain the 5xx by request ID.",
                               valueName: "file"))
    var appLogs: [String] = []

    @Option(name: .customLong("app-id-pattern"),
            help: ArgumentHelp("PCRE2 pattern with a group (?<id>…) that finds the request ID on text app-log lines the built-in forms miss.",
                               valueName: "regex"))
    var appIDPattern: String?

    @Option(name: .customLong("app-time-tolerance"),
            help: ArgumentHelp("How far an app-log event's time may be from its 5xx's (default 5m).", valueName: "duration"))
    var appTimeTolerance: Duration?

    @Option(name: .customLong("error-log"),
            help: ArgumentHelp("A server error log, nginx or Apache (plain or gzip, or a directory of them; repeatable), whose lines say why requests failed.",
                               valueName: "file"))
    var errorLogs: [String] = []

    @Option(name: .customLong("error-log-timezone"),
            help: ArgumentHelp("The zone of the error logs' clock, when not the access log's (an access log in UTC: $msec, a Z time): UTC, +02:00, or Europe/Paris.",
                               valueName: "zone"))
    var errorLogTimeZone: String?

    @Option(name: .customLong("error-time-tolerance"),
            help: ArgumentHelp("How far an error-log line's time may be from its request's access-log time (default 2s).",
                               valueName: "duration"))
    var errorTimeTolerance: Duration?

    mutating func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        try validateDeployArguments(deploys)
        if let errorLogTimeZone {
            guard (try? LogTimeZone.parse(errorLogTimeZone)) != nil else {
                throw ValidationError("--error-log-timezone '\(errorLogTimeZone)': expected UTC, an offset like +02:00, or a zone like Europe/Paris (from /usr/share/zoneinfo)")
            }
        }
        if appLogs.contains("-") && (input.files.contains("-") || input.files.isEmpty) {
            throw ValidationError("standard input can be read only once: give the access log or the --app-log as a file")
        }
        if errorLogs.contains("-") && (input.files.contains("-") || input.files.isEmpty || appLogs.contains("-")) {
            throw ValidationError("standard input can be read only once: give the access log or the --error-log as a file")
        }
        if (appLogs + errorLogs).filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be read only once") }
        if let appIDPattern {
            do {
                let regex = try Regex(appIDPattern)
                if regex.groupNames["id"] == nil {
                    throw ValidationError("--app-id-pattern needs a named group (?<id>…) around the request ID")
                }
            } catch let error as TriageError {
                throw ValidationError("--app-id-pattern: \(error.description)")
            }
        }
        if reportFormat == .partial && output == nil {
            throw ValidationError("--format partial is binary: give -o FILE, or -o - to write it to standard output")
        }
        if host != nil && reportFormat != .partial { throw ValidationError("--host names a partial: use it with --format partial") }
        guard stateWait >= 0 else { throw ValidationError("--state-wait must be 0 or more seconds") }
        if state != nil && (input.files.contains("-") || input.files.isEmpty) {
            throw ValidationError("--state needs files: standard input has no position to resume from")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeSpec(value) == nil {
                throw ValidationError("\(name): cannot read a time from '\(value)' (ISO 8601, epoch, 21/Nov/2026:10:00:00 +0000, or 2h / now-30m)")
            }
            if let value, TimeSpec(value)?.isRelative == true, now == nil, input.files.contains("-") || input.files.isEmpty {
                throw ValidationError("\(name) \(value) counts back from the newest line, which standard input cannot be read for twice: give --now TIME")
            }
        }
    }

    func run() throws {
        var options = AnalysisOptions()
        options.top = top
        try input.apply(to: &options)
        options.now = try resolveNow(now)
        options.nowIsExplicit = now != nil
        options.statePath = state
        options.stateLockWait = Double(stateWait)
        options.since = since.flatMap(TimeSpec.init)
        options.until = until.flatMap(TimeSpec.init)
        options.deployWindow = deployWindow?.seconds ?? 1800
        options.appLogs = appLogs
        options.appIDPattern = appIDPattern
        options.appTimeTolerance = appTimeTolerance?.seconds ?? 300
        options.errorLogs = errorLogs
        options.errorTimeTolerance = errorTimeTolerance?.seconds ?? 2
        options.errorLogTimeZone = try errorLogTimeZone.map { try LogTimeZone.parse($0) }
        // A partial keeps the per-second series, so 'triage merge --deploy' can cut deploy windows.
        options.recordsSecondSeries = reportFormat == .partial
        do {
            options.deploys = try deploys.map(DeployMarker.init(argument:))
            if let deploysFile { options.deploys += try DeployFile.read(path: deploysFile) }
        } catch let error as TriageError {
            writeStandardError("triage: \(error.description)\n")
            throw ExitCode(2)
        }

        let analyzer = Analyzer(options: options)
        if verbose { analyzer.onExplain = { writeStandardError("triage: \($0)\n") } }
        let progress = ProgressDisplay(enabled: !quiet && isatty(2) != 0)
        if progress.enabled { analyzer.onProgress = { progress.update($0) } }
        let outcome = analyzer.run(paths: input.files)
        progress.finish()
        if let locked = outcome.errors.first(where: { if case .stateLocked = $0 { return true } else { return false } }) {
            writeStandardError("triage: \(locked.description)\n")
            throw ExitCode(75)
        }
        let written = writeReport(reportFormat, analyzer: analyzer, summary: outcome.summary, output: output,
                                  color: color, host: host)
        for warning in outcome.warnings { writeStandardError("triage: warning: \(warning)\n") }
        for error in outcome.errors {
            writeStandardError("triage: \(error.description)\n")
        }
        if !outcome.errors.isEmpty || !written { throw ExitCode(2) }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json, markdown, html, partial
}

/// Renders `summary` (or, for `partial`, the analyzer's state) and writes it to `output`
/// (atomically) or standard output (`nil`, or `-` for a partial). Returns false, having
/// said why on standard error, when it could not be written.
func writeReport(_ format: ReportFormat, analyzer: Analyzer, summary: TriageSummary, output: String?,
                 color: ColorChoice, host: String?) -> Bool {
    let toStandardOutput = output == nil || (format == .partial && output == "-")
    var bytes: [UInt8]
    switch format {
    case .terminal:
        let useColor = output == nil && color.isEnabled()
        bytes = Array(TerminalRenderer(color: useColor, width: output == nil ? terminalWidth() : 100).render(summary).utf8)
    case .json: bytes = Array(JSONRenderer().render(summary).utf8)
    case .markdown: bytes = Array(MarkdownRenderer().render(summary).utf8)
    case .html: bytes = Array(HTMLRenderer().render(summary).utf8)
    case .partial:
        do {
            bytes = try analyzer.partial(host: host ?? machineName())
        } catch let error as TriageError {
            writeStandardError("triage: \(error.description)\n")
            return false
        } catch {
            return false
        }
    }
    if toStandardOutput { return writeStandardOutput(bytes) }
    guard let output else { return false }
    do {
        try bytes.withUnsafeBufferPointer { try AtomicFile.write(bytes: $0, to: output) }
        return true
    } catch let error as TriageError {
        writeStandardError("triage: \(error.description)\n")
        return false
    } catch {
        return false
    }
}

/// The machine's host name, the default label of its partial.
func machineName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "host" : name
}

/// `triage merge`: the report of many hosts from their partials.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge partial summaries (written with --format partial on each host) into one report, or into one partial.",
        discussion: """
            The merged report equals one run over all the hosts' logs (Docs/ScaleOut.md), whatever \
            the order of the partials. A merge may write a partial itself (--format partial -o FILE), so \
            merges can form a tree. Deploys may be given here (--deploy, --deploys): they are compared on \
            the merged per-second series, with the window the partials were written with (--deploy-window \
            on the hosts, default 30m). Deploys given to 'triage --format partial' instead are counted as \
            lines are read; partials written with other deploys or limits are left out and named. Exit \
            status: 0 merged; 2 a partial could not be read or merged (the report covers the others), or \
            a deploys file could not be read; 64 usage error.
            """
    )

    @Argument(help: ArgumentHelp("Partials (plain or gzip); - reads one from standard input.", valueName: "partial"))
    var partials: [String] = []

    @Option(name: .customLong("format"), help: "Report format: terminal, json, markdown, html or partial.")
    var reportFormat: ReportFormat = .terminal

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write the report to this file, atomically.", valueName: "file"))
    var output: String?

    @Option(help: "Colour: auto (only on a terminal, honours NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Option(help: "Length of the top lists (routes, upstreams).")
    var top: Int = 10

    @Option(name: .customLong("deploys"),
            help: ArgumentHelp("File of deploy markers: 'TIME LABEL' lines, JSON lines or CSV with a header.", valueName: "path"))
    var deploysFile: String?

    @Option(name: .customLong("deploy"), help: ArgumentHelp("A deploy marker (repeatable).", valueName: "TIME[=LABEL]"))
    var deploys: [String] = []

    @Option(help: ArgumentHelp("The reference for relative deploy times (now-30m): default the clock.", valueName: "time"))
    var now: String?

    mutating func validate() throws {
        guard !partials.isEmpty else { throw ValidationError("give one or more partials (written by 'triage --format partial -o FILE')") }
        if partials.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be read only once") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        try validateDeployArguments(deploys)
        if reportFormat == .partial && output == nil {
            throw ValidationError("--format partial is binary: give -o FILE, or -o - to write it to standard output")
        }
    }

    func run() throws {
        var options = AnalysisOptions()
        options.top = top
        options.now = try resolveNow(now)
        do {
            options.deploys = try deploys.map(DeployMarker.init(argument:))
            if let deploysFile { options.deploys += try DeployFile.read(path: deploysFile) }
        } catch let error as TriageError {
            writeStandardError("triage: \(error.description)\n")
            throw ExitCode(2)
        }
        let (analyzer, errors) = Analyzer.merge(partials: partials, options: options)
        let summary = analyzer.finish()
        let written = writeReport(reportFormat, analyzer: analyzer, summary: summary, output: output, color: color,
                                  host: nil)
        for error in errors { writeStandardError("triage: \(error.description)\n") }
        if !errors.isEmpty || !written { throw ExitCode(2) }
    }
}

/// A `--deploy` the command line gives that reads as no time is a usage error (exit 64), as
/// in `triage check`; a bad line of a `--deploys` file is an input error (exit 2).
func validateDeployArguments(_ deploys: [String]) throws {
    for deploy in deploys {
        do { _ = try DeployMarker(argument: deploy) } catch let error as TriageError {
            throw ValidationError(error.description)
        }
    }
}
