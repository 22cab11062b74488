#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a line did not match, kept cheaply until someone asks for the message.
public struct ParseFailure: Sendable {
    public enum Reason: Sendable {
        case literalMismatch
        case invalidValue
        case unterminatedQuote
        case trailingText
        case emptyLine
        case tooAmbiguous
        /// The line is of the format but not an HTTP request (Envoy's TCP proxy lines, `"- - -"`).
        case notHTTP
    }
    /// Index of the step (field) being matched, or -1 for the leading literal.
    public var step: Int
    /// Byte column in the line where matching failed.
    public var position: Int
    public var reason: Reason
    /// For `.invalidValue`: end of the rejected value.
    public var valueEnd: Int
}

/// Runs a compiled ``LogFormat`` over line bytes.
///
/// Matching walks the format's literals and fields left to right. A field ends
/// where the next literal begins; where that is ambiguous (a quote inside a
/// quoted field, a space inside a value) the parser backtracks to the next
/// candidate, within a fixed budget so a hostile line costs bounded work.
/// Values are validated by kind (a status is three digits, a time parses), so
/// a wrong split is rejected rather than stored. Nothing here allocates per line.
public final class RecordParser {
    /// One field to match. Plain data only (no references), so the hot loop
    /// copies it without retain/release; literal bytes live in `literalPool`.
    struct Step {
        var kind: FieldKind
        /// The literal that must follow this field: `literalPool[afterStart..<afterStart+afterCount]`
        /// (empty for a final field).
        var afterStart: Int
        var afterCount: Int
        /// The field sits between `"` and `"`: backslash escapes are skipped.
        var isQuoted: Bool
        /// An unquoted, unbracketed field whose values have no spaces (a status, a
        /// user, an address): it never swallows a space or a bracket, so another
        /// format's line (HAProxy, old ingress-nginx) cannot be bent to fit.
        /// List kinds still take `a, b` and `a : b`.
        var isToken: Bool
        /// A token that may hold `[` `]` (IPv6 addresses).
        var allowsBrackets: Bool
        /// A token whose values are signs and digits (a status, a byte count, HAProxy's
        /// timers and counters), followed by a literal that starts with none of those:
        /// the first-split loop finds its end with a digit scan. (Signs and digits are
        /// then none of the step's stop bytes, so the scan ends where the token search would.)
        var isNumeric: Bool
        /// `kind.isList`, read per byte of a token search.
        var isList: Bool
        /// Its position in the program: its row of `tokenStops`.
        var index: Int
    }

    public let format: LogFormat
    /// Cached from the format: computed once, read per line.
    public let hasUpstreamFields: Bool
    /// Envoy writes its TCP proxy's connections in the HTTP format, with `"- - -"`
    /// for the request, and a classic ELB its TCP listener's: those are not requests.
    private let marksTCPProxyLines: Bool
    /// From the format (``LogFormat/textFastPath``): the first-split loop and the one-scan token search.
    private let fastPath: Bool
    let leading: [UInt8]
    private let steps: UnsafeMutableBufferPointer<Step>
    private let stepNames: [String]
    private let stepLayouts: [TimeLayout?]
    private let literalPool: UnsafeMutablePointer<UInt8>
    /// 256 bytes per step: non-zero for the bytes a token search stops at (the first byte
    /// of the literal after the field, space, tab, and brackets unless the kind holds them).
    private let tokenStops: UnsafeMutablePointer<UInt8>
    /// Where the last failed parse got furthest; meaningful after `parse` returns false.
    public private(set) var failure = ParseFailure(step: -1, position: 0, reason: .emptyLine, valueEnd: 0)
    /// > 0 while matching a split other than the first candidate.
    private var alternativeDepth = 0
    private let timeCache: UnsafeMutablePointer<UInt8>
    private var timeCacheCount = -1
    private var timeCacheValue: Int64 = 0
    private var timeCacheOffset: Int32 = 0
    /// Steps of a load balancer's timers (ALB's request, target and response processing
    /// times), whose sum is the request's duration, and each one's value in µs as the
    /// last match stored it (-1 when the log wrote -1). Overwritten, never added up, while
    /// matching: a step stored again after backtracking counts once.
    private let timerSteps: [Int]
    private let timerMicros: UnsafeMutablePointer<Int64>
    /// The format has header captures and no request-ID field of its own: an ID is looked for among the captures.
    private let capturesHoldID: Bool
    private static let timeCacheCapacity = 64
    private static let attemptBudget = 512

