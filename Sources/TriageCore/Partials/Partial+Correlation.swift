/// The correlation state of a partial (format 1.1): the 5xx by request ID with the
/// application signatures that explained them, the signature catalog, the
/// application and error logs read, and the error-log join's tally.
///
/// The joins themselves ran on the host, where its application and error logs
/// are (next to its access log); a partial carries what they found, by value.
extension Partial {
    // MARK: - Encoding

    /// Fields 21–26 (Docs/ScaleOut.md).
    func encodeCorrelation(into w: inout PartialWriter, host: String?) {
        let ledger = aggregator.ledger
        for (index, key) in ledger.requests.keys.enumerated() {
            let e = ledger.requests.values[index]
            w.message(21) { m in
                m.bytes(1, key)
                if let written = e.writtenID { m.string(2, written) }
                m.optionalTime(3, e.first)
                m.optionalTime(4, e.last)
                m.uint(5, e.count)
                m.sint(6, Int64(e.route))
                m.uint(7, e.failureClass.rawValue + 1)
                m.uint(8, e.upstreamStatus)
                m.code(9, e.cause)
                m.uint(10, Int(e.signature) + 1)
                m.sint(11, Int64(e.rank))
            }
        }
        for entry in ledger.catalog {
            w.message(22) { m in
                m.string(1, entry.signature.exceptionType)
                m.string(2, entry.signature.message)
                for frame in entry.signature.frames { m.string(3, frame) }
                m.string(4, entry.exampleMessage)
                for line in entry.exampleStack { m.string(5, line) }
                m.string(6, host.map { "\($0):\(entry.location)" } ?? entry.location)
                m.optionalTime(7, entry.time)
            }
        }
        if ledger.catalogOverflow > 0 { w.message(23) { $0.uint(1, ledger.catalogOverflow) } }
        for input in appLogs { w.message(24) { Self.write(input, into: &$0) } }
        if let tally = aggregator.errorLogTally() { w.message(25) { Self.write(tally, into: &$0) } }
        for input in errorLogs { w.message(26) { Self.write(input, into: &$0) } }
    }

    static func causes(_ c: CauseCounts) -> [Int] { ErrorCause.allCases.map { c[$0] } }

    static func write(_ i: TriageSummary.AppLogInput, into m: inout PartialWriter) {
        m.string(1, i.path)
        m.bool(2, i.isGzip)
        m.uint(3, i.lines)
        m.uint(4, i.events)
        m.uint(5, i.errorEvents)
        m.uint(6, i.errorEventsWithRequestID)
        m.uint(7, i.matchedEvents)
        m.uint(8, i.timeMismatches)
        if let error = i.error { m.string(9, error) }
        if let shift = i.zoneShiftSeconds { m.sint(10, Int64(shift)) }
        if let limit = i.idPatternLimit {
            m.message(11) { e in
                e.uint(1, limit.lines)
                e.uint(2, limit.firstLine)
                if let pattern = limit.pattern { e.string(3, pattern) }
            }
        }
    }

    static func write(_ t: ErrorLogTally, into m: inout PartialWriter) {
        m.sint(1, t.toleranceSeconds)
        m.uint(2, t.causeLines)
        m.uint(3, t.matchedLines)
        m.uint(4, t.untracked)
        m.uint(5, t.explainedServerErrors)
        m.uint(6, t.explainedRetried)
        for c in FailureClass.allCases where !t.classCauses[c.rawValue].isEmpty {
            m.message(7) { e in e.uint(1, c.rawValue + 1); e.packed(2, causes(t.classCauses[c.rawValue])) }
        }
        for (key, span) in t.upstreamCauses.sorted(by: { ($0.key.upstream, $0.key.cause) < ($1.key.upstream, $1.key.cause) }) {
            m.message(8) { e in
                e.string(1, key.upstream)
                e.uint(2, Int(key.cause.rawValue) + 1)
                e.uint(3, span.count)
                e.sint(4, span.first)
                e.sint(5, span.last)
            }
        }
        for minute in t.minuteCauses.keys.sorted() {
            guard let perClass = t.minuteCauses[minute] else { continue }
            m.message(9) { e in
                e.sint(1, minute)
                for c in FailureClass.allCases where !perClass[c.rawValue].isEmpty {
                    e.message(2) { k in k.uint(1, c.rawValue + 1); k.packed(2, causes(perClass[c.rawValue])) }
                }
            }
        }
        for (key, count) in t.minuteUpstreams.sorted(by: {
            ($0.key.minute, $0.key.upstream, $0.key.failureClass) < ($1.key.minute, $1.key.upstream, $1.key.failureClass)
        }) {
            m.message(12) { e in
                e.sint(1, key.minute)
                e.string(2, key.upstream)
                e.uint(3, key.failureClass.rawValue + 1)
                e.uint(4, count)
            }
        }
        for (key, count) in t.unmatched.sorted(by: { ($0.key.wallTime, $0.key.upstream ?? "", $0.key.cause) < ($1.key.wallTime, $1.key.upstream ?? "", $1.key.cause) }) {
            m.message(10) { e in
                e.sint(1, key.wallTime)
                if let upstream = key.upstream { e.string(2, upstream) }
                e.uint(3, Int(key.cause.rawValue) + 1)
                e.uint(4, count)
            }
        }
    }

