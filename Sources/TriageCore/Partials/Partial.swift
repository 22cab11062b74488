/// Everything a report is made from, as one host's run left it: a partial summary.
///
/// `triage --format partial` writes one; `triage merge` reads any number, adds
/// them up (``Aggregator/merge(_:)``, the same merge the threads use) and renders
/// the report from the sum, or writes the sum as a partial again, so merges form
/// a tree. Every count is exact and the merge is order-free: samples are the
/// earliest by time (``SampleSet``), incidents are detected on the merged series
/// at summary time. Docs/ScaleOut.md describes the model and every field.
public struct Partial {
    /// The format's version: a reader refuses a newer major, and skips fields it
    /// does not know from a newer minor.
    public static let major = 1
    public static let minor = 2
    /// The first line of every partial (before the version): `triage-partial 1.2\n`.
    static let magic = Array("triage-partial ".utf8)

    let aggregator: Aggregator
    var inputs: [TriageSummary.Input] = []
    var lines = 0
    var malformedTotal = 0
    var malformedReasons: [String: Int] = [:]
    var malformedExamples: [TriageSummary.MalformedExample] = []
    var otherTotal = 0
    var otherReasons: [String: TriageSummary.OtherLines] = [:]
    var notes: [String] = []
    var hosts: [TriageSummary.Host] = []
    /// The application and server error logs the host read (their joins ran there).
    var appLogs: [TriageSummary.AppLogInput] = []
    var errorLogs: [TriageSummary.ErrorLogInput] = []
    /// Prefixed to the file names the partial's own entries carry (a signature's example
    /// location); nil for a merge, whose entries name their hosts already.
    var hostPrefix: String?
    /// The version the partial was written with.
    public private(set) var version = (major: Partial.major, minor: Partial.minor)

    init(aggregator: Aggregator) { self.aggregator = aggregator }
}

// MARK: - Encoding

