/// The 5xx of the access log, kept so that application logs can explain them.
///
/// A 5xx with a request ID is kept by the ID's key (``RequestID``) with its
/// time, route, class and upstream status: a few dozen bytes each, at most
/// ``Aggregator/Limits/failedRequests`` of them (the rest are counted as
/// untracked). Application events are matched against these keys and only
/// matched events are ever kept, so memory follows the number of 5xx, not the
/// size of the application logs. A 5xx without an ID (or not matched) still
/// gets a signature from what the access log says: class, route, upstream status.
final class ServerErrorLedger {
    struct Entry {
        /// The ID as the access log wrote it, when that differs from its key
        /// (most IDs, nginx's `$request_id` among them, are their own key: no copy).
        var writtenID: String?
        var firstTime: Int64
        var lastTime: Int64
        /// 5xx that carried this ID (a client retrying with the same ID, several log lines).
        var count: Int
        var route: Int32
        var failureClass: FailureClass
        var upstreamStatus: Int
        /// The server error log's cause (``ErrorCause`` raw value), ``AccessKey/noCause`` without one.
        var cause: UInt8 = AccessKey.noCause
        /// Index into `catalog` once an application event explained it, else -1.
        var signature: Int32 = -1
        /// How much the chosen event says: 2 for an exception type, +1 for frames.
        var rank = -1

        /// The times as optionals (`.min` is stored for "no time": it keeps the entry small).
        var first: Int64? { firstTime == .min ? nil : firstTime }
        var last: Int64? { lastTime == .min ? nil : lastTime }

        /// Widens the time span to cover `first`…`last`.
        mutating func cover(first: Int64?, last: Int64?) {
            if let first, firstTime == .min || first < firstTime { firstTime = first }
            if let last, lastTime == .min || last > lastTime { lastTime = last }
        }

        var accessKey: AccessKey {
            AccessKey(route: route, failureClass: failureClass, upstreamStatus: upstreamStatus, cause: cause)
        }
    }

    struct AccessKey: Hashable {
        static let noCause = UInt8.max
        var route: Int32
        var failureClass: FailureClass
        var upstreamStatus: Int
        /// The error log's cause splits an access-log signature (`upstream_unreachable … (connection refused)`).
        var cause: UInt8 = noCause
    }

    struct AccessStats {
        var count = 0
        var firstTime: Int64?
        var lastTime: Int64?
        /// The earliest request IDs (``SampleSet``: by time, then ID, whatever the reading order).
        var samples = SampleSet()

        /// Adds `count` 5xx; `sample` is called (a String made) only when it may enter the samples.
        mutating func add(count: Int, first: Int64?, last: Int64?, sampleLimit: Int, sample: () -> String?) {
            self.count += count
            firstTime = Aggregator.earlier(firstTime, first)
            lastTime = Aggregator.later(lastTime, last)
            samples.offer(time: first ?? .min, limit: sampleLimit, sample)
        }

        mutating func merge(_ other: AccessStats, sampleLimit: Int) {
            add(count: other.count, first: other.firstTime, last: other.lastTime, sampleLimit: sampleLimit) { nil }
            samples.merge(other.samples, limit: sampleLimit)
        }
    }

    /// One application error signature and its example: of the matched events that
    /// showed it, the earliest by time, ties broken by message and stack text
    /// (``precedes(_:)``), so that neither the reading order nor the split into
    /// hosts' partials changes which one a report shows.
    struct CatalogEntry {
        var signature: ErrorSignature
        var exampleMessage: String
        var exampleStack: [String]
        var location: String
        /// The example event's time, nil when it had none (it then comes after every timed one).
        var time: Int64? = nil

        func precedes(_ other: CatalogEntry) -> Bool {
            if (time ?? .max) != (other.time ?? .max) { return (time ?? .max) < (other.time ?? .max) }
            if exampleMessage != other.exampleMessage { return exampleMessage < other.exampleMessage }
            return exampleStack.lexicographicallyPrecedes(other.exampleStack)
        }
    }

    let requests: ByteKeyTable<Entry>
    /// 5xx with a request ID that did not fit in `requests`.
    var untracked = 0
    var serverErrorsWithRequestID = 0
    var access: [AccessKey: AccessStats] = [:]
    var catalog: [CatalogEntry] = []
    var catalogIndex: [String: Int32] = [:]
    /// Distinct application signatures beyond this are not catalogued (their 5xx keep access-log signatures).
    static let catalogLimit = 10_000
    var catalogOverflow = 0
    let sampleLimit: Int
    private var key: [UInt8] = []