    static func write(_ i: TriageSummary.ErrorLogInput, into m: inout PartialWriter) {
        m.string(1, i.path)
        m.bool(2, i.isGzip)
        m.bool(3, i.isDetected)
        m.bool(4, i.isInterleaved)
        m.uint(5, i.lines)
        m.uint(6, i.entries)
        m.uint(7, i.nginxEntries)
        m.uint(8, i.apacheEntries)
        m.uint(9, i.errors)
        m.uint(10, i.continuationLines)
        m.uint(11, i.blank)
        m.uint(12, i.otherLines)
        m.uint(13, i.unrecognised)
        for example in i.examples { m.message(14) { write(example, into: &$0) } }
        m.packed(15, causes(i.causes))
        m.uint(16, i.kept)
        if let error = i.error { m.string(17, error) }
    }

    // MARK: - Decoding

    /// Reads one of fields 21–26 into `partial` (whose aggregator was built from field 1).
    static func decodeCorrelation(_ field: Int, _ value: PartialReader.Value, into partial: inout Partial) throws {
        let a = partial.aggregator
        switch field {
        case 21:
            var m = try value.reader()
            var key: [UInt8] = []
            var e = ServerErrorLedger.Entry(writtenID: nil, firstTime: .min, lastTime: .min, count: 0, route: -1,
                                            failureClass: .originError, upstreamStatus: 0)
            var c = -1
            try m.forEach { f, v in
                switch f {
                case 1: key = Array(try v.bytes())
                case 2: e.writtenID = try v.string()
                case 3: e.firstTime = try v.int64()
                case 4: e.lastTime = try v.int64()
                case 5: e.count = try v.int()
                case 6: e.route = Int32(clamping: try v.int64())
                case 7: c = try v.int() - 1
                case 8: e.upstreamStatus = try v.int()
                case 9: e.cause = UInt8(clamping: try v.int())
                case 10: e.signature = Int32(clamping: try v.int() - 1)
                case 11: e.rank = Int(clamping: try v.int64())
                default: break
                }
            }
            guard let failureClass = FailureClass(rawValue: c) else {
                throw PartialDecodingError(reason: "a 5xx's class \(c + 1) is unknown to this triage")
            }
            e.failureClass = failureClass
            guard !key.isEmpty, key.count <= RequestID.maximumLength else {
                throw PartialDecodingError(reason: "a request ID key is empty or too long")
            }
            let index = key.withUnsafeBufferPointer { k in a.ledger.requests.index(of: k) { e } }
            guard index != nil else { throw PartialDecodingError(reason: "more 5xx by request ID than its own limit") }
        case 22:
            var m = try value.reader()
            var type = "", message = "", frames: [String] = []
            var entry = ServerErrorLedger.CatalogEntry(signature: ErrorSignature(exceptionType: "", message: "", frames: []),
                                                       exampleMessage: "", exampleStack: [], location: "")
            try m.forEach { f, v in
                switch f {
                case 1: type = try v.string()
                case 2: message = try v.string()
                case 3: frames.append(try v.string())
                case 4: entry.exampleMessage = try v.string()
                case 5: entry.exampleStack.append(try v.string())
                case 6: entry.location = try v.string()
                case 7: entry.time = try v.int64()
                default: break
                }
            }
            entry.signature = ErrorSignature(exceptionType: type, message: message, frames: frames)
            guard a.ledger.catalogIndex[entry.signature.id] == nil else {
                throw PartialDecodingError(reason: "signature \(entry.signature.id) is listed twice")
            }
            a.ledger.catalogIndex[entry.signature.id] = Int32(a.ledger.catalog.count)
            a.ledger.catalog.append(entry)
        case 23:
            var m = try value.reader()
            try m.forEach { f, v in if f == 1 { a.ledger.catalogOverflow = try v.int() } }
        case 24: partial.appLogs.append(try readAppLog(value))
        case 25: a.errorTally = try readTally(value)
        case 26: partial.errorLogs.append(try readErrorLog(value))
        default: break
        }
    }

