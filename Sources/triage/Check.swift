import ArgumentParser
import TriageCore
import TriageReport

/// `triage check`: the post-deploy gate for pipelines.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare the window after a deploy with the window before it (--deploy), or alert on a sustained 5xx rate (--for); exit non-zero on a real regression.",
        discussion: """
            A threshold fails the check only when it is breached and an exact test on the counts says \
            the excess is real (p < 0.01): a few errors on little traffic do not fail a deploy. The \
            log may still be growing: it is read to its current end, and the window after the deploy \
            ends at the newest line.

            By default the 5xx classes a deploy can cause are judged: all but proxy_error (rate limiting \
            and proxy configuration). The deploy fails when a threshold is breached, or when those 5xx \
            in total, one class, one route or a new signature rose significantly (the rule of the \
            report's deploy section). Every failed condition is printed on a line starting FAILED.

            Sustained-rate alerting: 'triage check --max-error-rate 1% --for 5m access.log' judges \
            the newest 5 minutes of the log (or the 5 before --now) and fails only when the rate \
            was above the limit in every minute with traffic and the excess is significant; \
            --baseline 1h also fails when every minute was above --max-increase times the hour before.

            Exit status: 0 healthy (or ok); 1 regression (or breach; also when an input had a problem: the problem is \
            printed on stderr and in the JSON's input_errors); 2 input problem (unreadable or damaged \
            log, no known format) and no regression; 3 not enough traffic to decide; 64 usage error.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .customLong("deploy"),
            help: ArgumentHelp("When the deploy happened, and its name: ISO 8601, epoch, CLF, or now-10m; =LABEL names it.",
                               valueName: "TIME[=LABEL]"))
    var deploys: [String] = []

    /// The one deploy judged (``validate()`` refuses more: the report compares several).
    var deploy: String? { deploys.last }

    @Option(help: ArgumentHelp("Length of the windows before and after the deploy (default 15m).", valueName: "duration"))
    var window: Duration?

    @Option(name: .customLong("for"),
            help: ArgumentHelp("Sustained-rate alerting, without --deploy: fail when the 5xx rate was above --max-error-rate in every minute of the DURATION before the newest line's minute (or before --now), significantly.",
                               valueName: "duration"))
    var sustained: Duration?

    @Option(help: ArgumentHelp("With --for: also compare with the DURATION before it, failing when every minute was above --max-increase times its rate.",
                               valueName: "duration"))
    var baseline: Duration?

    @Option(name: .customLong("max-error-rate"), help: ArgumentHelp("Highest acceptable 5xx rate after the deploy, e.g. 1% or 0.01 (at most 100%); 'off' disables.", valueName: "rate"))
    var maxErrorRate: String = "5%"

    @Option(name: .customLong("max-increase"), help: ArgumentHelp("Highest acceptable ratio of the 5xx rate after to before, e.g. 2x; 'off' disables.", valueName: "factor"))
    var maxIncrease: String = "2x"

    @Option(name: .customLong("max-p95-increase"), help: ArgumentHelp("Highest acceptable ratio of the request time's p95 after the deploy to before, e.g. 2x; judged only when given ('off': not judged).", valueName: "factor"))
    var maxP95Increase: String = "off"

    @Option(name: .customLong("min-requests"), help: "Fewer requests than this in a window cannot be judged (exit 3), unless the evidence is overwhelming (p < 0.000001).")
    var minRequests: Int = 100

    @Option(help: ArgumentHelp("The 5xx classes judged, comma-separated, or 'all' (default: every 5xx class but proxy_error).",
                               valueName: "classes"))
    var classes: String?

    @Option(name: .customLong("format"), help: "Output: terminal or json.")
    var outputFormat: CheckFormat = .terminal

    @Option(help: ArgumentHelp("Reference time for now-10m (default: the clock); with --for, the end of the judged span (default: the newest line).", valueName: "time"))
    var now: String?

    mutating func validate() throws {
        guard minRequests >= 1 else { throw ValidationError("--min-requests must be at least 1") }
        _ = try parsedRate()
        _ = try parsedIncrease()
        _ = try Self.factor(maxP95Increase, option: "--max-p95-increase")
        _ = try parsedClasses()
        if deploys.count > 1 {
            throw ValidationError("check judges one deploy: give one --deploy (the report, 'triage --deploy … --deploy …', compares several)")
        }
        switch (deploy, sustained) {
        case (nil, nil):
            throw ValidationError("give --deploy TIME (the post-deploy gate) or --for DURATION (sustained-rate alerting)")
        case (.some, .some):
            throw ValidationError("--deploy and --for are two modes: give one")
        case let (deploy?, nil):
            do { _ = try DeployMarker(argument: deploy) } catch let error as TriageError {
                throw ValidationError(error.description)
            }
            if baseline != nil { throw ValidationError("--baseline belongs to --for; with --deploy the window before it is the baseline") }
        case (nil, .some):
            if window != nil { throw ValidationError("--window belongs to --deploy; with --for the span is --for") }
            if maxP95Increase != "off" { throw ValidationError("--max-p95-increase belongs to --deploy: it compares the windows around a deploy") }
            for (name, value) in [("--for", sustained), ("--baseline", baseline)] {
                if let value, value.seconds % 60 != 0 {
                    throw ValidationError("\(name) is counted in whole minutes (1m, 5m, 1h): the rate is judged minute by minute")
                }
            }
            if now == nil && (input.files.contains("-") || input.files.isEmpty) {
                throw ValidationError("--for on standard input needs --now TIME: the newest line cannot be found without reading the input twice")
            }
            if try parsedRate() == nil && (baseline == nil || (try parsedIncrease()) == nil) {
                throw ValidationError("--for judges --max-error-rate, or --max-increase against a --baseline: give one")
            }
        }
    }

    func parsedRate() throws -> Double? {
        try Self.rate(maxErrorRate, option: "--max-error-rate")
    }

    /// A rate like `1%` or `0.01`; nil for `off`. Over 100% or negative is a usage error.
    static func rate(_ text: String, option: String) throws -> Double? {
        if text == "off" { return nil }
        let isPercent = text.hasSuffix("%")
        guard let value = Double(isPercent ? String(text.dropLast()) : text), value.isFinite, value >= 0 else {
            throw ValidationError("\(option): '\(text)' is not a rate like 1% or 0.01")
        }
        let rate = isPercent ? value / 100 : value
        guard rate <= 1 else { throw ValidationError("\(option): '\(text)' is more than 100%") }
        return rate
    }

    func parsedIncrease() throws -> Double? {
        try Self.factor(maxIncrease, option: "--max-increase")
    }

    /// A factor like `2x` or `1.5`, at least 1; nil for `off`.
    static func factor(_ text: String, option: String) throws -> Double? {
        if text == "off" { return nil }
        let number = text.hasSuffix("x") ? String(text.dropLast()) : text
        guard let value = Double(number), value.isFinite, value >= 1 else { throw ValidationError("\(option): '\(text)' is not a factor like 2x (at least 1)") }
        return value
    }

    func parsedClasses() throws -> Set<FailureClass> {
        guard let classes else { return DeployComparison.gateClasses }
        if classes == "all" { return Set(FailureClass.allCases.filter(\.isServerError)) }
        var chosen = Set<FailureClass>()
        for name in classes.split(separator: ",").map({ String($0.filter { $0 != " " }) }) {
            guard let c = FailureClass(identifier: name), c.isServerError else {
                let known = FailureClass.allCases.filter(\.isServerError).map(\.identifier).joined(separator: ", ")
                throw ValidationError("--classes: '\(name)' is not a 5xx class (\(known), or all)")
            }
            chosen.insert(c)
        }
        guard !chosen.isEmpty else { throw ValidationError("--classes: name at least one class") }
        return chosen
    }

    func run() throws {
        guard let deploy else { return try runSustained() }
        var options = AnalysisOptions()
        try input.apply(to: &options)
        options.now = try resolveNow(now)
        options.deployWindow = window?.seconds ?? 900
        options.deploys = [try DeployMarker(argument: deploy)]
        options.leavesPartialLastLine = true // the log may be mid-write
        let outcome = Analyzer(options: options).run(paths: input.files)
        let inputErrors = outcome.errors.map(\.description)
        guard let comparison = outcome.summary.deploys.first else {
            for error in inputErrors { writeStandardError("triage: \(error)\n") }
            throw ExitCode(2)
        }
        var thresholds = DeployGate.Thresholds()
        thresholds.maxErrorRate = try parsedRate()
        thresholds.maxIncrease = try parsedIncrease()
        thresholds.maxP95Increase = try Self.factor(maxP95Increase, option: "--max-p95-increase")
        thresholds.minRequests = minRequests
        var gate = DeployGate(comparison: comparison, classes: try parsedClasses(), thresholds: thresholds)
        if comparison.after.requests == 0, let last = outcome.summary.lastTime, last < comparison.time {
            // A deploy time past the log: a wrong time, or a log that has not caught up yet.
            gate.reason += "; the deploy is after the newest line (\(Timestamp.rfc3339(last))): check its time, or run again once traffic arrives"
        }
        let exitCode = CheckExit.status(verdict: gate.verdict, hasInputErrors: !inputErrors.isEmpty)
        let written: Bool
        switch outputFormat {
        case .json:
            written = writeStandardOutput(CheckRenderer().renderJSON(gate: gate, comparison: comparison, exitCode: exitCode, inputErrors: inputErrors))
        default:
            written = writeStandardOutput(CheckRenderer(width: terminalWidthIfTerminal()).render(gate: gate, comparison: comparison, exitCode: exitCode, inputErrors: inputErrors))
        }
        for error in inputErrors { writeStandardError("triage: \(error)\n") }
        // A verdict nobody could read is no verdict: a failed write is exit 2, as an unreadable log.
        if !written { throw ExitCode(2) }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// `--for`: judges the newest stretch (or the one before `--now`) on its own, and against a baseline.
    private func runSustained() throws {
        guard let sustained else { return }
        var options = AnalysisOptions()
        try input.apply(to: &options)
        options.leavesPartialLastLine = true
        // The span is whole minutes: up to the newest line's minute (excluded), or to --now.
        let end: Int64
        if let now {
            // Whole minutes, as the rate is judged: the minute --now falls in is not part of the span.
            let time = try resolveNow(now)
            end = time - ((time % 60) + 60) % 60
        } else {
            guard let newest = Analyzer(options: options).newestTime(RotatedSet.oldestFirst(input.files)) else {
                writeStandardError("triage: no timed line could be read to find the newest stretch of the log: give --now TIME\n")
                throw ExitCode(2)
            }
            // The newest line's minute is still being written: a few seconds of it would stand for a minute.
            end = newest - ((newest % 60) + 60) % 60
        }
        let start = end - sustained.seconds
        let baselineSeconds = baseline?.seconds
        options.since = .absolute(start - (baselineSeconds ?? 0))
        options.until = .absolute(end)
        // A marker at the span's start collects its per-route counts in its "after" window.
        options.deploys = [DeployMarker(time: .absolute(start), label: "span", origin: "--for")]
        options.deployWindow = sustained.seconds
        options.now = end
        let outcome = Analyzer(options: options).run(paths: input.files)
        let inputErrors = outcome.errors.map(\.description)
        let classes = try parsedClasses()
        let alert = SustainedRateCheck(timeline: outcome.summary.timeline, spanStart: start, spanEnd: end,
                                       baselineSeconds: baselineSeconds, classes: classes,
                                       maxErrorRate: try parsedRate(), maxIncrease: try parsedIncrease(),
                                       minRequests: minRequests)
        var routes: [String: Int] = [:]
        for s in outcome.summary.deploys.first?.signatureCounts ?? [] where classes.contains(s.failureClass) && s.after > 0 {
            routes[s.route.isEmpty ? s.method : "\(s.method) \(s.route)", default: 0] += s.after
        }
        let topRoutes = routes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map { (route: $0.key, errors: $0.value) }
        let exitCode = CheckExit.status(breach: alert.verdict == .breach, insufficient: alert.verdict == .insufficientData,
                                        hasInputErrors: !inputErrors.isEmpty)
        let renderer = CheckRenderer(width: terminalWidthIfTerminal())
        switch outputFormat {
        case .json:
            writeStandardOutput(renderer.renderJSON(sustained: alert, classes: classes, topRoutes: topRoutes,
                                                    exitCode: exitCode, inputErrors: inputErrors))
        default:
            writeStandardOutput(renderer.render(sustained: alert, classes: classes, topRoutes: topRoutes,
                                                exitCode: exitCode, inputErrors: inputErrors))
        }
        for error in inputErrors { writeStandardError("triage: \(error)\n") }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

/// The exit status of `triage check` (Docs/ExitCodes.md): a regression is never
/// hidden by an input problem, and an input problem is never hidden by a lack
/// of traffic (the missing input may be why there is too little).
enum CheckExit {
    static func status(verdict: DeployGate.Verdict, hasInputErrors: Bool) -> Int32 {
        status(breach: verdict == .regression, insufficient: verdict == .insufficientData, hasInputErrors: hasInputErrors)
    }

    static func status(breach: Bool, insufficient: Bool, hasInputErrors: Bool) -> Int32 {
        if breach { return 1 }
        if hasInputErrors { return 2 }
        return insufficient ? 3 : 0
    }
}

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json
}
