/// Failures that stop the work on one input (or the whole run).
///
/// A problem confined to one line is never a `TriageError`: it is a counted
/// ``Diagnostic`` and the rest of the input is still processed.
public enum TriageError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    /// The gzip stream ended before its last member was complete.
    case gzipTruncated(path: String, compressedOffset: Int64)
    /// The data is not valid gzip; `code` is the engine's return code (zlib's or
    /// ISA-L's), and `message` names the engine ("ISA-L error -1: …") or says
    /// `gzip:` for the header checks both engines share.
    case gzipCorrupt(path: String, compressedOffset: Int64, code: Int32, message: String)
    case invalidFormat(String)
    case unknownPreset(String)
    case nginxConfig(path: String, reason: String)
    case noFormatFits(path: String, explanation: String)
    /// The format the user gave matches none of the input's first lines.
    case givenFormatDoesNotFit(path: String, format: String, explanation: String)
    case regex(pattern: String, message: String)
    /// A `--route-rule` that cannot be used.
    case routeRule(String)
    /// The report (or the state file) could not be written to `path`.
    case writeFailed(path: String, reason: String)
    /// A partial summary (`triage merge`) that cannot be read or merged, or cannot be written.
    case partial(path: String, reason: String)
    /// The --state file cannot be used.
    case state(path: String, reason: String)
    /// Another run holds the --state file's lock (exit 75: try again later).
    case stateLocked(path: String, waitedSeconds: Int)
    /// A relative --since/--until without a newest line to count back from.
    case noTimeReference(String)
    /// Every line of an input with text is over `--max-line-length`: none could be matched.
    case onlyOverlongLines(path: String, lines: Int, limit: Int)
    /// A deploy marker that cannot be read; `origin` is `file:line` or `--deploy`.
    case deploys(origin: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .readFailed(path, reason): return "\(path): read failed: \(reason)"
        case let .gzipTruncated(path, offset):
            return "\(path): gzip stream truncated at compressed byte \(offset); lines before it were analysed"
        case let .gzipCorrupt(path, offset, _, message):
            // `message` names who found the damage: "zlib error -3: …", "ISA-L error -1: …" or "gzip: …".
            return "\(path): gzip data corrupt at compressed byte \(offset) (\(message)); lines before it were analysed"
        case let .invalidFormat(reason): return "invalid log format: \(reason)"
        case let .unknownPreset(name):
            return "unknown log format '\(name)': use a preset (\(LogFormat.presetNames.joined(separator: ", "))), 'nginx:FORMAT', 'apache:FORMAT', or a log_format name with --nginx-conf"
        case let .nginxConfig(path, reason): return "\(path): \(reason)"
        case let .noFormatFits(path, explanation): return "\(path): no known log format fits.\n\(explanation)"
        case let .givenFormatDoesNotFit(path, format, explanation):
            return "\(path): the given format does not fit (format '\(format)').\n\(explanation)"
        case let .regex(pattern, message): return "invalid regular expression '\(pattern)': \(message)"
        case let .routeRule(reason): return "--route-rule \(reason)"
        case let .writeFailed(path, reason): return "\(path): cannot write: \(reason)"
        case let .partial(path, reason): return "\(path): partial: \(reason)"
        case let .deploys(origin, reason): return "\(origin): \(reason)"
        case let .onlyOverlongLines(path, lines, limit):
            return "\(path): every line with text (\(lines)) is over \(limit) bytes (--max-line-length), so none could be read: counted as malformed"
        case let .noTimeReference(reason): return reason
        case let .state(path, reason): return "state file \(path): \(reason)"
        case let .stateLocked(path, waited):
            return "state file \(path): another triage run is using it (waited \(waited) s for its lock \(path).lock); nothing was read, so no line is counted twice: run again later"
        }
    }
}