    public init(format: LogFormat) {
        self.format = format
        self.hasUpstreamFields = format.hasUpstreamFields
        self.marksTCPProxyLines = (format.dialect == .envoy && format.has(.method) && format.has(.protocolVersion))
            || format.dialect == .aws
        self.fastPath = format.textFastPath
        var leading: [UInt8] = []
        var steps: [Step] = []
        var names: [String] = []
        var layouts: [TimeLayout?] = []
        var pool: [UInt8] = []
        let elements = format.elements
        for (index, element) in elements.enumerated() {
            switch element {
            case let .literal(bytes):
                if steps.isEmpty { leading = bytes }
            case let .field(field):
                var after: [UInt8] = []
                if index + 1 < elements.count, case let .literal(next) = elements[index + 1] { after = next }
                var before: [UInt8] = []
                if index > 0, case let .literal(previous) = elements[index - 1] { before = previous }
                let isQuoted = before.last == UInt8(ascii: "\"") && after.first == UInt8(ascii: "\"")
                let isBracketed = before.last == UInt8(ascii: "[") && after.first == UInt8(ascii: "]")
                let isToken = !isQuoted && !isBracketed && !field.mayHoldSpaces && !field.kind.mayHoldSpaces
                let allowsBrackets: Bool
                switch field.kind {
                case .remoteAddr, .upstreamAddr, .host, .ignoredList: allowsBrackets = true
                default: allowsBrackets = false
                }
                let isNumeric = isToken && field.kind.isSignedDigits
                    && after.first.map { !Self.isSignOrDigit($0) } == true
                steps.append(Step(kind: field.kind, afterStart: pool.count, afterCount: after.count, isQuoted: isQuoted,
                                  isToken: isToken, allowsBrackets: allowsBrackets, isNumeric: isNumeric,
                                  isList: field.kind.isList, index: steps.count))
                pool += after
                names.append(field.name)
                layouts.append(field.timeLayout)
            }
        }
        self.leading = leading
        self.steps = .allocate(capacity: steps.count)
        _ = self.steps.initialize(from: steps)
        self.stepNames = names
        self.stepLayouts = layouts
        self.literalPool = .allocate(capacity: max(1, pool.count))
        self.literalPool.initialize(from: pool, count: pool.count)
        self.timeCache = .allocate(capacity: Self.timeCacheCapacity)
        self.capturesHoldID = format.has(.headerCaptures) && !format.has(.requestID)
        self.timerSteps = steps.filter { $0.kind == .timerSeconds }.map(\.index)
        self.timerMicros = .allocate(capacity: max(1, steps.count))
        self.timerMicros.initialize(repeating: -1, count: max(1, steps.count))
        self.tokenStops = .allocate(capacity: max(1, steps.count) * 256)
        self.tokenStops.initialize(repeating: 0, count: max(1, steps.count) * 256)
        for step in steps {
            let row = tokenStops + step.index * 256
            if step.afterCount > 0 { row[Int(pool[step.afterStart])] = 1 }
            row[Int(UInt8(ascii: " "))] = 1
            row[Int(UInt8(ascii: "\t"))] = 1
            if !step.allowsBrackets {
                row[Int(UInt8(ascii: "["))] = 1
                row[Int(UInt8(ascii: "]"))] = 1
            }
        }
    }

    deinit {
        steps.deallocate()
        literalPool.deallocate()
        timeCache.deallocate()
        tokenStops.deallocate()
        timerMicros.deallocate()
    }

