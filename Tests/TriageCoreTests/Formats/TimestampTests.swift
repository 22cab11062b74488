import Testing
@testable import TriageCore

@Suite struct TimestampTests {
    func clf(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { Timestamp.parseCLF($0) } }
    func iso(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { Timestamp.parseISO8601($0) } }

    // 2026-11-21T10:00:00Z
    static let reference: Int64 = 1_795_255_200

    @Test("CLF times with any UTC offset normalise to UTC", arguments: [
        ("21/Nov/2026:10:00:00 +0000", reference),
        ("21/Nov/2026:11:00:00 +0100", reference),
        ("21/Nov/2026:05:00:00 -0500", reference),
        ("21/Nov/2026:13:30:00 +0330", reference),
        ("01/Jan/1970:00:00:00 +0000", 0),
        ("29/Feb/2024:23:59:59 +0000", 1_709_251_199),
    ])
    func clfForms(text: String, expected: Int64) {
        #expect(clf(text) == expected)
    }

    @Test("malformed CLF times are rejected", arguments: [
        "21/Nov/2026:10:00:00", "21/Foo/2026:10:00:00 +0000", "21/Nov/2026:25:00:00 +0000",
        "21/Nov/2026:10:00:00 +00000", "2x/Nov/2026:10:00:00 +0000", "",
    ])
    func clfRejects(text: String) {
        #expect(clf(text) == nil)
    }

    @Test("ISO 8601 forms", arguments: [
        ("2026-11-21T10:00:00+00:00", reference),
        ("2026-11-21T10:00:00Z", reference),
        ("2026-11-21T12:00:00+02:00", reference),
        ("2026-11-21T10:00:00.123456Z", reference),
        ("2026-11-21 10:00:00", reference),
        ("2026-11-21T07:00:00-0300", reference),
    ])
    func isoForms(text: String, expected: Int64) {
        #expect(iso(text) == expected)
    }

    @Test("epoch seconds with fraction, milliseconds and microseconds")
    func epoch() {
        let s = Array("1795255200.123".utf8).withUnsafeBufferPointer { Timestamp.parseEpoch($0, unitsPerSecond: 1) }
        let ms = Array("1795255200123".utf8).withUnsafeBufferPointer { Timestamp.parseEpoch($0, unitsPerSecond: 1000) }
        #expect(s == Self.reference)
        #expect(ms == Self.reference)
    }

    @Test("RFC 3339 output and civil conversion round-trip")
    func rfc3339() {
        #expect(Timestamp.rfc3339(Self.reference) == "2026-11-21T10:00:00Z")
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00Z")
        for t: Int64 in [0, 86_399, 951_782_400, Self.reference, -1] {
            let c = Timestamp.civil(t)
            #expect(Timestamp.seconds(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second) == t)
        }
    }

    @Test("strftime layouts of Apache %{…}t")
    func layouts() throws {
        let cases: [(String, String)] = [
            ("%Y-%m-%dT%H:%M:%S%z", "2026-11-21T10:00:00+0000"),
            ("%d/%b/%Y:%T %z", "21/Nov/2026:11:00:00 +0100"),
            ("%F %T", "2026-11-21 10:00:00"),
            ("%s", "1795255200"),
        ]
        for (spec, text) in cases {
            let layout = try TimeLayout(strftime: spec)
            #expect(Array(text.utf8).withUnsafeBufferPointer { layout.parse($0) } == Self.reference, "\(spec)")
        }
        #expect(throws: TriageError.self) { try TimeLayout(strftime: "%Q") }
    }
}
