/// One problem: failures of one cause (a route's bug, an upstream refusing connections, a
/// client rate-limited, a stall) that departed from their baseline, with its own window.
/// Problems that overlap in time stay separate.
public struct Incident: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// Server errors (5xx) of the problem under this name.
        public var count: Int
        /// Failures of any class (5xx, 499, retried) under this name: ranks the list after the 5xx.
        public var failures: Int = 0

        /// The order of the top lists: most 5xx, then most failures, then by name.
        static func byImpact(_ a: Entry, _ b: Entry) -> Bool {
            if a.count != b.count { return a.count > b.count }
            if a.failures != b.failures { return a.failures > b.failures }
            return a.name < b.name
        }
    }
    /// An application-log signature seen within the problem's window on its routes and classes.
    public struct SignatureReference: Sendable, Equatable {
        public var id: String
        public var title: String
        /// The signature's 5xx in all (not only within this problem).
        public var count: Int
    }
    public var start: Int64
    /// Exclusive: the minute after the last anomalous minute.
    public var end: Int64
    /// The minute with the most failures of this problem.
    public var peak: Int64
    /// Server errors (5xx) of this problem in the peak minute.
    public var peakServerErrors: Int
    /// Failures (every class) of this problem in the peak minute.
    public var peakFailures: Int = 0
    /// Requests of every kind during the window (context for the counts, not the problem's).
    public var requests: Int
    /// The problem's server errors (5xx).
    public var serverErrors: Int
    /// The problem's failures per class.
    public var classes: ClassCounts
    /// The classes whose rate departed from baseline (what triggered the problem).
    public var anomalousClasses: [FailureClass]
    public var topRoutes: [Entry]
    public var topUpstreams: [Entry]
    /// `topUpstreams` are the upstreams the server error logs named for the problem's requests
    /// (`--error-log`), the access log naming none.
    public var upstreamsFromErrorLog = false
    /// Failures of the problem per status, most first.
    public var statusCounts: [(status: Int, count: Int)] = []
    public var topClients: [Entry] = []
    /// Where the departure was found: `route`, `upstream`, `client`, or `class` (the class as a whole).
    public var detectedBy: [String] = []
    /// The deploy the problem started after (within ``IncidentDetector/followWindow``), if any.
    public var followsDeploy: String? = nil
    /// Application-log signatures of this problem, most 5xx first (`--app-log`).
    public var signatures: [SignatureReference] = []
    /// The server error logs' causes for this incident's anomalous classes, most first (`--error-log`).
    public var causes: [(cause: ErrorCause, count: Int)] = []
    /// Error-log lines within the incident that explained no request (the warnings before
    /// the failures): per upstream and cause, most first.
    public var context: [TriageSummary.UpstreamCause] = []

    /// All failures of the problem (5xx, 499s, requests that needed a retry).
    public var failures: Int { classes.total }

    /// The class that names the problem: its most frequent 5xx class, else its most frequent class.
    public var dominantClass: FailureClass {
        let order = FailureClass.allCases
        let serverClasses = order.filter { $0.isServerError && classes[$0] > 0 }
        let pool = serverClasses.isEmpty ? order : serverClasses
        return pool.max { classes[$0] < classes[$1] || (classes[$0] == classes[$1] && $0.rawValue > $1.rawValue) } ?? .originError
    }

    /// Impact order: most 5xx first, then most failures, then the earlier.
    public static func byImpact(_ a: Incident, _ b: Incident) -> Bool {
        if a.serverErrors != b.serverErrors { return a.serverErrors > b.serverErrors }
        if a.failures != b.failures { return a.failures > b.failures }
        return a.start < b.start
    }
}

