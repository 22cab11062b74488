#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wrapper a log line arrives in, around what the server wrote.
///
/// Container runtimes and log daemons wrap each line: Docker's json-file
/// driver in `{"log":"…\n","stream":"stdout","time":"…"}`, Kubernetes' CRI
/// runtimes in `<time> stdout F …`, syslog in an RFC 3164 or RFC 5424 header.
/// The envelope is peeled before any format sees the line, so every format
/// (text or JSON) reads the server's own line. An Envoy `ACCESS ` prefix
/// (Ambassador and others) is peeled with it.
public enum EnvelopeKind: String, Sendable, CaseIterable {
    case none
    /// Docker json-file (`log`), or a Kubernetes log shipper's wrapper (`message`).
    case dockerJSON = "docker-json"
    /// Kubernetes CRI: `2026-11-20T10:00:00.123456789Z stdout F …`.
    case cri
    /// RFC 3164 (`<134>Feb  6 12:14:14 host haproxy[123]: …`) or RFC 5424 (`<134>1 2026-… host app pid msgid - …`).
    case syslog

    /// For the report: what was peeled.
    public var description: String {
        switch self {
        case .none: return "none"
        case .dockerJSON: return "Docker json-file"
        case .cri: return "Kubernetes CRI"
        case .syslog: return "syslog header"
        }
    }

    /// The envelope most of `lines` arrive in, or `.none` when fewer than half have one.
    public static func detect(_ lines: [[UInt8]]) -> EnvelopeKind {
        let nonEmpty = lines.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else { return .none }
        var best = EnvelopeKind.none, bestCount = 0
        for kind in [EnvelopeKind.dockerJSON, .cri, .syslog] {
            let peeler = EnvelopePeeler(kind: kind)
            var count = 0
            for line in nonEmpty where line.withUnsafeBufferPointer({ peeler.peel($0).hadEnvelope }) { count += 1 }
            if count > bestCount { (best, bestCount) = (kind, count) }
        }
        return bestCount * 2 >= nonEmpty.count ? best : .none
    }
}

/// Peels one kind of envelope off lines, for one thread.
///
/// The payload is a slice of the line (CRI, syslog) or, for Docker's JSON
/// string, its unescaped bytes in a buffer reused for every line: valid until
/// the next call. A line without the envelope comes back whole (a stream may
/// mix wrapped and bare lines). Nothing is allocated per line.
public final class EnvelopePeeler {
    public let kind: EnvelopeKind
    /// What a viewer or process manager wrote before the line, inside the envelope.
    public let prefix: LinePrefix
    /// Keep the time the envelope or prefix carries (for a format whose lines have none).
    public var keepsTime = false
    /// The time text of the last peeled line's envelope or prefix, when ``keepsTime``:
    /// valid until the next call, like the payload.
    public private(set) var lastTime = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The last time is an RFC 3164 `Mmm dd hh:mm:ss` (no year, no zone).
    public private(set) var lastTimeIsBSD = false
    /// Docker lines of the usual shape skip the general JSON scanner (``peelDockerJSONFast(_:)``);
    /// tests turn this off to check both ways peel alike.
    public let fastPath: Bool
    private let scanner = JSONScanner()
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int

    /// What the last CRI line was: a whole line, a partial piece held back (`P`), or the
    /// final piece that completes the pieces before it (`F` after `P`).
    public enum Piece: Equatable, Sendable { case whole, held, joined, joinedOverlong }
    /// Join CRI partial pieces up to this many bytes (`--max-line-length`); 0: read each as it is.
    public var joinLimit = 0
    public private(set) var lastPiece = Piece.whole
    /// Held pieces per stream (stdout, stderr): a runtime splits each stream's long lines apart.
    private var pending: [[UInt8]] = [[], []]
    private var pendingOverlong = [false, false]
    private var joined: UnsafeMutablePointer<UInt8>?
    private var joinedCapacity = 0