    private static func isSignOrDigit(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    private func after(_ step: Step) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: literalPool + step.afterStart, count: step.afterCount)
    }

    /// Fills `record` from `line`; returns false (see ``failure``) when the line does not match.
    public func parse(_ line: UnsafeBufferPointer<UInt8>, into record: inout AccessRecord) -> Bool {
        record = AccessRecord()
        failure = ParseFailure(step: -1, position: 0, reason: .literalMismatch, valueEnd: 0)
        guard line.count > 0 else {
            failure.reason = .emptyLine
            return false
        }
        guard startsWith(line, 0, leading) else {
            noteFailure(step: -1, position: 0, reason: .literalMismatch)
            return false
        }
        var matched = false
        if fastPath && steps.count < Self.attemptBudget {
            matched = matchFirstSplits(line, &record)
            if !matched {
                // Start again as if the loop had not run: the backtracking matcher decides and explains.
                record = AccessRecord()
                failure = ParseFailure(step: -1, position: 0, reason: .literalMismatch, valueEnd: 0)
            }
        }
        if !matched {
            alternativeDepth = 0
            // A local passed down, not a stored property: decremented at every step of
            // every line, a property paid a dynamic exclusivity check each time
            // (Docs/Benchmarks.md, "Runtime checks").
            var budget = Self.attemptBudget
            guard match(step: 0, from: leading.count, line, &record, budget: &budget) else { return false }
        }
        finishRequestLine(line, &record)
        if !timerSteps.isEmpty { sumTimers(&record) }
        // A classic ELB's TCP and SSL listeners log `- -` for the statuses and `"- - - "` for the request.
        if marksTCPProxyLines, isDash(record.method, line),
           format.dialect == .aws ? record.status == 0 : isDash(record.protocolVersion, line) && isDash(record.target, line) {
            failure = ParseFailure(step: 0, position: 0, reason: .notHTTP, valueEnd: 0)
            return false
        }
        return true
    }

    /// The first element of HAProxy header captures (`{a|b} {c}`) shaped like a request ID:
    /// 16 to 128 bytes of hex digits, `-`, `_` and `:`, with at least 16 hex digits (a UUID,
    /// 32 hex digits, a W3C `traceparent`, HAProxy's default `unique-id-format`). A Host or
    /// User-Agent capture never has that shape.
    static func capturedRequestID(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> FieldRange {
        var i = start
        while i < end {
            // One element: up to `|`, `}` or the end.
            while i < end && (line[i] == UInt8(ascii: "{") || line[i] == UInt8(ascii: " ")) { i += 1 }
            let from = i
            var hex = 0, isID = true
            while i < end && line[i] != UInt8(ascii: "|") && line[i] != UInt8(ascii: "}") {
                let b = line[i]
                if (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) {
                    hex += 1
                } else if b != UInt8(ascii: "-") && b != UInt8(ascii: "_") && b != UInt8(ascii: ":") {
                    isID = false
                }
                i += 1
            }
            if isID && hex >= 16 && (16...128).contains(i - from) { return FieldRange(from, i) }
            i += 1
        }
        return .absent
    }

    /// The request's duration from the timers, unknown (-1) when any of them is -1
    /// (ALB: the request never reached a target, or the target closed the connection).
    private func sumTimers(_ record: inout AccessRecord) {
        var total: Int64 = 0
        for index in timerSteps {
            let micros = timerMicros[index]
            guard micros >= 0 else {
                record.requestMicros = -1
                return
            }
            total &+= micros
        }
        record.requestMicros = total
    }

    @inline(__always)
    private func isDash(_ range: FieldRange, _ line: UnsafeBufferPointer<UInt8>) -> Bool {
        range.count == 1 && line[Int(range.start)] == UInt8(ascii: "-")
    }

    /// The split the backtracking matcher tries first, in one loop: every field ends at
    /// the first place its next literal can start. Nearly every line matches so; when this
    /// one does, ``match(step:from:_:_:)`` would have returned the same record (it tries
    /// these splits first, and its budget cannot run out within fewer steps than it holds).
    /// False when any field fails, without noting why: the caller then runs the matcher.
    private func matchFirstSplits(_ line: UnsafeBufferPointer<UInt8>, _ record: inout AccessRecord) -> Bool {
        let n = line.count
        var position = leading.count
        // Failures here are not the ones to report.
        alternativeDepth = 1
        defer { alternativeDepth = 0 }
        for index in 0..<steps.count {
            let step = steps[index]
            let after = self.after(step)
            if after.isEmpty {
                var end = n
                if format.allowsTrailingText, !step.isQuoted {
                    end = tokenEnd(step, from: position, line)
                } else if step.isToken, step.kind != .ignored, tokenEnd(step, from: position, line) < n {
                    return false
                }
                guard store(index, step, position, end, line, &record) else { return false }
                position = end
                continue
            }
            if step.isNumeric {
                // Signs and digits are none of this step's stop bytes, so `nextTokenCandidate`
                // would stop first at the byte after them: when the literal starts there, that
                // is its candidate. Otherwise the search below decides, as before.
                var i = position
                if i < n && (line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "-")) { i += 1 }
                let digitsStart = i
                while i < n && line[i] &- UInt8(ascii: "0") < 10 { i += 1 }
                if i < n && line[i] == after[0] && (after.count == 1 || startsWith(line, i, after)) {
                    if step.kind == .timerMillis {
                        // What `store` checks (`signedMillis` is not nil), knowing the bytes.
                        guard i - digitsStart >= 1 && i - digitsStart <= 18 else { return false }
                    } else {
                        guard store(index, step, position, i, line, &record) else { return false }
                    }
                    position = i + after.count
                    continue
                }
            }
            var limit = n
            let next = step.isToken ? nextTokenCandidate(step, from: position, line, limit: &limit)
                : nextCandidate(step, from: position, line)
            // An ignored field has nothing to check or keep (`store` returns true for it).
            guard let end = next, end <= limit, step.kind == .ignored || store(index, step, position, end, line, &record)
            else { return false }
            position = end + after.count
        }
        if position == n { return true }
        guard format.allowsTrailingText else { return false }
        record.trailingStart = Int32(truncatingIfNeeded: position)
        return true
    }

    // MARK: - Matching

    private func match(step index: Int, from position: Int, _ line: UnsafeBufferPointer<UInt8>,
                       _ record: inout AccessRecord, budget: inout Int) -> Bool {
        if index == steps.count {
            if position == line.count { return true }
            if format.allowsTrailingText {
                record.trailingStart = Int32(truncatingIfNeeded: position)
                return true
            }
            noteFailure(step: index - 1, position: position, reason: .trailingText)
            return false
        }
        let step = steps[index]
        let after = self.after(step)
        let n = line.count

        if after.isEmpty {
            // Final field: takes the rest of the line (or one token when a preset allows trailing text).
            var end = n
            if format.allowsTrailingText, !step.isQuoted {
                end = tokenEnd(step, from: position, line)
            } else if step.isToken, step.kind != .ignored, tokenEnd(step, from: position, line) < n {
                // A token cannot take the rest of a line that has more fields (an ignored last
                // field, such as Istio's trailing operators, takes whatever is left).
                return invalid(index, position, n)
            }
            guard store(index, step, position, end, line, &record) else { return false }
            return match(step: index + 1, from: end, line, &record, budget: &budget)
        }

        var candidate = position
        var attempts = 0
        let maxAttempts = step.isQuoted ? 16 : 4
        // A token ends at its first space or bracket: one scan finds both where the next
        // literal starts and where the token must end at the latest (`limit`), so a run of
        // short tokens (HAProxy's `0/0/1/0/1`) does not rescan the rest of its word each.
        // (The reference path, kept for the equivalence tests: `tokenEnd` first, then `nextCandidate`.)
        var limit = step.isToken && !fastPath ? tokenEnd(step, from: position, line) : n
        while attempts < maxAttempts {
            let next = step.isToken && fastPath ? nextTokenCandidate(step, from: candidate, line, limit: &limit)
                : nextCandidate(step, from: candidate, line)
            guard let end = next, end <= limit else {
                // Only the first search explains the failure; running out of
                // alternatives while backtracking says less than what failed first.
                if attempts == 0 {
                    noteFailure(step: index, position: candidate, reason: step.isQuoted ? .unterminatedQuote : .literalMismatch)
                }
                return false
            }
            budget -= 1
            if budget <= 0 {
                noteFailure(step: index, position: end, reason: .tooAmbiguous)
                return false
            }
            attempts += 1
            // Failures met on alternative splits are not reported: the first,
            // most natural split explains a bad line best.
            if attempts > 1 { alternativeDepth += 1 }
            let matched = store(index, step, position, end, line, &record)
                && match(step: index + 1, from: end + after.count, line, &record, budget: &budget)
            if attempts > 1 { alternativeDepth -= 1 }
            if matched { return true }
            candidate = end + 1
            if candidate > n { return false }
        }
        return false
    }

    /// The next position ≥ `from` where this field may end: where its following literal starts.
    @inline(__always)
    private func nextCandidate(_ step: Step, from: Int, _ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let after = self.after(step)
        let first = after[0]
        var i = from
        let n = line.count
        while i < n {
            if step.isQuoted {
                // The next quote not escaped by a backslash (Apache's \" and \\;
                // nginx writes \x22, which has no quote). An odd run of
                // backslashes before the quote escapes it.
                guard let found = find(first, line, i) else { return nil }
                var backslashes = 0
                while found - backslashes - 1 >= from && line[found - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                if backslashes % 2 == 1 {
                    i = found + 1
                    continue
                }
                i = found
            } else {
                guard let found = find(first, line, i) else { return nil }
                i = found
            }
            if startsWith(line, i, after) {
                if step.isList && continuesList(line, at: i, after: after) {
                    i += 1
                    continue
                }
                return i
            }
            i += 1
        }
        return nil
    }

    /// For a token field: the next position ≥ `from` where its following literal starts,
    /// before the token's end (see ``tokenEnd(_:from:_:)``); nil when the token ends first.
    /// A candidate at the token's end itself (the literal starts with a space) sets `limit`
    /// there, so no later candidate is taken: the same splits as `nextCandidate` bounded by
    /// `tokenEnd`, in one pass.
    @inline(__always)
    private func nextTokenCandidate(_ step: Step, from: Int, _ line: UnsafeBufferPointer<UInt8>,
                                    limit: inout Int) -> Int? {
        // A candidate was taken at the token's end: nothing after it is in the token.
        guard from <= limit else { return nil }
        let after = self.after(step)
        let first = after[0]
        let n = line.count
        // Bytes that may matter to this step: the literal's first byte, and those that may end the token.
        let stops = tokenStops + step.index * 256
        var i = from
        while i < n {
            while i < n && stops[Int(line[i])] == 0 { i += 1 }
            guard i < n else { return nil }
            let b = line[i]
            var ends = false
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                ends = !(step.isList && b == UInt8(ascii: " ") && continuesList(line, at: i))
            } else if (b == UInt8(ascii: "[") || b == UInt8(ascii: "]")) && !step.allowsBrackets {
                ends = true
            }
            if b == first && (after.count == 1 || startsWith(line, i, after))
                && !(step.isList && continuesList(line, at: i, after: after)) {
                if ends { limit = i }
                return i
            }
            if ends { return nil }
            i += 1
        }
        return nil
    }

    /// Where a token field starting at `from` must end at the latest: the first
    /// space or tab (or bracket, for kinds that hold none) that does not continue a list.
    @inline(__always)
    private func tokenEnd(_ step: Step, from: Int, _ line: UnsafeBufferPointer<UInt8>) -> Int {
        let n = line.count
        // The step's row of stop bytes (a superset of what ends the token: it also holds the
        // literal's first byte). One table load and one branch per ordinary byte: a switch
        // on the byte compiles to a tree of comparisons that request IDs' mix of hex digits
        // and letters mispredicts (Docs/Benchmarks.md, "A token's end by table").
        let stops = tokenStops + step.index * 256
        var i = from
        while i < n {
            while i < n && stops[Int(line[i])] == 0 { i += 1 }
            guard i < n else { return n }
            let b = line[i]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                if step.isList && b == UInt8(ascii: " ") && continuesList(line, at: i) {
                    i += 1
                    continue
                }
                return i
            }
            if (b == UInt8(ascii: "[") || b == UInt8(ascii: "]")) && !step.allowsBrackets { return i }
            i += 1
        }
        return n
    }

    /// The space at `i` belongs to a list value (`a, b`, `a : b`).
    @inline(__always)
    private func continuesList(_ line: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        if i > 0 && line[i - 1] == UInt8(ascii: ",") { return true }
        if i + 2 < line.count && line[i + 1] == UInt8(ascii: ":") && line[i + 2] == UInt8(ascii: " ") { return true }
        if i >= 2 && line[i - 1] == UInt8(ascii: ":") && line[i - 2] == UInt8(ascii: " ") { return true }
        return false
    }

    /// `a, b` and `a : b` are one list value, not two fields.
    @inline(__always)
    private func continuesList(_ line: UnsafeBufferPointer<UInt8>, at i: Int, after: UnsafeBufferPointer<UInt8>) -> Bool {
        guard after.first == UInt8(ascii: " ") else { return false }
        if i > 0 && line[i - 1] == UInt8(ascii: ",") { return true }
        if i + 2 < line.count && line[i + 1] == UInt8(ascii: ":") && line[i + 2] == UInt8(ascii: " ") { return true }
        if i >= 2 && line[i - 1] == UInt8(ascii: ":") && line[i - 2] == UInt8(ascii: " ") { return true }
        return false
    }

    // MARK: - Values

    /// Validates and stores one field's value `line[start..<end]`.
    @inline(__always)
    private func store(_ index: Int, _ step: Step, _ start: Int, _ end: Int, _ line: UnsafeBufferPointer<UInt8>,
                       _ record: inout AccessRecord) -> Bool {
        let range = FieldRange(start, end)
        switch step.kind {
        case .ignored: break
        case .headerCaptures:
            if capturesHoldID { record.requestID = Self.capturedRequestID(line, start, end) }
        case .ignoredList:
            if line[end - 1] == UInt8(ascii: ",") { return invalid(index, start, end) }
        case .status:
            guard end - start == 3, let a = Timestamp.digit(line[start]), let b = Timestamp.digit(line[start + 1]),
                  let c = Timestamp.digit(line[start + 2]), a >= 1
            else { return invalid(index, start, end) }
            record.status = a * 100 + b * 10 + c
        case .bytesSent:
            guard let value = integerOrDash(line, start, end) else { return invalid(index, start, end) }
            record.bytesSent = value
        case .requestTimeSeconds:
            guard let micros = decimalMicros(line, start, end, scale: 1_000_000) else { return invalid(index, start, end) }
            record.requestMicros = micros
        case .requestTimeMillis:
            guard let micros = decimalMicros(line, start, end, scale: 1000) else { return invalid(index, start, end) }
            record.requestMicros = micros
        case .requestTimeMicros:
            guard let micros = decimalMicros(line, start, end, scale: 1) else { return invalid(index, start, end) }
            record.requestMicros = micros
        case .requestTimeNanos:
            guard let micros = decimalMicros(line, start, end, scale: 1) else { return invalid(index, start, end) }
            record.requestMicros = micros < 0 ? micros : micros / 1000
        case .timeCLF, .timeISO8601, .timeEpochSeconds, .timeEpochMillis, .timeEpochMicros, .timeCustom, .timeAuto:
            guard let seconds = parseTime(step.kind, index, range.bytes(in: line)) else { return invalid(index, start, end) }
            record.time = seconds
            record.utcOffset = timeCacheOffset
        case .remoteAddr:
            // An address or host name, or a `, ` list of them: anything else means
            // the line is in another format (a vhost prefix, a quoted list, a tab).
            guard let first = firstAddressEnd(line, start, end) else { return invalid(index, start, end) }
            record.remoteAddr = FieldRange(start, first)
        case .remoteUser:
            guard end > start, find(UInt8(ascii: " "), UnsafeBufferPointer(rebasing: line[start..<end]), 0) == nil,
                  find(UInt8(ascii: "\t"), UnsafeBufferPointer(rebasing: line[start..<end]), 0) == nil
            else { return invalid(index, start, end) }
            record.remoteUser = range
        case .statusOrNone:
            // -1 (HAProxy), 0 (Envoy), 000 (ALB) and `-` (a classic ELB's TCP listener): no response was sent.
            if (end - start == 2 && line[start] == UInt8(ascii: "-") && line[start + 1] == UInt8(ascii: "1"))
                || (end - start == 1 && (line[start] == UInt8(ascii: "0") || line[start] == UInt8(ascii: "-")))
                || (end - start == 3 && line[start] == UInt8(ascii: "0") && line[start + 1] == UInt8(ascii: "0")
                    && line[start + 2] == UInt8(ascii: "0")) {
                record.status = 0
            } else {
                guard end - start == 3, let a = Timestamp.digit(line[start]), let b = Timestamp.digit(line[start + 1]),
                      let c = Timestamp.digit(line[start + 2]), a >= 1
                else { return invalid(index, start, end) }
                record.status = a * 100 + b * 10 + c
            }
        case .timerMillis:
            guard signedMillis(line, start, end) != nil else { return invalid(index, start, end) }
        case .timerSeconds:
            let isMinusOne = end - start == 2 && line[start] == UInt8(ascii: "-") && line[start + 1] == UInt8(ascii: "1")
            if isMinusOne {
                timerMicros[index] = -1
            } else {
                guard let micros = decimalMicros(line, start, end, scale: 1_000_000), micros >= 0 else {
                    return invalid(index, start, end)
                }
                timerMicros[index] = micros
            }
        case .requestTimeMillisLoose:
            guard let millis = signedMillis(line, start, end) else { return invalid(index, start, end) }
            record.requestMicros = millis < 0 ? -1 : millis &* 1000
        case .bytesSentLoose:
            guard let bytes = signedMillis(line, start, end), bytes >= 0 else { return invalid(index, start, end) }
            record.bytesSent = bytes
        case .retries:
            guard let count = signedMillis(line, start, end), count >= 0 else { return invalid(index, start, end) }
            record.retries = Int32(clamping: count)
        case .logfmtTarget, .logfmtClient:
            var a = start, b = end
            if b - a >= 2 && line[a] == UInt8(ascii: "\"") && line[b - 1] == UInt8(ascii: "\"") {
                a += 1
                b -= 1
            }
            if step.kind == .logfmtTarget {
                guard b > a else { return invalid(index, start, end) }
                record.target = FieldRange(a, b)
            } else {
                // `fwd` may hold the whole X-Forwarded-For list: the client is its first entry.
                var c = a
                while c < b && line[c] != UInt8(ascii: ",") { c += 1 }
                if c > a {
                    guard isAddressList(line, a, c) else { return invalid(index, start, end) }
                    record.remoteAddr = FieldRange(a, c)
                }
            }
        case .logfmtMillis:
            if end > start {
                // `30000ms`, or a bare number (Heroku's older lines: `connect=0 service=1`), in ms.
                let hasUnit = end - start > 2 && line[end - 2] == UInt8(ascii: "m") && line[end - 1] == UInt8(ascii: "s")
                guard let micros = decimalMicros(line, start, hasUnit ? end - 2 : end, scale: 1000) else {
                    return invalid(index, start, end)
                }
                record.requestMicros = micros
            }
        case .istioTail:
            // The fourth of six space-separated values (`-` when absent): the downstream remote address.
            if !record.remoteAddr.hasValue(in: line) {
                var a = start, k = 0
                while k < 3, a < end {
                    if line[a] == UInt8(ascii: " ") { k += 1 }
                    a += 1
                }
                var b = a
                while b < end && line[b] != UInt8(ascii: " ") { b += 1 }
                if k == 3, let client = Self.addressWithoutPort(line, a, b) { record.remoteAddr = client }
            }
        case .remoteAddrWithPort:
            guard let address = Self.addressWithoutPort(line, start, end) else { return invalid(index, start, end) }
            record.remoteAddr = address
        case .portNumber:
            guard end > start, end - start <= 5, integerOrDash(line, start, end).map({ $0 >= 0 }) == true
            else { return invalid(index, start, end) }
        case .timeCLFLocal:
            // The seconds repeat on busy logs while the milliseconds do not: cache on the seconds.
            // The first 20 bytes are validated by parsing (or by the cache); the fraction here.
            guard end - start >= 20,
                  let seconds = parseTime(.timeCLFLocal, index, UnsafeBufferPointer(rebasing: line[start..<(start + 20)])),
                  Timestamp.isCLFLocalFraction(UnsafeBufferPointer(rebasing: line[(start + 20)..<end]))
            else { return invalid(index, start, end) }
            record.time = seconds
            record.utcOffset = timeCacheOffset
        case .query: break
        case .upstreamStatus, .upstreamConnectTime, .upstreamHeaderTime, .upstreamResponseTime:
            // Numbers, `-`, and the list separators: anything else is another field.
            guard isNumberList(line, start, end) else { return invalid(index, start, end) }
            _ = record.setRange(step.kind, range)
        default:
            // Text fields; $request_uri wins over $uri when both are logged.
            _ = record.setRange(step.kind, range)
        }
        return true
    }

    /// The address of `address:port` (`[v6]:port`: without the brackets), nil when
    /// `line[start..<end]` is not one.
    static func addressWithoutPort(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> FieldRange? {
        guard end > start else { return nil }
        var colon = end - 1
        while colon > start && line[colon] != UInt8(ascii: ":") { colon -= 1 }
        guard colon > start, end - colon - 1 >= 1, end - colon - 1 <= 5,
              integerOrDash(line, colon + 1, end).map({ $0 >= 0 }) == true else { return nil }
        var addressStart = start, addressEnd = colon
        if line[start] == UInt8(ascii: "["), line[colon - 1] == UInt8(ascii: "]") {
            addressStart += 1
            addressEnd -= 1
        }
        guard addressEnd > addressStart, isAddressList(line, addressStart, addressEnd) else { return nil }
        return FieldRange(addressStart, addressEnd)
    }

    private func invalid(_ index: Int, _ start: Int, _ end: Int) -> Bool {
        noteFailure(step: index, position: start, reason: .invalidValue, valueEnd: end)
        return false
    }

    private func parseTime(_ kind: FieldKind, _ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        // Busy logs repeat the same second on many lines: remember the last one.
        let count = bytes.count
        if count == timeCacheCount, let base = bytes.baseAddress, memcmp(base, timeCache, count) == 0 {
            return timeCacheValue
        }
        let value: Int64?
        switch kind {
        case .timeCLF: value = Timestamp.parseCLF(bytes)
        case .timeISO8601: value = Timestamp.parseISO8601(bytes)
        case .timeEpochSeconds: value = Timestamp.parseEpoch(bytes, unitsPerSecond: 1)
        case .timeEpochMillis: value = Timestamp.parseEpoch(bytes, unitsPerSecond: 1000)
        case .timeEpochMicros: value = Timestamp.parseEpoch(bytes, unitsPerSecond: 1_000_000)
        case .timeCustom: value = stepLayouts[index]?.parse(bytes)
        case .timeAuto: value = Timestamp.parseAny(bytes)
        case .timeCLFLocal:
            if let local = Timestamp.parseCLFLocal(bytes) {
                let (utc, zoneOffset) = format.logTimeZone.utc(fromLocal: local)
                timeCacheOffset = zoneOffset
                if count <= Self.timeCacheCapacity, let base = bytes.baseAddress {
                    timeCache.update(from: base, count: count)
                    timeCacheCount = count
                    timeCacheValue = utc
                }
                return utc
            }
            return nil
        default: value = nil
        }
        var offset: Int32 = 0
        if value != nil, kind == .timeCLF || kind == .timeISO8601, count > 20 {
            // The zone is the trailing +hhmm / +hh:mm / Z.
            var i = count - 1
            while i > 18 && bytes[i] != UInt8(ascii: "+") && bytes[i] != UInt8(ascii: "-") && bytes[i] != UInt8(ascii: "Z") { i -= 1 }
            if let zone = Timestamp.zoneOffset(bytes, i) { offset = Int32(zone.offset) }
        }
        timeCacheOffset = offset
        if let value, count <= Self.timeCacheCapacity, let base = bytes.baseAddress {
            timeCache.update(from: base, count: count)
            timeCacheCount = count
            timeCacheValue = value
        }
        return value
    }

    // MARK: - Request line

    // MARK: - Failure

    private func noteFailure(step: Int, position: Int, reason: ParseFailure.Reason, valueEnd: Int = 0) {
        guard alternativeDepth == 0 else { return }
        if position > failure.position || failure.step < 0 {
            failure = ParseFailure(step: step, position: position, reason: reason, valueEnd: valueEnd)
        }
    }

    /// A sentence naming the field and the text that failed, for the last failed `line`.
    public func describeFailure(in line: UnsafeBufferPointer<UInt8>) -> String {
        let f = failure
        let column = f.position + 1
        func excerpt(_ from: Int, _ to: Int) -> String {
            let lo = max(0, min(from, line.count))
            let hi = max(lo, min(to, line.count, lo + 40))
            return LogText.display(UnsafeBufferPointer(rebasing: line[lo..<hi]))
        }
        switch f.reason {
        case .emptyLine:
            return "empty line"
        case .notHTTP:
            return "a TCP proxy connection (request \"- - -\"), not an HTTP request"
        case .tooAmbiguous:
            return "too many ways to split the line near column \(column); giving up"
        case .trailingText:
            return "unexpected text after the last field at column \(column): '\(excerpt(f.position, line.count))'"
        case .unterminatedQuote:
            let index = max(0, min(f.step, steps.count - 1))
            return "\(stepNames[index]) starting at column \(column) has no closing '\(LogText.display(after(steps[index])))'"
        case .invalidValue:
            let index = max(0, min(f.step, steps.count - 1))
            return "field \(stepNames[index]) at column \(column): expected \(steps[index].kind.expectation), found '\(excerpt(f.position, f.valueEnd))'"
        case .literalMismatch:
            if f.step < 0 {
                return "line does not start with '\(LogText.display(leading))'"
            }
            let index = min(f.step, steps.count - 1)
            return "expected '\(LogText.display(after(steps[index])))' after field \(stepNames[index]) (from column \(column)), line ends or differs: '\(excerpt(f.position, line.count))'"
        }
    }

    public var failurePosition: Int { failure.position }

    /// A line that fails before its first field, or on the literal after it, has another
    /// shape; one whose first value is wrong has another shape when ``OtherLine`` knows it
    /// (an error-log line), and is a malformed line of the format otherwise.
    public func otherShapeReason(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        if failure.reason == .notHTTP { return OtherLine.envoyTCPProxy }
        if failure.reason != .emptyLine, let reason = OtherLine.dialectShape(line, format: format) { return reason }
        guard failure.step <= 0, failure.reason != .emptyLine else { return nil }
        if failure.step == 0 && failure.reason == .invalidValue {
            return OtherLine.knownShape(line, format: format)
        }
        return OtherLine.reason(line, format: format)
    }

    /// Name of the field where the last parse failed.
    public var failedFieldName: String {
        failure.step >= 0 && failure.step < steps.count ? stepNames[failure.step] : "start of line"
    }
}

