/// Groups application-log lines into events and hands over those with a request ID.
///
/// The prefix Kubernetes writes before each line of a container's log
/// (``AppLineScanner/containerPrefix(_:)``) is set aside first; its time is
/// used when the line's own has no zone.
///
/// A line starts an event when it has a time stamp in its first 64 bytes, starts
/// with its level (`ERROR:root:…`), a Ruby Logger mark (`E, [`), `panic: ` or
/// `Exception in thread`, or is one JSON object. Any other line continues the
/// event before it when it is indented or that event is an error (Python
/// tracebacks, Java `at …`/`Caused by:`, Go `goroutine N [running]:` and frames,
/// Node `at …`, SQL in a Rails error); otherwise it starts an event of its own
/// without an ID. Error lines that repeat the ID of an open error event join it:
/// Rails writes a FATAL block as many lines, each tagged with the request, and
/// other requests' lines may come between them.
///
/// Memory is bounded: only events whose ID `wants` accepts are kept, at most
/// ``maxOpenEvents`` at a time (the least recently extended one is handed over
/// first) and ``maxLines`` lines each. Lines are fed one at a time, so the result
/// does not depend on how the input was cut into reads.
final class AppEventAssembler {
    static let maxOpenEvents = 256
    static let maxLines = 200
    static let maxLineBytes = 1024

    let path: String
    private let scanner: AppLineScanner
    private let wants: ([UInt8]) -> Bool
    private let emit: (AppEvent) -> Void
    private let json = JSONScanner()

    private final class Open {
        var event: AppEvent
        var touched: Int
        /// The time of the last line that joined it (a block's lines come within a second).
        var lastTime: Int64?
        init(_ event: AppEvent, touched: Int, lastTime: Int64?) {
            self.event = event
            self.touched = touched
            self.lastTime = lastTime
        }
    }

    /// A tagged error line joins an open block only when it comes within this many
    /// seconds of the block's last line: Rails writes a block at once, while an ID that
    /// recurs later (a periodic task's, a retry's) is a new event.
    static let blockGapSeconds: Int64 = 1

    private static func isContiguous(_ previous: Int64?, _ next: Int64?) -> Bool {
        guard let previous, let next else { return true }
        return abs(next - previous) <= blockGapSeconds
    }

    private var open: [[UInt8]: Open] = [:]
    /// Keys of the text error events whose ID is not wanted: the later lines of their
    /// Rails FATAL blocks join them in the counts as they would join a kept event, so
    /// the counts do not depend on `wants`. Two generations of at most ``maxOpenEvents``
    /// each: when the newer fills up it becomes the older and the older is dropped, so
    /// a busy log of other requests' errors costs no search for the oldest.
    /// Hashes (``ByteKeyTable/hash(_:)``) of the IDs of unkept error blocks with the time of
    /// their last line: only counts depend on them, so a hash collision costs nothing else.
    private var unkept: [UInt64: Int64?] = [:]
    private var unkeptOlder: [UInt64: Int64?] = [:]
    private var keyHash: UInt64 = 0
    private var clock = 0
    private var line = AppLine()
    private var key: [UInt8] = []
    /// The event continuation lines belong to, when it is kept.
    private var last: Open?
    /// The level of the last event, kept or not; nil before the first. An error takes
    /// unindented continuation lines; an unknown level becomes an error when a
    /// stack trace follows it.
    private var lastSeverity: AppSeverity?
    private var lastHasID = false

    /// Events (a line that starts one, with or without an ID), errors among them, and
    /// errors with an ID. An event is an error by its first line's level, or by a stack
    /// trace that starts it or follows a first line of unknown level.
    private(set) var lines = 0
    private(set) var events = 0
    private(set) var errorEvents = 0
    private(set) var errorEventsWithID = 0

    init(path: String, scanner: AppLineScanner, wants: @escaping ([UInt8]) -> Bool, emit: @escaping (AppEvent) -> Void) {
        self.path = path
        self.scanner = scanner
        self.wants = wants
        self.emit = emit
    }

