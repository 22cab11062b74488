/// Reads server error logs (nginx, Apache) into an ``ErrorLogIndex``.
///
/// Every line is counted as exactly one of: an entry (a line that starts with
/// an error-log time stamp), a continuation of the entry before it (nginx keeps
/// the newlines of a FastCGI program's stderr inside its quoted message, so
/// `PHP message: …` lines follow until the one that closes the quote and
/// carries `, client: …`), a blank line, an access-log line (in an input that
/// interleaves both, such as a container's stdout), or an unrecognised line
/// (counted, with the first examples). Only entries that state a cause of the
/// table are kept in the index.
final class ErrorLogReader {
    let index: ErrorLogIndex
    private let maxLineLength: Int
    /// Continuation lines joined to one entry at most; beyond, the entry is closed.
    static let maxContinuationLines = 1_000
    static let exampleLimit = 5

    init(index: ErrorLogIndex, maxLineLength: Int) {
        self.index = index
        self.maxLineLength = maxLineLength
    }

    /// Reads one error log (plain or gzip, `-` for standard input).
    ///
    /// - Parameters:
    ///   - isInterleaved: the input also holds access-log lines (they are counted as such, not as unrecognised).
    ///   - isDetected: the input was given as an access log and recognised as an error log.
    func read(path: String, engine: InflateEngine, isInterleaved: Bool = false, isDetected: Bool = false,
              progress: ((_ bytesRead: Int64, _ size: Int64?, _ lines: Int) -> Void)? = nil)
        -> (TriageSummary.ErrorLogInput, TriageError?) {
        var stats = TriageSummary.ErrorLogInput(path: path)
        stats.isDetected = isDetected
        stats.isInterleaved = isInterleaved
        let input: OpenedInput
        switch InputOpener.openReportingErrors(path, engine: engine) {
        case .success(let opened): input = opened
        case .failure(let error):
            stats.error = error.description
            return (stats, error)
        }
        stats.isGzip = input.isGzip
        stats.path = input.displayPath
        let report = input.lineProgress(progress)
        let failure = read(input.source, path: input.displayPath, isInterleaved: isInterleaved, into: &stats,
                           progress: report)
        report?(stats.lines)
        stats.error = failure?.description
        return (stats, failure)
    }

