import Foundation
import Testing
import _TriageTestSupport

/// Errors served from cache (Docs/Classification.md#errors-served-from-cache), end to end:
/// counted per class, named in the verdict, kept out of the upstream failure counts.
@Suite struct CacheServedErrorTests {
    static let format = #"nginx:$remote_addr [$time_local] "$request" $status $request_time us="$upstream_status" ua="$upstream_addr" cs=$upstream_cache_status"#

    static func log() -> String {
        var lines: [String] = []
        func add(_ n: Int, _ status: Int, us: String, ua: String, cache: String) {
            for i in 0..<n {
                let second = lines.count % 60
                lines.append(#"198.51.100.\#(i) [20/Nov/2026:10:0\#(lines.count / 60):\#(second < 10 ? "0" : "")\#(second) +0000] "GET /api/items HTTP/1.1" \#(status) 0.010 us="\#(us)" ua="\#(ua)" cs=\#(cache)"#)
            }
        }
        add(20, 200, us: "200", ua: "10.0.0.1:80", cache: "MISS")
        add(5, 502, us: "502", ua: "10.0.0.1:80", cache: "MISS")
        add(7, 503, us: "-", ua: "-", cache: "HIT")
        // A stale cached 500 while the background refresh timed out: the 504 is not counted against the upstream.
        add(3, 500, us: "504", ua: "10.0.0.1:80", cache: "STALE")
        add(2, 502, us: "502", ua: "10.0.0.1:80", cache: "-")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("cached 5xx keep their class, are counted as served from cache and are not upstream failures")
    func countedApart() throws {
        let file = try CLI.temporaryFile(Data(Self.log().utf8))
        let result = try CLI.run(["--format", "json", "--log-format", Self.format, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLI.json(result.stdout)
        #expect(report.object("totals").int("served_from_cache") == 10)
        let details = report.list("class_details")
        func detail(_ c: String) -> [String: Any] { details.first { $0["class"] as? String == c } ?? [:] }
        #expect(detail("upstream_unavailable").int("count") == 7)
        #expect(detail("upstream_unavailable").int("served_from_cache") == 7)
        #expect(detail("origin_error").int("count") == 3)
        #expect(detail("origin_error").int("served_from_cache") == 3)
        #expect(detail("upstream_unreachable").int("count") == 7)
        #expect(detail("upstream_unreachable").int("served_from_cache") == 0)
        // The upstream's failed attempts are the 7 real 502s, not the stale answers' refreshes.
        let upstream = report.list("upstreams").first ?? [:]
        #expect(upstream["address"] as? String == "10.0.0.1:80")
        #expect(upstream.int("failures") == 7)
        #expect(upstream.int("requests") == 30)
    }

    @Test("the verdict names the errors served from cache and leaves them out of the upstream failures")
    func verdictSaysSo() throws {
        let file = try CLI.temporaryFile(Data(Self.log().utf8))
        let result = try CLI.run(["--log-format", Self.format, file.path], environment: ["COLUMNS": "200"])
        let text = result.stdout.replacingOccurrences(of: "\n    ", with: " ").replacingOccurrences(of: "\n  ", with: " ")
        #expect(text.contains("upstream failures 7 ="), "\(result.stdout)")
        #expect(text.contains("Served from cache: 10 5xx (origin_error 3, upstream_unavailable 7) were errors the cache kept serving"),
                "\(result.stdout)")
    }
}