extension Partial {
    /// The partial's bytes: the version line, then the fields (not compressed; see ``PartialFile``).
    func encode() -> [UInt8] {
        let a = aggregator
        a.flushCurrentMinute()
        // A partial carries its host's storms settled: `triage merge` adds them up (ClientTable).
        a.clientTable.settleRuns()
        var w = PartialWriter()
        w.message(1) { m in
            m.uint(1, a.limits.routes)
            m.uint(2, a.limits.heavyHitterRoutes)
            m.uint(3, a.limits.upstreams)
            m.uint(4, a.limits.clients)
            m.uint(5, a.limits.samplesPerGroup)
            m.sint(6, a.deployWindow)
            m.sint(7, a.now)
            m.uint(20, a.limits.clientTable)
            m.uint(21, a.limits.heavyHitterClients)
            m.uint(22, a.limits.clientRoutePairs)
            m.uint(8, a.limits.failedRequests)
            m.bool(9, a.recordsSeconds)
            m.uint(41, a.limits.causes)
        }
        w.message(2) { m in
            m.uint(1, a.requests)
            m.uint(2, a.serverErrors)
            m.uint(3, a.upstreamOverflowAttempts)
            m.uint(4, a.serverErrorsWithRequestID)
            m.optionalTime(5, a.firstTime)
            m.optionalTime(6, a.lastTime)
            if let offset = a.logUTCOffset { m.sint(7, Int64(offset)) }
            m.bool(8, a.clientsOverflowed)
            m.uint(9, a.ledger.serverErrorsWithRequestID)
            m.uint(10, a.ledger.untracked)
            m.bool(11, a.deploysResolved)
        }
        for (status, count) in a.statusCounts.enumerated() where count > 0 {
            w.message(3) { m in m.uint(1, status); m.uint(2, count) }
        }
        w.packed(4, Self.counts(a.classes))
        w.packed(5, Self.counts(a.statusOnly))
        w.packed(6, Self.counts(a.errorLogDecided))
        for c in FailureClass.allCases {
            w.message(7) { m in
                m.uint(1, c.rawValue + 1)
                m.optionalTime(2, a.classFirst[c.rawValue])
                m.optionalTime(3, a.classLast[c.rawValue])
                m.message(4) { Self.write(a.classSamples[c.rawValue], into: &$0) }
                if !a.classLatency[c.rawValue].isEmpty { m.message(5) { Self.write(a.classLatency[c.rawValue], into: &$0) } }
            }
        }
        if !a.latency.isEmpty { w.message(30) { Self.write(a.latency, into: &$0) } }
        if !a.upstreamLatency.isEmpty { w.message(31) { Self.write(a.upstreamLatency, into: &$0) } }
        if a.latencyGroups > 0 { w.message(32) { $0.uint(1, a.latencyGroups) } }
        if a.servedFromCache.total > 0 { w.packed(46, Self.counts(a.servedFromCache)) }
        for (index, key) in a.routes.keys.enumerated() {
            w.message(8) { m in m.bytes(1, key); m.message(2) { Self.write(a.routes.values[index], into: &$0) } }
        }
        w.message(9) { Self.write(a.routeOverflow, into: &$0) }
        for entry in a.heavyHitters.entries {
            w.message(10) { m in
                m.bytes(1, entry.key)
                m.uint(2, entry.count)
                m.uint(3, entry.error)
                m.sint(4, Int64(entry.id))
                m.message(5) { Self.write(entry.stats, into: &$0) }
            }
        }
        for (index, key) in a.upstreams.keys.enumerated() {
            w.message(11) { m in m.bytes(1, key); m.message(2) { Self.write(a.upstreams.values[index], into: &$0) } }
        }
        for minute in a.minutes.keys.sorted() {
            guard let stats = a.minutes[minute] else { continue }
            w.message(12) { m in
                m.sint(1, minute)
                m.uint(2, stats.requests)
                m.uint(3, stats.serverErrors)
                m.packed(4, Self.counts(stats.classes))
                for (cell, count) in stats.causes.sorted(by: { $0.key < $1.key }) {
                    m.message(40) { e in
                        e.uint(1, cell.failureClass.rawValue + 1)
                        e.uint(2, Int(cell.status))
                        e.sint(3, Int64(cell.route))
                        e.sint(4, Int64(cell.upstream))
                        e.sint(5, Int64(cell.client))
                        e.uint(6, count)
                    }
                }
                if !stats.perSecond.isEmpty { m.packed(7, stats.perSecond.map(Int.init)) }
                if !stats.latency.isEmpty {
                    let wire = stats.latency.wire
                    m.message(8) { l in
                        l.uint(1, wire.offset)
                        l.packed(2, wire.counts)
                    }
                }
            }
        }
        if a.collapsedCauses > 0 { w.message(45) { $0.uint(1, a.collapsedCauses) } }
        if !a.clients.isEmpty {
            var raw: [UInt8] = []
            raw.reserveCapacity(a.clients.count * 8)
            for c in a.clients.sorted() { for k in 0..<8 { raw.append(UInt8(truncatingIfNeeded: c >> (8 * UInt64(k)))) } }
            w.bytes(13, raw)
        }
        Self.write(a.clientTable, into: &w)
        for (key, stats) in a.ledger.access.sorted(by: { Self.order($0.key, $1.key) }) {
            w.message(14) { m in
                m.sint(1, Int64(key.route))
                m.uint(2, key.failureClass.rawValue + 1)
                m.uint(3, key.upstreamStatus)
                m.code(4, key.cause)
                m.uint(5, stats.count)
                m.optionalTime(6, stats.firstTime)
                m.optionalTime(7, stats.lastTime)
                m.message(8) { Self.write(stats.samples, into: &$0) }
            }
        }
        for d in a.deploys {
            w.message(15) { m in
                m.string(1, d.marker.label)
                m.string(2, d.marker.origin)
                switch d.marker.time {
                case let .absolute(t): m.uint(3, 1); m.sint(4, t)
                case let .zoneless(t): m.uint(3, 2); m.sint(4, t)
                case let .relative(t): m.uint(3, 3); m.sint(4, t)
                }
                m.sint(5, d.time)
                m.message(6) { Self.write(d.before, into: &$0) }
                m.message(7) { Self.write(d.after, into: &$0) }
                for (key, counts) in d.signatures.sorted(by: { $0.key < $1.key }) {
                    m.message(8) { e in e.sint(1, key); e.uint(2, counts.before); e.uint(3, counts.after) }
                }
            }
        }
        w.message(16) { m in
            m.uint(1, lines)
            m.uint(2, malformedTotal)
            for (reason, count) in malformedReasons.sorted(by: { $0.key < $1.key }) {
                m.message(3) { e in e.string(1, reason); e.uint(2, count) }
            }
            for example in malformedExamples { m.message(4) { Self.write(example, into: &$0) } }
            for note in notes { m.string(5, note) }
            for input in inputs { m.message(6) { Self.write(input, into: &$0) } }
            m.uint(7, otherTotal)
            for (reason, entry) in otherReasons.sorted(by: { $0.key < $1.key }) {
                m.message(8) { e in
                    e.string(1, reason)
                    e.uint(2, entry.count)
                    e.message(3) { Self.write(entry.example, into: &$0) }
                }
            }
        }
        for host in hosts {
            w.message(17) { m in
                m.string(1, host.name)
                m.uint(2, host.requests)
                m.uint(3, host.serverErrors)
                m.packed(4, Self.counts(host.classes))
            }
        }
        encodeCorrelation(into: &w, host: hostPrefix)
        if !a.secondFailures.isEmpty { w.packed(27, Self.flatten(a.secondFailures)) }
        return Array("triage-partial \(Self.major).\(Self.minor)\n".utf8) + w.bytes
    }

    static func counts(_ c: ClassCounts) -> [Int] { FailureClass.allCases.map { c[$0] } }

    static func order(_ a: ServerErrorLedger.AccessKey, _ b: ServerErrorLedger.AccessKey) -> Bool {
        (a.route, a.failureClass.rawValue, a.upstreamStatus, a.cause) < (b.route, b.failureClass.rawValue, b.upstreamStatus, b.cause)
    }

    static func write(_ samples: SampleSet, into m: inout PartialWriter) {
        for item in samples.items { m.message(1) { e in e.sint(1, item.time); e.string(2, item.id) } }
    }

