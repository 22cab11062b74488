/// A strftime-style layout (`%d/%b/%Y:%H:%M:%S %z`) compiled for parsing.
///
/// Supports the conversions Apache `%{…}t` formats use in practice: `%Y %m %d
/// %e %H %M %S %b %h %B(abbreviated) %z %Z(ignored word) %s %T %F %D %y %j`. Others are rejected
/// when the format is compiled, not while reading lines.
public struct TimeLayout: Equatable, Sendable {
    enum Token: Equatable, Sendable {
        case literal(UInt8)
        case year, year2, month, monthName, day, dayPadded, hour, minute, second, zone, zoneName, epoch
        /// Apache's `%{msec_frac}t` (3 digits) or `%{usec_frac}t` (6): checked, not kept.
        case fraction(Int)
    }
    let tokens: [Token]
    public let specification: String

    public init(strftime spec: String) throws {
        var tokens: [Token] = []
        let bytes = Array(spec.utf8)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count else {
                tokens.append(.literal(bytes[i]))
                i += 1
                continue
            }
            let c = Character(UnicodeScalar(bytes[i + 1]))
            i += 2
            switch c {
            case "Y": tokens.append(.year)
            case "y": tokens.append(.year2)
            case "m": tokens.append(.month)
            case "d": tokens.append(.day)
            case "e": tokens.append(.dayPadded)
            case "H": tokens.append(.hour)
            case "M": tokens.append(.minute)
            case "S": tokens.append(.second)
            case "b", "h": tokens.append(.monthName)
            case "z": tokens.append(.zone)
            case "Z": tokens.append(.zoneName)
            case "s": tokens.append(.epoch)
            case "T": tokens += [.hour, .literal(58), .minute, .literal(58), .second]
            case "F": tokens += [.year, .literal(45), .month, .literal(45), .day]
            case "D": tokens += [.month, .literal(47), .day, .literal(47), .year2]
            case "%": tokens.append(.literal(37))
            default: throw TriageError.invalidFormat("time conversion %\(c) in '\(spec)' is not supported")
            }
        }
        self.tokens = tokens
        self.specification = spec
    }

    private init(tokens: [Token], specification: String) {
        self.tokens = tokens
        self.specification = specification
    }

    /// One layout for a time Apache writes in parts (`%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t`):
    /// each part is a layout, or a fraction's digit count, after the literal before it.
    static func joined(_ parts: [(literal: [UInt8], layout: TimeLayout?, fractionDigits: Int, written: String)]) -> TimeLayout {
        var tokens: [Token] = []
        var specification = ""
        for part in parts {
            tokens += part.literal.map { .literal($0) }
            specification += String(decoding: part.literal, as: UTF8.self)
            if let layout = part.layout {
                tokens += layout.tokens
            } else {
                tokens.append(.fraction(part.fractionDigits))
            }
            specification += part.written
        }
        return TimeLayout(tokens: tokens, specification: specification)
    }

    /// Unix seconds of `p` read with this layout, or nil.
    func parse(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, offset = 0
        var epoch: Int64?
        func digits(_ maxCount: Int, allowSpace: Bool = false) -> Int? {
            var value = 0
            var n = 0
            if allowSpace && i < p.count && p[i] == 32 { i += 1; n += 1 }
            let start = n
            while n < maxCount, i < p.count, let d = Timestamp.digit(p[i]) {
                // %s takes up to 19 digits: more than Int holds. Checked, so an
                // overflow is a value that does not parse, never a wrapped time.
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(d)
                guard !o1, !o2 else { return nil }
                value = next
                i += 1
                n += 1
            }
            return n > start ? value : nil
        }
        for token in tokens {
            switch token {
            case let .literal(b):
                guard i < p.count, p[i] == b else { return nil }
                i += 1
            case .year: guard let v = digits(4) else { return nil }; year = v
            case .year2: guard let v = digits(2) else { return nil }; year = 2000 + v
            case .month: guard let v = digits(2) else { return nil }; month = v
            case .day: guard let v = digits(2) else { return nil }; day = v
            case .dayPadded: guard let v = digits(2, allowSpace: true) else { return nil }; day = v
            case .hour: guard let v = digits(2) else { return nil }; hour = v
            case .minute: guard let v = digits(2) else { return nil }; minute = v
            case .second: guard let v = digits(2) else { return nil }; second = v
            case .monthName:
                guard i + 3 <= p.count, let m = Timestamp.monthNumber(p[i], p[i + 1], p[i + 2]) else { return nil }
                month = m
                i += 3
            case .zone:
                guard let z = Timestamp.zoneOffset(p, i) else { return nil }
                offset = z.offset
                i += z.length
            case .zoneName:
                while i < p.count, (p[i] | 0x20) >= 0x61, (p[i] | 0x20) <= 0x7A { i += 1 }
            case let .fraction(count):
                for _ in 0..<count {
                    guard i < p.count, Timestamp.digit(p[i]) != nil else { return nil }
                    i += 1
                }
            case .epoch:
                guard let v = digits(19) else { return nil }
                epoch = Int64(v)
            }
        }
        guard i == p.count else { return nil }
        if let epoch { return epoch }
        guard let local = Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return local - Int64(offset)
    }
}
