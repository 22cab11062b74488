/// The first stage of reading an application log, for one block of its bytes
/// on a worker thread: the block is split into lines (``LineBlock/forEachLine(maxLineLength:_:)``)
/// and each is read by ``AppEventAssembler/prescan(_:scanner:into:)``. The
/// assembler then groups the block's lines in input order on the reading thread
/// (``AppLogCorrelator``), so events, counts and the clock-shift vote come out
/// as in one pass.
///
/// Each batch owns its scanner (regex match data and a JSON scanner are per
/// thread); batches are reused, so scanners are compiled once per batch.
final class AppLineBatch: BlockWork {
    let scanner: AppLineScanner
    let maxLineLength: Int

    /// What the second stage must do, in order. Most lines of an application log
    /// start an event without an ID (every debug and info line): all they change
    /// is counts and the level of the last event, so a run of them is one step.
    /// Steps are small (a line's ``AppLine`` is kept apart, and only for lines
    /// that start an event with an ID), so a block of short lines stays small.
    enum Step {
        /// A line that starts an event with an ID: `start`/`count` locate it in the
        /// block after its container prefix, `line` is its line number in the block
        /// (from 0), `scanned` indexes ``scanned``.
        case event(start: UInt32, count: UInt32, line: UInt32, scanned: UInt32)
        /// A line that continues the event before it.
        case continuation(start: UInt32, count: UInt32, isIndented: Bool, severity: AppSeverity)
        /// Lines that each start an event without an ID.
        case events(count: UInt32, errors: UInt32, last: AppSeverity)
    }
    private(set) var steps: [Step] = []
    private(set) var scanned: [AppLine] = []
    /// Lines in the block.
    private(set) var lineCount = 0
    /// Lines of this block whose ID search gave up on PCRE2's match limit, and the
    /// first of them (its number in the block, from 0).
    private(set) var limitHits = 0
    private(set) var firstLimitLine: Int?

    init(scanner: AppLineScanner, maxLineLength: Int) {
        self.scanner = scanner
        self.maxLineLength = maxLineLength
    }

    /// Set before the batch is submitted when the worker reads the block itself: the lines
    /// of `file` that start in `start..<end` (``LineBlock/readLines(of:from:to:margin:)``).
    var fileRange: (file: FileDescriptorSource, start: Int64, end: Int64, margin: Int)?
    /// The error that ended reading `fileRange`; the lines before it are in the batch.
    private(set) var readError: Error?

    func work(on block: LineBlock, firstNumber: Int) {
        steps.removeAll(keepingCapacity: true)
        scanned.removeAll(keepingCapacity: true)
        lineCount = 0
        limitHits = 0
        firstLimitLine = nil
        readError = nil
        if let range = fileRange {
            do {
                try block.readLines(of: range.file, from: range.start, to: range.end, margin: range.margin)
            } catch {
                readError = error
            }
        }
        var line = AppLine()
        var hitsSeen = scanner.idPatternLimitHits
        var run: (count: UInt32, errors: UInt32, last: AppSeverity) = (0, 0, .unknown)
        block.forEachLine(maxLineLength: maxLineLength) { p, start in
            let index = lineCount
            lineCount += 1
            let prefix = AppEventAssembler.prescan(p, scanner: scanner, into: &line)
            if scanner.idPatternLimitHits != hitsSeen {
                limitHits += scanner.idPatternLimitHits - hitsSeen
                hitsSeen = scanner.idPatternLimitHits
                if firstLimitLine == nil { firstLimitLine = index }
            }
            if line.isEventStart && line.id == nil {
                run.count += 1
                if line.severity == .error { run.errors += 1 }
                run.last = line.severity
                return
            }
            if run.count > 0 {
                steps.append(.events(count: run.count, errors: run.errors, last: run.last))
                run = (0, 0, .unknown)
            }
            let from = UInt32(truncatingIfNeeded: start + prefix), count = UInt32(truncatingIfNeeded: p.count - prefix)
            if line.isEventStart {
                steps.append(.event(start: from, count: count, line: UInt32(truncatingIfNeeded: index),
                                    scanned: UInt32(truncatingIfNeeded: scanned.count)))
                scanned.append(line)
            } else {
                steps.append(.continuation(start: from, count: count, isIndented: line.isIndented, severity: line.severity))
            }
        }
        if run.count > 0 { steps.append(.events(count: run.count, errors: run.errors, last: run.last)) }
    }

    /// Groups the block's lines, read by ``work(on:firstNumber:)``, with `assembler`;
    /// the block's first line is line `firstNumber` of the input.
    func assemble(_ block: LineBlock, firstNumber: Int, with assembler: AppEventAssembler) {
        for step in steps {
            switch step {
            case let .event(start, count, line, index):
                assembler.feed(scanned: scanned[Int(index)], UnsafeBufferPointer(start: block.bytes + Int(start), count: Int(count)),
                               number: firstNumber + Int(line))
            case let .continuation(start, count, isIndented, severity):
                var line = AppLine()
                line.isIndented = isIndented
                line.severity = severity
                assembler.feed(scanned: line, UnsafeBufferPointer(start: block.bytes + Int(start), count: Int(count)), number: 0)
            case let .events(count, errors, last):
                assembler.countEvents(Int(count), errors: Int(errors), last: last)
            }
        }
    }
}