    /// Reads and groups one line.
    func feed(_ p: UnsafeBufferPointer<UInt8>, number: Int) {
        let prefix = Self.prescan(p, scanner: scanner, into: &line)
        assemble(UnsafeBufferPointer(rebasing: p[prefix...]), number: number)
    }

    /// Reads and groups one line that ``prescan(_:scanner:into:)`` has read (perhaps on
    /// another thread): `p` is the line after its container prefix, `scanned` what was read.
    func feed(scanned: AppLine, _ p: UnsafeBufferPointer<UInt8>, number: Int) {
        line = scanned
        assemble(p, number: number)
    }

    /// Counts `count` lines that each start an event without an ID (`errors` of them
    /// errors, the last of level `last`): what ``feed(_:number:)`` does with such lines.
    func countEvents(_ count: Int, errors: Int, last severity: AppSeverity) {
        lines += count
        events += count
        errorEvents += errors
        lastSeverity = severity
        lastHasID = false
        last = nil
    }

    /// The first stage, which depends on no line before: sets the container prefix aside,
    /// finds the time, level and (for lines that may be kept) the ID. Returns the prefix's
    /// length; `line` describes the bytes after it. Needs only `scanner`, so lines can be
    /// read on worker threads, each with its own scanner, and grouped in order after.
    static func prescan(_ p: UnsafeBufferPointer<UInt8>, scanner: AppLineScanner, into line: inout AppLine) -> Int {
        var p = p
        var containerTime: Int64?
        var prefixLength = 0
        if let prefix = AppLineScanner.containerPrefix(p) {
            p = UnsafeBufferPointer(rebasing: p[prefix.length...])
            containerTime = prefix.time
            prefixLength = prefix.length
        }
        scanner.scan(p, into: &line)
        // Only errors and lines of unknown level can be kept: the others need no ID.
        if line.isEventStart, !line.isJSON, line.severity == .error || line.severity == .unknown {
            scanner.readDetails(p, into: &line)
        }
        if let containerTime, (line.time == nil && line.timeRange == nil) || line.timeIsZoneless {
            line.time = containerTime
            line.timeIsZoneless = false
        }
        return prefixLength
    }

    /// The second stage, in input order: `line` holds what the first read of `p`.
    private func assemble(_ p: UnsafeBufferPointer<UInt8>, number: Int) {
        lines += 1
        if line.isEventStart {
            startEvent(p, number: number)
        } else {
            continueEvent(p)
        }
    }

    private func continueEvent(_ p: UnsafeBufferPointer<UInt8>) {
        let startsStackTrace = !line.isIndented && Self.startsStackTrace(p)
        if lastSeverity == .unknown, line.isIndented ? Self.looksLikeFrame(p) : startsStackTrace {
            // `log.Printf(…)` then `debug.Stack()`, or a message then `Traceback …`.
            lastSeverity = .error
            errorEvents += 1
            if lastHasID { errorEventsWithID += 1 }
            last?.event.severity = .error
        }
        if p.isEmpty || line.isIndented || lastSeverity == .error {
            append(p, to: last)
            return
        }
        // An unindented line after an event that is no error: an event of its own, without an ID.
        events += 1
        last = nil
        lastHasID = false
        lastSeverity = startsStackTrace || line.severity == .error ? .error : .unknown
        if lastSeverity == .error { errorEvents += 1 }
    }