    public init(kind: EnvelopeKind, prefix: LinePrefix = .none, fastPath: Bool = true) {
        self.kind = kind
        self.prefix = prefix
        self.fastPath = fastPath
        scratchCapacity = 4096
        scratch = .allocate(capacity: scratchCapacity)
    }

    /// The peeler for a format's lines, or nil when they arrive bare.
    public convenience init?(format: LogFormat) {
        guard format.envelope != .none || format.linePrefix != .none else { return nil }
        self.init(kind: format.envelope, prefix: format.linePrefix, fastPath: format.envelopeFastPath)
        keepsTime = format.timeFromEnvelope
    }

    deinit {
        scratch.deallocate()
        joined?.deallocate()
    }

    /// The server's line inside `line`, and whether an envelope was there.
    @inline(__always)
    public func peel(_ line: UnsafeBufferPointer<UInt8>) -> (payload: UnsafeBufferPointer<UInt8>, hadEnvelope: Bool) {
        var payload = line
        var had = false
        if keepsTime { lastTime = UnsafeBufferPointer(start: nil, count: 0) }
        switch kind {
        case .none: break
        case .dockerJSON:
            if fastPath && !keepsTime, let fast = peelDockerJSONFast(line) {
                if let p = fast { (payload, had) = (p, true) }
            } else if let p = peelDockerJSON(line) {
                (payload, had) = (p, true)
            }
        case .cri:
            if let start = Self.criPayloadStart(line) {
                (payload, had) = (UnsafeBufferPointer(rebasing: line[start...]), true)
                if keepsTime, let space = find(UInt8(ascii: " "), line, 0) { keepTime(line, 0..<space, bsd: false) }
                if joinLimit > 0 { payload = join(line, start: start, payload: payload) }
            }
        case .syslog:
            if let start = Self.syslogPayloadStart(line) {
                (payload, had) = (UnsafeBufferPointer(rebasing: line[start...]), true)
                if keepsTime, let time = Self.syslogTime(line) { keepTime(line, time.range, bsd: time.isBSD) }
            }
        }
        if prefix != .none, let inner = prefix.payloadStart(payload) {
            if keepsTime, let time = inner.time { keepTime(payload, time, bsd: false) }
            payload = UnsafeBufferPointer(rebasing: payload[inner.start...])
            had = true
        }
        return (Self.strippingAccessPrefix(payload), had)
    }

    @inline(__always)
    private func keepTime(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, bsd: Bool) {
        lastTime = UnsafeBufferPointer(rebasing: p[range])
        lastTimeIsBSD = bsd
    }