    /// False when the limit is 0 (no `--app-log`): 5xx go straight to their access-log signatures.
    var isTracking: Bool { requests.limit > 0 }

    init(limit: Int, sampleLimit: Int) {
        requests = ByteKeyTable(limit: limit, inlineKeys: false)
        self.sampleLimit = sampleLimit
        key.reserveCapacity(RequestID.maximumLength)
    }

    /// Records one 5xx.
    ///
    /// - Parameter time: Unix seconds, `.min` when the line had none.
    func add(requestID: UnsafeBufferPointer<UInt8>?, time: Int64, route: Int32, failureClass: FailureClass,
             upstreamStatus: Int, cause: ErrorCause? = nil) {
        let timed: Int64? = time == .min ? nil : time
        let causeValue = cause?.rawValue ?? AccessKey.noCause
        let accessKey = AccessKey(route: route, failureClass: failureClass, upstreamStatus: upstreamStatus, cause: causeValue)
        guard let requestID, RequestID.normalize(requestID, into: &key) else {
            access[accessKey, default: AccessStats()].add(count: 1, first: timed, last: timed, sampleLimit: sampleLimit) { nil }
            return
        }
        serverErrorsWithRequestID += 1
        // Without an application log to read, the ID is only a sample of its access-log signature.
        let index = !isTracking ? nil : key.withUnsafeBufferPointer { k in
            requests.index(of: k) {
                Entry(writtenID: requestID.elementsEqual(k) ? nil : LogText.display(requestID), firstTime: time,
                      lastTime: time, count: 0, route: route, failureClass: failureClass, upstreamStatus: upstreamStatus,
                      cause: causeValue)
            }
        }
        guard let index else {
            if isTracking { untracked += 1 }
            access[accessKey, default: AccessStats()].add(count: 1, first: timed, last: timed, sampleLimit: sampleLimit) {
                LogText.display(requestID)
            }
            return
        }
        requests.values[index].count += 1
        requests.values[index].cover(first: timed, last: timed)
    }

    /// Whether a 5xx carried this key (application events with other IDs are not kept).
    func contains(_ key: [UInt8]) -> Bool {
        key.withUnsafeBufferPointer { requests.find($0) != nil }
    }

    /// Adds `other`'s 5xx, mapping its route indexes to this aggregator's, and the
    /// application signatures that explained them (another host's partial; threads
    /// of one run merge before application logs are read, with empty catalogs).
    func merge(_ other: ServerErrorLedger, route: (Int32) -> Int32) {
        serverErrorsWithRequestID += other.serverErrorsWithRequestID
        untracked += other.untracked
        catalogOverflow += other.catalogOverflow
        let catalogMap = other.catalog.map { adopt($0) }
        for (k, v) in other.access {
            var mapped = k
            mapped.route = route(k.route)
            access[mapped, default: AccessStats()].merge(v, sampleLimit: sampleLimit)
        }
        for (i, k) in other.requests.keys.enumerated() {
            var value = other.requests.values[i]
            value.route = route(value.route)
            let index = k.withUnsafeBufferPointer { requests.index(of: $0) { Entry(
                writtenID: value.writtenID, firstTime: .min, lastTime: .min, count: 0, route: value.route,
                failureClass: value.failureClass, upstreamStatus: value.upstreamStatus, cause: value.cause) } }
            guard let index else {
                let displayID = value.writtenID ?? LogText.display(k)
                untracked += value.count
                access[value.accessKey, default: AccessStats()].add(count: value.count, first: value.first, last: value.last,
                                                                    sampleLimit: sampleLimit) { displayID }
                continue
            }
            requests.values[index].count += value.count
            requests.values[index].cover(first: value.first, last: value.last)
            // The better explanation of the two (an ID served by two hosts was explained on each).
            if value.signature >= 0, Int(value.signature) < catalogMap.count, let mine = catalogMap[Int(value.signature)] {
                choose(mine, rank: value.rank, for: index)
            }
        }
    }

    /// The index of `entry`'s signature in this catalog, its example the earlier of the two;
    /// nil when the catalog is full.
    private func adopt(_ entry: CatalogEntry) -> Int32? {
        if let existing = catalogIndex[entry.signature.id] {
            if entry.precedes(catalog[Int(existing)]) { catalog[Int(existing)] = entry }
            return existing
        }
        guard catalog.count < Self.catalogLimit else {
            catalogOverflow += 1
            return nil
        }
        let index = Int32(catalog.count)
        catalogIndex[entry.signature.id] = index
        catalog.append(entry)
        return index
    }

