/// Names the shape of a line that is not of its input's format: an nginx
/// error line between access lines, a container's start-up output, a JSON
/// event in a text log. Such lines are counted as "other lines" with this
/// reason, apart from malformed lines (lines of the format with a bad field).
///
/// The table is tried in order, on failing lines only; a dialect that knows
/// the other lines of its stream (a router's app output) adds a row.
public enum OtherLine {
    public struct Shape: Sendable {
        public var reason: String
        public var matches: @Sendable (UnsafeBufferPointer<UInt8>) -> Bool
        public init(reason: String, matches: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Bool) {
            self.reason = reason
            self.matches = matches
        }
    }

    /// Envoy's TCP proxy writes its connections in the HTTP access-log format with a
    /// `"- - -"` request and status 0: a line of the format that is not a request.
    public static let envoyTCPProxy = "not HTTP: TCP proxy line"
    /// A Kubernetes CRI `P` piece: part of a longer line, read once joined with the pieces after it.
    public static let criPartialPiece = "Kubernetes CRI partial line (joined with the next piece)"

    public static let shapes: [Shape] = [
        // 2026/11/20 10:00:00 [error] 123#123: *45 …
        Shape(reason: "nginx error-log line") { line in
            line.count > 21 && isDigits(line, 0, 4) && line[4] == UInt8(ascii: "/") && isDigits(line, 5, 2)
                && line[7] == UInt8(ascii: "/") && isDigits(line, 8, 2) && line[10] == UInt8(ascii: " ")
                && line[19] == UInt8(ascii: " ") && line[20] == UInt8(ascii: "[")
        },
        // [Sun Dec 04 04:47:44 2005] [error] …  /  [Wed Oct 11 14:32:52.123456 2000] [core:error] …
        Shape(reason: "Apache error-log line") { line in
            line.count > 26 && line[0] == UInt8(ascii: "[") && line[4] == UInt8(ascii: " ")
                && isLetters(line, 1, 3) && isLetters(line, 5, 3) && find(UInt8(ascii: "]"), line, 0).map { $0 > 20 } == true
        },
        Shape(reason: "JSON line") { line in
            var i = 0
            while i < line.count && (line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t")) { i += 1 }
            return i < line.count && line[i] == UInt8(ascii: "{")
        },
    ]

    /// Lines a dialect's own stream carries besides requests, whatever field failed:
    /// HAProxy's TCP-mode lines (three timers, a 2-character state: not HTTP) and its
    /// own events (`Proxy www started.`, `SSL handshake failure`, `Server app/web1 is DOWN`).
    public static func dialectShape(_ line: UnsafeBufferPointer<UInt8>, format: LogFormat) -> String? {
        if format.dialect == .heroku {
            // One `heroku logs` stream: the router's lines, the app's output, the platform's events.
            if contains(line, herokuApp) { return "application output (not a router line)" }
            if contains(line, herokuPlatform) { return "Heroku platform event (not a router line)" }
            return nil
        }
        if format.dialect == .aws {
            // Network Load Balancer TLS logs (`tls 2.0 <time> net/…`) and ALB connection logs
            // (`<time> <client ip> <port> <listener port> <TLS protocol> …`) share S3 buckets with access logs.
            if startsWith(line, 0, nlbPrefix) { return "NLB TLS log line (not HTTP)" }
            // The third token is a bare client port (an access log has `ip:port` there).
            if line.count > 28, line[4] == UInt8(ascii: "-"), line[10] == UInt8(ascii: "T"),
               let first = find(UInt8(ascii: " "), line, 0), let second = find(UInt8(ascii: " "), line, first + 1),
               let third = find(UInt8(ascii: " "), line, second + 1), third > second + 1,
               isDigits(line, second + 1, third - second - 1) {
                return "ALB connection log line (not a request)"
            }
            return nil
        }
        guard format.dialect == .haproxy else { return nil }
        // client:port [date] frontend backend/server Tw/Tc/Tt bytes ts …: the fifth token has two slashes.
        var token = 0, slashes = 0, i = 0
        while i < line.count && token <= 4 {
            let b = line[i]
            if b == UInt8(ascii: " ") {
                if token == 4 { break }
                token += 1
            } else if token == 4 && b == UInt8(ascii: "/") {
                slashes += 1
            }
            i += 1
        }
        if token == 4 && slashes == 2 && line.count > 0 && line[0] != UInt8(ascii: "[") {
            return "HAProxy TCP-mode line (not HTTP)"
        }
        for prefix in haproxyEventPrefixes where startsWith(line, 0, prefix) { return "HAProxy event (not a request)" }
        if find(UInt8(ascii: "S"), line, 0) != nil, contains(line, sslFailure) { return "HAProxy event (not a request)" }
        return nil
    }

    private static let haproxyEventPrefixes: [[UInt8]] = ["Proxy ", "Server ", "Backend ", "backend ", "Health check",
                                                         "Connect from ", "Stopping ", "Pausing "].map { Array($0.utf8) }
    private static let nlbPrefix: [UInt8] = Array("tls 2.0 ".utf8)
    private static let herokuApp: [UInt8] = Array(" app[".utf8)
    private static let herokuPlatform: [UInt8] = Array(" heroku[".utf8)
    private static let sslFailure: [UInt8] = Array("SSL handshake failure".utf8)

    private static func contains(_ line: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= line.count else { return false }
        for i in 0...(line.count - needle.count) where startsWith(line, i, needle) { return true }
        return false
    }

    /// Why `line` is not a record of `format`.
    public static func reason(_ line: UnsafeBufferPointer<UInt8>, format: LogFormat) -> String {
        knownShape(line, format: format) ?? "not a line of format '\(format.name)'"
    }

    /// The shape of `line` when it is one this table knows, or nil.
    public static func knownShape(_ line: UnsafeBufferPointer<UInt8>, format: LogFormat) -> String? {
        for shape in shapes where shape.matches(line) {
            if shape.reason == "JSON line" && format.dialect == .json {
                return "JSON event without a status (not an access-log entry)"
            }
            return shape.reason
        }
        return nil
    }

    private static func isDigits(_ line: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Bool {
        guard at + count <= line.count else { return false }
        for i in at..<(at + count) where !(line[i] >= 0x30 && line[i] <= 0x39) { return false }
        return true
    }

    private static func isLetters(_ line: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Bool {
        guard at + count <= line.count else { return false }
        for i in at..<(at + count) where !((line[i] | 0x20) >= 0x61 && (line[i] | 0x20) <= 0x7A) { return false }
        return true
    }
}
