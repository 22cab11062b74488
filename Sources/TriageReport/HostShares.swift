import TriageCore

/// The per-host view of a merged report: each host's share of the 5xx of each class.
enum HostShares {
    /// `origin_error 45 of 45 (100%), upstream_timeout 3 of 28 (11%)`: the host's 5xx per class
    /// and its share of that class's 5xx across all hosts, largest count first.
    static func describe(_ host: TriageSummary.Host, in s: TriageSummary) -> String {
        let parts = FailureClass.allCases.filter { $0.isServerError && host.classes[$0] > 0 }
            .sorted { (host.classes[$0], $1.rawValue) > (host.classes[$1], $0.rawValue) }
            .map { c in
                "\(c.identifier) \(Format.count(host.classes[c])) of \(Format.count(s.classes[c])) (\(Format.percent(host.classes[c], of: s.classes[c])))"
            }
        return parts.isEmpty ? "no 5xx" : parts.joined(separator: ", ")
    }

    static let note = "Each host's 5xx per class, and its share of that class's 5xx across the hosts merged."
}
