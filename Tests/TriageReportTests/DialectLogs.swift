import Foundation
@testable import TriageCore

/// The same requests written in every format `triage` reads without options, one
/// line per request (as Benchmarks/convert_dialect.py does for the benchmarks), so
/// tests can run each format's whole path on the same traffic: 5xx of every kind
/// (origin 500s, refused connects, timeouts, proxy-made 503s, retried 200s) and
/// client aborts, over several minutes.
enum DialectLogs {
    static let kinds = ["nginx", "kv", "apache", "haproxy", "haproxy-bare", "envoy", "istio", "alb", "elb", "heroku",
                        "traefik", "logfmt", "tomcat", "nginx-json", "caddy", "envoy-json", "docker", "cri", "syslog"]

    struct Request {
        var epoch: Int
        var millis: Int
        var client: String
        var method: String
        var target: String
        var status: Int
        var bytes: Int
        var userAgent: String
        var requestMillis: Int
        /// `-` when the proxy answered itself.
        var upstream: String
        /// nginx `$upstream_status`: `502, 200` for a retried request.
        var upstreamStatus: String
        var requestID: String
    }

    static func requests(_ count: Int) -> [Request] {
        let agents = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "ShopApp/5.3.0 (Android 14) okhttp/4.12.0"]
        return (0..<count).map { i in
            // A burst of origin 500s in the middle, a steady mix around it.
            let mix = [200, 200, 201, 304, 404, 200, 502, 200, 504, 499, 503, 200]
            var status = mix[i % mix.count]
            if i > count / 2 && i < count / 2 + count / 10 && i % 3 == 0 { status = 500 }
            let proxyMade = status == 503
            let retried = i % 29 == 0 && status == 200
            let upstream = proxyMade ? "-" : "10.0.1.\(11 + i % 4):8080"
            let upstreamStatus = proxyMade ? "-" : (retried ? "502, 200" : status == 499 ? "-" : "\(status)")
            let method = i % 5 == 0 ? "POST" : "GET"
            let target = i % 7 == 0 ? "/api/orders/\(i * 7)?q=a%20b" : (i % 2 == 0 ? "/api/products/\(i % 300)" : "/")
            return Request(epoch: 1_795_255_200 + i / 8, millis: i * 37 % 1000, client: "198.51.100.\(i % 200)",
                           method: method, target: target, status: status, bytes: i * 13 % 5000,
                           userAgent: agents[i % agents.count], requestMillis: status == 504 ? 30000 : i % 400 + 1,
                           upstream: upstream, upstreamStatus: upstreamStatus,
                           requestID: String(format: "%08x%08x%016x", i &* 2_654_435_761 & 0xffff_ffff, i, i &* 40503))
        }
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func civil(_ epoch: Int) -> (year: Int, month: Int, day: Int, h: Int, m: Int, s: Int) {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        let d = c.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                 from: Date(timeIntervalSince1970: TimeInterval(epoch)))
        return (d.year!, d.month!, d.day!, d.hour!, d.minute!, d.second!)
    }

    static func line(_ kind: String, _ r: Request, _ n: Int) -> String {
        let t = civil(r.epoch)
        let hms = String(format: "%02d:%02d:%02d", t.h, t.m, t.s)
        let mon = months[t.month - 1]
        let clf = String(format: "%02d/", t.day) + mon + "/\(t.year):" + hms
        let iso = String(format: "%d-%02d-%02dT", t.year, t.month, t.day) + hms + String(format: ".%03dZ", r.millis)
        let syslogDate = mon + String(format: " %2d ", t.day) + hms
        let request = "\(r.method) \(r.target) HTTP/1.1"
        let seconds = String(format: "%d.%03d", r.requestMillis / 1000, r.requestMillis % 1000)
        let lastUpstreamStatus = r.upstreamStatus.components(separatedBy: ", ").last!
        let noUpstream = r.upstream == "-"
        let nginx = #"\#(r.client) - - [\#(clf) +0000] "\#(request)" \#(r.status) \#(r.bytes) "-" "\#(r.userAgent)" rt=\#(seconds) uct="\#(noUpstream ? "-" : "0.001")" uht="\#(noUpstream ? "-" : seconds)" urt="\#(noUpstream ? "-" : seconds)" us="\#(r.upstreamStatus)" ua="\#(r.upstream)" rid=\#(r.requestID)"#
        let combined = #"\#(r.client) - - [\#(clf) +0000] "\#(request)" \#(r.status) \#(r.bytes) "-" "\#(r.userAgent)""#
        var flags = "-"
        if noUpstream && r.status >= 500 { flags = "RL" } else if r.status == 502 { flags = "UF,URX" } else if r.status == 504 {
            flags = "UT"
        } else if r.status == 499 { flags = "DC" }
        let envoyStatus = r.status == 499 ? 0 : r.status
        let host = noUpstream ? "-" : r.upstream
        func json(_ value: String) -> String {
            var out = "\""
            for u in value.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        switch kind {
        case "nginx": return nginx
        case "kv":
            return "\(combined) request_id=\(r.requestID) request_time=\(seconds) upstream_status=\(r.upstreamStatus) upstream_addr=\(r.upstream) upstream_response_time=\(noUpstream ? "-" : seconds)"
        case "apache":
            return "\(combined) \(r.requestMillis * 1000) \(r.requestID.prefix(8))-\(r.requestID.dropFirst(8).prefix(4))-4\(r.requestID.dropFirst(13).prefix(3))-8\(r.requestID.dropFirst(17).prefix(3))-\(r.requestID.suffix(12))"
        case "tomcat":
            return #"\#(r.client) - - [\#(clf) +0000] "\#(request)" \#(r.status) \#(r.bytes) \#(r.requestMillis)"#
        case "haproxy", "haproxy-bare":
            var server = noUpstream ? "<NOSRV>" : r.upstream, state = "----", st = "\(r.status)"
            if noUpstream { state = r.status >= 500 ? "PR--" : "----" } else if r.status == 502 { (st, state) = ("503", "SC--") } else if r.status == 504 {
                state = "sH--"
            } else if r.status == 499 { (st, state) = ("-1", "CH--") }
            if server.isEmpty { server = "-" }
            let retries = r.upstreamStatus.contains(", ") ? "+1" : "0"
            let header = kind == "haproxy" ? syslogDate + " lb1 haproxy[2231]: " : ""
            return header + #"\#(r.client):\#(30000 + n % 30000) [\#(clf).\#(String(format: "%03d", r.millis))] www~ app/\#(server) 0/0/1/\#(max(0, r.requestMillis - 1))/\#(r.requestMillis) \#(st) \#(r.bytes) - - \#(state) 12/12/3/1/\#(retries) 0/0 "\#(request)""#
        case "envoy":
            return #"[\#(iso)] "\#(request)" \#(envoyStatus) \#(flags) 0 \#(r.bytes) \#(r.requestMillis) \#(noUpstream ? "-" : "\(r.requestMillis)") "\#(r.client)" "\#(r.userAgent)" "\#(r.requestID)" "shop.example.com" "\#(host)""#
        case "istio":
            let details = flags == "-" ? "via_upstream" : "upstream_reset_before_response_started{connection_failure}"
            return #"[\#(iso)] "\#(request)" \#(envoyStatus) \#(flags) \#(details) - "-" 0 \#(r.bytes) \#(r.requestMillis) \#(noUpstream ? "-" : "\(r.requestMillis)") "\#(r.client)" "\#(r.userAgent)" "\#(r.requestID)" "shop.example.com" "\#(host)" outbound|8080||app.default.svc.cluster.local 10.0.0.2:41234 10.0.0.3:8080 \#(r.client):0 - default"#
        case "alb", "elb":
            let targetStatus = ["-", "502", "504"].contains(lastUpstreamStatus) || r.status == 499 ? "-" : lastUpstreamStatus
            let times = targetStatus == "-" ? "-1 -1 -1" : "0.000 \(seconds) 0.000"
            let common = #"\#(r.client):\#(30000 + n % 30000) \#(host) \#(times) \#(kind == "alb" && r.status == 499 ? 460 : r.status) \#(targetStatus) 512 \#(r.bytes) "\#(r.method) https://shop.example.com:443\#(r.target) HTTP/1.1" "\#(r.userAgent)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"#
            if kind == "elb" { return "\(iso) shop \(common)" }
            return #"https \#(iso) app/shop/50dc6c495c0c9188 \#(common) arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/app/73e2d6bc24d8a067 "Root=1-\#(r.requestID.prefix(8))-\#(r.requestID.dropFirst(8))" "shop.example.com" "-" 1 \#(iso) "forward" "-" "-" "\#(host)" "\#(targetStatus)" "-" "-""#
        case "heroku":
            var at = "info", service = "\(r.requestMillis)ms", status = r.status
            if noUpstream && r.status == 503 { (at, service) = (#"error code=H11 desc="Backlog too deep""#, "") } else if r.status == 502 {
                at = #"error code=H13 desc="Connection closed without response""#
            } else if r.status == 504 { (at, status) = (#"error code=H12 desc="Request timeout""#, 503) } else if r.status == 499 {
                at = #"error code=H27 desc="Client Request Interrupted""#
            }
            let dyno = noUpstream ? "" : "web.\(n % 4 + 1)"
            return #"\#(iso.dropLast())+00:00 heroku[router]: at=\#(at) method=\#(r.method) path="\#(r.target)" host=shop.example.com request_id=\#(r.requestID) fwd="\#(r.client)" dyno=\#(dyno) connect=1ms service=\#(service) status=\#(status) bytes=\#(r.bytes) protocol=https"#
        case "traefik":
            return #"\#(combined) \#(n + 1) "shop@docker" "\#(noUpstream ? "-" : "http://" + r.upstream)" \#(r.requestMillis)ms"#
        case "logfmt":
            return #"time=\#(iso) level=\#(r.status >= 500 ? "ERROR" : "INFO") msg="request done" method=\#(r.method) path=\#(r.target) status=\#(r.status) duration=\#(r.requestMillis).5ms request_id=\#(r.requestID) remote_ip=\#(r.client) bytes=\#(r.bytes) user_agent=\#(json(r.userAgent))"#
        case "nginx-json":
            return #"{"time_iso8601":"\#(iso.prefix(19))+00:00","remote_addr":"\#(r.client)","remote_user":"","request":"\#(request)","status": \#(r.status),"body_bytes_sent": \#(r.bytes),"request_time":"\#(seconds)","http_referer":"","http_user_agent":"\#(r.userAgent)","upstream_status":"\#(r.upstreamStatus)","upstream_addr":"\#(r.upstream)","upstream_response_time":"\#(noUpstream ? "-" : seconds)","request_id":"\#(r.requestID)"}"#
        case "caddy":
            return #"{"level":"\#(r.status >= 500 ? "error" : "info")","ts":\#(r.epoch).\#(String(format: "%03d", r.millis)),"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"\#(r.client)","remote_port":"\#(30000 + n % 30000)","client_ip":"\#(r.client)","proto":"HTTP/1.1","method":"\#(r.method)","host":"shop.example.com","uri":"\#(r.target)","headers":{"User-Agent":["\#(r.userAgent)"],"X-Request-Id":["\#(r.requestID)"]}},"bytes_read":0,"duration":\#(seconds),"size":\#(r.bytes),"status":\#(r.status)}"#
        case "envoy-json":
            return #"{"start_time":"\#(iso)","method":"\#(r.method)","path":"\#(r.target)","protocol":"HTTP/1.1","response_code":\#(envoyStatus),"response_flags":"\#(flags)","bytes_received":0,"bytes_sent":\#(r.bytes),"duration":\#(r.requestMillis),"upstream_service_time":\#(noUpstream ? "null" : "\"\(r.requestMillis)\""),"x_forwarded_for":"\#(r.client)","user_agent":"\#(r.userAgent)","request_id":"\#(r.requestID)","authority":"shop.example.com","upstream_host":\#(noUpstream ? "null" : "\"\(host)\"")}"#
        case "docker":
            return #"{"log":\#(json(nginx + "\n")),"stream":"stdout","time":"\#(iso.dropLast())123456Z"}"#
        case "cri":
            return "\(iso.dropLast())123456Z stdout F \(nginx)"
        case "syslog":
            return "<190>" + syslogDate + " lb1 nginx: " + nginx
        default:
            fatalError("unknown dialect \(kind)")
        }
    }

    /// The file of `kind` with `count` requests, written once per test process.
    static func file(_ kind: String, count: Int = 1500) -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("triage-dialect-\(ProcessInfo.processInfo.processIdentifier)-\(count)-\(kind).log")
        if !FileManager.default.fileExists(atPath: url.path) {
            let text = requests(count).enumerated().map { line(kind, $0.element, $0.offset) + "\n" }.joined()
            try? text.write(to: url, atomically: true, encoding: .utf8)
        }
        return url.path
    }

    /// ``file(_:count:)`` as one gzip member (zlib, as `gzip` writes it), written once per test process.
    static func gzipFile(_ kind: String, count: Int = 1500) -> String {
        let path = file(kind, count: count) + ".gz"
        if !FileManager.default.fileExists(atPath: path),
           let text = FileManager.default.contents(atPath: file(kind, count: count)),
           let compressed = PartialFile.gzip(Array(text)) {
            FileManager.default.createFile(atPath: path, contents: Data(compressed))
        }
        return path
    }
}
