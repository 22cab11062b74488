#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The zone of times a log writes without one (HAProxy's `%tr`, syslog headers).
///
/// `--log-timezone` names it: `UTC` (the default), a fixed offset (`+02:00`,
/// `-0500`), or a zone of the system's tz database (`Europe/Paris`), read once
/// from its TZif file so that daylight saving time is applied per time.
public struct LogTimeZone: Equatable, Sendable {
    /// As the user gave it, for the report.
    public let name: String
    /// UTC instants where the offset changes, ascending; `offsets[i]` applies from
    /// `transitions[i]` on, `offsets[0]` before the first.
    private let transitions: [Int64]
    private let offsets: [Int32]

    public static let utc = LogTimeZone(name: "UTC", transitions: [], offsets: [0])

    private init(name: String, transitions: [Int64], offsets: [Int32]) {
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
    }

    /// Parses `--log-timezone`.
    ///
    /// - Throws: ``TriageError/invalidFormat(_:)`` naming what was expected.
    public static func parse(_ spec: String, zoneinfo: String = "/usr/share/zoneinfo") throws -> LogTimeZone {
        let s = spec.trimmingWhitespace()
        if s == "UTC" || s == "Z" || s == "GMT" || s == "utc" { return .utc }
        if let first = s.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            let bytes = Array(s.utf8)
            if let zone = bytes.withUnsafeBufferPointer({ Timestamp.zoneOffset($0, 0) }), zone.length == bytes.count {
                return LogTimeZone(name: s, transitions: [], offsets: [Int32(zone.offset)])
            }
            throw TriageError.invalidFormat("--log-timezone '\(spec)': expected UTC, an offset like +02:00, or a zone like Europe/Paris")
        }
        guard !s.isEmpty, !s.contains(".."), !s.hasPrefix("/"),
              let table = readTZif(zoneinfo + "/" + s) else {
            throw TriageError.invalidFormat("--log-timezone '\(spec)': no such zone in \(zoneinfo) (give UTC, an offset like +02:00, or a zone like Europe/Paris)")
        }
        return LogTimeZone(name: s, transitions: table.transitions, offsets: table.offsets)
    }

    /// The offset (seconds east of UTC) in force at the UTC instant `utc`.
    @inline(__always)
    public func offset(atUTC utc: Int64) -> Int32 {
        guard !transitions.isEmpty else { return offsets[0] }
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= utc { lo = mid + 1 } else { hi = mid }
        }
        return offsets[lo]
    }

    /// The UTC instant of a wall-clock time read as if it were UTC, and the offset applied.
    @inline(__always)
    public func utc(fromLocal local: Int64) -> (seconds: Int64, offset: Int32) {
        let guess = offset(atUTC: local)
        let offset = self.offset(atUTC: local - Int64(guess))
        return (local - Int64(offset), offset)
    }

    /// Transitions and offsets of a TZif file (RFC 8536), from its 64-bit part when present.
    static func readTZif(_ path: String) -> (transitions: [Int64], offsets: [Int32])? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        func be(_ at: Int, _ size: Int) -> Int64? {
            guard at >= 0, at + size <= data.count else { return nil }
            var v: Int64 = 0
            for i in 0..<size { v = v << 8 | Int64(data[at + i]) }
            if size == 4 { v = Int64(Int32(truncatingIfNeeded: v)) }
            return v
        }
        func table(at base: Int, timeSize: Int) -> (transitions: [Int64], offsets: [Int32], end: Int)? {
            guard data.count >= base + 44, data[base] == 0x54, data[base + 1] == 0x5A, data[base + 2] == 0x69,
                  data[base + 3] == 0x66,
                  let isut = be(base + 20, 4), let isstd = be(base + 24, 4), let leap = be(base + 28, 4),
                  let timecnt = be(base + 32, 4), let typecnt = be(base + 36, 4), let charcnt = be(base + 40, 4),
                  timecnt >= 0, timecnt < 100_000, typecnt > 0, typecnt < 256 else { return nil }
            let times = base + 44
            let indexes = times + Int(timecnt) * timeSize
            let types = indexes + Int(timecnt)
            let end = types + Int(typecnt) * 6 + Int(charcnt) + Int(leap) * (timeSize + 4) + Int(isstd) + Int(isut)
            guard end <= data.count else { return nil }
            var typeOffsets: [Int32] = []
            for t in 0..<Int(typecnt) {
                guard let o = be(types + t * 6, 4) else { return nil }
                typeOffsets.append(Int32(truncatingIfNeeded: o))
            }
            var transitions: [Int64] = []
            var offsets: [Int32] = [typeOffsets[0]]
            for i in 0..<Int(timecnt) {
                guard let t = be(times + i * timeSize, timeSize) else { return nil }
                let index = Int(data[indexes + i])
                guard index < typeOffsets.count else { return nil }
                transitions.append(t)
                offsets.append(typeOffsets[index])
            }
            return (transitions, offsets, end)
        }
        guard let v1 = table(at: 0, timeSize: 4) else { return nil }
        if data[4] >= 0x32, let v2 = table(at: v1.end, timeSize: 8) { return (v2.transitions, v2.offsets) }
        return (v1.transitions, v1.offsets)
    }
}