    static func write(_ g: Aggregator.GroupStats, into m: inout PartialWriter) {
        m.uint(1, g.requests)
        m.uint(2, g.serverErrors)
        m.uint(3, g.failures)
        m.packed(4, counts(g.classes))
        m.message(5) { write(g.samples, into: &$0) }
        if !g.latency.isEmpty { m.message(6) { write(g.latency, into: &$0) } }
    }

    /// The client table (fields 40–44); its runs must be settled.
    static func write(_ t: ClientTable, into w: inout PartialWriter) {
        for (index, key) in t.exact.keys.enumerated() {
            w.message(40) { m in m.bytes(1, key); m.message(2) { write(t.exact.values[index], into: &$0) } }
        }
        for entry in t.sketch.entries {
            w.message(41) { m in
                m.bytes(1, entry.key)
                m.uint(2, entry.count)
                m.uint(3, entry.error)
                m.sint(4, Int64(entry.id))
                m.message(5) { write(entry.stats, into: &$0) }
            }
        }
        w.message(42) { m in
            write(t.overflow, into: &m)
            m.bool(20, t.pairsOverflowed)
        }
        for (route, tally) in t.routeStorms.sorted(by: { $0.key < $1.key }) {
            w.message(43) { m in
                m.sint(1, Int64(route))
                m.uint(2, tally.storms)
                m.uint(3, tally.requests)
                if let largest = tally.largest {
                    m.message(4) { e in
                        e.bytes(1, largest.client)
                        e.uint(2, largest.requests)
                        e.sint(3, largest.first)
                        e.sint(4, largest.last)
                    }
                }
            }
        }
        for (pair, count) in t.routeClientErrors.sorted(by: { $0.key < $1.key }) {
            w.message(44) { m in
                m.sint(1, Int64(Int32(truncatingIfNeeded: pair >> 32)))
                m.sint(2, Int64(Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF)))
                m.uint(3, count)
            }
        }
    }

    static func write(_ c: ClientTable.Stats, into m: inout PartialWriter) {
        m.uint(1, c.requests)
        m.uint(2, c.serverErrors)
        m.packed(3, counts(c.classes))
        if c.userAgent.rank < 2 {
            m.uint(4, Int(c.userAgent.rank) + 1)
            m.sint(5, c.userAgent.time)
            m.bytes(6, c.userAgent.bytes)
        }
        m.uint(7, c.storms)
        m.uint(8, c.stormRequests)
    }

    static func readClient(_ value: PartialReader.Value) throws -> ClientTable.Stats {
        var m = try value.reader()
        var c = ClientTable.Stats()
        var userAgentTime: Int64 = 0  // a zero is not written
        try m.forEach { f, v in
            switch f {
            case 1: c.requests = try v.int()
            case 2: c.serverErrors = try v.int()
            case 3: c.classes = try readClasses(v)
            case 4: c.userAgent.rank = UInt8(clamping: try v.int() - 1)
            case 5: userAgentTime = try v.int64()
            case 6: c.userAgent.bytes = Array(try v.bytes().prefix(ClientTable.userAgentCapacity))
            case 7: c.storms = try v.int()
            case 8: c.stormRequests = try v.int()
            default: break
            }
        }
        guard c.userAgent.rank <= 2 else { throw PartialDecodingError(reason: "a client's user-agent rank is unknown") }
        if c.userAgent.rank < 2 { c.userAgent.time = userAgentTime }
        return c
    }

    static func write(_ h: LatencyHistogram, into m: inout PartialWriter) {
        let wire = h.wire
        m.uint(1, wire.offset)
        m.packed(2, wire.counts)
        m.uint(3, wire.count)
        m.sint(4, wire.min)
        m.sint(5, wire.max)
    }

    static func readLatency(_ value: PartialReader.Value) throws -> LatencyHistogram {
        var m = try value.reader()
        var offset = 0, counts: [Int] = [], count = 0
        var low: Int64 = 0, high: Int64 = 0
        try m.forEach { f, v in
            switch f {
            case 1: offset = try v.int()
            case 2: counts = try v.packed()
            case 3: count = try v.int()
            case 4: low = try v.int64()
            case 5: high = try v.int64()
            default: break
            }
        }
        guard let h = LatencyHistogram(offset: offset, counts: counts, count: count, min: low, max: high) else {
            throw PartialDecodingError(reason: "a latency histogram is inconsistent")
        }
        return h
    }

    static func write(_ example: TriageSummary.MalformedExample, into e: inout PartialWriter) {
        e.string(1, example.path)
        e.uint(2, example.line)
        e.string(3, example.reason)
        e.string(4, example.excerpt)
    }

    static func write(_ w: WindowCounts, into m: inout PartialWriter) {
        m.uint(1, w.requests)
        m.uint(2, w.serverErrors)
        m.packed(3, counts(w.classes))
        if !w.latency.isEmpty { m.message(4) { write(w.latency, into: &$0) } }
    }

    static func write(_ i: TriageSummary.Input, into m: inout PartialWriter) {
        m.string(1, i.path)
        m.string(2, i.format)
        m.string(3, i.formatSource)
        m.bool(4, i.isGzip)
        m.uint(5, i.lines)
        m.uint(6, i.records)
        m.uint(7, i.malformed)
        m.uint(8, i.blank)
        m.uint(9, i.skipped)
        m.uint(10, i.outsideTimeRange)
        m.uint(11, i.errorLogLines)
        if let error = i.error { m.string(12, error) }
        m.bool(13, i.hasUpstreamFields)
        m.bool(14, i.hasRequestID)
        m.uint(15, i.otherLines)
        m.uint(16, i.trailingTextLines)
        if let unread = i.unreadFields { m.string(17, unread) }
        if let suggested = i.suggestedLogFormat { m.string(18, suggested) }
        for server in i.servers { m.string(19, server.rawValue) }
    }
}

