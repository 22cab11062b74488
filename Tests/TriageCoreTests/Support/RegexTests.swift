import Testing
@testable import TriageCore

@Suite struct RegexTests {
    @Test("matches bytes, reports group ranges and names")
    func groups() throws {
        let regex = try Regex(#"req=(?<id>[0-9a-f-]+)"#)
        let subject = Array("x req=ab-12 y".utf8)
        let ranges = subject.withUnsafeBufferPointer { regex.firstMatch(in: $0) }
        #expect(ranges?[1] == 6..<11)
        #expect(regex.groupNames["id"] == 1)
    }

    @Test("invalid UTF-8 and empty subjects are safe")
    func hostileSubjects() throws {
        let regex = try Regex("a.c")
        #expect([UInt8]([0x61, 0xFF, 0x63]).withUnsafeBufferPointer { regex.matches($0) })
        #expect(!regex.matches(""))
    }

    @Test("a bad pattern is an error naming the pattern and the offset")
    func badPattern() {
        do {
            _ = try Regex("(unclosed")
            Issue.record("expected an error")
        } catch let TriageError.regex(pattern, message) {
            #expect(pattern == "(unclosed")
            #expect(message.contains("offset"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("catastrophic backtracking is stopped by the match limit, not hung")
    func matchLimit() throws {
        let regex = try Regex("^(a+)+$")
        #expect(!regex.matches(String(repeating: "a", count: 40) + "b"))
    }

    @Test("route rules: REGEX=>ROUTE, validated at startup")
    func routeRules() throws {
        let rule = try RouteRule(specification: "^/products/[^/]+$=>/products/{slug}")
        #expect(rule.route == "/products/{slug}")
        #expect(throws: TriageError.self) { try RouteRule(specification: "no arrow") }
        #expect(throws: TriageError.self) { try RouteRule(specification: "(bad=>/x") }
    }

    @Test("a route rule names matching targets before the built-in normalisation")
    func routeRuleInAggregation() throws {
        var options = AnalysisOptions()
        options.routeRules = [try RouteRule(specification: "^/products/[a-z0-9-]+$=>/products/{slug}")]
        let analyzer = Analyzer(options: options)
        let lines = ["blue-shirt", "red-hat-2", "green"].map {
            #"1.1.1.1 - - [21/Nov/2026:10:00:00 +0000] "GET /products/\#($0)?ref=x HTTP/1.1" 500 5 "-" "ua""#
        }.joined(separator: "\n")
        analyzer.analyze(try InputOpener.wrap(source: MemorySource(Array(lines.utf8)), displayPath: "m"))
        let routes = analyzer.finish().routes
        #expect(routes.count == 1)
        #expect(routes.first?.route == "/products/{slug}")
        #expect(routes.first?.serverErrors == 3)
    }

    @Test("search reads groups without allocating; duplicate names give the group that took part; a start offset skips earlier matches")
    func searchAndNamedGroups() throws {
        let regex = try Regex(#"id=(?<id>\d+)|\[(?<id>[a-f]+)\]"#, duplicateNames: true)
        let text = Array("x [abc] id=42".utf8)
        try text.withUnsafeBufferPointer { p in
            #expect(regex.search(p))
            #expect(regex.group(named: "id") == 3..<6)
            #expect(regex.search(p, from: 7))
            #expect(regex.group(named: "id") == 11..<13)
            let match = try #require(regex.firstMatch(in: p, from: 7))
            #expect(regex.range(named: "id", in: match) == 11..<13)
            #expect(!regex.search(p, from: 13))
            #expect(regex.group(0) == nil)
        }
    }
}
