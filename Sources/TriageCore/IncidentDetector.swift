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
}

/// Finds incident windows in a per-minute series. Pure.
///
/// For each failure class, the baseline is the median rate over blocks of the
/// series (10-minute blocks, 60-minute ones for spans over 12 hours), so an
/// incident shorter than half the span does not raise its own baseline. A
/// minute is anomalous when its count is at least 3 and an exact binomial test
/// against baseline × that minute's requests gives p < 0.001 — rates, not
/// counts, so traffic that rises and falls is not an incident. Anomalous
/// minutes less than 4 minutes apart join; a window needs two anomalous
/// minutes or one with at least 10 failures, so a short blip is not one.
/// Windows of different classes that touch are merged into one incident.
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
    static let minimumCount = 3
    static let singleMinuteCount = 10
    static let joinGapMinutes: Int64 = 3
    static let floorRate = 0.0005
    static let detectedClasses: [FailureClass] = [
        .originError, .upstreamUnreachable, .upstreamTimeout, .upstreamUnavailable, .proxyError, .clientClosed,
    ]

    /// - Parameters:
    ///   - minutes: ascending by start; minutes without requests may be absent.
    ///   - routeName, upstreamName: names for the indexes in the minutes' maps.
    public static func detect(_ minutes: [Minute], top: Int = 5, routeName: (Int32) -> String,
                              upstreamName: (Int32) -> String) -> [Incident] {
        guard let first = minutes.first, let last = minutes.last else { return [] }
        let span = last.start - first.start
        let blockSeconds: Int64 = span > 12 * 3600 ? 3600 : 600

        var windows: [(start: Int64, end: Int64, classes: Set<FailureClass>)] = []
        for c in detectedClasses {
            let baseline = max(floorRate, medianBlockRate(minutes, c, blockSeconds))
            var flagged: [Minute] = []
            for m in minutes {
                let x = m.classes[c]
                guard x >= minimumCount, m.requests > 0 else { continue }
                if RateTest.upperTail(x, n: m.requests, p: baseline) < alpha { flagged.append(m) }
            }
            var group: [Minute] = []
            func close() {
                guard let g0 = group.first, let gl = group.last else { return }
                if group.count >= 2 || group.contains(where: { $0.classes[c] >= singleMinuteCount }) {
                    windows.append((g0.start, gl.start + 60, [c]))
                }
                group = []
            }
            for m in flagged {
                if let prev = group.last, m.start - prev.start > joinGapMinutes * 60 { close() }
                group.append(m)
            }
            close()
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