// MARK: - Request line

/// Splits `$request` into method, target and protocol (when the format gave
/// the request line whole) and judges whether it is a real request.
func finishRequestLine(_ line: UnsafeBufferPointer<UInt8>, _ record: inout AccessRecord) {
    if record.request.isPresent && !record.method.isPresent {
        let start = Int(record.request.start)
        let end = Int(record.request.end)
        guard let firstSpace = find(UInt8(ascii: " "), line, start), firstSpace < end else {
            record.hasValidRequestLine = false
            return
        }
        var lastSpace = end - 1
        while lastSpace > firstSpace && line[lastSpace] != UInt8(ascii: " ") { lastSpace -= 1 }
        record.method = FieldRange(start, firstSpace)
        if lastSpace > firstSpace, startsWith(line, lastSpace + 1, httpPrefix) {
            record.target = FieldRange(firstSpace + 1, lastSpace)
            record.protocolVersion = FieldRange(lastSpace + 1, end)
        } else {
            record.target = FieldRange(firstSpace + 1, end)
        }
    }
    record.hasValidRequestLine = isValidMethod(record.method.bytes(in: line)) && record.target.count > 0
}

private let httpPrefix: [UInt8] = Array("HTTP/".utf8)

@inline(__always)
private func isValidMethod(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard bytes.count > 0, bytes.count <= 24 else { return false }
    for b in bytes where !((b >= 0x41 && b <= 0x5A) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")) {
        return false
    }
    return true
}

