/// A period where failures departed from their baseline.
public struct Incident: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var count: Int
    }
    public var start: Int64
    /// Exclusive: the minute after the last anomalous minute.
    public var end: Int64
    /// The minute with the most server errors.
    public var peak: Int64
    public var peakServerErrors: Int
    public var requests: Int
    public var serverErrors: Int
    public var classes: ClassCounts
    /// The classes whose rate departed from baseline (what triggered the incident).
    public var anomalousClasses: [FailureClass]
    public var topRoutes: [Entry]
    public var topUpstreams: [Entry]
    /// The server error logs' causes for this incident's anomalous classes, most first (`--error-log`).
    public var causes: [(cause: ErrorCause, count: Int)] = []
    /// Error-log lines within the incident that explained no request (the warnings before
    /// the failures): per upstream and cause, most first.
    public var context: [TriageSummary.UpstreamCause] = []
}

/// Finds incident windows in a per-minute series. Pure.
///
/// For each failure class, the baseline is the median rate over blocks of the
/// series (10-minute blocks, 60-minute ones for spans over 12 hours), so an
/// incident shorter than half the span does not raise its own baseline.
/// Windows of 1, 5 and 15 minutes slide over the series; a window is
/// anomalous when an exact binomial test of its failures against baseline ×
/// its requests gives p < 0.001 — rates, not counts, so traffic that rises and
/// falls is not an incident — and it holds enough failures to matter (10 for
/// a single minute, 5 for longer windows), so a short blip is not one. The
/// longer windows find sustained low-rate trouble that no single minute shows.
/// Overlapping anomalous windows join; each is trimmed to the first and last
/// minute with a failure of the class. Windows of different classes that
/// touch are merged into one incident.
public enum IncidentDetector {
    public struct Minute: Sendable {
        public var start: Int64
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts
        public var routeErrors: [Int32: Int]
        public var upstreamFailures: [Int32: Int]

        public init(start: Int64, requests: Int, serverErrors: Int, classes: ClassCounts,
                    routeErrors: [Int32: Int] = [:], upstreamFailures: [Int32: Int] = [:]) {
            self.start = start
            self.requests = requests
            self.serverErrors = serverErrors
            self.classes = classes
            self.routeErrors = routeErrors
            self.upstreamFailures = upstreamFailures
        }
    }

    static let alpha = 0.001
    /// (window minutes, failures the window needs).
    static let scales: [(minutes: Int64, minimumCount: Int)] = [(1, 10), (5, 5), (15, 5)]
    static let joinGapMinutes: Int64 = 3
    static let floorRate = 0.0005
    static let detectedClasses: [FailureClass] = [
        .originError, .upstreamUnreachable, .upstreamTimeout, .upstreamUnavailable, .proxyError, .clientClosed,
        .retriedOK,
    ]