/// Finds problems in a per-minute series of failures by cause. Pure.
///
/// For each failure class, the baseline is the median rate over blocks of the
/// series (10-minute blocks, 60-minute ones for spans over 12 hours), so an
/// incident shorter than half the span does not raise its own baseline.
/// Windows of 1, 5 and 15 minutes slide over a series; a window is anomalous
/// when an exact binomial test of its failures against the expected rate × its
/// requests gives p < 0.001 — rates, not counts, so traffic that rises and
/// falls is not an incident — and it holds enough failures to matter (10 for a
/// single minute, 5 for longer windows). Anomalous windows of one series that
/// are at most 15 minutes apart form one episode.
///
/// The series tested are each class as a whole, and each class × route,
/// class × upstream and class × client among the 16 keys with the most
/// failures of that class (bounded; the per-minute causes themselves are
/// bounded by ``CauseCell``). A key's expected rate is the class's baseline
/// times the key's share of all requests, so a client that does 1% of the
/// traffic and gets half of the class's failures departs even when it does so
/// all day. Episodes become problems by their class's natural cause: the
/// route for origin errors, the upstream for upstream failures, retries and
/// 499s, the client for proxy-made 5xx. Episodes on the same upstream that
/// overlap in time are one problem (a dead server gives 502s and retries),
/// and so are 499s or retries with the failures they accompany. Episodes of
/// the other dimensions attach to the problem whose failures they share, or
/// group by class when they share none; a class-wide departure that no finer
/// episode explains is a problem of its own. Each failure belongs to one
/// problem at most.
public enum IncidentDetector {
    public struct Minute: Sendable {
        public var start: Int64
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts
        /// Failures by cause (class, status, route, upstream, client indexes).
        public var causes: [CauseCell: Int]

        public init(start: Int64, requests: Int, serverErrors: Int, classes: ClassCounts,
                    causes: [CauseCell: Int] = [:]) {
            self.start = start
            self.requests = requests
            self.serverErrors = serverErrors
            self.classes = classes
            self.causes = causes
        }
    }

    /// Names and request counts for the indexes of the minutes' causes.
    public struct Keys {
        public var routeName: (Int32) -> String
        public var upstreamName: (Int32) -> String
        public var clientName: (Int32) -> String
        /// Requests of a route, attempts to an upstream, requests of a client (once it failed).
        public var routeRequests: (Int32) -> Int
        public var upstreamRequests: (Int32) -> Int
        public var clientRequests: (Int32) -> Int

        public init(routeName: @escaping (Int32) -> String, upstreamName: @escaping (Int32) -> String,
                    clientName: @escaping (Int32) -> String = { _ in "?" },
                    routeRequests: @escaping (Int32) -> Int = { _ in 0 },
                    upstreamRequests: @escaping (Int32) -> Int = { _ in 0 },
                    clientRequests: @escaping (Int32) -> Int = { _ in 0 }) {
            self.routeName = routeName
            self.upstreamName = upstreamName
            self.clientName = clientName
            self.routeRequests = routeRequests
            self.upstreamRequests = upstreamRequests
            self.clientRequests = clientRequests
        }
    }

    public enum Dimension: String, Sendable, CaseIterable {
        case route, upstream, client
        case overall = "class"
    }

    static let alpha = 0.001
    /// (window minutes, failures the window needs).
    static let scales: [(minutes: Int64, minimumCount: Int)] = [(1, 10), (5, 5), (15, 5)]
    static let joinGapMinutes: Int64 = 3
    /// Anomalous windows of one series at most this far apart are one episode.
    static let episodeGapMinutes: Int64 = 15
    static let floorRate = 0.0005
    /// Keys per class and dimension that get a series of their own.
    static let keysPerDimension = 16
    /// A problem follows a deploy when it starts within this many seconds after it.
    public static let followWindow: Int64 = 15 * 60
    static let detectedClasses: [FailureClass] = [
        .originError, .upstreamUnreachable, .upstreamTimeout, .upstreamUnavailable, .proxyError, .clientClosed,
        .retriedOK,
    ]

    /// The dimension whose key names a class's problems.
    static func primaryDimension(_ c: FailureClass) -> Dimension {
        switch c {
        case .originError: return .route
        case .proxyError: return .client
        default: return .upstream
        }
    }

    /// Classes that accompany another class's failures rather than cause them.
    static func isCompanion(_ c: FailureClass) -> Bool { c == .clientClosed || c == .retriedOK }

