import Foundation

/// Builds nginx access logs (the `nginx-upstream` shape of SampleLogs) request by request,
/// so an end-to-end test states the traffic it is about.
struct LogBuilder {
    /// 2026-11-20T10:00:00Z.
    static let base: Int64 = 1_795_168_800
    private(set) var lines: [(time: Int64, text: String)] = []

    enum Kind {
        /// The application answered with this status.
        case origin(Int)
        /// The proxy answered itself (rate limiting, configuration): no upstream attempted.
        case proxy(Int)
    }

    /// Adds `count` requests spread evenly over [`from`, `to`) seconds after ``base``.
    mutating func add(_ count: Int, from: Int64, to: Int64, method: String = "GET", path: String = "/api/items",
                      kind: Kind = .origin(200), requestTime: String = "0.020") {
        guard count > 0 else { return }
        for i in 0..<count {
            let time = Self.base + from + (to - from) * Int64(i) / Int64(count)
            lines.append((time, Self.line(time: time, method: method, path: path, kind: kind, serial: lines.count,
                                            requestTime: requestTime)))
        }
    }

    /// The log, oldest line first.
    var text: String { lines.sorted { $0.time < $1.time }.map(\.text).joined() }
    var data: Data { Data(text.utf8) }

    /// The lines of [`from`, `to`) seconds after ``base`` only, oldest first.
    func text(from: Int64, to: Int64) -> String {
        lines.filter { $0.time >= Self.base + from && $0.time < Self.base + to }.sorted { $0.time < $1.time }
            .map(\.text).joined()
    }

    static func iso(_ offset: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(base + offset))
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func line(time: Int64, method: String, path: String, kind: Kind, serial: Int,
                     requestTime: String = "0.020") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss"
        let stamp = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
        let (status, upstream): (Int, String)
        switch kind {
        case let .origin(s): (status, upstream) = (s, #"uct="0.001" uht="0.020" urt="0.020" us="\#(s)" ua="10.0.1.11:8080""#)
        case let .proxy(s): (status, upstream) = (s, #"uct="-" uht="-" urt="-" us="-" ua="-""#)
        }
        return #"203.0.113.\#(serial % 250) - - [\#(stamp) +0000] "\#(method) \#(path) HTTP/1.1" \#(status) 120 "-" "curl/8.5" rt=\#(requestTime) \#(upstream) rid=\#(String(format: "%032x", serial))"# + "\n"
    }
}