    /// Checks what fields 21–26 refer to across fields, once all are read.
    static func checkCorrelation(_ partial: Partial) throws {
        let ledger = partial.aggregator.ledger
        for e in ledger.requests.values where e.signature >= 0 && Int(e.signature) >= ledger.catalog.count {
            throw PartialDecodingError(reason: "a 5xx names signature \(e.signature + 1), past the \(ledger.catalog.count) listed")
        }
    }

    static func readCauses(_ value: PartialReader.Value) throws -> CauseCounts {
        let values = try value.packed()
        guard values.count <= ErrorCause.allCases.count else {
            throw PartialDecodingError(reason: "\(values.count) error-log causes, more than the \(ErrorCause.allCases.count) this triage knows")
        }
        var c = CauseCounts()
        for (i, cause) in ErrorCause.allCases.enumerated() where i < values.count { c[cause] = values[i] }
        return c
    }

    static func readCause(_ value: PartialReader.Value) throws -> ErrorCause {
        let raw = try value.int() - 1
        guard raw >= 0, raw <= Int(UInt8.max), let cause = ErrorCause(rawValue: UInt8(raw)) else {
            throw PartialDecodingError(reason: "error-log cause \(raw + 1) is unknown to this triage")
        }
        return cause
    }

    static func readClass(_ value: PartialReader.Value) throws -> FailureClass {
        let raw = try value.int() - 1
        guard let c = FailureClass(rawValue: raw) else { throw PartialDecodingError(reason: "class \(raw + 1) is unknown to this triage") }
        return c
    }

    static func readClassCauses(_ value: PartialReader.Value, into list: inout [CauseCounts]) throws {
        var e = try value.reader()
        var c = -1, counts = CauseCounts()
        try e.forEach { f, v in if f == 1 { c = try v.int() - 1 } else if f == 2 { counts = try readCauses(v) } }
        guard c >= 0 && c < list.count else { throw PartialDecodingError(reason: "class \(c + 1) is unknown to this triage") }
        list[c] = counts
    }