    /// Reads error-log lines from `source` (tests feed memory sources in many read sizes).
    func read(_ source: ByteSource, path: String, isInterleaved: Bool, into stats: inout TriageSummary.ErrorLogInput,
              progress: ((Int) -> Void)? = nil) -> TriageError? {
        let input = index.addInput(path)
        let reader = LineReader(source: source, maxLineLength: maxLineLength)
        let envelope = EnvelopeChoice(joinLimit: maxLineLength)
        // The entry whose quoted message is still open: its time and what its first line said.
        var pending: (time: Int64, cause: ErrorCause?, isFastCGI: Bool, number: Int, continuations: Int)?
        var untilProgress = Analyzer.progressInterval

        func keep(_ parsed: ErrorLogLine, _ line: UnsafeBufferPointer<UInt8>, cause: ErrorCause?, number: Int,
                  upstream: UnsafeBufferPointer<UInt8>? = nil) {
            guard let cause else { return }
            stats.causes[cause] += 1
            if index.add(parsed, line: line, cause: cause, input: input, number: number, upstream: upstream) { stats.kept += 1 }
        }
        // Apache's mod_proxy writes one refused connect as two lines in the same second:
        // AH00957 names the backend's host:port but no client, then AH01114 names the client
        // and the backend's host alone. The first is held until the next line says whether
        // it is its pair: then they are one entry, with the AH00957's host:port. When the
        // connect put the worker in error, AH00959 ("disabling worker") comes between them
        // (`ap_proxy_connect_backend`): it is kept as its own line and the pair still joins.
        var heldConnect: (bytes: [UInt8], parsed: ErrorLogLine, cause: ErrorCause?, number: Int)?
        func flushHeld() {
            guard let held = heldConnect else { return }
            heldConnect = nil
            held.bytes.withUnsafeBufferPointer { keep(held.parsed, $0, cause: held.cause, number: held.number) }
        }
        // The last line may be a held AH00957, however reading ends.
        defer { flushHeld() }

        func unrecognised(_ line: UnsafeBufferPointer<UInt8>, number: Int, reason: String) {
            stats.unrecognised += 1
            if stats.examples.count < Self.exampleLimit {
                let excerpt = LogText.display(UnsafeBufferPointer(rebasing: line.prefix(120)))
                stats.examples.append(.init(path: path, line: number, reason: reason,
                                            excerpt: line.count > 120 ? excerpt + "…" : excerpt))
            }
        }

        do {
            try reader.forEachLine { line in
                stats.lines += 1
                untilProgress -= 1
                if untilProgress == 0 {
                    untilProgress = Analyzer.progressInterval
                    progress?(stats.lines)
                }
                if line.isOverlong {
                    pending = nil
                    unrecognised(line.bytes, number: line.number, reason: "line longer than \(maxLineLength) bytes (--max-line-length)")
                    return
                }
                let bytes: UnsafeBufferPointer<UInt8>
                switch envelope.payload(line.bytes) {
                case .line(let payload): bytes = payload
                case .heldPiece:
                    // Read with the piece that ends the line.
                    stats.continuationLines += 1
                    return
                case .joinedOverlong:
                    pending = nil
                    unrecognised(line.bytes, number: line.number, reason: "CRI pieces joined to over \(maxLineLength) bytes (--max-line-length)")
                    return
                }
                if let parsed = ErrorLogLine.parse(bytes) {
                    pending = nil
                    stats.entries += 1
                    if parsed.isErrorLevel(bytes) { stats.errors += 1 }
                    if parsed.dialect == .nginx { stats.nginxEntries += 1 } else { stats.apacheEntries += 1 }
                    let message = parsed.message.bytes(in: bytes)
                    let isFastCGI = Self.isProgramOutput(message)
                    let cause = isFastCGI ? nil : ErrorLogLine.cause(of: message)
                    if parsed.dialect == .apache && !parsed.isOpen {
                        if !parsed.client.isPresent, ErrorLogLine.find(Self.connectAttempt, in: message, from: 0) != nil {
                            flushHeld()
                            heldConnect = (Array(bytes), parsed, cause, line.number)
                            return
                        }
                        if let held = heldConnect, held.parsed.wallTime == parsed.wallTime, !parsed.client.isPresent,
                           ErrorLogLine.find(Self.disablingWorker, in: message, from: 0) != nil {
                            keep(parsed, bytes, cause: cause, number: line.number)
                            return
                        }
                        if let held = heldConnect, held.parsed.wallTime == parsed.wallTime, parsed.client.isPresent,
                           ErrorLogLine.find(Self.connectFailed, in: message, from: 0) != nil {
                            heldConnect = nil
                            held.bytes.withUnsafeBufferPointer { heldBytes in
                                keep(parsed, bytes, cause: cause ?? held.cause, number: line.number,
                                     upstream: held.parsed.upstream.isPresent ? held.parsed.upstream.bytes(in: heldBytes) : nil)
                            }
                            return
                        }
                    }
                    flushHeld()
                    if parsed.isOpen {
                        pending = (parsed.wallTime, cause, isFastCGI, line.number, 0)
                    } else {
                        keep(parsed, bytes, cause: cause, number: line.number)
                    }
                    return
                }
                flushHeld()
                if var open = pending {
                    stats.continuationLines += 1
                    open.continuations += 1
                    pending = open
                    // The line that closes the quote carries the request's fields.
                    if let fields = ErrorLogLine.find(Self.clientMarker, in: bytes, from: 0) {
                        var tail = ErrorLogLine()
                        tail.wallTime = open.time
                        tail.readFields(bytes, from: fields)
                        let rest = UnsafeBufferPointer(rebasing: bytes[..<fields])
                        let cause = open.cause ?? (open.isFastCGI ? nil : ErrorLogLine.cause(of: rest))
                        keep(tail, bytes, cause: cause, number: open.number)
                        pending = nil
                    } else if open.continuations >= Self.maxContinuationLines {
                        pending = nil
                    }
                    return
                }
                if bytes.isEmpty {
                    stats.blank += 1
                } else if isInterleaved {
                    stats.otherLines += 1
                } else {
                    unrecognised(bytes, number: line.number,
                                 reason: "not an nginx (2026/11/20 13:30:01 [error] …) or Apache ([Fri Nov 20 13:30:01 2026] [error] …) error-log line")
                }
            }
        } catch let error as TriageError {
            return error
        } catch {
            return .readFailed(path: path, reason: "\(error)")
        }
        return nil
    }

