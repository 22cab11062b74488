/// Reads a duration as Go's `time.Duration.String()` writes it, in microseconds.
///
/// `String()` writes `72h3m0.5s`: hours, minutes and seconds with leading zero units
/// left out, and under one second one smaller unit so the leading digit is not zero
/// (`1.5ms`, `500µs`, `300ns`); zero is `0s`. `time.ParseDuration` reads more (any
/// sequence of decimal numbers with units, `us` and `μs` for µs), and so does this:
/// `1m0.002s`, `2m0s`, `1h2m3s`, `12.345ms`, `500us`. A Google Cloud `LogEntry`'s
/// `httpRequest.latency` (a protobuf Duration: seconds with up to nine fraction
/// digits and an `s`, `"0.012345s"`) is one of these forms.
///
/// Nil when the bytes are not such a duration: no unit, an unknown unit, a sign
/// (a request never takes a negative time), or more than Int64 nanoseconds.
/// Fractions finer than a nanosecond are dropped; the result is truncated to µs.
func goDurationMicros(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    guard end > start else { return nil }
    var i = start
    var nanos: Int64 = 0
    while i < end {
        // A decimal number: digits, maybe a `.` and more digits (`.5s` and `5.s` are Go's too).
        var whole: Int64 = 0
        var digits = 0
        while i < end, let d = Timestamp.digit(line[i]) {
            let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            whole = next
            digits += 1
            i += 1
        }
        let fractionStart = i < end && line[i] == UInt8(ascii: ".") ? i + 1 : i
        var fractionEnd = fractionStart
        while fractionEnd < end, Timestamp.digit(line[fractionEnd]) != nil { fractionEnd += 1 }
        digits += fractionEnd - fractionStart
        guard digits > 0 else { return nil }
        i = fractionEnd
        // The unit: the bytes up to the next number.
        let unitStart = i
        while i < end, Timestamp.digit(line[i]) == nil, line[i] != UInt8(ascii: ".") { i += 1 }
        guard let unit = goDurationUnitNanos(line, unitStart, i) else { return nil }
        let (scaled, o3) = whole.multipliedReportingOverflow(by: unit)
        guard !o3 else { return nil }
        // The fraction, digit by digit in units of `unit / 10^k` nanoseconds.
        var fraction: Int64 = 0
        var place = unit
        for f in fractionStart..<fractionEnd {
            place /= 10
            if place == 0 { break }
            fraction += Int64(line[f] &- 48) * place
        }
        let (sum, o4) = nanos.addingReportingOverflow(scaled)
        let (total, o5) = sum.addingReportingOverflow(fraction)
        guard !o4, !o5 else { return nil }
        nanos = total
    }
    return nanos / 1000
}

/// Nanoseconds in one of Go's duration units (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`).
@inline(__always)
private func goDurationUnitNanos(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    switch end - start {
    case 1:
        switch line[start] {
        case UInt8(ascii: "s"): return 1_000_000_000
        case UInt8(ascii: "m"): return 60_000_000_000
        case UInt8(ascii: "h"): return 3_600_000_000_000
        default: return nil
        }
    case 2:
        guard line[start + 1] == UInt8(ascii: "s") else { return nil }
        switch line[start] {
        case UInt8(ascii: "n"): return 1
        case UInt8(ascii: "u"): return 1000
        case UInt8(ascii: "m"): return 1_000_000
        default: return nil
        }
    case 3:
        // U+00B5 MICRO SIGN (what `String()` writes) or U+03BC GREEK SMALL LETTER MU, then `s`.
        guard line[start + 2] == UInt8(ascii: "s") else { return nil }
        let isMicro = (line[start] == 0xC2 && line[start + 1] == 0xB5) || (line[start] == 0xCE && line[start + 1] == 0xBC)
        return isMicro ? 1000 : nil
    default:
        return nil
    }
}
