import TriageCore

/// One problem (``Incident``) as one line of plain text, the same in the verdict, the
/// Incidents section of every renderer and the JSON report's `summary`:
/// `11:15–11:30 10.0.1.12:8080 refused connections: 26 × 502, 109 requests retried elsewhere`.
public enum ProblemText {
    /// - Parameter withDate: write the date (the report spans more than one day).
    public static func line(_ i: Incident, withDate: Bool) -> String {
        window(i, withDate: withDate) + " " + what(i)
    }

    /// `11:15–11:30`, or with dates `2026-11-20 23:50–2026-11-21 00:10`.
    public static func window(_ i: Incident, withDate: Bool) -> String {
        let from = withDate ? Format.dateTime(i.start) : Format.clock(i.start)
        let sameDay = Format.dateTime(i.start).prefix(10) == Format.dateTime(i.end).prefix(10)
        let to = withDate && !sameDay ? Format.dateTime(i.end) : Format.clock(i.end)
        return from + "–" + to
    }

    /// The subject, what happened to it, and the counts: everything after the window.
    public static func what(_ i: Incident) -> String {
        let c = i.dominantClass
        // Names are log text made safe already (``LogText/display(_:)``); deploy labels are not.
        // A route, upstream or client is named only when it holds most of the failures:
        // a problem spread over several routes is not one route's.
        let route = dominant(i.topRoutes, of: i)
        let upstream = upstreamSubject(i)
        let client = dominant(i.topClients, of: i)
        let cause = i.causes.first?.cause
        var subject: String
        switch c {
        case .originError:
            subject = (route ?? "routes") + " failing in the application"
        case .upstreamUnreachable:
            subject = (upstream ?? "upstreams") + (cause == .connectionRefused ? " refused connections" : " unreachable")
        case .upstreamTimeout:
            subject = (upstream ?? "upstreams") + " timed out" + (route.map { " on " + $0 } ?? "")
        case .upstreamUnavailable:
            subject = (upstream ?? "upstreams") + " unavailable"
        case .proxyError:
            let verb = cause == .rateLimited ? " rate-limited" : " refused by the proxy"
            subject = (client ?? "clients") + verb + (route.map { " on " + $0 } ?? "")
        case .clientClosed:
            subject = "clients gave up" + (route.map { " on " + $0 } ?? "")
        case .retriedOK:
            subject = (upstream ?? "upstreams") + " failing, hidden by retries"
        }
        if let deploy = i.followsDeploy { subject += " after " + LogText.sanitize(deploy) }
        return subject + ": " + counts(i) + onSubject(i, route: c == .originError ? route : nil) + mixedClasses(i)
    }

    /// `, 81 of them on it` when the route the line names holds fewer of the problem's 5xx
    /// than the counts before it (other routes failed in the same minutes).
    static func onSubject(_ i: Incident, route: String?) -> String {
        guard let route, let entry = i.topRoutes.first(where: { $0.name == route }),
              entry.count > 0, entry.count < i.serverErrors else { return "" }
        return ", \(Format.count(entry.count)) of them on it"
    }

    /// ` (58 upstream_unreachable, 23 upstream_timeout)` when the problem's 5xx are of more
    /// classes than statuses (Heroku serves every router error as 503), so the statuses hide
    /// what else failed, and the class its subject names holds under nine in ten of them.
    static func mixedClasses(_ i: Incident) -> String {
        let classes = FailureClass.allCases.filter { $0.isServerError && i.classes[$0] > 0 }
            .sorted { i.classes[$0] != i.classes[$1] ? i.classes[$0] > i.classes[$1] : $0 < $1 }
        let statuses = i.statusCounts.filter { (500...599).contains($0.status) && $0.count > 0 }.count
        guard classes.count > statuses, classes.count > 1, i.serverErrors > 0,
              i.classes[i.dominantClass] * 10 < i.serverErrors * 9 else { return "" }
        return " (" + classes.map { "\(Format.count(i.classes[$0])) \($0.identifier)" }.joined(separator: ", ") + ")"
    }