    /// Lets the catalogued signature `signature` explain the 5xx at `index` when it says more
    /// than the one chosen so far (a higher rank), or as much with a smaller ID: the choice
    /// does not depend on the order the events come in.
    private func choose(_ signature: Int32, rank: Int, for index: Int) {
        let current = requests.values[index]
        if current.signature >= 0 {
            guard rank > current.rank || (rank == current.rank
                && catalog[Int(signature)].signature.id < catalog[Int(current.signature)].signature.id) else { return }
        }
        requests.values[index].signature = signature
        requests.values[index].rank = rank
    }

    /// Explains the 5xx at `index` (of `requests`) by an application event's signature,
    /// if the event says more than the one chosen so far (see ``choose(_:rank:for:)``).
    /// Every matched event is offered to the catalog as its signature's example.
    func explain(_ index: Int, with signature: ErrorSignature, event: AppEvent) {
        let rank = (signature.exceptionType.isEmpty ? 0 : 2) + (signature.frames.isEmpty ? 0 : 1)
        guard let catalogued = adopt(Self.example(signature, event)) else { return }
        choose(catalogued, rank: rank, for: index)
    }

    /// The example an application signature shows: the message (the exception line when the
    /// event's first line is only a header), and the event's text in order without that first
    /// line unless it was such a header. Renderers show the message above the text only when
    /// the text does not already hold it (``TriageSummary/Signature/exampleText``).
    private static func example(_ signature: ErrorSignature, _ event: AppEvent) -> CatalogEntry {
        func cut(_ text: String, _ n: Int) -> String { text.count > n ? String(text.prefix(n - 1)) + "…" : text }
        var lines = event.lines
        var message = event.exceptionMessage ?? event.message ?? ""
        if message.isEmpty, let first = lines.firstIndex(where: { !$0.trimmedSpaces.isEmpty }) {
            message = lines[first].trimmedSpaces
            lines.removeSubrange(...first)
        }
        if let type = event.exceptionType, !message.hasPrefix(type) { message = "\(type): \(message)" }
        // A header like "payment failed" says less than the exception line further down.
        let type = signature.exceptionType
        if !type.isEmpty, !message.contains(type), let line = lines.first(where: { $0.trimmedSpaces.hasPrefix(type) }) {
            // The header stays at the head of the text, in the event's order: it often says
            // what failed for whom ("Checkout failed for user 9706").
            if !message.isEmpty { lines.insert(message, at: 0) }
            message = line.trimmedSpaces
        }
        let stack = lines.filter { !$0.trimmedSpaces.isEmpty }
        var trimmed = stack.prefix(12).map { cut($0, 200) }
        if stack.count > 12 { trimmed.append("… \(stack.count - 12 + event.droppedLines) more lines") }
        return CatalogEntry(signature: signature, exampleMessage: cut(message, 300), exampleStack: trimmed,
                            location: "\(event.path):\(event.line)", time: event.time)
    }
}

// MARK: - Summary

