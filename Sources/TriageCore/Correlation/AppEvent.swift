/// One application-log event that carries a request ID: a log line and the
/// lines that continue it (a stack trace, a multi-line message, the repeated
/// lines of a Rails FATAL block).
public struct AppEvent: Sendable {
    public var path: String
    /// The line the event starts on (1-based).
    public var line: Int
    /// The request ID's key (``RequestID/normalize(_:into:)``) and the ID as written.
    public var key: [UInt8]
    public var displayID: String
    public var time: Int64?
    /// The time had no zone: it was read as UTC and may be off by the writer's offset.
    public var timeIsZoneless = false
    public var severity: AppSeverity
    /// Text lines: the first line's message (after time, level and tags), then each
    /// continuation line as written. For JSON: the stack text, one line each.
    public var lines: [String] = []
    /// What a JSON event names outright.
    public var message: String?
    public var exceptionType: String?
    public var exceptionMessage: String?
    /// Frames a JSON event lists as objects (`exception.Trace[]` in Nextcloud).
    public var structuredFrames: [String] = []
    /// Lines left out because the event exceeded ``AppEventAssembler/maxLines``.
    public var droppedLines = 0

    public init(path: String, line: Int, key: [UInt8], displayID: String, time: Int64?, severity: AppSeverity) {
        self.path = path
        self.line = line
        self.key = key
        self.displayID = displayID
        self.time = time
        self.severity = severity
    }
}