    /// One anomalous stretch of one series.
    struct Episode {
        var dimension: Dimension
        var key: Int32
        var failureClass: FailureClass
        var start: Int64
        var end: Int64
        /// Cells (minute index, cause) this episode's failures are in.
        var cells: [CellRef: Int] = [:]
        var failures: Int { cells.values.reduce(0, +) }

        func matches(_ cell: CauseCell) -> Bool {
            guard cell.failureClass == failureClass else { return false }
            switch dimension {
            case .route: return cell.route == key
            case .upstream: return cell.upstream == key
            case .client: return cell.client == key
            case .overall: return true
            }
        }

        func touches(_ other: Episode) -> Bool {
            start <= other.end + IncidentDetector.joinGapMinutes * 60 && other.start <= end + IncidentDetector.joinGapMinutes * 60
        }
    }

    struct SeriesKey: Hashable {
        var dimension: Dimension
        var key: Int32
        var failureClass: FailureClass
    }

    struct CellRef: Hashable {
        var minute: Int
        var cell: CauseCell
    }

    /// The problems of a series, most 5xx first.
    ///
    /// - Parameters:
    ///   - minutes: ascending by start; minutes without requests may be absent.
    ///   - keys: names and request counts for the causes' indexes.
    public static func detect(_ minutes: [Minute], top: Int = 5, keys: Keys) -> [Incident] {
        guard let first = minutes.first, let last = minutes.last else { return [] }
        let span = last.start - first.start
        let blockSeconds: Int64 = span > 12 * 3600 ? 3600 : 600
        var baselines: [FailureClass: Double] = [:]
        for c in detectedClasses { baselines[c] = max(floorRate, medianBlockRate(minutes, c, blockSeconds)) }
        let totalRequests = max(1, minutes.reduce(0) { $0 + $1.requests })
        let runList = runs(minutes)

        // The series: each class, and its top keys per dimension.
        var series: [(dimension: Dimension, key: Int32, failureClass: FailureClass, rate: Double)] = []
        var totals: [Dimension: [FailureClass: [Int32: Int]]] = [:]
        for m in minutes {
            for (cell, count) in m.causes {
                totals[.route, default: [:]][cell.failureClass, default: [:]][cell.route, default: 0] += count
                totals[.upstream, default: [:]][cell.failureClass, default: [:]][cell.upstream, default: 0] += count
                totals[.client, default: [:]][cell.failureClass, default: [:]][cell.client, default: 0] += count
            }
        }
        for c in detectedClasses {
            let baseline = baselines[c] ?? floorRate
            series.append((.overall, 0, c, baseline))
            for dimension in [Dimension.route, .upstream, .client] {
                let counts = totals[dimension]?[c] ?? [:]
                // -1 is "none" (no upstream logged, no client): a key of its own only where it
                // names the class's problems; for routes it is "(other routes)".
                let ranked = counts.filter { $0.value >= 5 && ($0.key >= 0 || dimension == primaryDimension(c)) }
                    .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .prefix(keysPerDimension)
                for (key, _) in ranked {
                    let requests: Int
                    switch dimension {
                    case .route: requests = key >= 0 ? keys.routeRequests(key) : totalRequests
                    case .upstream: requests = key >= 0 ? keys.upstreamRequests(key) : totalRequests
                    case .client: requests = key >= 0 ? keys.clientRequests(key) : totalRequests
                    case .overall: requests = totalRequests
                    }
                    let share = min(1, max(1, Double(requests)) / Double(totalRequests))
                    series.append((dimension, key, c, max(1e-9, baseline * share)))
                }
            }
        }

        // Each keyed series' failures per minute, in one pass over the cells (minute index,
        // count; ascending). Scanning every minute's cells once per series cost ~100 times that.
        var seriesOf: [SeriesKey: Int] = [:]
        for (i, s) in series.enumerated() where s.dimension != .overall {
            seriesOf[SeriesKey(dimension: s.dimension, key: s.key, failureClass: s.failureClass)] = i
        }
        var seriesFailures = [[(minute: Int, count: Int)]](repeating: [], count: series.count)
        for (index, m) in minutes.enumerated() {
            for (cell, count) in m.causes {
                for (dimension, key) in [(Dimension.route, cell.route), (.upstream, cell.upstream), (.client, cell.client)] {
                    guard let i = seriesOf[SeriesKey(dimension: dimension, key: key, failureClass: cell.failureClass)] else {
                        continue
                    }
                    if let lastEntry = seriesFailures[i].last, lastEntry.minute == index {
                        seriesFailures[i][seriesFailures[i].count - 1].count += count
                    } else {
                        seriesFailures[i].append((index, count))
                    }
                }
            }
        }

        // Episodes of each series.
        var episodes: [Episode] = []
        for (i, s) in series.enumerated() {
            var windows: [(start: Int64, end: Int64)] = []
            let sparse = seriesFailures[i]
            var cursor = 0
            for run in runList {
                windows += anomalousWindows(minutes[run], globalFirst: first.start, globalLast: last.start, rate: s.rate) { index, m in
                    if s.dimension == .overall { return m.classes[s.failureClass] }
                    // Minutes come in ascending order, within and across runs.
                    while cursor < sparse.count && sparse[cursor].minute < index { cursor += 1 }
                    return cursor < sparse.count && sparse[cursor].minute == index ? sparse[cursor].count : 0
                }
            }
            for w in windows {
                if var lastEpisode = episodes.last, lastEpisode.dimension == s.dimension, lastEpisode.key == s.key,
                   lastEpisode.failureClass == s.failureClass, w.start <= lastEpisode.end + episodeGapMinutes * 60 {
                    lastEpisode.end = max(lastEpisode.end, w.end)
                    episodes[episodes.count - 1] = lastEpisode
                } else {
                    episodes.append(Episode(dimension: s.dimension, key: s.key, failureClass: s.failureClass,
                                            start: w.start, end: w.end))
                }
            }
        }
        // The failures each episode covers.
        for i in episodes.indices {
            var index = lowerBound(minutes, episodes[i].start)
            while index < minutes.count && minutes[index].start < episodes[i].end {
                for (cell, count) in minutes[index].causes where episodes[i].matches(cell) {
                    episodes[i].cells[CellRef(minute: index, cell: cell)] = count
                }
                index += 1
            }
        }
        episodes.removeAll { $0.cells.isEmpty }

        // Problems: primary episodes, joined where they are one problem.
        var parent = Array(episodes.indices)
        func find(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        func union(_ a: Int, _ b: Int) { parent[find(a)] = find(b) }
        let primary = episodes.indices.filter { episodes[$0].dimension == primaryDimension(episodes[$0].failureClass) }
        for (n, i) in primary.enumerated() {
            for j in primary[(n + 1)...] {
                let a = episodes[i], b = episodes[j]
                guard a.dimension == b.dimension, a.key == b.key, a.touches(b) else { continue }
                let sameServer = a.dimension == .upstream && a.key >= 0
                if a.failureClass == b.failureClass || sameServer || isCompanion(a.failureClass) || isCompanion(b.failureClass) {
                    union(i, j)
                }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in primary { groups[find(i), default: []].append(i) }
        var problems: [[Int]] = groups.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
        var problemCells: [Set<CellRef>] = problems.map { Set($0.flatMap { episodes[$0].cells.keys }) }

        // Other dimensions: attach to the problem they share most failures with, or group by class.
        var unattached: [Int] = []
        for i in episodes.indices where episodes[i].dimension != .overall && !primary.contains(i) {
            let e = episodes[i]
            var best = -1, bestShared = 0
            for (p, cells) in problemCells.enumerated() {
                let shared = e.cells.reduce(0) { $0 + (cells.contains($1.key) ? $1.value : 0) }
                if shared > bestShared { (best, bestShared) = (p, shared) }
            }
            if best >= 0 && bestShared * 5 >= e.failures {
                problems[best].append(i)
                problemCells[best].formUnion(e.cells.keys)
            } else {
                unattached.append(i)
            }
        }
        var loose: [[Int]] = []
        for i in unattached {
            if let g = loose.firstIndex(where: { group in
                group.contains { episodes[$0].failureClass == episodes[i].failureClass && episodes[$0].touches(episodes[i]) }
            }) {
                loose[g].append(i)
            } else {
                loose.append([i])
            }
        }
        for group in loose {
            problems.append(group)
            problemCells.append(Set(group.flatMap { episodes[$0].cells.keys }))
        }
        // A class-wide departure no finer episode explains.
        let claimed = problemCells.reduce(into: Set<CellRef>()) { $0.formUnion($1) }
        for i in episodes.indices where episodes[i].dimension == .overall {
            let rest = episodes[i].cells.filter { !claimed.contains($0.key) }
            let restFailures = rest.values.reduce(0, +)
            guard restFailures >= 5 && restFailures * 2 >= episodes[i].failures else { continue }
            episodes[i].cells = rest
            problems.append([i])
            problemCells.append(Set(rest.keys))
        }

        // Each failure in one problem: the largest claims first.
        let order = problems.indices.sorted { a, b in
            let fa = problemCells[a].count, fb = problemCells[b].count
            return fa != fb ? fa > fb : a < b
        }
        var assigned = Set<CellRef>()
        var incidents: [Incident] = []
        for p in order {
            var cells: [CellRef: Int] = [:]
            for i in problems[p] {
                for (ref, count) in episodes[i].cells where !assigned.contains(ref) { cells[ref] = count }
            }
            assigned.formUnion(cells.keys)
            guard !cells.isEmpty else { continue }
            incidents.append(makeIncident(cells, episodes: problems[p].map { episodes[$0] }, minutes: minutes,
                                          top: top, keys: keys))
        }
        return incidents.sorted(by: Incident.byImpact)
    }

    /// The incident made of `cells`: its window, peak, counts and top names.
    static func makeIncident(_ cells: [CellRef: Int], episodes: [Episode], minutes: [Minute], top: Int,
                             keys: Keys) -> Incident {
        var perMinute: [Int: (failures: Int, serverErrors: Int)] = [:]
        var classes = ClassCounts()
        var statuses: [Int: Int] = [:]
        var routes: [Int32: (Int, Int)] = [:], upstreams: [Int32: (Int, Int)] = [:], clients: [Int32: (Int, Int)] = [:]
        var serverErrors = 0
        for (ref, count) in cells {
            let cell = ref.cell
            let isServerError = cell.status >= 500 && cell.status <= 599 && cell.failureClass != .clientClosed
            let errors = isServerError ? count : 0
            serverErrors += errors
            var m = perMinute[ref.minute] ?? (0, 0)
            m.failures += count
            m.serverErrors += errors
            perMinute[ref.minute] = m
            classes[cell.failureClass] += count
            statuses[Int(cell.status), default: 0] += count
            func add(_ table: inout [Int32: (Int, Int)], _ key: Int32) {
                let old = table[key] ?? (0, 0)
                table[key] = (old.0 + errors, old.1 + count)
            }
            add(&routes, cell.route)
            if cell.upstream >= 0 { add(&upstreams, cell.upstream) }
            if cell.client >= 0 { add(&clients, cell.client) }
        }
        let indexes = perMinute.keys.sorted()
        let firstIndex = indexes.first ?? 0, lastIndex = indexes.last ?? 0
        let start = minutes[firstIndex].start, end = minutes[lastIndex].start + 60
        var peakIndex = firstIndex
        for i in indexes where (perMinute[i]?.failures ?? 0) > (perMinute[peakIndex]?.failures ?? 0) { peakIndex = i }
        var requests = 0
        for i in firstIndex...lastIndex { requests += minutes[i].requests }
        func ranked(_ table: [Int32: (Int, Int)], _ name: (Int32) -> String) -> [Incident.Entry] {
            // By name: ids that left a sketch all read as its "(other …)" row, and are one entry.
            var byName: [String: (Int, Int)] = [:]
            for (key, value) in table {
                let entry = name(key)
                let sum = byName[entry] ?? (0, 0)
                byName[entry] = (sum.0 + value.0, sum.1 + value.1)
            }
            return byName.map { Incident.Entry(name: $0.key, count: $0.value.0, failures: $0.value.1) }
                .sorted(by: Incident.Entry.byImpact)
                .prefix(top).map { $0 }
        }
        var incident = Incident(start: start, end: end, peak: minutes[peakIndex].start,
                                peakServerErrors: perMinute[peakIndex]?.serverErrors ?? 0,
                                requests: requests, serverErrors: serverErrors, classes: classes,
                                anomalousClasses: Set(episodes.map(\.failureClass)).sorted(),
                                topRoutes: ranked(routes, keys.routeName),
                                topUpstreams: ranked(upstreams, keys.upstreamName))
        incident.peakFailures = perMinute[peakIndex]?.failures ?? 0
        incident.topClients = ranked(clients, keys.clientName)
        incident.statusCounts = statuses.map { ($0.key, $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.status < $1.status }
        incident.detectedBy = Dimension.allCases.filter { d in episodes.contains { $0.dimension == d } }.map(\.rawValue)
        return incident
    }

    /// The class-level windows of every class, in time order (what the problems are built on;
    /// tests compare it with a dense scan).
    static func classWindows(_ minutes: [Minute]) -> [(start: Int64, end: Int64, failureClass: FailureClass)] {
        guard let first = minutes.first, let last = minutes.last else { return [] }
        let blockSeconds: Int64 = last.start - first.start > 12 * 3600 ? 3600 : 600
        var out: [(start: Int64, end: Int64, failureClass: FailureClass)] = []
        for c in detectedClasses {
            let baseline = max(floorRate, medianBlockRate(minutes, c, blockSeconds))
            for run in runs(minutes) {
                out += anomalousWindows(minutes[run], globalFirst: first.start, globalLast: last.start, rate: baseline) { _, m in
                    m.classes[c]
                }.map { ($0.start, $0.end, c) }
            }
        }
        return out.sorted { ($0.start, $0.failureClass.rawValue) < ($1.start, $1.failureClass.rawValue) }
    }

    /// The index of the first minute starting at or after `time`.
    static func lowerBound(_ minutes: [Minute], _ time: Int64) -> Int {
        var low = 0, high = minutes.count
        while low < high {
            let mid = (low + high) / 2
            if minutes[mid].start < time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The longest window, in minutes: runs of traffic further apart than twice this never share a window.
    static var widestWindow: Int64 { scales.map(\.minutes).max() ?? 1 }

    /// Index ranges of `minutes` split where two minutes with traffic are more than
    /// two window widths and a join gap apart.
    static func runs(_ minutes: [Minute]) -> [Range<Int>] {
        let gap = (2 * widestWindow + joinGapMinutes) * 60
        var result: [Range<Int>] = []
        var runStart = 0
        for i in 1..<max(1, minutes.count) where minutes[i].start - minutes[i - 1].start > gap {
            result.append(runStart..<i)
            runStart = i
        }
        if runStart < minutes.count { result.append(runStart..<minutes.count) }
        return result
    }

    /// The anomalous windows of one series over one run of minutes, as the dense scan over
    /// the whole series would find them: the run is padded with empty minutes up to a
    /// window's width on each side, clipped to the series' first and last minute.
    ///
    /// - Parameters:
    ///   - rate: the failures per request the series is expected to have.
    ///   - failures: the series' failures in a minute (its index in the whole series, and the
    ///     minute), called in ascending order of index.
    static func anomalousWindows(_ run: ArraySlice<Minute>, globalFirst: Int64, globalLast: Int64, rate: Double,
                                 failures failuresIn: (_ index: Int, _ minute: Minute) -> Int) -> [(start: Int64, end: Int64)] {
        guard let runFirst = run.first, let runLast = run.last else { return [] }
        let pad = (widestWindow - 1) * 60
        let origin = max(globalFirst, runFirst.start - pad)
        let count = Int((min(globalLast, runLast.start + pad) - origin) / 60) + 1
        var requests = [Int](repeating: 0, count: count)
        var failures = [Int](repeating: 0, count: count)
        var any = false
        for index in run.indices {
            let m = run[index]
            let slot = Int((m.start - origin) / 60)
            requests[slot] = m.requests
            failures[slot] = failuresIn(index, m)
            if failures[slot] > 0 { any = true }
        }
        guard any else { return [] }
        var anomalous = [Bool](repeating: false, count: count)
        for scale in scales {
            let width = Int(scale.minutes)
            guard width <= count else { continue }
            var sumRequests = requests[0..<width].reduce(0, +)
            var sumFailures = failures[0..<width].reduce(0, +)
            for startSlot in 0...(count - width) {
                if startSlot > 0 {
                    sumRequests += requests[startSlot + width - 1] - requests[startSlot - 1]
                    sumFailures += failures[startSlot + width - 1] - failures[startSlot - 1]
                }
                guard sumFailures >= scale.minimumCount, sumRequests > 0 else { continue }
                // At or below what the baseline predicts, p is near 1: skip the exact test.
                guard Double(sumFailures) > rate * Double(sumRequests) * 1.5 else { continue }
                if RateTest.upperTail(sumFailures, n: sumRequests, p: rate) < alpha {
                    for slot in startSlot..<(startSlot + width) where failures[slot] > 0 { anomalous[slot] = true }
                }
            }
        }
        var windows: [(start: Int64, end: Int64)] = []
        var slot = 0
        while slot < count {
            guard anomalous[slot] else { slot += 1; continue }
            var endSlot = slot
            var probe = slot + 1
            while probe < count && probe - endSlot <= Int(joinGapMinutes) {
                if anomalous[probe] { endSlot = probe }
                probe += 1
            }
            windows.append((origin + Int64(slot) * 60, origin + Int64(endSlot + 1) * 60))
            slot = endSlot + 1
        }
        return windows
    }

    static func medianBlockRate(_ minutes: [Minute], _ c: FailureClass, _ blockSeconds: Int64) -> Double {
        var blocks: [Int64: (requests: Int, count: Int)] = [:]
        for m in minutes {
            let key = m.start - ((m.start % blockSeconds) + blockSeconds) % blockSeconds
            var b = blocks[key] ?? (0, 0)
            b.requests += m.requests
            b.count += m.classes[c]
            blocks[key] = b
        }
        let rates = blocks.values.filter { $0.requests > 0 }.map { Double($0.count) / Double($0.requests) }.sorted()
        guard !rates.isEmpty else { return 0 }
        let mid = rates.count / 2
        return rates.count % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2
    }
}

extension IncidentDetector {
    /// Names the deploy each problem followed and the application-log signatures it holds.
    ///
    /// A problem follows the latest deploy at most ``followWindow`` before its first
    /// minute (or within that minute). A signature belongs to a problem when its 5xx fall
    /// within the problem's window, on one of its routes (a fifth of its failures or more), in
    /// one of its classes.
    public static func attach(deploys: [DeployComparison], signatures: [TriageSummary.Signature],
                              to incidents: inout [Incident]) {
        for i in incidents.indices {
            let incident = incidents[i]
            let preceding = deploys
                .filter { $0.time < incident.start + 60 && incident.start - $0.time < followWindow }
                .max { $0.time < $1.time }
            // A deploy within the problem's rise (up to its peak) whose comparison found a
            // regression is what it followed, rather than an earlier one whose window held only a
            // stray failure or two before it (the problem's start is its first failure).
            let during = deploys
                .filter { $0.time >= incident.start + 60 && $0.time <= incident.peak + 59 && $0.verdict == .regression }
                .max { $0.time < $1.time }
            incidents[i].followsDeploy = (preceding?.verdict == .regression ? preceding : during ?? preceding)?.label
            // The problem's own routes, not a background failure it happened to cover.
            let routes = Set(incident.topRoutes.filter { $0.failures * 5 >= incident.failures }.map(\.name))
            incidents[i].signatures = signatures.filter { sig in
                guard sig.source == .appLog, let first = sig.firstSeen, let last = sig.lastSeen,
                      first < incident.end, last >= incident.start else { return false }
                return sig.routes.contains { routes.contains($0) }
                    && FailureClass.allCases.contains { sig.classes[$0] > 0 && incident.classes[$0] > 0 }
            }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
            .prefix(3).map { Incident.SignatureReference(id: $0.id, title: $0.title, count: $0.count) }
        }
    }
}
