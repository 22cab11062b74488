/// A point in time as users write it on the command line or in a deploys file.
///
/// Forms: ISO 8601 with a zone (`2026-11-21T14:00:00Z`, `…+02:00`) or without
/// (then the log's UTC offset applies, and the report says so); Unix epoch
/// seconds or milliseconds (`1795255200`, `1795255200000`); the CLF form
/// `21/Nov/2026:10:00:00 +0000`; and relative forms `now`, `now-10m`, `2h`
/// (the last meaning "2 hours before the reference time").
public enum TimeSpec: Equatable, Sendable {
    /// Unix seconds, UTC.
    case absolute(Int64)
    /// Local wall time without a zone: Unix seconds as if it were UTC.
    case zoneless(Int64)
    /// Seconds before the reference time (`now-10m`, `2h`; 0 for `now`).
    case relative(Int64)

    /// Parses `text`; nil when it is none of the forms.
    public init?(_ text: String) {
        let t = text.trimmingWhitespace()
        let bytes = Array(t.utf8)
        if t == "now" { self = .relative(0); return }
        if t.hasPrefix("now-"), let seconds = Self.duration(String(t.dropFirst(4))) { self = .relative(seconds); return }
        if let seconds = Self.duration(t), !t.allSatisfy(\.isNumber) { self = .relative(seconds); return }
        if !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(t) {
            // 13 digits and more are milliseconds (seconds would be past the year 2286).
            let seconds = bytes.count >= 13 ? value / 1000 : value
            // Past 9999-12-31 is no time anyone means, and would overflow the deploy windows.
            guard seconds <= Self.latestEpoch else { return nil }
            self = .absolute(seconds)
            return
        }
        let parsed: Int64? = bytes.withUnsafeBufferPointer { p in
            if let clf = Timestamp.parseCLF(p) { return clf }
            return nil
        }
        if let parsed { self = .absolute(parsed); return }
        let hasZone = bytes.count > 19 && (bytes.last == UInt8(ascii: "Z") || bytes.last == UInt8(ascii: "z")
            || bytes[19...].contains(UInt8(ascii: "+")) || bytes[19...].contains(UInt8(ascii: "-")))
        if let iso = bytes.withUnsafeBufferPointer({ Timestamp.parseISO8601($0) }) {
            self = hasZone ? .absolute(iso) : .zoneless(iso)
            return
        }
        // A date alone: midnight.
        if bytes.count == 10, let iso = (bytes + Array("T00:00:00".utf8)).withUnsafeBufferPointer({ Timestamp.parseISO8601($0) }) {
            self = .zoneless(iso)
            return
        }
        return nil
    }

    /// The Unix time this spec names.
    ///
    /// - Parameters:
    ///   - reference: the time relative forms count back from.
    ///   - utcOffset: the log's offset in seconds, applied to zoneless times.
    public func resolve(reference: Int64, utcOffset: Int) -> Int64 {
        switch self {
        case let .absolute(t): return t
        case let .zoneless(t): return t - Int64(utcOffset)
        case let .relative(seconds):
            // Clamped: a billion weeks before a time is the year -7999 at the earliest, never a
            // wrap, and far enough from Int64's ends that windows around it cannot overflow.
            let (value, overflow) = reference.subtractingReportingOverflow(seconds)
            return overflow ? -Self.latestEpoch : max(-Self.latestEpoch, value)
        }
    }

    /// 9999-12-31T23:59:59Z: the latest epoch a spec may name.
    public static let latestEpoch: Int64 = 253_402_300_799

    public var isRelative: Bool { if case .relative = self { return true } else { return false } }
    public var isZoneless: Bool { if case .zoneless = self { return true } else { return false } }

    /// `90s`, `15m`, `2h`, `1d`, `1h30m`; a bare number is seconds. Nil when malformed.
    public static func duration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64 = 0
        var hasDigits = false
        var sawUnit = false
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                number = number * 10 + Int64(d)
                hasDigits = true
                guard number < 1_000_000_000 else { return nil }
                continue
            }
            guard hasDigits else { return nil }
            let unit: Int64
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            // Each part is below 10⁹ weeks, but a long enough list of parts would
            // overflow: checked, so `1000w` repeated is refused, not wrapped.
            let (sum, overflow) = total.addingReportingOverflow(number * unit)
            guard !overflow else { return nil }
            total = sum
            number = 0
            hasDigits = false
            sawUnit = true
        }
        if hasDigits {
            let (sum, overflow) = total.addingReportingOverflow(number)
            guard !overflow else { return nil }
            total = sum
        } else if !sawUnit { return nil }
        return total
    }
}