    static func readTally(_ value: PartialReader.Value) throws -> ErrorLogTally {
        var m = try value.reader()
        var t = ErrorLogTally()
        try m.forEach { f, v in
            switch f {
            case 1: t.toleranceSeconds = try v.int64()
            case 2: t.causeLines = try v.int()
            case 3: t.matchedLines = try v.int()
            case 4: t.untracked = try v.int()
            case 5: t.explainedServerErrors = try v.int()
            case 6: t.explainedRetried = try v.int()
            case 7: try readClassCauses(v, into: &t.classCauses)
            case 8:
                var e = try v.reader()
                var upstream = "", cause: ErrorCause?, span = ErrorLogJoin.Span()
                try e.forEach { f, v in
                    switch f {
                    case 1: upstream = try v.string()
                    case 2: cause = try readCause(v)
                    case 3: span.count = try v.int()
                    case 4: span.first = try v.int64()
                    case 5: span.last = try v.int64()
                    default: break
                    }
                }
                guard let cause else { throw PartialDecodingError(reason: "an upstream's error-log cause is missing") }
                t.upstreamCauses[.init(upstream: upstream, cause: cause)] = span
            case 9:
                var e = try v.reader()
                var minute: Int64?
                var perClass = [CauseCounts](repeating: CauseCounts(), count: FailureClass.allCases.count)
                try e.forEach { f, v in
                    if f == 1 { minute = try v.int64() } else if f == 2 { try readClassCauses(v, into: &perClass) }
                }
                guard let minute else { throw PartialDecodingError(reason: "error-log causes without their minute") }
                t.minuteCauses[minute] = perClass
            case 10:
                var e = try v.reader()
                var wallTime: Int64?, upstream: String?, cause: ErrorCause?, count = 0
                try e.forEach { f, v in
                    switch f {
                    case 1: wallTime = try v.int64()
                    case 2: upstream = try v.string()
                    case 3: cause = try readCause(v)
                    case 4: count = try v.int()
                    default: break
                    }
                }
                guard let wallTime, let cause else { throw PartialDecodingError(reason: "an unmatched error line without time or cause") }
                t.unmatched[.init(wallTime: wallTime, upstream: upstream, cause: cause), default: 0] += count
            case 12:
                var e = try v.reader()
                var minute: Int64?, upstream: String?, failureClass: FailureClass?, count = 0
                try e.forEach { f, v in
                    switch f {
                    case 1: minute = try v.int64()
                    case 2: upstream = try v.string()
                    case 3: failureClass = try readClass(v)
                    case 4: count = try v.int()
                    default: break
                    }
                }
                guard let minute, let upstream, let failureClass else {
                    throw PartialDecodingError(reason: "an error-log upstream count without its minute, upstream or class")
                }
                t.minuteUpstreams[.init(minute: minute, upstream: upstream, failureClass: failureClass), default: 0] += count
            default: break
            }
        }
        return t
    }

    static func readAppLog(_ value: PartialReader.Value) throws -> TriageSummary.AppLogInput {
        var m = try value.reader()
        var i = TriageSummary.AppLogInput(path: "", isGzip: false, lines: 0, events: 0, errorEvents: 0,
                                          errorEventsWithRequestID: 0, matchedEvents: 0, timeMismatches: 0, error: nil)
        try m.forEach { f, v in
            switch f {
            case 1: i.path = try v.string()
            case 2: i.isGzip = try v.bool()
            case 3: i.lines = try v.int()
            case 4: i.events = try v.int()
            case 5: i.errorEvents = try v.int()
            case 6: i.errorEventsWithRequestID = try v.int()
            case 7: i.matchedEvents = try v.int()
            case 8: i.timeMismatches = try v.int()
            case 9: i.error = try v.string()
            case 10: i.zoneShiftSeconds = Int(clamping: try v.int64())
            case 11:
                var e = try v.reader()
                var limit = TriageSummary.PatternLimit(lines: 0, firstLine: 0)
                try e.forEach { f, v in
                    switch f {
                    case 1: limit.lines = try v.int()
                    case 2: limit.firstLine = try v.int()
                    case 3: limit.pattern = try v.string()
                    default: break
                    }
                }
                i.idPatternLimit = limit
            default: break
            }
        }
        return i
    }

    static func readErrorLog(_ value: PartialReader.Value) throws -> TriageSummary.ErrorLogInput {
        var m = try value.reader()
        var i = TriageSummary.ErrorLogInput(path: "")
        try m.forEach { f, v in
            switch f {
            case 1: i.path = try v.string()
            case 2: i.isGzip = try v.bool()
            case 3: i.isDetected = try v.bool()
            case 4: i.isInterleaved = try v.bool()
            case 5: i.lines = try v.int()
            case 6: i.entries = try v.int()
            case 7: i.nginxEntries = try v.int()
            case 8: i.apacheEntries = try v.int()
            case 9: i.errors = try v.int()
            case 10: i.continuationLines = try v.int()
            case 11: i.blank = try v.int()
            case 12: i.otherLines = try v.int()
            case 13: i.unrecognised = try v.int()
            case 14: i.examples.append(try readExample(v))
            case 15: i.causes = try readCauses(v)
            case 16: i.kept = try v.int()
            case 17: i.error = try v.string()
            default: break
            }
        }
        return i
    }
}