    private func startEvent(_ p: UnsafeBufferPointer<UInt8>, number: Int) {
        let isError = line.severity == .error
        guard let idRange = line.id, RequestID.normalize(UnsafeBufferPointer(rebasing: p[idRange]), into: &key) else {
            countEvent(severity: line.severity, hasID: false)
            last = nil
            return
        }
        clock += 1
        // Rails writes a FATAL block as many error lines, each tagged with the request, and
        // other requests' lines may come between them: a text error line joins the open
        // error event with its ID.
        let joinsBlock = isError && !line.isJSON
        // Kept events are wanted ones: an ID no 5xx carries needs no lookup among them.
        let isWanted = wants(key)
        keyHash = key.withUnsafeBufferPointer { ByteKeyTable<Int>.hash($0) }
        if isWanted, let existing = open[key] {
            if joinsBlock, existing.event.severity == .error, existing.event.message == nil,
               Self.isContiguous(existing.lastTime, line.time) {
                existing.touched = clock
                if let time = line.time { existing.lastTime = time }
                append(UnsafeBufferPointer(rebasing: p[line.messageStart...]), to: existing)
                last = existing
                lastSeverity = .error
                lastHasID = true
                return
            }
            open[key] = nil
            emit(existing.event)
        } else if let previous = unkept[keyHash] ?? unkeptOlder[keyHash] {
            if joinsBlock, Self.isContiguous(previous, line.time) {
                rememberUnkept()
                last = nil
                lastSeverity = .error
                lastHasID = true
                return
            }
            unkept[keyHash] = nil
            unkeptOlder[keyHash] = nil
        }
        countEvent(severity: line.severity, hasID: true)
        // Only errors and events of unknown level (which a stack trace may yet make errors) are kept.
        guard line.severity == .error || line.severity == .unknown, isWanted else {
            last = nil
            if joinsBlock { rememberUnkept() }
            return
        }
        let displayID = LogText.display(UnsafeBufferPointer(rebasing: p[idRange]))
        var event = AppEvent(path: path, line: number, key: key, displayID: displayID, time: line.time,
                             severity: line.severity)
        event.timeIsZoneless = line.timeIsZoneless
        if line.isJSON {
            readJSONDetails(p, into: &event)
        } else {
            event.lines.append(Self.text(UnsafeBufferPointer(rebasing: p[line.messageStart...])))
        }
        let entry = Open(event, touched: clock, lastTime: line.time)
        open[key] = entry
        last = entry
        if open.count > Self.maxOpenEvents { evictOldest() }
    }

    /// Puts `key` in the newer generation of unkept error events.
    private func rememberUnkept() {
        unkeptOlder[keyHash] = nil
        if unkept.count >= Self.maxOpenEvents, unkept[keyHash] == nil {
            unkeptOlder = unkept
            unkept = [:]
        }
        unkept[keyHash] = .some(line.time)
    }

    private func countEvent(severity: AppSeverity, hasID: Bool) {
        events += 1
        if severity == .error {
            errorEvents += 1
            if hasID { errorEventsWithID += 1 }
        }
        lastSeverity = severity
        lastHasID = hasID
    }

    /// Hands over every event still open (end of the input).
    func finish() {
        for entry in open.values.sorted(by: { $0.touched < $1.touched }) { emit(entry.event) }
        open.removeAll()
        unkept.removeAll()
        unkeptOlder.removeAll()
        last = nil
        lastSeverity = nil
    }

    private func append(_ p: UnsafeBufferPointer<UInt8>, to entry: Open?) {
        guard let entry else { return }
        if entry.event.lines.count >= Self.maxLines {
            entry.event.droppedLines += 1
            return
        }
        entry.event.lines.append(Self.text(p))
    }

    private func evictOldest() {
        guard let oldest = open.min(by: { $0.value.touched < $1.value.touched }) else { return }
        open[oldest.key] = nil
        if last === oldest.value { last = nil }
        emit(oldest.value.event)
    }

    /// The line as display text, trailing spaces dropped and each tab four spaces
    /// (Java and Go indent frames with tabs, which `display` would show as `\x09`).
    static func text(_ p: UnsafeBufferPointer<UInt8>) -> String {
        var end = min(p.count, maxLineBytes)
        while end > 0, p[end - 1] == 0x0D || p[end - 1] == 0x20 || p[end - 1] == 0x09 { end -= 1 }
        let cut = UnsafeBufferPointer(rebasing: p[..<end])
        guard cut.contains(0x09) else { return LogText.display(cut) }
        var expanded: [UInt8] = []
        expanded.reserveCapacity(end + 16)
        for b in cut {
            if b == 0x09 { expanded.append(contentsOf: [0x20, 0x20, 0x20, 0x20]) } else { expanded.append(b) }
        }
        return LogText.display(expanded)
    }