// MARK: - Byte helpers

/// Host names, IPv4/IPv6 addresses (with brackets, ports, zone ids) and `-`,
/// alone or as a `, ` separated list.
@inline(__always)
func isAddressList(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    firstAddressEnd(line, start, end) != nil
}

/// Where the first element of an address list (`a, b`, `a,b`) ends, nil when
/// `line[start..<end]` is not such a list (see ``isAddressList(_:_:_:)``): the client
/// of a request is the first address (X-Forwarded-For's original client).
@inline(__always)
func firstAddressEnd(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    guard end > start else { return nil }
    var i = start
    var elementStart = start
    var firstEnd = end
    var inBrackets = false
    while i < end {
        let b = line[i]
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"),
             UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "*"):
            // `*`: addresses masked by the one who shared the log (`203.0.***.7`).
            break
        case UInt8(ascii: "["):
            // `[v6]` or `[v6]:port`: a bracket opens only an element.
            guard i == elementStart, !inBrackets else { return nil }
            inBrackets = true
        case UInt8(ascii: "]"):
            guard inBrackets else { return nil }
            inBrackets = false
        case UInt8(ascii: ","):
            if firstEnd == end { firstEnd = i }
            if i + 1 < end && line[i + 1] == UInt8(ascii: " ") { i += 1 }
            elementStart = i + 1
        default:
            return nil
        }
        i += 1
    }
    guard !inBrackets else { return nil }
    return firstEnd > start ? firstEnd : end
}