    /// The time of the last peeled line's envelope, in UTC seconds with the offset it was
    /// written in; nil when it had none. An RFC 3164 time has no year and no zone: it is
    /// read in `zone`, in the latest year that does not put it more than two days after
    /// `reference` (a log read in January holds December's lines).
    public func envelopeTime(reference: Int64, zone: LogTimeZone) -> (seconds: Int64, offset: Int32)? {
        let t = lastTime
        guard t.count > 0 else { return nil }
        if lastTimeIsBSD {
            guard t.count >= 15, let month = Timestamp.monthNumber(t[0], t[1], t[2]),
                  let day = Timestamp.number(t, t[4] == UInt8(ascii: " ") ? 5 : 4, t[4] == UInt8(ascii: " ") ? 1 : 2),
                  let hour = Timestamp.number(t, 7, 2), let minute = Timestamp.number(t, 10, 2),
                  let second = Timestamp.number(t, 13, 2) else { return nil }
            var year = Timestamp.civil(reference).year
            for _ in 0..<2 {
                if let local = Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) {
                    let utc = zone.utc(fromLocal: local)
                    if utc.seconds <= reference + 2 * 86_400 { return (utc.seconds, utc.offset) }
                }
                year -= 1 // also for 29 Feb in a year without it
            }
            return nil
        }
        guard let seconds = Timestamp.parseISO8601(t) else { return nil }
        var offset: Int32 = 0
        var i = t.count - 1
        while i > 18 && t[i] != UInt8(ascii: "+") && t[i] != UInt8(ascii: "-") && t[i] != UInt8(ascii: "Z") { i -= 1 }
        if i > 18, let zone = Timestamp.zoneOffset(t, i) { offset = Int32(zone.offset) }
        return (seconds, offset)
    }

    // MARK: - Envoy's ACCESS prefix

    private static let accessPrefix: [UInt8] = Array("ACCESS ".utf8)

    @inline(__always)
    static func strippingAccessPrefix(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard p.count > 8, p[0] == UInt8(ascii: "A"), startsWith(p, 0, accessPrefix),
              p[7] == UInt8(ascii: "[") || p[7] == UInt8(ascii: "{") else { return p }
        return UnsafeBufferPointer(rebasing: p[7...])
    }

    // MARK: - Docker json-file

    private static let logKey: [UInt8] = Array("log".utf8)
    private static let messageKey: [UInt8] = Array("message".utf8)

    private static let logPrefix: [UInt8] = Array(#"{"log":""#.utf8)

    /// The usual json-file line, `{"log":"…"` then only `,"key":"string"` pairs and `}`, read
    /// without the general scanner: the strings are skipped 16 bytes at a time
    /// (``JSONFlatScanner/stringEnd(_:_:)``, the scanner's own rules) and the log string
    /// unescaped as ``peelDockerJSON(_:)`` does. Nil when the line has another shape
    /// (another key first, spaces, a number, a nested value, invalid JSON): the general
    /// path then decides, so both give the same payload for every line.
    @inline(__always)
    private func peelDockerJSONFast(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>?? {
        let n = line.count
        var i = 0
        while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        guard startsWith(line, i, Self.logPrefix) else { return nil }
        let valueStart = i + Self.logPrefix.count
        guard let valueEnd = JSONFlatScanner.stringEnd(line, valueStart) else { return nil }
        var j = valueEnd + 1
        while true {
            guard j < n else { return nil }
            if line[j] == UInt8(ascii: "}") { break }
            guard line[j] == UInt8(ascii: ","), j + 1 < n, line[j + 1] == UInt8(ascii: "\""),
                  let keyEnd = JSONFlatScanner.stringEnd(line, j + 2), keyEnd + 2 < n,
                  line[keyEnd + 1] == UInt8(ascii: ":"), line[keyEnd + 2] == UInt8(ascii: "\""),
                  let end = JSONFlatScanner.stringEnd(line, keyEnd + 3) else { return nil }
            j = end + 1
        }
        return .some(unescape(UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])))
    }

    /// The unescaped `log` (or `message`) string of a one-object line, without its final newline.
    private func peelDockerJSON(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var i = 0
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        guard i < line.count, line[i] == UInt8(ascii: "{") else { return nil }
        var value: Range<Int>?
        var isLog = false
        let end = scanner.scan(line, from: i) { path, kind, range in
            guard kind == .string, !isLog else { return }
            if path.elementsEqual(Self.logKey) {
                value = range
                isLog = true
            } else if value == nil && path.elementsEqual(Self.messageKey) {
                value = range
            }
        }
        guard end != nil, let value else { return nil }
        return unescape(UnsafeBufferPointer(rebasing: line[value]))
    }

    /// JSON string escapes to bytes in the scratch buffer; a final `\n` (or `\r\n`) is dropped.
    private func unescape(_ s: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        if s.count > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(s.count, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        guard let base = s.baseAddress else { return UnsafeBufferPointer(start: scratch, count: 0) }
        var n = 0
        var i = 0
        let backslash = SIMD16<UInt8>(repeating: UInt8(ascii: "\\"))
        while i < s.count {
            // The run up to the next backslash is copied as it is: 16 bytes at a time, each
            // block stored whole and kept up to its first backslash (escapes only shrink the
            // text, so `n + 16 <= i + 16 <= s.count` fits the scratch buffer), then the tail.
            while i + 16 <= s.count {
                let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
                UnsafeMutableRawPointer(scratch + n).storeBytes(of: v, as: SIMD16<UInt8>.self)
                let hit = v .== backslash
                if !any(hit) {
                    i += 16
                    n += 16
                    continue
                }
                let bytes = SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: hit)
                let lo = unsafeBitCast(bytes.lowHalf, to: UInt64.self)
                let hi = unsafeBitCast(bytes.highHalf, to: UInt64.self)
                let k = lo != 0 ? lo.trailingZeroBitCount / 8 : 8 + hi.trailingZeroBitCount / 8
                i += k
                n += k
                break
            }
            while i < s.count && s[i] != UInt8(ascii: "\\") {
                scratch[n] = s[i]
                n += 1
                i += 1
            }
            guard i < s.count else { break }
            guard i + 1 < s.count else {
                scratch[n] = s[i]
                n += 1
                i += 1
                continue
            }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): scratch[n] = 0x0A
            case UInt8(ascii: "t"): scratch[n] = 0x09
            case UInt8(ascii: "r"): scratch[n] = 0x0D
            case UInt8(ascii: "b"): scratch[n] = 0x08
            case UInt8(ascii: "f"): scratch[n] = 0x0C
            case UInt8(ascii: "u"):
                guard var scalar = hex4(s, i) else { return nil }
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00, i + 6 <= s.count, s[i] == UInt8(ascii: "\\"),
                   s[i + 1] == UInt8(ascii: "u"), let low = hex4(s, i + 2), low >= 0xDC00 && low < 0xE000 {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                n += encodeUTF8(scalar, at: n)
                continue
            default: scratch[n] = e // \" \\ \/
            }
            n += 1
        }
        if n > 0 && scratch[n - 1] == 0x0A { n -= 1 }
        if n > 0 && scratch[n - 1] == 0x0D { n -= 1 }
        return UnsafeBufferPointer(start: scratch, count: n)
    }

    private func hex4(_ s: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            let c = s[k] | 0x20
            switch c {
            case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
            case 0x61...0x66: v = v << 4 | UInt32(c - 0x61 + 10)
            default: return nil
            }
        }
        return v
    }

    /// Writes `scalar` as UTF-8 at `at` (a lone surrogate becomes U+FFFD); returns the byte count.
    /// Never longer than the 6 escaped bytes it replaces, so the scratch buffer suffices.
    private func encodeUTF8(_ scalar: UInt32, at: Int) -> Int {
        var v = scalar
        if v >= 0xD800 && v < 0xE000 { v = 0xFFFD }
        switch v {
        case 0..<0x80:
            scratch[at] = UInt8(v)
            return 1
        case 0x80..<0x800:
            scratch[at] = UInt8(0xC0 | (v >> 6)); scratch[at + 1] = UInt8(0x80 | (v & 0x3F))
            return 2
        case 0x800..<0x10000:
            scratch[at] = UInt8(0xE0 | (v >> 12)); scratch[at + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
            scratch[at + 2] = UInt8(0x80 | (v & 0x3F))
            return 3
        default:
            scratch[at] = UInt8(0xF0 | (v >> 18)); scratch[at + 1] = UInt8(0x80 | ((v >> 12) & 0x3F))
            scratch[at + 2] = UInt8(0x80 | ((v >> 6) & 0x3F)); scratch[at + 3] = UInt8(0x80 | (v & 0x3F))
            return 4
        }
    }

    // MARK: - Kubernetes CRI

    /// Holds a `P` piece, or completes the held pieces of its stream with an `F` one. The
    /// runtime splits a line longer than its buffer (16 KiB in containerd and CRI-O) into
    /// `P` pieces and a last `F` piece [kubernetes/cri-api `LogTagPartial`]. A joined line
    /// longer than `joinLimit` is cut there and reported overlong, as a plain line would be.
    private func join(_ line: UnsafeBufferPointer<UInt8>, start: Int,
                      payload: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        lastPiece = .whole
        guard let (stream, isPartial) = Self.criPiece(line, payloadStart: start) else { return payload }
        if isPartial {
            append(payload, to: stream)
            lastPiece = .held
            return payload
        }
        guard !pending[stream].isEmpty || pendingOverlong[stream] else { return payload }
        append(payload, to: stream)
        let count = pending[stream].count
        if count > joinedCapacity {
            joined?.deallocate()
            joinedCapacity = max(count, joinedCapacity * 2)
            joined = .allocate(capacity: joinedCapacity)
        }
        guard let joined else { return payload }
        pending[stream].withUnsafeBufferPointer { joined.update(from: $0.baseAddress!, count: count) }
        lastPiece = pendingOverlong[stream] ? .joinedOverlong : .joined
        pending[stream].removeAll(keepingCapacity: true)
        pendingOverlong[stream] = false
        return UnsafeBufferPointer(start: joined, count: count)
    }

    /// The stream (0 stdout, 1 stderr) of a CRI line whose payload starts at
    /// `payloadStart` (``criPayloadStart(_:)``), and whether it is a `P` piece.
    @inline(__always)
    static func criPiece(_ line: UnsafeBufferPointer<UInt8>, payloadStart start: Int) -> (stream: Int, isPartial: Bool)? {
        guard let space = find(UInt8(ascii: " "), line, 0), space + 8 < start else { return nil }
        return (line[space + 4] == UInt8(ascii: "e") ? 1 : 0, line[space + 8] == UInt8(ascii: "P")) // std(e)rr
    }

    private func append(_ piece: UnsafeBufferPointer<UInt8>, to stream: Int) {
        let room = joinLimit - pending[stream].count
        if piece.count > room { pendingOverlong[stream] = true }
        if room > 0 { pending[stream].append(contentsOf: piece.prefix(room)) }
    }

    /// After `<RFC 3339 time> <stdout|stderr> <F|P>[:more tags] `; nil when the line has no such prefix.
    static func criPayloadStart(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        guard p.count > 30, isDigit(p[0]), isDigit(p[3]), p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
              p[10] == UInt8(ascii: "T"), let space = find(UInt8(ascii: " "), p, 19), space < 40 else { return nil }
        var i = space + 1
        guard i + 7 <= p.count else { return nil }
        if p[i] == UInt8(ascii: "s") && p[i + 1] == UInt8(ascii: "t") && p[i + 2] == UInt8(ascii: "d") {
            i += 3
            if startsWith(p, i, outWord) { i += 3 } else if startsWith(p, i, errWord) { i += 3 } else { return nil }
        } else {
            return nil
        }
        guard i < p.count, p[i] == UInt8(ascii: " "), i + 2 < p.count,
              p[i + 1] == UInt8(ascii: "F") || p[i + 1] == UInt8(ascii: "P") else { return nil }
        i += 2
        while i < p.count && p[i] != UInt8(ascii: " ") { i += 1 }
        return i < p.count ? i + 1 : p.count
    }

    private static let outWord: [UInt8] = Array("out".utf8)
    private static let errWord: [UInt8] = Array("err".utf8)

    // MARK: - syslog

    /// After an RFC 5424 header, or an RFC 3164 one (`[<PRI>]Mmm dd hh:mm:ss [host] tag[pid]: `,
    /// or with an RFC 3339 time in place of `Mmm dd hh:mm:ss`, as rsyslog's high-precision
    /// templates write it).
    static func syslogPayloadStart(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = octetCountEnd(p)
        if p.count > i + 3 && p[i] == UInt8(ascii: "<") {
            let open = i
            var j = i + 1
            while j < p.count && j < open + 5 && isDigit(p[j]) { j += 1 }
            guard j > open + 1, j < p.count, p[j] == UInt8(ascii: ">") else { return nil }
            i = j + 1
            if i + 2 < p.count && p[i] == UInt8(ascii: "1") && p[i + 1] == UInt8(ascii: " ") {
                return rfc5424PayloadStart(p, i + 2)
            }
        }
        var needsHost = false
        if let timeEnd = rfc3339TimeEnd(p, i) {
            // rsyslog's high-precision templates (RSYSLOG_FileFormat, RSYSLOG_ForwardFormat):
            // the RFC 3164 layout with an RFC 3339 time, always with the host. (`heroku logs`
            // writes `TIME source[dyno]: ` without one: its router lines are a format of their
            // own, and its app lines beside them are not access lines.)
            i = timeEnd + 1
            needsHost = true
        } else {
            // Mmm dd hh:mm:ss (day space-padded)
            guard i + 16 <= p.count, Timestamp.monthNumber(p[i], p[i + 1], p[i + 2]) != nil, p[i + 3] == UInt8(ascii: " "),
                  p[i + 4] == UInt8(ascii: " ") || isDigit(p[i + 4]), isDigit(p[i + 5]), p[i + 6] == UInt8(ascii: " "),
                  isDigit(p[i + 7]), isDigit(p[i + 8]), p[i + 9] == UInt8(ascii: ":"), p[i + 12] == UInt8(ascii: ":"),
                  p[i + 15] == UInt8(ascii: " ") else { return nil }
            i += 16
        }
        // Either `tag: ` / `tag[pid]: ` or `host tag…: `.
        for token in 0..<2 {
            // A token of at most 128 bytes, then a space (`memchr` finds it).
            guard let j = find(UInt8(ascii: " "), p, i), j > i, j - i <= 128 else { return nil }
            if p[j - 1] == UInt8(ascii: ":") { return token == 0 && needsHost ? nil : j + 1 }
            i = j + 1
        }
        return nil
    }

    /// RFC 6587 octet counting (`83 <40>1 …`, as Heroku's syslog and HTTPS drains frame
    /// each message): the length and its space, or 0.
    @inline(__always)
    static func octetCountEnd(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        var j = 0
        while j < p.count && j < 6 && isDigit(p[j]) { j += 1 }
        guard j > 0, j + 1 < p.count, p[j] == UInt8(ascii: " "), p[j + 1] == UInt8(ascii: "<") else { return 0 }
        return j + 1
    }

    /// The program a syslog line comes from: RFC 3164's TAG without `[pid]`, RFC 5424's
    /// APP-NAME; nil without a syslog header.
    public static func syslogTag(_ p: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = syslogPayloadStart(p), let time = syslogTime(p) else { return nil }
        if !time.isBSD {
            // TIMESTAMP HOSTNAME APP-NAME: the third token.
            var i = time.range.upperBound + 1
            guard let hostEnd = find(UInt8(ascii: " "), p, i) else { return nil }
            i = hostEnd + 1
            guard let appEnd = find(UInt8(ascii: " "), p, i), appEnd <= start else { return nil }
            return Array(p[i..<appEnd])
        }
        // `… tag[pid]: MSG`: the token before the payload.
        var end = start - 1
        while end > 0 && p[end - 1] == UInt8(ascii: " ") { end -= 1 }
        guard end > 0, p[end - 1] == UInt8(ascii: ":") else { return nil }
        end -= 1
        var begin = end
        while begin > 0 && p[begin - 1] != UInt8(ascii: " ") { begin -= 1 }
        if let bracket = find(UInt8(ascii: "["), UnsafeBufferPointer(rebasing: p[begin..<end]), 0) { end = begin + bracket }
        return end > begin ? Array(p[begin..<end]) : nil
    }

    /// The time of a syslog header: RFC 5424's TIMESTAMP, or RFC 3164's `Mmm dd hh:mm:ss`.
    static func syslogTime(_ p: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, isBSD: Bool)? {
        var i = octetCountEnd(p)
        if i < p.count && p[i] == UInt8(ascii: "<") {
            guard let close = find(UInt8(ascii: ">"), p, i), close - i <= 4 else { return nil }
            i = close + 1
            if i + 2 < p.count && p[i] == UInt8(ascii: "1") && p[i + 1] == UInt8(ascii: " ") {
                guard let space = find(UInt8(ascii: " "), p, i + 2), space > i + 2 else { return nil }
                return ((i + 2)..<space, false)
            }
        }
        if let timeEnd = rfc3339TimeEnd(p, i) { return (i..<timeEnd, false) }
        guard i + 15 <= p.count else { return nil }
        return (i..<(i + 15), true)
    }

    /// Where an RFC 3339 time at `i` ends (the space after it: `2021-01-27T21:52:56.090123+00:00 `);
    /// nil when none starts there. Checked by shape; the time is parsed when it is read.
    private static func rfc3339TimeEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 20 <= p.count, isDigit(p[i]), isDigit(p[i + 3]), p[i + 4] == UInt8(ascii: "-"),
              p[i + 7] == UInt8(ascii: "-"), p[i + 10] == UInt8(ascii: "T"), p[i + 13] == UInt8(ascii: ":"),
              p[i + 16] == UInt8(ascii: ":") else { return nil }
        var j = i + 19
        while j < p.count && j - i < 40 && p[j] != UInt8(ascii: " ") { j += 1 }
        guard j < p.count, p[j] == UInt8(ascii: " ") else { return nil }
        let last = p[j - 1]
        guard last == UInt8(ascii: "Z") || isDigit(last) else { return nil }
        return j
    }

    /// After `TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA `. Heroku's Logplex
    /// writes no STRUCTURED-DATA (`<158>1 … host heroku router - at=info …`): a MSG
    /// that starts where it should stand is taken as such.
    private static func rfc5424PayloadStart(_ p: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int? {
        var i = from
        for _ in 0..<5 {
            guard let space = find(UInt8(ascii: " "), p, i), space > i, space - i <= 255 else { return nil }
            i = space + 1
        }
        guard i < p.count else { return nil }
        if p[i] != UInt8(ascii: "-") && p[i] != UInt8(ascii: "[") {
            return i
        }
        if p[i] == UInt8(ascii: "-") {
            i += 1
        } else {
            while i < p.count && p[i] == UInt8(ascii: "[") {
                // An SD-ELEMENT: `]` ends it unless escaped inside a quoted value.
                var j = i + 1
                var inQuotes = false
                while j < p.count {
                    let b = p[j]
                    if b == UInt8(ascii: "\\") { j += 2; continue }
                    if b == UInt8(ascii: "\"") { inQuotes.toggle() }
                    if b == UInt8(ascii: "]") && !inQuotes { break }
                    j += 1
                }
                guard j < p.count else { return nil }
                i = j + 1
            }
        }
        if i == p.count { return i }
        guard p[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        // A UTF-8 BOM may start MSG.
        if i + 3 <= p.count && p[i] == 0xEF && p[i + 1] == 0xBB && p[i + 2] == 0xBF { i += 3 }
        return i
    }

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// Which streams of a CRI log have a line in pieces open (a `P` piece read, its `F`
/// piece not yet): where none is, an ``EnvelopePeeler`` holds nothing, so reading can
/// be cut there and resumed by a new peeler (the threads of one run, each with its part).
struct CRIPieces {
    private var open: (stdout: Bool, stderr: Bool) = (false, false)

    var isClosed: Bool { !open.stdout && !open.stderr }

    /// Follows one raw line (lines without a CRI prefix change nothing, as for the peeler).
    mutating func note(_ line: UnsafeBufferPointer<UInt8>) {
        guard let start = EnvelopePeeler.criPayloadStart(line),
              let piece = EnvelopePeeler.criPiece(line, payloadStart: start) else { return }
        if piece.stream == 0 { open.stdout = piece.isPartial } else { open.stderr = piece.isPartial }
    }
}
