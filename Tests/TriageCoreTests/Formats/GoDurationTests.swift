import Testing
@testable import TriageCore

/// Durations as Go's `time.Duration.String()` writes them (and `time.ParseDuration` reads).
@Suite struct GoDurationTests {
    @Test("every form Duration.String() writes, and ParseDuration's us/μs", arguments: [
        ("0s", Int64(0)), ("300ns", 0), ("1500ns", 1), ("500µs", 500), ("500us", 500), ("500μs", 500), ("1.5ms", 1500),
        ("12.345ms", 12345), ("2s", 2_000_000), ("0.012345s", 12345), ("1m0.002s", 60_002_000), ("2m0s", 120_000_000),
        ("1h2m3s", 3_723_000_000), ("72h3m0.5s", 259_380_500_000), ("1h0m0.000000001s", 3_600_000_000), (".5s", 500_000),
    ])
    func reads(text: String, micros: Int64) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { goDurationMicros($0, 0, $0.count) } == micros)
    }

    @Test("not durations: no unit, unknown units, a sign, overflow", arguments: [
        "", "12", "12x", "1d", "s", "ms", "-1s", "+1s", "1.2.3s", "99999999999h", "1m 2s",
    ])
    func rejects(text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { goDurationMicros($0, 0, $0.count) } == nil)
    }
}