// MARK: - Decoding

extension Partial {
    /// Reads a partial's bytes (already inflated).
    ///
    /// - Throws: ``PartialDecodingError`` naming what is wrong: not a partial, a newer
    ///   major version, or damage (with the field).
    static func decode(_ data: [UInt8]) throws -> Partial {
        guard data.count > magic.count, data.starts(with: magic),
              let newline = data.prefix(64).firstIndex(of: 0x0A) else {
            throw PartialDecodingError(reason: "not a triage partial (it does not start with 'triage-partial MAJOR.MINOR')")
        }
        let versionText = String(decoding: data[magic.count..<newline], as: UTF8.self)
        let parts = versionText.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else {
            throw PartialDecodingError(reason: "unreadable version '\(LogText.sanitize(versionText))'")
        }
        guard major <= Self.major else {
            throw PartialDecodingError(reason: "written by a newer triage (partial format \(major).\(minor)); this triage reads partials up to \(Self.major).x: upgrade triage on the merging machine")
        }
        var top = PartialReader(data[(newline + 1)...])

        // The limits and deploys come first: the aggregator is built from them.
        var limits = Aggregator.Limits()
        // Written since 1.1; before, partials carried no 5xx by request ID.
        limits.failedRequests = 0
        var deployWindow: Int64 = 1800, now: Int64 = 0
        var recordsSeconds = false
        var deploys: [(marker: DeployMarker, time: Int64, before: WindowCounts, after: WindowCounts,
                       signatures: [Int64: (before: Int, after: Int)])] = []
        var scan = top
        try scan.forEach { field, value in
            switch field {
            case 1:
                var m = try value.reader()
                try m.forEach { f, v in
                    switch f {
                    case 1: limits.routes = try v.int()
                    case 2: limits.heavyHitterRoutes = try v.int()
                    case 3: limits.upstreams = try v.int()
                    case 4: limits.clients = try v.int()
                    case 5: limits.samplesPerGroup = try v.int()
                    case 6: deployWindow = try v.int64()
                    case 7: now = try v.int64()
                    case 20: limits.clientTable = try v.int()
                    case 21: limits.heavyHitterClients = try v.int()
                    case 22: limits.clientRoutePairs = try v.int()
                    case 8: limits.failedRequests = try v.int()
                    case 9: recordsSeconds = try v.bool()
                    case 41: limits.causes = try v.int()
                    default: break
                    }
                }
            case 15:
                var m = try value.reader()
                var label = "", origin = "", kind = 0, spec: Int64 = 0, time: Int64 = 0
                var before = WindowCounts(), after = WindowCounts()
                var signatures: [Int64: (before: Int, after: Int)] = [:]
                try m.forEach { f, v in
                    switch f {
                    case 1: label = try v.string()
                    case 2: origin = try v.string()
                    case 3: kind = try v.int()
                    case 4: spec = try v.int64()
                    case 5: time = try v.int64()
                    case 6: before = try readWindow(v)
                    case 7: after = try readWindow(v)
                    case 8:
                        var e = try v.reader()
                        var key: Int64 = 0, b = 0, a = 0
                        try e.forEach { f, v in
                            switch f {
                            case 1: key = try v.int64()
                            case 2: b = try v.int()
                            case 3: a = try v.int()
                            default: break
                            }
                        }
                        signatures[key] = (b, a)
                    default: break
                    }
                }
                let timeSpec: TimeSpec
                switch kind {
                case 1: timeSpec = .absolute(spec)
                case 2: timeSpec = .zoneless(spec)
                case 3: timeSpec = .relative(spec)
                default: throw PartialDecodingError(reason: "deploy '\(LogText.sanitize(label))' has no time")
                }
                deploys.append((DeployMarker(time: timeSpec, label: label, origin: origin), time, before, after, signatures))
            default: break
            }
        }
        guard limits.routes > 0, limits.heavyHitterRoutes > 0, limits.upstreams > 0, limits.samplesPerGroup >= 0,
              limits.clientTable > 0, limits.heavyHitterClients > 0, limits.clientRoutePairs >= 0 else {
            throw PartialDecodingError(reason: "its limits are missing or zero")
        }
        let a = Aggregator(limits: limits, deploys: deploys.map(\.marker), deployWindow: deployWindow, now: now)
        a.recordsSeconds = recordsSeconds
        for (i, d) in deploys.enumerated() {
            a.deploys[i].time = d.time
            a.deploys[i].before = d.before
            a.deploys[i].after = d.after
            a.deploys[i].signatures = d.signatures
        }
        var partial = Partial(aggregator: a)
        partial.version = (major, minor)
        let classCount = FailureClass.allCases.count

        try top.forEach { field, value in
            switch field {
            case 2:
                var m = try value.reader()
                try m.forEach { f, v in
                    switch f {
                    case 1: a.requests = try v.int()
                    case 2: a.serverErrors = try v.int()
                    case 3: a.upstreamOverflowAttempts = try v.int()
                    case 4: a.serverErrorsWithRequestID = try v.int()
                    case 5: a.firstTime = try v.int64()
                    case 6: a.lastTime = try v.int64()
                    case 7: a.logUTCOffset = Int(try v.int64())
                    case 8: a.clientsOverflowed = try v.bool()
                    case 9: a.ledger.serverErrorsWithRequestID = try v.int()
                    case 10: a.ledger.untracked = try v.int()
                    case 11: a.deploysResolved = try v.bool()
                    default: break
                    }
                }
            case 3:
                var m = try value.reader()
                // A field left out is 0 (the writer skips zeros): status 0 is HAProxy's -1 and
                // Envoy's 0, a response never sent.
                var status = 0, count = 0
                try m.forEach { f, v in
                    if f == 1 { status = try v.int() } else if f == 2 { count = try v.int() }
                }
                guard status >= 0 && status < a.statusCounts.count else {
                    throw PartialDecodingError(reason: "status \(status) is out of range")
                }
                a.statusCounts[status] += count
            case 45:
                var m = try value.reader()
                try m.forEach { f, v in if f == 1 { a.collapsedCauses = try v.int() } }
            case 30: a.latency = try readLatency(value)
            case 31: a.upstreamLatency = try readLatency(value)
            case 32:
                var m = try value.reader()
                try m.forEach { f, v in if f == 1 { a.latencyGroups = try v.int() } }
            case 4: a.classes = try readClasses(value)
            case 5: a.statusOnly = try readClasses(value)
            case 6: a.errorLogDecided = try readClasses(value)
            case 46: a.servedFromCache = try readClasses(value)
            case 7:
                var m = try value.reader()
                var c = -1
                var first: Int64?, last: Int64?
                var samples = SampleSet()
                var classLatency = LatencyHistogram()
                try m.forEach { f, v in
                    switch f {
                    case 1: c = try v.int() - 1
                    case 2: first = try v.int64()
                    case 3: last = try v.int64()
                    case 4: samples = try readSamples(v, limit: limits.samplesPerGroup)
                    case 5: classLatency = try readLatency(v)
                    default: break
                    }
                }
                guard c >= 0 && c < classCount else { throw PartialDecodingError(reason: "class \(c + 1) is unknown to this triage") }
                a.classLatency[c] = classLatency
                a.classFirst[c] = first
                a.classLast[c] = last
                a.classSamples[c] = samples
            case 8, 11:
                var m = try value.reader()
                var key: ArraySlice<UInt8> = []
                var stats = Aggregator.GroupStats()
                try m.forEach { f, v in
                    if f == 1 { key = try v.bytes() } else if f == 2 { stats = try readGroup(v, limit: limits.samplesPerGroup) }
                }
                let table = field == 8 ? a.routes : a.upstreams
                let index = Array(key).withUnsafeBufferPointer { k in table.index(of: k, make: { Aggregator.GroupStats() }) }
                guard let index else {
                    throw PartialDecodingError(reason: "more \(field == 8 ? "routes" : "upstreams") than its own limit")
                }
                table.values[index].merge(stats, sampleLimit: limits.samplesPerGroup)
            case 9: a.routeOverflow = try readGroup(value, limit: limits.samplesPerGroup)
            case 10:
                var m = try value.reader()
                var key: [UInt8] = [], count = 0, error = 0, id: Int64 = 0
                var stats = Aggregator.GroupStats()
                try m.forEach { f, v in
                    switch f {
                    case 1: key = Array(try v.bytes())
                    case 2: count = try v.int()
                    case 3: error = try v.int()
                    case 4: id = try v.int64()
                    case 5: stats = try readGroup(v, limit: limits.samplesPerGroup)
                    default: break
                    }
                }
                guard id >= Int64(limits.routes), id <= Int64(Int32.max) else {
                    throw PartialDecodingError(reason: "an approximately tracked route has id \(id), inside the exact table")
                }
                guard a.heavyHitters.entries.count < a.heavyHitters.capacity else {
                    throw PartialDecodingError(reason: "more approximately tracked routes than its own limit")
                }
                a.heavyHitters.restore(key: key, count: count, error: error, id: Int32(id), stats: stats)
                a.nextSketchID = max(a.nextSketchID, Int32(id) &+ 1)
            case 12:
                var m = try value.reader()
                var start: Int64?
                var stats = Aggregator.MinuteStats()
                try m.forEach { f, v in
                    switch f {
                    case 1: start = try v.int64()
                    case 2: stats.requests = try v.int()
                    case 3: stats.serverErrors = try v.int()
                    case 4: stats.classes = try readClasses(v)
                    case 7:
                        let counts = try v.packed()
                        guard counts.count == 60, counts.allSatisfy({ $0 <= Int(Int32.max) }) else {
                            throw PartialDecodingError(reason: "a minute's requests per second are not 60 counts")
                        }
                        stats.perSecond = counts.map(Int32.init)
                    case 8:
                        var l = try v.reader()
                        var offset = 0, counts: [Int] = []
                        try l.forEach { f, v in
                            switch f {
                            case 1: offset = try v.int()
                            case 2: counts = try v.packed()
                            default: break
                            }
                        }
                        guard let latency = TimelineLatency(offset: offset, counts: counts) else {
                            throw PartialDecodingError(reason: "a minute's request-time buckets are out of range")
                        }
                        stats.latency = latency
                    // 5 and 6 (1.0): 5xx per route and failed attempts per upstream, now read from the causes.
                    case 40:
                        var e = try v.reader()
                        var c = -1, status = 0, count = 0
                        var route: Int64 = -1, upstream: Int64 = -1, client: Int64 = -1
                        try e.forEach { f, v in
                            switch f {
                            case 1: c = try v.int() - 1
                            case 2: status = try v.int()
                            case 3: route = try v.int64()
                            case 4: upstream = try v.int64()
                            case 5: client = try v.int64()
                            case 6: count = try v.int()
                            default: break
                            }
                        }
                        guard let failureClass = FailureClass(rawValue: c) else {
                            throw PartialDecodingError(reason: "class \(c + 1) is unknown to this triage")
                        }
                        guard (0...999).contains(status), (-1...Int64(Int32.max)).contains(route),
                              (-1...Int64(a.limits.upstreams)).contains(upstream),
                              (-1...Int64(Int32.max)).contains(client) else {
                            throw PartialDecodingError(reason: "a minute's cause is out of range")
                        }
                        let cell = CauseCell(failureClass: failureClass, status: Int16(status), route: Int32(route),
                                             upstream: Int32(upstream), client: Int32(client))
                        stats.causes[cell, default: 0] += count
                    default: break
                    }
                }
                guard let start, start % 60 == 0 else { throw PartialDecodingError(reason: "a minute that does not start on a minute") }
                a.mergeMinute(stats, at: start)
            case 13:
                let raw = try value.bytes()
                guard raw.count % 8 == 0 else { throw PartialDecodingError(reason: "the client hashes are cut short") }
                var i = raw.startIndex
                while i < raw.endIndex {
                    var h: UInt64 = 0
                    for k in 0..<8 { h |= UInt64(raw[i + k]) << (8 * UInt64(k)) }
                    a.clients.insert(h)
                    i += 8
                }
            case 40:
                var m = try value.reader()
                var key: [UInt8] = []
                var stats = ClientTable.Stats()
                try m.forEach { f, v in
                    if f == 1 { key = Array(try v.bytes()) } else if f == 2 { stats = try readClient(v) }
                }
                let table = a.clientTable.exact
                guard table.count < table.limit else { throw PartialDecodingError(reason: "more clients than its own limit") }
                let index = key.withUnsafeBufferPointer { k in table.index(of: k, make: { ClientTable.Stats() }) }
                guard let index, index == table.count - 1 else {
                    throw PartialDecodingError(reason: "a client is listed twice")
                }
                table.values[index] = stats
            case 41:
                var m = try value.reader()
                var key: [UInt8] = [], count = 0, error = 0, id: Int64 = 0
                var stats = ClientTable.Stats()
                try m.forEach { f, v in
                    switch f {
                    case 1: key = Array(try v.bytes())
                    case 2: count = try v.int()
                    case 3: error = try v.int()
                    case 4: id = try v.int64()
                    case 5: stats = try readClient(v)
                    default: break
                    }
                }
                guard id >= Int64(limits.clientTable), id <= Int64(Int32.max) else {
                    throw PartialDecodingError(reason: "an approximately tracked client has id \(id), inside the exact table")
                }
                guard a.clientTable.sketch.entries.count < a.clientTable.sketch.capacity else {
                    throw PartialDecodingError(reason: "more approximately tracked clients than its own limit")
                }
                a.clientTable.sketch.restore(key: key, count: count, error: error, id: Int32(id), stats: stats)
                a.clientTable.nextSketchID = max(a.clientTable.nextSketchID, Int32(id) &+ 1)
            case 42:
                a.clientTable.overflow = try readClient(value)
                var m = try value.reader()
                try m.forEach { f, v in if f == 20 { a.clientTable.pairsOverflowed = try v.bool() } }
            case 43:
                var m = try value.reader()
                var route: Int64 = -1
                var tally = ClientTable.StormTally()
                try m.forEach { f, v in
                    switch f {
                    case 1: route = try v.int64()
                    case 2: tally.storms = try v.int()
                    case 3: tally.requests = try v.int()
                    case 4:
                        var e = try v.reader()
                        var storm = ClientTable.LargestStorm(client: [], requests: 0, first: 0, last: 0)
                        try e.forEach { f, v in
                            switch f {
                            case 1: storm.client = Array(try v.bytes())
                            case 2: storm.requests = try v.int()
                            case 3: storm.first = try v.int64()
                            case 4: storm.last = try v.int64()
                            default: break
                            }
                        }
                        tally.largest = storm
                    default: break
                    }
                }
                a.clientTable.routeStorms[Int32(clamping: route), default: ClientTable.StormTally()].add(tally)
            case 44:
                var m = try value.reader()
                var client: Int64 = -1, route: Int64 = -1, count = 0
                try m.forEach { f, v in
                    switch f {
                    case 1: client = try v.int64()
                    case 2: route = try v.int64()
                    case 3: count = try v.int()
                    default: break
                    }
                }
                let key = ClientTable.pairKey(client: Int32(clamping: client), route: Int32(clamping: route))
                guard a.clientTable.routeClientErrors.count < limits.clientRoutePairs
                        || a.clientTable.routeClientErrors[key] != nil else {
                    throw PartialDecodingError(reason: "more (client, route) pairs than its own limit")
                }
                a.clientTable.routeClientErrors[key, default: 0] += count
            case 14:
                var m = try value.reader()
                var route: Int64 = -1, c = -1, upstream = 0, cause = Int(ServerErrorLedger.AccessKey.noCause)
                var stats = ServerErrorLedger.AccessStats()
                try m.forEach { f, v in
                    switch f {
                    case 1: route = try v.int64()
                    case 2: c = try v.int() - 1
                    case 3: upstream = try v.int()
                    case 4: cause = try v.int()
                    case 5: stats.count = try v.int()
                    case 6: stats.firstTime = try v.int64()
                    case 7: stats.lastTime = try v.int64()
                    case 8: stats.samples = try readSamples(v, limit: limits.samplesPerGroup)
                    default: break
                    }
                }
                guard let failureClass = FailureClass(rawValue: c) else {
                    throw PartialDecodingError(reason: "a signature's class \(c + 1) is unknown to this triage")
                }
                let key = ServerErrorLedger.AccessKey(route: Int32(clamping: route), failureClass: failureClass,
                                                      upstreamStatus: upstream, cause: UInt8(clamping: cause))
                a.ledger.access[key, default: ServerErrorLedger.AccessStats()].merge(stats, sampleLimit: limits.samplesPerGroup)
            case 16:
                var m = try value.reader()
                try m.forEach { f, v in
                    switch f {
                    case 1: partial.lines = try v.int()
                    case 2: partial.malformedTotal = try v.int()
                    case 3:
                        var e = try v.reader()
                        var reason = "", count = 0
                        try e.forEach { f, v in if f == 1 { reason = try v.string() } else if f == 2 { count = try v.int() } }
                        partial.malformedReasons[reason, default: 0] += count
                    case 4: partial.malformedExamples.append(try readExample(v))
                    case 5: partial.notes.append(try v.string())
                    case 6: partial.inputs.append(try readInput(v))
                    case 7: partial.otherTotal = try v.int()
                    case 8:
                        var e = try v.reader()
                        var entry = TriageSummary.OtherLines(
                            reason: "", count: 0, example: .init(path: "", line: 0, reason: "", excerpt: ""))
                        try e.forEach { f, v in
                            switch f {
                            case 1: entry.reason = try v.string()
                            case 2: entry.count = try v.int()
                            case 3: entry.example = try readExample(v)
                            default: break
                            }
                        }
                        partial.otherReasons[entry.reason] = entry
                    default: break
                    }
                }
            case 17:
                var m = try value.reader()
                var host = TriageSummary.Host(name: "", requests: 0, serverErrors: 0, classes: ClassCounts())
                try m.forEach { f, v in
                    switch f {
                    case 1: host.name = try v.string()
                    case 2: host.requests = try v.int()
                    case 3: host.serverErrors = try v.int()
                    case 4: host.classes = try readClasses(v)
                    default: break
                    }
                }
                partial.hosts.append(host)
            case 21...26: try decodeCorrelation(field, value, into: &partial)
            case 27: try readSecondFailures(value, into: a)
            default: break
            }
        }
        try checkCorrelation(partial)
        return partial
    }