/// Digits, `.`, `-` and the separators of an nginx list (`502, 200`, `0.001 : 0.030`).
@inline(__always)
func isNumberList(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    guard end > start else { return false }
    for i in start..<end {
        switch line[i] {
        case 0x30...0x39, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: ":"): break
        default: return false
        }
    }
    return true
}

@inline(__always)
func find(_ byte: UInt8, _ line: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int? {
    guard from < line.count, let base = line.baseAddress else { return nil }
    guard let hit = memchr(base + from, Int32(byte), line.count - from) else { return nil }
    return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
}

@inline(__always)
func startsWith(_ line: UnsafeBufferPointer<UInt8>, _ at: Int, _ literal: UnsafeBufferPointer<UInt8>) -> Bool {
    let count = literal.count
    guard at + count <= line.count else { return false }
    if count == 0 { return true }
    guard let base = line.baseAddress, let l = literal.baseAddress else { return false }
    return memcmp(base + at, l, count) == 0
}

@inline(__always)
func startsWith(_ line: UnsafeBufferPointer<UInt8>, _ at: Int, _ literal: [UInt8]) -> Bool {
    let count = literal.count
    guard at + count <= line.count else { return false }
    if count == 0 { return true }
    guard let base = line.baseAddress else { return false }
    return literal.withUnsafeBufferPointer { l in l.baseAddress.map { memcmp(base + at, $0, count) == 0 } ?? false }
}

/// An integer with an optional `+` (HAProxy's `logasap` and redispatch marks) or `-` sign; nil otherwise.
@inline(__always)
func signedMillis(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    var i = start
    var negative = false
    if i < end && (line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "-")) {
        negative = line[i] == UInt8(ascii: "-")
        i += 1
    }
    guard i < end, end - i <= 18 else { return nil }
    var value: Int64 = 0
    while i < end {
        guard let d = Timestamp.digit(line[i]) else { return nil }
        value = value * 10 + Int64(d)
        i += 1
    }
    return negative ? -value : value
}