extension ServerErrorLedger {
    /// Every 5xx under exactly one signature, most frequent first.
    func signatures(routeName: (Int32) -> String) -> [TriageSummary.Signature] {
        struct Group {
            var count = 0
            var first: Int64?
            var last: Int64?
            var routes: [Int32: Int] = [:]
            var classes = ClassCounts()
            var samples = SampleSet()
        }
        var appGroups: [Int32: Group] = [:]
        var access = self.access
        for (index, entry) in requests.values.enumerated() {
            let displayID = entry.writtenID ?? LogText.display(requests.keys[index])
            let first = entry.first, last = entry.last
            if entry.signature >= 0 {
                var g = appGroups[entry.signature] ?? Group()
                g.count += entry.count
                g.first = Aggregator.earlier(g.first, first)
                g.last = Aggregator.later(g.last, last)
                g.routes[entry.route, default: 0] += entry.count
                g.classes[entry.failureClass] += entry.count
                g.samples.insert(time: first ?? .min, id: displayID, limit: sampleLimit)
                appGroups[entry.signature] = g
            } else {
                access[entry.accessKey, default: AccessStats()].add(count: entry.count, first: first, last: last,
                                                                    sampleLimit: sampleLimit) { displayID }
            }
        }
        var list: [TriageSummary.Signature] = []
        for (index, g) in appGroups {
            let c = catalog[Int(index)]
            // By name: route ids that left the sketch all read "(other routes)".
            var byName: [String: Int] = [:]
            for (route, count) in g.routes { byName[routeName(route), default: 0] += count }
            let routes = byName.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map(\.key)
            list.append(.init(id: c.signature.id, title: c.signature.title, source: .appLog, count: g.count,
                              firstSeen: g.first, lastSeen: g.last, routes: routes, classes: g.classes,
                              sampleRequestIDs: g.samples.ids, exceptionType: c.signature.exceptionType.isEmpty ? nil : c.signature.exceptionType,
                              message: c.exampleMessage, stack: c.exampleStack, frames: c.signature.frames,
                              location: c.location, upstreamStatus: nil, cause: nil))
        }
        // One signature per class, route name, upstream status and cause: route ids that left the
        // sketch all read "(other routes)", so their keys are one signature, and their counts,
        // times and samples merge.
        var named: [String: (key: AccessKey, route: String, stats: AccessStats)] = [:]
        for (k, v) in access {
            let route = routeName(k.route)
            let name = "\(k.failureClass.rawValue) \(k.upstreamStatus) \(k.cause) \(route)"
            if var same = named[name] {
                same.stats.merge(v, sampleLimit: sampleLimit)
                named[name] = same
            } else {
                named[name] = (k, route, v)
            }
        }
        for entry in named.values {
            let k = entry.key, v = entry.stats, route = entry.route
            let cause = ErrorCause(rawValue: k.cause)
            let id = Self.accessSignatureID(failureClass: k.failureClass, route: route, upstreamStatus: k.upstreamStatus,
                                            cause: cause)
            var upstream = k.upstreamStatus > 0 ? " (upstream \(k.upstreamStatus))" : ""
            if let cause { upstream += " (\(cause.phrase))" }
            var classes = ClassCounts()
            classes[k.failureClass] = v.count
            list.append(.init(id: id, title: "\(k.failureClass.identifier) on \(route)\(upstream)", source: .accessLog,
                              count: v.count, firstSeen: v.firstTime, lastSeen: v.lastTime, routes: [route],
                              classes: classes, sampleRequestIDs: v.samples.ids, exceptionType: nil, message: nil, stack: [],
                              frames: [], location: nil, upstreamStatus: k.upstreamStatus > 0 ? k.upstreamStatus : nil,
                              cause: cause))
        }
        return list.sorted { a, b in
            if a.count != b.count { return a.count > b.count }
            if a.source != b.source { return a.source == .appLog }
            return a.id < b.id
        }
    }

    /// `access-` and 16 hex digits of the class, route, upstream status and, when an error log gave one, cause.
    static func accessSignatureID(failureClass: FailureClass, route: String, upstreamStatus: Int,
                                  cause: ErrorCause? = nil) -> String {
        var h = FNV1a()
        h.add("\(ErrorSignature.algorithm)|\(failureClass.identifier)|\(route)|\(upstreamStatus)".utf8)
        if let cause { h.add("|\(cause.identifier)".utf8) }
        return "access-" + h.hex
    }

    /// Application signatures seen in the window after a deploy and not in the window before it,
    /// with their 5xx after it, most first.
    func newAppSignatures(deployTime: Int64, window: Int64) -> [DeployComparison.NewSignature] {
        var counts: [Int32: (before: Int, after: Int, classes: ClassCounts)] = [:]
        for entry in requests.values where entry.signature >= 0 {
            guard let first = entry.first else { continue }
            let delta = first - deployTime
            guard delta >= -window && delta < window else { continue }
            var c = counts[entry.signature] ?? (0, 0, ClassCounts())
            if delta >= 0 { c.after += entry.count } else { c.before += entry.count }
            c.classes[entry.failureClass] += entry.count
            counts[entry.signature] = c
        }
        return counts.filter { $0.value.before == 0 && $0.value.after > 0 }.map { index, c in
            let signature = catalog[Int(index)].signature
            let main = FailureClass.allCases.max { c.classes[$0] < c.classes[$1] } ?? .originError
            return DeployComparison.NewSignature(id: signature.id, title: signature.title, failureClass: main, count: c.after)
        }.sorted { ($0.count, $1.id) > ($1.count, $0.id) }
    }

    /// 5xx (counting repeats of an ID) explained by an application event.
    var matchedServerErrors: Int {
        requests.values.reduce(0) { $0 + ($1.signature >= 0 ? $1.count : 0) }
    }
}