    /// `Traceback (most recent call last):`, `panic: …`, `goroutine 1 [running]:`.
    static func startsStackTrace(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        AppLineScanner.startsWith(p, "Traceback (most recent call last)") || AppLineScanner.startsWith(p, "panic: ")
            || AppLineScanner.startsWith(p, "goroutine ") || AppLineScanner.startsWith(p, "Exception in thread ")
    }

    /// `\tat …`, `  File "…", line N`, `    at fn (file.js:1:2)`, `\t/x.go:12 +0x1d`.
    static func looksLikeFrame(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let head = UnsafeBufferPointer(rebasing: p.prefix(120))
        let indent = head.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? head.count
        let text = UnsafeBufferPointer(rebasing: head[indent...])
        if AppLineScanner.startsWith(text, "at ") || AppLineScanner.startsWith(text, "File \"")
            || AppLineScanner.startsWith(text, "Traceback") || AppLineScanner.startsWith(text, "Caused by:")
            || AppLineScanner.startsWith(text, "goroutine ") { return true }
        // `.go:` anywhere in the line's start: a Go frame's file line.
        for i in text.indices.dropLast(3) where text[i] == UInt8(ascii: ".") && text[i + 1] == UInt8(ascii: "g")
            && text[i + 2] == UInt8(ascii: "o") && text[i + 3] == UInt8(ascii: ":") { return true }
        return false
    }

    // MARK: - JSON details

    /// Reads the message, exception and stack of a JSON event (only for kept events).
    private func readJSONDetails(_ p: UnsafeBufferPointer<UInt8>, into event: inout AppEvent) {
        var frames: [Int: (file: String, type: String, function: String)] = [:]
        var stack: String?
        guard let start = p.firstIndex(of: UInt8(ascii: "{")) else { return }
        _ = json.scan(p, from: start) { path, kind, value in
            guard kind == .string || kind == .number else { return }
            let bytes = UnsafeBufferPointer(rebasing: p[value])
            guard !bytes.isEmpty else { return }
            func decoded() -> String { kind == .string ? JSONScanner.decodeString(bytes) : LogText.display(bytes) }
            switch AppJSONKeys.role(of: path) {
            case .message?: if event.message == nil { event.message = decoded() }
            case .exceptionType?: if event.exceptionType == nil { event.exceptionType = decoded() }
            case .exceptionMessage?: if event.exceptionMessage == nil { event.exceptionMessage = decoded() }
            case .stack?:
                // A stack as one string, or as an array of lines (`backtrace`).
                let text = decoded()
                stack = stack.map { $0 + "\n" + text } ?? text
            default:
                // Nextcloud: exception.Trace.N.{file,function,class}.
                let name = String(decoding: path, as: UTF8.self)
                let parts = name.split(separator: ".")
                guard parts.count >= 4, parts[parts.count - 3].lowercased() == "trace",
                      let index = Int(parts[parts.count - 2]), index < 20 else { return }
                var frame = frames[index] ?? ("", "", "")
                switch parts[parts.count - 1].lowercased() {
                case "file": frame.file = decoded()
                case "function": frame.function = decoded()
                case "class": frame.type = decoded()
                default: return
                }
                frames[index] = frame
            }
        }
        if let stack {
            event.lines = stack.split(separator: "\n", omittingEmptySubsequences: true).prefix(Self.maxLines).map {
                Array($0.utf8).withUnsafeBufferPointer(Self.text)
            }
        }
        event.structuredFrames = frames.keys.sorted().compactMap { index in
            guard let f = frames[index] else { return nil }
            let file = ErrorSignature.shortPath(f.file)
            let function = f.type.isEmpty ? f.function : "\(f.type)::\(f.function)"
            return function.isEmpty ? file : (file.isEmpty ? function : "\(file) in \(function)")
        }
    }
}
