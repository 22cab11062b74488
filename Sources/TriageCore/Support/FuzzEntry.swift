/// Entry points for the fuzz targets in `Tests/Fuzz/` (one per parser), not an API.
///
/// Each takes arbitrary bytes, runs one parser the way `triage` runs it, and
/// checks the oracle that parser must keep; a broken oracle is a crash
/// (`preconditionFailure`), which libFuzzer records with the input. Public but
/// underscored so the fuzz package can reach the parsers without the parsers'
/// internals becoming API.
public enum _FuzzEntry {
    /// Fixed bounds so a result never depends on the clock.
    static let plausibleTimes: ClosedRange<Int64> = AnalysisOptions.earliestPlausibleTime...1_900_000_000

    /// Lines as ``LineReader`` splits them: LF, CRLF and a lone CR end a line, and
    /// bytes after the last line end are one more line.
    public static func expectedLineCount(_ bytes: [UInt8]) -> Int {
        var lines = 0
        var pending = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                lines += 1
                pending = false
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            } else {
                pending = true
            }
            i += 1
        }
        return lines + (pending ? 1 : 0)
    }

    /// The access-log pipeline over `bytes` as one input: lines, format detection
    /// (or `format`), records, aggregates, summary.
    ///
    /// Oracle: records + malformed + blank + skipped + other + error-log lines =
    /// lines = the line ends counted independently. Returns the summary for the renderers' oracle.
    public static func accessLog(_ bytes: [UInt8], format: LogFormat? = nil, maxLineLength: Int = 4096) -> TriageSummary {
        var options = AnalysisOptions()
        options.maxLineLength = maxLineLength
        options.threads = 1
        options.plausibleTimes = plausibleTimes
        options.now = 1_795_255_200
        if let format { options.format = .fixed(format) }
        options.deploys = [DeployMarker(time: .absolute(1_795_255_200), label: "fuzz", origin: "fuzz")]
        let analyzer = Analyzer(options: options)
        analyzer.analyze(OpenedInput(source: MemorySource(bytes, chunkSize: 4093), raw: MemorySource([]), isGzip: false,
                                     displayPath: "fuzz.log"))
        let summary = analyzer.finish()
        for input in summary.inputs {
            // Other lines (a server's own messages, TCP proxy lines) and interleaved
            // error-log lines are counted apart from records and malformed lines.
            let accounted = input.records + input.malformed + input.blank + input.skipped + input.otherLines + input.errorLogLines
            precondition(accounted == input.lines,
                         "records \(input.records) + malformed \(input.malformed) + blank \(input.blank) + skipped \(input.skipped) + other \(input.otherLines) + error-log \(input.errorLogLines) != lines \(input.lines)")
            let expected = expectedLineCount(bytes)
            precondition(input.lines == expected, "the reader gave \(input.lines) lines, the bytes hold \(expected)")
        }
        return summary
    }

    /// The JSON-lines decoder and scanner: every JSON preset over `bytes`, with the
    /// access-log oracle. Each line is also walked by ``JSONScanner`` alone.
    public static func jsonLines(_ bytes: [UInt8]) -> [TriageSummary] {
        var summaries: [TriageSummary] = []
        for name in ["json", "caddy", "traefik", "envoy"] {
            guard let format = LogFormat.jsonPreset(named: name) else { continue }
            summaries.append(accessLog(bytes, format: format))
        }
        return summaries
    }

    /// Inflates `bytes` with ISA-L and with zlib. Oracle: both accept the stream or
    /// both refuse it, and what they produce agrees byte for byte (when one stops
    /// at damage earlier, its output is a prefix of the other's).
    ///
    /// One difference is the engines' own, and allowed: a dynamic block whose prefix
    /// code is incomplete (its lengths' Kraft sum is below 1). RFC 1951 does not say
    /// such a code is wrong; zlib's `inftrees.c` refuses it ("invalid literal/lengths
    /// set", "invalid distances set", "invalid code lengths set"), ISA-L builds its
    /// tables from it and decodes on. ISA-L's output is still checked against the
    /// member's CRC-32 and length, so what it accepts is what the writer wrote.
    public static func gzip(_ bytes: [UInt8]) {
        func inflate(_ engine: InflateEngine) -> (output: [UInt8], failed: Bool, message: String) {
            var output: [UInt8] = []
            guard let source = try? GzipSource(base: MemorySource(bytes, chunkSize: 977), path: "fuzz.gz", engine: engine,
                                               inputBufferSize: 1024) else { return ([], true, "") }
            var buffer = [UInt8](repeating: 0, count: 4096)
            do {
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                    if n == 0 { return (output, false, "") }
                    output += buffer[0..<n]
                    // A bomb is not a finding: stop at 16 MiB, as both engines would go on alike.
                    if output.count > 16 << 20 { return (output, false, "") }
                }
            } catch {
                return (output, true, String(describing: error))
            }
        }
        let isal = inflate(.isal)
        let zlib = inflate(.zlib)
        let shorter = min(isal.output.count, zlib.output.count)
        precondition(isal.output[0..<shorter] == zlib.output[0..<shorter], "ISA-L and zlib produced different bytes")
        if isal.failed != zlib.failed {
            let incompleteCode = ["invalid literal/lengths set", "invalid distances set", "invalid code lengths set"]
                .contains { zlib.message.contains($0) }
            precondition(!isal.failed && incompleteCode,
                         "ISA-L \(isal.failed ? "refused" : "accepted") what zlib \(zlib.failed ? "refused: \(zlib.message)" : "accepted")")
            return
        }
        if !isal.failed { precondition(isal.output.count == zlib.output.count, "ISA-L and zlib produced different lengths") }
    }

    /// Compiled once for all inputs: JIT-compiling their dozen patterns cost more than
    /// scanning a small input. They keep no state from one input to the next but
    /// their match data and limit counters. (libFuzzer calls from one thread.)
    nonisolated(unsafe) private static let appLineScanner = try? AppLineScanner()
    nonisolated(unsafe) private static let signatureBuilder = try? SignatureBuilder()
    nonisolated(unsafe) private static let batchLineScanner = try? AppLineScanner()

    /// Application-log scanning, event assembly and signatures over `bytes`: every
    /// event with a request ID is assembled and given a signature, with the built-in
    /// ID pattern. Oracle: events never exceed lines, and no signature is empty.
    public static func appLog(_ bytes: [UInt8]) {
        guard let scanner = appLineScanner, let builder = signatureBuilder else { return }
        var events = 0
        let assembler = AppEventAssembler(path: "fuzz-app.log", scanner: scanner, wants: { _ in true }) { event in
            events += 1
            let signature = builder.signature(of: event)
            precondition(!signature.id.isEmpty, "an event got an empty signature")
        }
        let reader = LineReader(source: MemorySource(bytes, chunkSize: 4093), maxLineLength: 4096)
        _ = try? reader.forEachLine { line in assembler.feed(line.bytes, number: line.number) }
        assembler.finish()
        precondition(assembler.lines == expectedLineCount(bytes), "the assembler counted \(assembler.lines) lines")
        precondition(assembler.events <= assembler.lines, "more events than lines")
        appLogBlocks(bytes)
    }

    /// Oracle: an application log read in blocks (cut after line ends, each split and
    /// scanned apart, then grouped in order; lines longer than a block go on in one pass)
    /// counts the lines, events and errors one pass counts, and explains the same 5xx.
    static func appLogBlocks(_ bytes: [UInt8]) {
        func read(blocks: Bool) -> TriageSummary.AppLogInput? {
            let ledger = ServerErrorLedger(limit: 100, sampleLimit: 2)
            // IDs the fuzzer can reach: a few short ones in the forms the built-in pattern reads.
            for id in ["abcdef", "abcdef12", "req123456"] {
                Array(id.utf8).withUnsafeBufferPointer {
                    ledger.add(requestID: $0, time: 1_795_255_200, route: 0, failureClass: .originError, upstreamStatus: 500)
                }
            }
            // Compiled once: regexes compiled per input halved the target's speed. Inline blocks
            // run one at a time, so one batch scanner serves them all.
            guard let scanner = appLineScanner, let builder = signatureBuilder, let batchScanner = batchLineScanner,
                  let correlator = try? AppLogCorrelator(ledger: ledger, idPattern: nil, tolerance: 300, logUTCOffset: 0,
                                                         maxLineLength: 64, workers: 0, blockSize: 160,
                                                         scanner: scanner, builder: builder) else { return nil }
            correlator.inlineBlocks = blocks
            correlator.makeBatchScanner = { batchScanner }
            var stats = TriageSummary.AppLogInput(path: "fuzz-app.log", isGzip: false, lines: 0, events: 0, errorEvents: 0,
                                                  errorEventsWithRequestID: 0, matchedEvents: 0, timeMismatches: 0, error: nil)
            _ = correlator.read(MemorySource(bytes, chunkSize: 61), path: "fuzz-app.log", into: &stats)
            return stats
        }
        guard let one = read(blocks: false), let blocks = read(blocks: true) else { return }
        let a = [one.lines, one.events, one.errorEvents, one.errorEventsWithRequestID, one.matchedEvents, one.timeMismatches]
        let b = [blocks.lines, blocks.events, blocks.errorEvents, blocks.errorEventsWithRequestID, blocks.matchedEvents,
                 blocks.timeMismatches]
        precondition(a == b && one.zoneShiftSeconds == blocks.zoneShiftSeconds,
                     "read in blocks: \(b) (shift \(String(describing: blocks.zoneShiftSeconds))), in one pass: \(a) (shift \(String(describing: one.zoneShiftSeconds)))")
    }

    /// Format specifications: the first line of `bytes` is read as an nginx.conf text,
    /// as a `--log-format` specification and as a JSON `--field` override; a format
    /// that compiles is run over the remaining lines with the access-log oracle.
    public static func formatSpec(_ bytes: [UInt8]) -> [TriageSummary] {
        let split = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let spec = String(decoding: bytes[0..<split], as: UTF8.self)
        let rest = split < bytes.count ? Array(bytes[(split + 1)...]) : []
        var formats: [LogFormat] = []
        if let definitions = try? NginxConfig.logFormats(in: spec, path: "fuzz.conf") {
            for d in definitions.prefix(2) { if let f = try? LogFormat.nginx(d.definition, name: d.name) { formats.append(f) } }
        }
        if let f = try? LogFormat.parse(specification: spec) { formats.append(f) }
        if let f = try? LogFormat.nginx(spec) { formats.append(f) }
        if let f = try? LogFormat.apache(spec) { formats.append(f) }
        if let f = try? LogFormat.json(base: LogFormat.jsonPreset(named: "json"), overrides: [spec]) { formats.append(f) }
        return formats.prefix(4).map { accessLog(rest, format: $0) }
    }

    /// Time and duration specifications: each line of `bytes` as a `--since`/`--now`
    /// time, a duration, a log time in every form, and (the first line) as a strftime
    /// layout for the others. Oracle: a parsed time in 0001…9999 survives a round
    /// trip through RFC 3339.
    public static func timeSpec(_ bytes: [UInt8]) {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(16).map(Array.init)
        let layout = lines.first.flatMap { try? TimeLayout(strftime: String(decoding: $0, as: UTF8.self)) }
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            if let spec = TimeSpec(text) {
                for reference: Int64 in [0, 1_795_255_200, -TimeSpec.latestEpoch, TimeSpec.latestEpoch] {
                    _ = spec.resolve(reference: reference, utcOffset: -50_400)
                    _ = spec.resolve(reference: reference, utcOffset: 50_400)
                }
            }
            _ = TimeSpec.duration(text)
            line.withUnsafeBufferPointer { p in
                var parsed: [Int64?] = [Timestamp.parseCLF(p), Timestamp.parseISO8601(p), Timestamp.parseAny(p),
                                        Timestamp.parseEpoch(p, unitsPerSecond: 1), Timestamp.parseEpoch(p, unitsPerSecond: 1000)]
                if let layout { parsed.append(layout.parse(p)) }
                for case let t? in parsed where t >= -62_135_596_800 && t <= Timestamp.latestCivil {
                    let text = Array(Timestamp.rfc3339(t).utf8)
                    let back = text.withUnsafeBufferPointer { Timestamp.parseISO8601($0) }
                    precondition(back == t, "\(t) → \(Timestamp.rfc3339(t)) → \(String(describing: back))")
                }
            }
        }
    }
}