    /// `26 × 502, 109 requests retried elsewhere, 8 × 499`: the 5xx by status, then the rest.
    public static func counts(_ i: Incident) -> String {
        var parts: [String] = []
        let fives = i.statusCounts.filter { (500...599).contains($0.status) }
        for s in fives.prefix(3) { parts.append("\(Format.count(s.count)) × \(s.status)") }
        let otherFives = fives.dropFirst(3).reduce(0) { $0 + $1.count }
        if otherFives > 0 { parts.append("\(Format.count(otherFives)) other 5xx") }
        parts += clientAborts(i.classes[.clientClosed], statusCounts: i.statusCounts)
        let retried = i.classes[.retriedOK]
        if retried > 0 {
            parts.append(Format.counted(retried, "request") + " retried elsewhere")
        }
        return parts.joined(separator: ", ")
    }

    /// `14:32 with 12 × 502`, or `14:32 with 9 × 499` for a problem without 5xx that minute.
    public static func peak(_ i: Incident, withDate: Bool) -> String {
        let at = withDate ? Format.dateTime(i.peak) : Format.clock(i.peak)
        if i.peakServerErrors > 0 { return "\(at) with \(Format.count(i.peakServerErrors)) 5xx" }
        let what = i.dominantClass == .retriedOK ? Format.counted(i.peakFailures, "retried request")
            : i.dominantClass == .clientClosed ? peakAborts(i)
            : Format.counted(i.peakFailures, "failure")
        return "\(at) with \(what)"
    }

    /// The statuses a client abort is logged with: nginx's and Traefik's 499, ALB's 460.
    static let abortStatuses = [499, 460]

    /// `closed` requests the clients gave up on, by the status the log gave them:
    /// `8 × 499` (nginx, Traefik), `9 × 460` (ALB); those logged without one (HAProxy's
    /// -1, Envoy's 0) as `3 client aborts`. `statusCounts` may hold other classes' statuses:
    /// only 499 and 460 are read, at most `closed` of them.
    public static func clientAborts(_ closed: Int, statusCounts: [(status: Int, count: Int)]) -> [String] {
        guard closed > 0 else { return [] }
        var parts: [String] = []
        var left = closed
        for status in abortStatuses {
            let logged = statusCounts.first { $0.status == status }?.count ?? 0
            let n = min(logged, left)
            guard n > 0 else { continue }
            parts.append("\(Format.count(n)) × \(status)")
            left -= n
        }
        if left > 0 { parts.append(Format.counted(left, "client abort")) }
        return parts
    }

    /// The peak minute's failures of a problem of client aborts: `12 × 499` when the log
    /// gave all of the problem's aborts one status, else `12 client aborts`.
    static func peakAborts(_ i: Incident) -> String {
        let closed = i.classes[.clientClosed]
        for status in abortStatuses where (i.statusCounts.first { $0.status == status }?.count ?? 0) >= closed {
            return "\(Format.count(i.peakFailures)) × \(status)"
        }
        return Format.counted(i.peakFailures, "client abort")
    }

    /// The upstreams a problem names: the one holding most of its failures, or two when each
    /// holds at least a quarter and together nine in ten (`10.0.1.12:8080 and 10.0.1.13:8080`:
    /// one problem on an access log without upstream fields can span two backends its error
    /// log names); nil when the failures are spread wider (a restart of every backend).
    static func upstreamSubject(_ i: Incident) -> String? {
        let shares = i.topUpstreams.filter { $0.failures * 4 >= i.failures }
            .sorted { $0.failures != $1.failures ? $0.failures > $1.failures : $0.name < $1.name }
        switch shares.count {
        case 1 where shares[0].failures * 2 > i.failures: return shares[0].name
        case 2 where (shares[0].failures + shares[1].failures) * 10 >= i.failures * 9:
            return shares[0].name + " and " + shares[1].name
        default: return nil
        }
    }

    /// The first entry (most 5xx) when it also holds most of the problem's failures: a route
    /// holding most of a problem's 499s but none of its 500s is not what fails in the application.
    static func dominant(_ entries: [Incident.Entry], of i: Incident) -> String? {
        guard let first = entries.first, first.failures * 2 > i.failures else { return nil }
        return first.name
    }
}