    static func readClasses(_ value: PartialReader.Value) throws -> ClassCounts {
        let values = try value.packed()
        guard values.count <= FailureClass.allCases.count else {
            throw PartialDecodingError(reason: "\(values.count) classes, more than the \(FailureClass.allCases.count) this triage knows")
        }
        var c = ClassCounts()
        for (i, v) in values.enumerated() { if let k = FailureClass(rawValue: i) { c[k] = v } }
        return c
    }

    static func readSamples(_ value: PartialReader.Value, limit: Int) throws -> SampleSet {
        var m = try value.reader()
        var set = SampleSet()
        try m.forEach { f, v in
            guard f == 1 else { return }
            var e = try v.reader()
            var time: Int64 = .min, id = ""
            try e.forEach { f, v in if f == 1 { time = try v.int64() } else if f == 2 { id = try v.string() } }
            set.insert(time: time, id: id, limit: limit)
        }
        return set
    }

    static func readGroup(_ value: PartialReader.Value, limit: Int) throws -> Aggregator.GroupStats {
        var m = try value.reader()
        var g = Aggregator.GroupStats()
        try m.forEach { f, v in
            switch f {
            case 1: g.requests = try v.int()
            case 2: g.serverErrors = try v.int()
            case 3: g.failures = try v.int()
            case 4: g.classes = try readClasses(v)
            case 5: g.samples = try readSamples(v, limit: limit)
            case 6: g.latency = try readLatency(v)
            default: break
            }
        }
        return g
    }