    /// - Parameters:
    ///   - minutes: ascending by start; minutes without requests may be absent.
    ///   - routeName, upstreamName: names for the indexes in the minutes' maps.
    public static func detect(_ minutes: [Minute], top: Int = 5, routeName: (Int32) -> String,
                              upstreamName: (Int32) -> String) -> [Incident] {
        guard let first = minutes.first, let last = minutes.last else { return [] }
        let span = last.start - first.start
        let blockSeconds: Int64 = span > 12 * 3600 ? 3600 : 600
        var baselines: [FailureClass: Double] = [:]
        for c in detectedClasses { baselines[c] = max(floorRate, medianBlockRate(minutes, c, blockSeconds)) }

        var windows: [(start: Int64, end: Int64, classes: Set<FailureClass>)] = []
        // Dense per-minute arrays make sliding windows O(n), but only over runs of
        // minutes with traffic: a window (≤ 15 minutes) or a join (3 minutes) never
        // bridges a longer gap, so each run is scanned alone, padded by a window's
        // width on each side. Memory follows the minutes with traffic, not the span
        // (two lines dated 1970 and 9999 would otherwise ask for 40 GB).
        for run in runs(minutes) {
            detectWindows(minutes[run], globalFirst: first.start, globalLast: last.start, baselines: baselines,
                          into: &windows)
        }
        windows.sort { $0.start < $1.start }
        var merged: [(start: Int64, end: Int64, classes: Set<FailureClass>)] = []
        for w in windows {
            if let lastWindow = merged.last, w.start <= lastWindow.end + joinGapMinutes * 60 {
                merged[merged.count - 1].end = max(lastWindow.end, w.end)
                merged[merged.count - 1].classes.formUnion(w.classes)
            } else {
                merged.append(w)
            }
        }
        return merged.map { w in
            var incident = Incident(start: w.start, end: w.end, peak: w.start, peakServerErrors: 0, requests: 0,
                                    serverErrors: 0, classes: ClassCounts(),
                                    anomalousClasses: w.classes.sorted(), topRoutes: [], topUpstreams: [])
            var routes: [Int32: Int] = [:]
            var upstreams: [Int32: Int] = [:]
            for m in minutes where m.start >= w.start && m.start < w.end {
                incident.requests += m.requests
                incident.serverErrors += m.serverErrors
                incident.classes.add(m.classes)
                if m.serverErrors > incident.peakServerErrors {
                    incident.peakServerErrors = m.serverErrors
                    incident.peak = m.start
                }
                for (k, v) in m.routeErrors { routes[k, default: 0] += v }
                for (k, v) in m.upstreamFailures { upstreams[k, default: 0] += v }
            }
            if incident.peakServerErrors == 0 { incident.peak = w.start }
            incident.topRoutes = ranked(routes, top, routeName)
            incident.topUpstreams = ranked(upstreams, top, upstreamName)
            return incident
        }
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

    /// The anomalous windows of one run of minutes, as the dense scan over the whole
    /// series would find them: the run is padded with empty minutes up to a window's
    /// width on each side, clipped to the series' first and last minute.
    static func detectWindows(_ run: ArraySlice<Minute>, globalFirst: Int64, globalLast: Int64,
                              baselines: [FailureClass: Double],
                              into windows: inout [(start: Int64, end: Int64, classes: Set<FailureClass>)]) {
        guard let runFirst = run.first, let runLast = run.last else { return }
        let pad = (widestWindow - 1) * 60
        let origin = max(globalFirst, runFirst.start - pad)
        let count = Int((min(globalLast, runLast.start + pad) - origin) / 60) + 1
        var requests = [Int](repeating: 0, count: count)
        for m in run { requests[Int((m.start - origin) / 60)] = m.requests }
        for c in detectedClasses {
            let baseline = baselines[c] ?? floorRate
            var failures = [Int](repeating: 0, count: count)
            for m in run { failures[Int((m.start - origin) / 60)] = m.classes[c] }
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
                    guard Double(sumFailures) > baseline * Double(sumRequests) * 1.5 else { continue }
                    if RateTest.upperTail(sumFailures, n: sumRequests, p: baseline) < alpha {
                        for slot in startSlot..<(startSlot + width) where failures[slot] > 0 { anomalous[slot] = true }
                    }
                }
            }
            var slot = 0
            while slot < count {
                guard anomalous[slot] else { slot += 1; continue }
                var endSlot = slot
                var probe = slot + 1
                while probe < count && probe - endSlot <= Int(joinGapMinutes) {
                    if anomalous[probe] { endSlot = probe }
                    probe += 1
                }
                windows.append((origin + Int64(slot) * 60, origin + Int64(endSlot + 1) * 60, [c]))
                slot = endSlot + 1
            }
        }
    }

    static func ranked(_ counts: [Int32: Int], _ top: Int, _ name: (Int32) -> String) -> [Incident.Entry] {
        counts.map { Incident.Entry(name: name($0.key), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
            .prefix(top).map { $0 }
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
