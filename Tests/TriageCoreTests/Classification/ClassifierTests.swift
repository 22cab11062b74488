import Testing
@testable import TriageCore

/// One test per row of the decision table in Docs/Classification.md.
@Suite struct ClassifierTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var status: Int
        var upstreamStatus: String
        var upstreamAddr: String
        var connect = "-"
        var header = "-"
        var expected: FailureClass?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "1 final 499 → client_closed", status: 499, upstreamStatus: "-", upstreamAddr: "10.0.0.1:80", connect: "0.001", expected: .clientClosed),
        Row(name: "2 5xx, no upstream attempted (limit_req 503) → proxy_error", status: 503, upstreamStatus: "-", upstreamAddr: "-", expected: .proxyError),
        Row(name: "2b 5xx config error 500, no upstream → proxy_error", status: 500, upstreamStatus: "-", upstreamAddr: "-", expected: .proxyError),
        Row(name: "3 last address is a group name (no live upstreams) → upstream_unavailable", status: 502, upstreamStatus: "502", upstreamAddr: "backend", expected: .upstreamUnavailable),
        Row(name: "4 upstream answered 500 → origin_error", status: 500, upstreamStatus: "500", upstreamAddr: "10.0.0.1:80", connect: "0.001", header: "0.2", expected: .originError),
        Row(name: "4b upstream answered 501/507 → origin_error", status: 507, upstreamStatus: "507", upstreamAddr: "10.0.0.1:80", connect: "0.001", header: "0.2", expected: .originError),
        Row(name: "5 upstream 502 (connect refused) → upstream_unreachable", status: 502, upstreamStatus: "502", upstreamAddr: "10.0.0.1:80", expected: .upstreamUnreachable),
        Row(name: "6 upstream 504 → upstream_timeout", status: 504, upstreamStatus: "504", upstreamAddr: "10.0.0.1:80", connect: "0.001", expected: .upstreamTimeout),
        Row(name: "7 upstream 503 → upstream_unavailable", status: 503, upstreamStatus: "503", upstreamAddr: "10.0.0.1:80", connect: "0.001", header: "0.01", expected: .upstreamUnavailable),
        Row(name: "8 status '-' and final 504 → upstream_timeout", status: 504, upstreamStatus: "-", upstreamAddr: "10.0.0.1:80", connect: "0.001", expected: .upstreamTimeout),
        Row(name: "8b status '-' and final 502 → upstream_unreachable", status: 502, upstreamStatus: "-", upstreamAddr: "10.0.0.1:80", expected: .upstreamUnreachable),
        Row(name: "9 upstream answered 200 but client got 500 → proxy_error", status: 500, upstreamStatus: "200", upstreamAddr: "10.0.0.1:80", connect: "0.001", header: "0.01", expected: .proxyError),
        Row(name: "10 several attempts: the last decides (502, 504 → timeout)", status: 504, upstreamStatus: "502, 504", upstreamAddr: "10.0.0.1:80, 10.0.0.2:80", expected: .upstreamTimeout),
        Row(name: "11 earlier attempt failed, final < 500 → retried_ok", status: 200, upstreamStatus: "502, 200", upstreamAddr: "10.0.0.1:80, 10.0.0.2:80", expected: .retriedOK),
        Row(name: "11b redirect group list 504 : 200 → retried_ok", status: 200, upstreamStatus: "504 : 200", upstreamAddr: "10.0.0.1:80 : 10.0.0.9:80", expected: .retriedOK),
        Row(name: "12 success with one attempt → no class", status: 200, upstreamStatus: "200", upstreamAddr: "10.0.0.1:80", expected: nil),
        Row(name: "12b 404 → no class", status: 404, upstreamStatus: "404", upstreamAddr: "10.0.0.1:80", expected: nil),
    ]

    func attempts(_ row: Row) -> (UpstreamAttempts, Bool) {
        let line = "\(row.upstreamStatus)|\(row.upstreamAddr)|\(row.connect)|\(row.header)"
        let bytes = Array(line.utf8)
        let parts = line.split(separator: "|", omittingEmptySubsequences: false)
        var offset = 0
        var ranges: [FieldRange] = []
        for part in parts {
            ranges.append(FieldRange(start: Int32(offset), end: Int32(offset + part.utf8.count)))
            offset += part.utf8.count + 1
        }
        var record = AccessRecord()
        record.upstreamStatus = ranges[0]
        record.upstreamAddr = ranges[1]
        record.upstreamConnectTime = ranges[2]
        record.upstreamHeaderTime = ranges[3]
        return bytes.withUnsafeBufferPointer { buffer in
            let a = UpstreamAttempts(record: record, line: buffer)
            let isGroup = a.last.map { $0.address.isPresent && Classifier.isGroupName($0.address.bytes(in: buffer)) } ?? false
            return (a, isGroup)
        }
    }

    @Test("decision table rows", arguments: rows)
    func decisionTable(row: Row) {
        let (a, isGroup) = attempts(row)
        let decision = Classifier.classify(status: row.status, attempts: a, hasUpstreamFields: true, lastAddressIsGroupName: isGroup)
        #expect(decision?.failureClass == row.expected)
        if decision != nil { #expect(decision?.confidence == .upstreamFields) }
    }

    /// Formats that log upstream times or addresses but no `$upstream_status`: an attempt's
    /// unknown status is not nginx's `-` (no response header).
    @Test("without $upstream_status: a header time means the upstream answered, else the status decides", arguments: [
        ("$upstream_response_time", "500", "0.230", FailureClass?.some(.originError), Confidence.statusOnly),
        ("$upstream_response_time", "502", "0.001", .upstreamUnreachable, .statusOnly),
        ("$upstream_response_time", "200", "0.001, 0.020", .retriedOK, .upstreamFields),
        ("$upstream_response_time", "200", "0.020", nil, .statusOnly),
        ("$upstream_header_time", "500", "0.200", .originError, .upstreamFields),
        ("$upstream_header_time", "503", "0.200", .originError, .upstreamFields),
        ("$upstream_header_time", "502", "-", .upstreamUnreachable, .statusOnly),
        ("$upstream_addr", "502", "backend", .upstreamUnavailable, .upstreamFields),
        ("$upstream_addr", "503", "-", .proxyError, .upstreamFields),
    ])
    func withoutUpstreamStatus(variable: String, status: String, value: String, expected: FailureClass?, confidence: Confidence) throws {
        let format = try LogFormat.parse(specification: #"nginx:$remote_addr [$time_local] "$request" $status \#(variable)"#)
        let line = #"10.0.0.1 [20/Nov/2026:10:00:01 +0000] "POST /api/orders HTTP/1.1" \#(status) \#(value)"#
        let parser = format.makeDecoder()
        var record = AccessRecord()
        let decision: Classifier.Decision? = try Array(line.utf8).withUnsafeBufferPointer { buffer in
            try #require(parser.parse(buffer, into: &record), "\(parser.describeFailure(in: buffer))")
            return Classifier.decide(format.vocabulary.facts(record, line: buffer, attempts: UpstreamAttempts(record: record, line: buffer),
                                                             hasUpstreamFields: format.hasUpstreamFields))
        }
        #expect(decision?.failureClass == expected)
        if expected != nil { #expect(decision?.confidence == confidence) }
    }

    @Test("without upstream fields: the status alone decides, marked status_only", arguments: [
        (500, FailureClass?.some(.originError)), (501, .originError), (502, .upstreamUnreachable),
        (503, .upstreamUnavailable), (504, .upstreamTimeout), (499, .clientClosed), (200, nil), (404, nil),
    ])
    func statusOnly(status: Int, expected: FailureClass?) {
        let decision = Classifier.classify(status: status, attempts: UpstreamAttempts(), hasUpstreamFields: false)
        #expect(decision?.failureClass == expected)
        if expected != nil { #expect(decision?.confidence == .statusOnly) }
    }

    @Test("group names, host:port, sockets and IPv6 addresses")
    func groupNames() {
        func isGroup(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { Classifier.isGroupName($0) } }
        #expect(isGroup("backend"))
        #expect(!isGroup("10.0.0.1:8080"))
        #expect(!isGroup("unix:/run/app.sock"))
        #expect(!isGroup("[2001:db8::1]:80"))
    }

    @Test("class identifiers are the JSON schema's")
    func identifiers() {
        #expect(FailureClass.allCases.map(\.identifier) == [
            "origin_error", "upstream_unreachable", "upstream_timeout", "upstream_unavailable",
            "proxy_error", "client_closed", "retried_ok",
        ])
    }
}