    static func readWindow(_ value: PartialReader.Value) throws -> WindowCounts {
        var m = try value.reader()
        var w = WindowCounts()
        try m.forEach { f, v in
            switch f {
            case 1: w.requests = try v.int()
            case 2: w.serverErrors = try v.int()
            case 3: w.classes = try readClasses(v)
            case 4: w.latency = try readLatency(v)
            default: break
            }
        }
        return w
    }

    static func readExample(_ value: PartialReader.Value) throws -> TriageSummary.MalformedExample {
        var e = try value.reader()
        var example = TriageSummary.MalformedExample(path: "", line: 0, reason: "", excerpt: "")
        try e.forEach { f, v in
            switch f {
            case 1: example.path = try v.string()
            case 2: example.line = try v.int()
            case 3: example.reason = try v.string()
            case 4: example.excerpt = try v.string()
            default: break
            }
        }
        return example
    }

    static func readInput(_ value: PartialReader.Value) throws -> TriageSummary.Input {
        var m = try value.reader()
        var i = TriageSummary.Input(path: "", format: "-", formatSource: "", isGzip: false, lines: 0, records: 0,
                                    malformed: 0, blank: 0, skipped: 0, error: nil, hasUpstreamFields: false,
                                    hasRequestID: false)
        try m.forEach { f, v in
            switch f {
            case 1: i.path = try v.string()
            case 2: i.format = try v.string()
            case 3: i.formatSource = try v.string()
            case 4: i.isGzip = try v.bool()
            case 5: i.lines = try v.int()
            case 6: i.records = try v.int()
            case 7: i.malformed = try v.int()
            case 8: i.blank = try v.int()
            case 9: i.skipped = try v.int()
            case 10: i.outsideTimeRange = try v.int()
            case 11: i.errorLogLines = try v.int()
            case 12: i.error = try v.string()
            case 13: i.hasUpstreamFields = try v.bool()
            case 14: i.hasRequestID = try v.bool()
            case 15: i.otherLines = try v.int()
            case 16: i.trailingTextLines = try v.int()
            case 17: i.unreadFields = try v.string()
            case 18: i.suggestedLogFormat = try v.string()
            case 19: if let server = LogServer(rawValue: try v.string()) { i.servers.append(server) }
            default: break
            }
        }
        return i
    }
}