    private static let connectAttempt = Array("AH00957".utf8)
    private static let connectFailed = Array("AH01114".utf8)
    private static let disablingWorker = Array("AH00959".utf8)

    /// A program's own output relayed by the proxy (`FastCGI sent in stderr: "PHP message: …`):
    /// its words (`Connection refused` from a database driver) are not the proxy's cause.
    static func isProgramOutput(_ message: UnsafeBufferPointer<UInt8>) -> Bool {
        ErrorLogLine.find(programOutputMarker, in: message, from: 0) != nil
    }

    private static let clientMarker = Array(", client: ".utf8)
    private static let programOutputMarker = Array("sent in stderr".utf8)

    // MARK: - Envelopes

    /// The envelope an input's error lines arrive in. The nginx and httpd images write the
    /// error log to the container's stderr, so a `docker logs` file (json-file) or a
    /// kubelet's CRI log holds error lines beside the access lines, each in the runtime's
    /// envelope; a log shipper may put a syslog header before each line of the file. The
    /// envelope is the one around the first line that has one, unless an error line
    /// came bare before it; lines without it are read as they are.
    final class EnvelopeChoice {
        enum Payload {
            case line(UnsafeBufferPointer<UInt8>)
            /// A CRI `P` piece, held until the piece that ends the line.
            case heldPiece
            /// CRI pieces that joined to more than the longest line.
            case joinedOverlong
        }

        private var peeler: EnvelopePeeler?
        private var isDecided = false
        private let joinLimit: Int
        /// One peeler per envelope, made once: an input may run long on bare access lines
        /// before its first error line decides.
        private lazy var candidates = [EnvelopeKind.dockerJSON, .cri, .syslog].map { EnvelopePeeler(kind: $0) }

        init(joinLimit: Int) { self.joinLimit = joinLimit }

        /// The envelope chosen so far (`.none` until one is seen).
        var kind: EnvelopeKind { peeler?.kind ?? .none }

        /// The line inside `line`'s envelope: valid until the next call.
        func payload(_ line: UnsafeBufferPointer<UInt8>) -> Payload {
            if !isDecided { decide(line) }
            guard let peeler else { return .line(line) }
            let payload = peeler.peel(line).payload
            switch peeler.lastPiece {
            case .held: return .heldPiece
            case .joinedOverlong: return .joinedOverlong
            case .whole, .joined: return .line(payload)
            }
        }

        private func decide(_ line: UnsafeBufferPointer<UInt8>) {
            guard !line.isEmpty else { return }
            if ErrorLogLine.parse(line) != nil {
                isDecided = true
                return
            }
            for candidate in candidates where candidate.peel(line).hadEnvelope {
                candidate.joinLimit = candidate.kind == .cri ? joinLimit : 0
                peeler = candidate
                isDecided = true
                candidates = []
                return
            }
        }
    }

    // MARK: - Detection

    /// What the first lines of an input given as an access log say it is.
    enum Kind: Equatable {
        /// No error-log line among them.
        case accessLog
        /// Only error-log lines (and blank or continuation lines).
        case errorLog
        /// Both: error lines interleaved with access lines (a container's stdout).
        case interleaved
    }

    /// Classifies an input by its first non-blank lines: all error-log entries (or their
    /// continuation lines) make an error log; some make an interleaved input.
    /// Lines in a runtime's envelope are judged by what is inside it (``EnvelopeChoice``).
    static func kind(of sample: [[UInt8]]) -> Kind {
        var entries = 0, others = 0
        var isOpen = false
        let envelope = EnvelopeChoice(joinLimit: 0)
        for line in sample where !line.isEmpty {
            line.withUnsafeBufferPointer { whole in
                guard case .line(let bytes) = envelope.payload(whole), !bytes.isEmpty else { return }
                if let parsed = ErrorLogLine.parse(bytes) {
                    entries += 1
                    isOpen = parsed.isOpen
                } else if isOpen {
                    if ErrorLogLine.find(clientMarker, in: bytes, from: 0) != nil { isOpen = false }
                } else {
                    others += 1
                }
            }
        }
        if entries == 0 { return .accessLog }
        return others == 0 ? .errorLog : .interleaved
    }
}