/// A non-negative integer, or -1 for `-`; nil when neither.
@inline(__always)
func integerOrDash(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    guard end > start else { return nil }
    if end - start == 1 && line[start] == UInt8(ascii: "-") { return -1 }
    guard end - start <= 18 else { return nil }
    var value: Int64 = 0
    for i in start..<end {
        guard let d = Timestamp.digit(line[i]) else { return nil }
        value = value * 10 + Int64(d)
    }
    return value
}

/// `0.123` (in units of `scale` microseconds) to microseconds; -1 for `-`.
///
/// Nil when the bytes are not a decimal, or when the value in microseconds
/// does not fit an Int64 (`9223372036854.775808` seconds): checked
/// arithmetic, so a hostile number is rejected rather than wrapped.
@inline(__always)
func decimalMicros(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, scale: Int64) -> Int64? {
    guard end > start else { return nil }
    if end - start == 1 && line[start] == UInt8(ascii: "-") { return -1 }
    var whole: Int64 = 0
    var i = start
    while i < end, let d = Timestamp.digit(line[i]) {
        let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
        let (next, o2) = times10.addingReportingOverflow(Int64(d))
        guard !o1, !o2 else { return nil }
        whole = next
        i += 1
    }
    guard i > start else { return nil }
    let (scaled, o3) = whole.multipliedReportingOverflow(by: scale)
    guard !o3 else { return nil }
    var micros = scaled
    if i < end {
        guard line[i] == UInt8(ascii: ".") else { return nil }
        i += 1
        var unit = scale / 10
        var fraction: Int64 = 0
        while i < end, let d = Timestamp.digit(line[i]) {
            if unit > 0 { fraction += Int64(d) * unit }
            unit /= 10
            i += 1
        }
        guard i == end else { return nil }
        let (sum, o4) = micros.addingReportingOverflow(fraction)
        guard !o4 else { return nil }
        micros = sum
    }
    return micros
}
