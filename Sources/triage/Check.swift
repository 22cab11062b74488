import ArgumentParser
import TriageCore
import TriageReport

/// `triage check`: the post-deploy gate for pipelines.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare the window after a deploy with the window before it; exit non-zero on a real regression.",
        discussion: """
            A threshold fails the check only when it is breached and an exact test on the counts says \
            the excess is real (p < 0.01): a few errors on little traffic do not fail a deploy. The \
            log may still be growing: it is read to its current end, and the window after the deploy \
            ends at the newest line.

            Exit status: 0 healthy; 1 regression (a threshold breached, and real); 2 input problem \
            (unreadable or damaged log, no known format, bad deploy time); 3 not enough traffic to decide; \
            64 usage error.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("When the deploy happened: ISO 8601, epoch, CLF, or now-10m.", valueName: "time"))
    var deploy: String

    @Option(help: ArgumentHelp("Length of the windows before and after the deploy.", valueName: "duration"))
    var window: Duration = Duration(argument: "15m") ?? Duration(seconds: 900)

    @Option(name: .customLong("max-error-rate"), help: ArgumentHelp("Highest acceptable 5xx rate after the deploy, e.g. 1% or 0.01; 'off' disables.", valueName: "rate"))
    var maxErrorRate: String = "5%"

    @Option(name: .customLong("max-increase"), help: ArgumentHelp("Highest acceptable ratio of the 5xx rate after to before, e.g. 2x; 'off' disables.", valueName: "factor"))
    var maxIncrease: String = "2x"

    @Option(name: .customLong("min-requests"), help: "Fewer requests than this in a window cannot be judged (exit 3).")
    var minRequests: Int = 100

    @Option(name: .customLong("format"), help: "Output: terminal or json.")
    var outputFormat: CheckFormat = .terminal

    @Option(help: ArgumentHelp("Reference time for now-10m (default: the clock).", valueName: "time"))
    var now: String?

    mutating func validate() throws {
        guard minRequests >= 1 else { throw ValidationError("--min-requests must be at least 1") }
        _ = try parsedRate()
        _ = try parsedIncrease()
        guard TimeSpec(deploy) != nil else {
            throw ValidationError("--deploy: cannot read a time from '\(deploy)' (ISO 8601, epoch seconds or ms, 21/Nov/2026:10:00:00 +0000, or now-10m)")
        }
    }

    func parsedRate() throws -> Double? {
        if maxErrorRate == "off" { return nil }
        let text = maxErrorRate.hasSuffix("%") ? String(maxErrorRate.dropLast()) : maxErrorRate
        guard let value = Double(text), value >= 0 else { throw ValidationError("--max-error-rate: '\(maxErrorRate)' is not a rate like 1% or 0.01") }
        return maxErrorRate.hasSuffix("%") ? value / 100 : value
    }

    func parsedIncrease() throws -> Double? {
        if maxIncrease == "off" { return nil }
        let text = maxIncrease.hasSuffix("x") ? String(maxIncrease.dropLast()) : maxIncrease
        guard let value = Double(text), value >= 1 else { throw ValidationError("--max-increase: '\(maxIncrease)' is not a factor like 2x (at least 1)") }
        return value
    }

    func run() throws {
        var options = AnalysisOptions()
        try input.apply(to: &options)
        options.now = try resolveNow(now)
        options.deployWindow = window.seconds
        options.deploys = [try DeployMarker(argument: deploy)]
        options.leavesPartialLastLine = true // the log may be mid-write
        let outcome = Analyzer(options: options).run(paths: input.files)
        guard let comparison = outcome.summary.deploys.first else { throw ExitCode(2) }
        var thresholds = DeployGate.Thresholds()
        thresholds.maxErrorRate = try parsedRate()
        thresholds.maxIncrease = try parsedIncrease()
        thresholds.minRequests = minRequests
        let gate = DeployGate(before: comparison.before, after: comparison.after, thresholds: thresholds)
        let exitCode: Int32 = outcome.errors.isEmpty ? gate.verdict.exitCode : 2
        switch outputFormat {
        case .json:
            writeStandardOutput(CheckRenderer().renderJSON(gate: gate, comparison: comparison, exitCode: exitCode))
        default:
            writeStandardOutput(CheckRenderer().render(gate: gate, comparison: comparison, exitCode: exitCode))
        }
        for error in outcome.errors { writeStandardError("triage: \(error.description)\n") }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json
}
