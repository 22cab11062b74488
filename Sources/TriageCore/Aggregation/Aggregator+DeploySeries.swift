/// The per-second series that deploys given at merge time are compared on.
///
/// A deploy's windows are cut to the second (30 minutes before it, 30 after),
/// so the per-minute series cannot give them. A run that writes a partial
/// (``Aggregator/recordsSeconds``) keeps, besides each minute's counts, its
/// requests per second (``MinuteStats/perSecond``) and every decided or 5xx
/// request as a count per (second, class, route, 5xx): exactly what
/// ``addToDeployWindows`` would have counted for any deploy. `triage merge
/// --deploys` then builds each deploy's counts from the merged series
/// (``deployAccumulator(for:now:)``), equal to one run's given the deploys.
extension Aggregator {
    /// One second's decided or 5xx requests of one kind.
    struct SecondFailure: Hashable {
        var time: Int64
        /// ``FailureClass`` raw value, ``noClass`` when the classifier decided nothing (a 5xx only).
        var failureClass: UInt8
        /// The route index for a server-error class (a deploy's per-route signatures), else ``noRoute``.
        var route: Int32
        var isServerError: Bool

        static let noClass = UInt8.max
        static let noRoute: Int32 = -2
    }

    /// Counts one record into the series (called from ``add``, with the minute already switched).
    func recordSecond(time: Int64, decision: Classifier.Decision?, isServerError: Bool, routeIndex: Int32) {
        if current.perSecond.isEmpty { current.perSecond = [Int32](repeating: 0, count: 60) }
        current.perSecond[Int(time - currentMinute)] &+= 1
        guard decision != nil || isServerError else { return }
        let c = decision?.failureClass
        let key = SecondFailure(time: time, failureClass: c.map { UInt8($0.rawValue) } ?? SecondFailure.noClass,
                                route: c?.isServerError == true ? routeIndex : SecondFailure.noRoute,
                                isServerError: isServerError)
        secondFailures[key, default: 0] += 1
    }

    /// Adds deploys to compare, counted from the series (`triage merge --deploy`); a marker
    /// the partials already counted (same label and time) is not added twice.
    ///
    /// - Parameter now: the reference of relative times (`now-10m`).
    func applyDeploys(_ markers: [DeployMarker], now: Int64) {
        flushCurrentMinute()
        let added = markers.filter { marker in !deploys.contains { $0.marker.label == marker.label && $0.marker.time == marker.time } }
        let addedTimes = added.map { $0.time.resolve(reference: now, utcOffset: logUTCOffset ?? 0) }
        let times = deploys.map(\.time) + addedTimes
        for (marker, time) in zip(added, addedTimes) {
            deploys.append(deployAccumulator(for: marker, now: now, afterEnd: Self.afterEnd(of: time, among: times)))
        }
    }

    /// What ``addToDeployWindows`` would have counted for `marker` over the whole series.
    func deployAccumulator(for marker: DeployMarker, now: Int64, afterEnd: Int64 = .max) -> DeployAccumulator {
        var d = DeployAccumulator(marker: marker)
        d.time = marker.time.resolve(reference: now, utcOffset: logUTCOffset ?? 0)
        d.afterEnd = afterEnd
        let deployTime = d.time, window = deployWindow
        // The series keeps counts per second, not durations: the p95 around a deploy
        // first given here cannot be known (Docs/ScaleOut.md).
        let reason = "request times around a deploy given to triage merge are not kept in partials; give the deploy to the runs that write them (--deploy/--deploys with --format partial)"
        d.before.latencyUnavailable = reason
        d.after.latencyUnavailable = reason
        /// nil outside both windows, else whether `time` is after the deploy.
        func side(_ time: Int64) -> Bool? {
            // Checked, as in the pass: a deploy given as `now-1000000000w` resolves to the earliest time.
            let (delta, overflow) = time.subtractingReportingOverflow(deployTime)
            guard !overflow, delta >= -window && delta < window else { return nil }
            if delta >= 0 && time >= afterEnd { return nil }
            return delta >= 0
        }
        for (minute, stats) in minutes where !stats.perSecond.isEmpty {
            for (second, count) in stats.perSecond.enumerated() where count > 0 {
                guard let isAfter = side(minute + Int64(second)) else { continue }
                if isAfter { d.after.requests += Int(count) } else { d.before.requests += Int(count) }
            }
        }
        for (f, count) in secondFailures {
            guard let isAfter = side(f.time) else { continue }
            var w = isAfter ? d.after : d.before
            if f.isServerError { w.serverErrors += count }
            if let c = FailureClass(rawValue: Int(f.failureClass)) {
                w.classes[c] += count
                if c.isServerError {
                    let key = Int64(f.route + 1) << 8 | Int64(c.rawValue)
                    var entry = d.signatures[key] ?? (0, 0)
                    if isAfter { entry.after += count } else { entry.before += count }
                    d.signatures[key] = entry
                }
            }
            if isAfter { d.after = w } else { d.before = w }
        }
        return d
    }
}
