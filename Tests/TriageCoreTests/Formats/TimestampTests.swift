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

/// Issue #10.3 and #10.6: numbers and dates from a log never wrap, trap or roll over.
@Suite struct HostileTimeTests {
    func bytes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        Array(text.utf8).withUnsafeBufferPointer(body)
    }

    @Test("dates that do not exist are nil: 30 Feb, 31 Apr, 29 Feb of a common year; leap days are dates",
          arguments: ["30/Feb/2026:10:00:00 +0000", "29/Feb/2026:10:00:00 +0000", "31/Apr/2026:10:00:00 +0000",
                      "29/Feb/1900:10:00:00 +0000", "00/Jan/2026:10:00:00 +0000"])
    func impossibleCLF(text: String) {
        #expect(bytes(text, Timestamp.parseCLF) == nil)
    }

    @Test("29 Feb of leap years parses, 2000 included")
    func leapDays() {
        #expect(bytes("29/Feb/2024:10:00:00 +0000", Timestamp.parseCLF) != nil)
        #expect(bytes("2000-02-29T00:00:00Z") { Timestamp.parseISO8601($0) } != nil)
        #expect(bytes("2026-02-30T00:00:00Z") { Timestamp.parseISO8601($0) } == nil)
    }

    @Test("epochs past Int64 are nil, not wrapped", arguments: ["9999999999999999999", "92233720368547758070",
                                                                 "18446744073709551617.5"])
    func hugeEpoch(text: String) {
        #expect(bytes(text) { Timestamp.parseEpoch($0, unitsPerSecond: 1) } == nil)
        #expect(bytes(text) { Timestamp.parseAny($0) } == nil)
    }

    @Test("TimeLayout %s with 19 and 20 digits: the largest Int64 reads, more is nil")
    func layoutEpoch() throws {
        let layout = try TimeLayout(strftime: "%s")
        #expect(bytes("9223372036854775807") { layout.parse($0) } == Int64.max)
        #expect(bytes("9999999999999999999") { layout.parse($0) } == nil)
        #expect(bytes("1795255200") { layout.parse($0) } == 1_795_255_200)
    }

    @Test("decimalMicros: seconds past Int64 microseconds are nil", arguments: [
        "9223372036854.775808", "9223372036855", "99999999999999999999", "9223372036854775807.1",
    ])
    func hugeDecimal(text: String) {
        #expect(bytes(text) { decimalMicros($0, 0, $0.count, scale: 1_000_000) } == nil)
    }

    @Test("decimalMicros: the largest value that fits still reads")
    func largestDecimal() {
        #expect(bytes("9223372036854.775807") { decimalMicros($0, 0, $0.count, scale: 1_000_000) } == Int64.max)
        #expect(bytes("0.123") { decimalMicros($0, 0, $0.count, scale: 1_000_000) } == 123_000)
    }

    @Test("durations whose sum passes Int64 are nil; epochs past 9999 are not times")
    func specs() {
        #expect(TimeSpec.duration(String(repeating: "999999999w", count: 20_000)) == nil)
        #expect(TimeSpec.duration("1h30m") == 5400)
        #expect(TimeSpec("9223372036854775807") == nil)
        #expect(TimeSpec("253402300799") == .absolute(253_402_300_799))
        #expect(TimeSpec("now-999999999w")?.resolve(reference: 0, utcOffset: 0) == -TimeSpec.latestEpoch)
    }
}
