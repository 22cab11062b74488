/// Parses the time forms access logs use into Unix seconds (UTC).
///
/// Every parser takes the raw bytes of one field and returns nil when the bytes
/// are not exactly that form; none allocates.
public enum Timestamp {
    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        // Howard Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date and time of a Unix time, UTC.
    public static func civil(_ seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        let secs = Int(seconds - Int64(days) * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secs / 3600, (secs % 3600) / 60, secs % 60)
    }

    /// 9999-12-31T23:59:59Z: the latest time ``rfc3339(_:)`` writes as a date with four digits.
    public static let latestCivil: Int64 = 253_402_300_799

    /// RFC 3339 UTC text of a Unix time: `2026-11-21T10:00:00Z`.
    public static func rfc3339(_ seconds: Int64) -> String {
        let c = civil(seconds)
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))Z"
    }

    static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    @inline(__always)
    static func digit(_ b: UInt8) -> Int? {
        let d = Int(b) &- 48
        return d >= 0 && d <= 9 ? d : nil
    }

    @inline(__always)
    static func number(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= p.count else { return nil }
        var value = 0
        for i in start..<(start + count) {
            guard let d = digit(p[i]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// `Jan`…`Dec` (any case) to 1…12.
    @inline(__always)
    static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        let key = (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20)
        switch key {
        case 0x6A616E: return 1   // jan
        case 0x666562: return 2   // feb
        case 0x6D6172: return 3   // mar
        case 0x617072: return 4   // apr
        case 0x6D6179: return 5   // may
        case 0x6A756E: return 6   // jun
        case 0x6A756C: return 7   // jul
        case 0x617567: return 8   // aug
        case 0x736570: return 9   // sep
        case 0x6F6374: return 10  // oct
        case 0x6E6F76: return 11  // nov
        case 0x646563: return 12  // dec
        default: return nil
        }
    }

    /// Days in `month` of `year` (proleptic Gregorian: 29 February every 4 years but not every 100, every 400).
    @inline(__always)
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Unix seconds of a civil date and time; nil for a date that does not exist
    /// (`30/Feb`, `31/Apr`, `29/Feb` of a common year) or a time out of range.
    static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Offset in seconds of `+hhmm`, `-hh:mm`, `Z` starting at `i`; returns the offset and bytes used.
    static func zoneOffset(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (offset: Int, length: Int)? {
        guard i < p.count else { return nil }
        if p[i] == UInt8(ascii: "Z") || p[i] == UInt8(ascii: "z") { return (0, 1) }
        let sign: Int
        switch p[i] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        guard let hh = number(p, i + 1, 2) else { return nil }
        var j = i + 3
        if j < p.count && p[j] == UInt8(ascii: ":") { j += 1 }
        guard let mm = number(p, j, 2), hh <= 23, mm <= 59 else { return nil }
        return (sign * (hh * 3600 + mm * 60), j + 2 - i)
    }

    /// `21/Nov/2026:10:00:00 +0100` (nginx `$time_local`, Apache `%t`).
    public static func parseCLF(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard p.count >= 26, p[2] == UInt8(ascii: "/"), p[6] == UInt8(ascii: "/"), p[11] == UInt8(ascii: ":"),
              p[14] == UInt8(ascii: ":"), p[17] == UInt8(ascii: ":"), p[20] == UInt8(ascii: " "),
              let day = number(p, 0, 2), let month = monthNumber(p[3], p[4], p[5]),
              let year = number(p, 7, 4), let hour = number(p, 12, 2), let minute = number(p, 15, 2),
              let second = number(p, 18, 2), let zone = zoneOffset(p, 21), 21 + zone.length == p.count,
              let local = seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return local - Int64(zone.offset)
    }

    /// `06/Feb/2009:12:14:14.655` (HAProxy `%tr`, `%t`): CLF without a zone, with
    /// optional milliseconds. Seconds as if the clock were UTC; the caller applies
    /// the zone the user named (`--log-timezone`).
    public static func parseCLFLocal(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard p.count >= 20, p[2] == UInt8(ascii: "/"), p[6] == UInt8(ascii: "/"), p[11] == UInt8(ascii: ":"),
              p[14] == UInt8(ascii: ":"), p[17] == UInt8(ascii: ":"),
              let day = number(p, 0, 2), let month = monthNumber(p[3], p[4], p[5]),
              let year = number(p, 7, 4), let hour = number(p, 12, 2), let minute = number(p, 15, 2),
              let second = number(p, 18, 2),
              let local = seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return isCLFLocalFraction(UnsafeBufferPointer(rebasing: p[20...])) ? local : nil
    }

    /// What may follow the seconds of a zoneless CLF time: nothing, or `.` and 1–6 digits.
    @inline(__always)
    static func isCLFLocalFraction(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.isEmpty { return true }
        guard p[0] == UInt8(ascii: "."), p.count > 1, p.count <= 7 else { return false }
        for i in 1..<p.count where digit(p[i]) == nil { return false }
        return true
    }

    /// `2026-11-21T10:00:00`, optional fraction, then `Z`, `±hh:mm`, `±hhmm` or
    /// nothing (`assumedOffset` applies, UTC by default). A space may replace `T`.
    public static func parseISO8601(_ p: UnsafeBufferPointer<UInt8>, assumedOffset: Int = 0) -> Int64? {
        guard p.count >= 19, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
              p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "t"),
              p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":"),
              let year = number(p, 0, 4), let month = number(p, 5, 2), let day = number(p, 8, 2),
              let hour = number(p, 11, 2), let minute = number(p, 14, 2), let second = number(p, 17, 2),
              let local = seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        var i = 19
        if i < p.count && (p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",")) {
            i += 1
            let start = i
            while i < p.count, digit(p[i]) != nil { i += 1 }
            guard i > start else { return nil }
        }
        if i == p.count { return local - Int64(assumedOffset) }
        guard let zone = zoneOffset(p, i), i + zone.length == p.count else { return nil }
        return local - Int64(zone.offset)
    }

    /// A time in any form JSON logs use: an epoch number in seconds,
    /// milliseconds, microseconds or nanoseconds (told apart by magnitude), or
    /// ISO 8601 / CLF text. Nanosecond fractions in ISO text are accepted.
    public static func parseAny(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !p.isEmpty else { return nil }
        // A number (digits and at most a fraction) is an epoch; anything else is text.
        if p.allSatisfy({ digit($0) != nil || $0 == UInt8(ascii: ".") }) {
            var digits = 0
            while digits < p.count, digit(p[digits]) != nil { digits += 1 }
            // 10 digits: seconds (until 2286); 13: ms; 16: µs; 19: ns.
            let units: Int64 = digits >= 18 ? 1_000_000_000 : digits >= 15 ? 1_000_000 : digits >= 12 ? 1000 : 1
            if units == 1_000_000_000 {
                guard let micros = parseEpoch(p, unitsPerSecond: 1000) else { return nil }
                return micros / 1_000_000
            }
            return parseEpoch(p, unitsPerSecond: units)
        }
        return parseISO8601(p) ?? parseCLF(p)
    }

    /// Unix time with an optional fraction; `unitsPerSecond` is 1, 1000 or 1_000_000.
    public static func parseEpoch(_ p: UnsafeBufferPointer<UInt8>, unitsPerSecond: Int64) -> Int64? {
        var value: Int64 = 0
        var i = 0
        while i < p.count, let d = digit(p[i]) {
            // Checked: 19 nines do not fit an Int64 and must not wrap into a plausible time.
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        guard i > 0 else { return nil }
        if i < p.count {
            guard p[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            while i < p.count, digit(p[i]) != nil { i += 1 }
            guard i == p.count else { return nil }
        }
        return value / unitsPerSecond
    }
}
