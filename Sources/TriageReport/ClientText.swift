import TriageCore

/// The sentences about clients and retry storms, shared by every human renderer
/// so they never disagree. Client addresses and user agents arrive made safe by
/// ``LogText``; each renderer escapes them again for its own markup.
public enum ClientText {
    /// A verdict line and the log-derived text in it (for renderers that mark it as code).
    public struct Line: Sendable, Equatable {
        public var text: String
        public var literals: [String]
    }

    /// A share counts as "most" above one half, and only for groups big enough to matter.
    static let minimumServerErrors = 10

    /// `python-requests/2.31.0`, cut to `width` scalars.
    public static func userAgent(_ ua: String?, width: Int = 48) -> String? {
        ua.map { Format.truncate($0, width) }
    }

    /// `198.51.100.77 (python-requests/2.31.0)`.
    public static func client(_ address: String, _ ua: String?) -> String {
        guard let ua = userAgent(ua) else { return address }
        return "\(address) (\(ua))"
    }

    /// Verdict lines: the client behind most of a top route's 5xx or of a class, each client
    /// named once; then the retry storms, if any.
    public static func verdictLines(_ s: TriageSummary) -> [Line] {
        var lines: [Line] = []
        var named = Set<String>()
        for route in s.routesBy5xx.prefix(3) {
            guard let top = route.topClient, route.serverErrors >= minimumServerErrors, top.count * 2 > route.serverErrors,
                  !named.contains(top.address) else { continue }
            named.insert(top.address)
            let name = "\(route.method) \(route.route)"
            lines.append(Line(text: "\(name): \(Format.percent(top.count, of: route.serverErrors)) of its 5xx from \(client(top.address, top.userAgent)).",
                              literals: [name, top.address] + [userAgent(top.userAgent)].compactMap { $0 }))
        }
        for detail in s.classDetails where detail.failureClass.isServerError {
            guard let top = detail.topClient, detail.count >= minimumServerErrors, top.count * 2 > detail.count,
                  !named.contains(top.address) else { continue }
            named.insert(top.address)
            lines.append(Line(text: "\(detail.failureClass.identifier): \(Format.percent(top.count, of: detail.count)) from \(client(top.address, top.userAgent)).",
                              literals: [detail.failureClass.identifier, top.address] + [userAgent(top.userAgent)].compactMap { $0 }))
        }
        let r = s.retryStorms
        if r.storms > 0, let route = r.routes.first {
            let name = "\(route.method) \(route.route)"
            var text = "Retry storms: \(Format.count(r.storms)) (\(Format.counted(r.requests, "failing request")))"
            // Only clients still tracked are counted: when every storm's client has left the
            // sketch, "by 0 clients" would be wrong, so the count is left out.
            if r.clients > 0 { text += " by \(Format.counted(r.clients, "client"))" }
            text += r.routes.count > 1 ? ", most on \(name)" : " on \(name)"
            var literals = [name]
            if let largest = route.largest {
                text += "; largest \(largest.client), \(stormSize(largest))"
                literals.append(largest.client)
            }
            lines.append(Line(text: text + ".", literals: literals))
        }
        return lines
    }

    /// `16 requests in 24 s`.
    public static func stormSize(_ storm: TriageSummary.Storm) -> String {
        "\(Format.counted(storm.requests, "request")) in \(Format.count(Int(storm.last - storm.first))) s"
    }

    /// What a retry storm is, in one sentence fragment.
    public static func stormDefinition(_ r: TriageSummary.RetryStorms) -> String {
        "a client repeating a failing request (5xx or 499) on one route, at least \(r.minimumRequests) times, each within \(r.gapSeconds) s of the one before"
    }

    /// `12 storms, 108 failing requests; largest 198.51.100.77, 16 requests in 24 s at 13:21`.
    public static func stormSummary(_ route: TriageSummary.RouteStorms, withDate: Bool) -> String {
        var text = "\(Format.counted(route.storms, "storm")), \(Format.counted(route.requests, "failing request"))"
        if let largest = route.largest {
            text += "; largest \(largest.client), \(stormSize(largest)) at \(Format.seen(largest.first, largest.last, withDate: withDate))"
        }
        return text
    }

    /// The most frequent 5xx class of a client and its count: `proxy_error 147`.
    public static func mainClass(_ c: TriageSummary.Client) -> String {
        let main = FailureClass.allCases.filter { $0.isServerError && c.classes[$0] > 0 }
            .max { c.classes[$0] < c.classes[$1] || (c.classes[$0] == c.classes[$1] && $0.rawValue > $1.rawValue) }
        return main.map { "\($0.identifier) \(Format.count(c.classes[$0]))" } ?? ""
    }

    /// The note under a clients table, or nil when nothing was approximate.
    public static func boundsNote(_ s: TriageSummary) -> String? {
        var notes: [String] = []
        if s.clientCounts.approximate > 0 {
            notes.append("≈ tracked after the client table (\(Format.count(s.clientCounts.distinct)) clients) filled up: counts are lower bounds")
        }
        if s.clientCounts.overflowRequests > 0 {
            notes.append("\(Format.counted(s.clientCounts.overflowRequests, "request")) of other clients not listed")
        }
        if s.clientCounts.pairsOverflowed { notes.append("some routes' top client could not be counted (pair limit)") }
        return notes.isEmpty ? nil : notes.joined(separator: "; ") + "."
    }
}