// MARK: - Compatibility

extension Partial {
    /// Why `self` cannot be merged with `other`, or nil: both must have been counted
    /// with the same limits and deploys (the counts around a deploy are taken as lines
    /// are read, to the second).
    func mismatch(with other: Partial) -> String? {
        let a = aggregator.limits, b = other.aggregator.limits
        if a.routes != b.routes || a.heavyHitterRoutes != b.heavyHitterRoutes || a.upstreams != b.upstreams
            || a.clients != b.clients || a.samplesPerGroup != b.samplesPerGroup || a.clientTable != b.clientTable
            || a.heavyHitterClients != b.heavyHitterClients || a.clientRoutePairs != b.clientRoutePairs {
            return "written with other limits"
        }
        if aggregator.deployWindow != other.aggregator.deployWindow { return "written with another --deploy-window" }
        let mine = aggregator.deploys.map(\.marker), theirs = other.aggregator.deploys.map(\.marker)
        if mine.map(\.label) != theirs.map(\.label) || mine.map(\.time) != theirs.map(\.time) {
            return "written with other deploys (\(mine.map(\.label).joined(separator: ", ")))"
        }
        return nil
    }
}

// MARK: - The per-second series

extension Partial {
    /// Field 27: the series' failures (``Aggregator/SecondFailure``) as one packed run of
    /// five numbers each, ordered by time: the seconds since the previous one (the first:
    /// since the epoch), the class (255: none), the route + 2 (0: none, 1: other routes),
    /// 1 for a 5xx, and the count.
    static func flatten(_ failures: [Aggregator.SecondFailure: Int]) -> [Int] {
        let sorted = failures.sorted { a, b in
            (a.key.time, a.key.failureClass, a.key.route, a.key.isServerError ? 1 : 0)
                < (b.key.time, b.key.failureClass, b.key.route, b.key.isServerError ? 1 : 0)
        }
        var values: [Int] = []
        values.reserveCapacity(sorted.count * 5)
        var previous: Int64 = 0
        for (key, count) in sorted {
            values += [Int(key.time - previous), Int(key.failureClass), Int(key.route) + 2, key.isServerError ? 1 : 0, count]
            previous = key.time
        }
        return values
    }

    static func readSecondFailures(_ value: PartialReader.Value, into a: Aggregator) throws {
        let values = try value.packed()
        guard values.count % 5 == 0 else { throw PartialDecodingError(reason: "the per-second failures are cut short") }
        var time: Int64 = 0
        var i = 0
        while i < values.count {
            let (next, overflow) = time.addingReportingOverflow(Int64(values[i]))
            guard !overflow, values[i + 1] <= Int(UInt8.max), values[i + 2] <= Int(Int32.max) else {
                throw PartialDecodingError(reason: "a per-second failure is out of range")
            }
            time = next
            let key = Aggregator.SecondFailure(time: time, failureClass: UInt8(values[i + 1]),
                                               route: Int32(values[i + 2]) - 2, isServerError: values[i + 3] != 0)
            a.secondFailures[key, default: 0] += values[i + 4]
            i += 5
        }
    }
}
