internal import CPCRE2

/// A compiled PCRE2 pattern (8-bit, JIT when available) that matches bytes.
///
/// Patterns come from users, so matching is bounded: a match limit stops
/// catastrophic backtracking and the JIT gets a 1 MiB stack instead of the
/// default 32 KiB. Subjects are matched as bytes (no UTF check), so invalid
/// UTF-8 in logs is harmless. One instance is not thread-safe: it owns its
/// match data; make one per thread.
public final class Regex {
    public let pattern: String
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let context: OpaquePointer?
    private let jitStack: OpaquePointer?
    public let isJIT: Bool
    /// pcre2_match's result for the last ``search(_:from:)``.
    private var lastCount = 0
    /// Searches that gave up on a resource limit (match limit, depth, heap, JIT stack)
    /// rather than finding or ruling out a match: a pattern that backtracks too much.
    public private(set) var limitHits = 0
    /// Names of the capture groups with their numbers.
    public let groupNames: [String: Int]
    /// Every named group's number, in pattern order (one name may have several with `duplicateNames`).
    private let namedGroups: [(name: String, number: Int)]

    /// - Parameters:
    ///   - duplicateNames: allow several groups with one name (`(?J)`), as in `…(?<id>…)|…(?<id>…)`.
    public init(_ pattern: String, caseInsensitive: Bool = false, duplicateNames: Bool = false) throws {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        var options: UInt32 = caseInsensitive ? UInt32(PCRE2_CASELESS) : 0
        if duplicateNames { options |= UInt32(PCRE2_DUPNAMES) }
        let compiled = pattern.withCString { p in
            p.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) {
                pcre2_compile_8($0, pattern.utf8.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw TriageError.regex(pattern: pattern, message: "\(Self.message(errorCode)) at offset \(errorOffset)")
        }
        code = compiled
        isJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        guard let data = pcre2_match_data_create_from_pattern_8(compiled, nil) else {
            pcre2_code_free_8(compiled)
            throw TriageError.regex(pattern: pattern, message: "out of memory")
        }
        matchData = data
        context = pcre2_match_context_create_8(nil)
        if let context {
            pcre2_set_match_limit_8(context, 1_000_000)
        }
        if isJIT, let context, let stack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil) {
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
            jitStack = stack
        } else {
            jitStack = nil
        }
        namedGroups = Self.readGroupNames(compiled)
        groupNames = Dictionary(namedGroups.map { ($0.name, $0.number) }, uniquingKeysWith: { first, _ in first })
    }

    /// The range of the first group named `name` that took part in the match.
    public func range(named name: String, in match: [Range<Int>?]) -> Range<Int>? {
        for group in namedGroups where group.name == name && group.number < match.count {
            if let range = match[group.number] { return range }
        }
        return nil
    }

    deinit {
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        if let context { pcre2_match_context_free_8(context) }
        pcre2_match_data_free_8(matchData)
        pcre2_code_free_8(code)
    }

    /// The byte ranges of the whole match (index 0) and each group, or nil
    /// when there is no match (or the match limit was hit).
    ///
    /// - Parameter start: where the search starts; `\b` and lookbehinds still see the bytes before it.
    public func firstMatch(in subject: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> [Range<Int>?]? {
        guard start <= subject.count else { return nil }
        // PCRE2 must never see a NULL subject, even for an empty line.
        var empty: UInt8 = 0
        let base = subject.baseAddress ?? withUnsafePointer(to: &empty) { UnsafePointer($0) }
        let rc = pcre2_match_8(code, base, subject.count, start, 0, matchData, context)
        if rc < 0 && Self.isLimit(rc) { limitHits += 1 }
        guard rc > 0 else { return nil }
        let ovector = pcre2_get_ovector_pointer_8(matchData)
        guard let ovector else { return nil }
        var ranges: [Range<Int>?] = []
        for i in 0..<Int(rc) {
            let start = ovector[2 * i], end = ovector[2 * i + 1]
            ranges.append(start == CPCRE2_UNSET ? nil : start..<end)
        }
        return ranges
    }

    /// Searches without allocating (the per-line path); read the groups with
    /// ``group(_:)`` or ``group(named:)`` before the next search.
    public func search(_ subject: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Bool {
        guard start <= subject.count else { return false }
        var empty: UInt8 = 0
        let base = subject.baseAddress ?? withUnsafePointer(to: &empty) { UnsafePointer($0) }
        let rc = pcre2_match_8(code, base, subject.count, start, 0, matchData, context)
        if rc < 0 && Self.isLimit(rc) { limitHits += 1 }
        lastCount = Int(rc)
        return lastCount > 0
    }

    /// True for pcre2_match's "gave up" results (not "no match").
    @inline(__always)
    static func isLimit(_ rc: Int32) -> Bool {
        rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT
            || rc == PCRE2_ERROR_JIT_STACKLIMIT
    }

    /// Group `number` of the last successful ``search(_:from:)`` (0: the whole match).
    public func group(_ number: Int) -> Range<Int>? {
        guard number < lastCount, let ovector = pcre2_get_ovector_pointer_8(matchData) else { return nil }
        let start = ovector[2 * number], end = ovector[2 * number + 1]
        return start == CPCRE2_UNSET ? nil : start..<end
    }

    /// The numbers of the groups named `name`, in pattern order.
    public func groupNumbers(named name: String) -> [Int] {
        namedGroups.filter { $0.name == name }.map(\.number)
    }

    /// The first group named `name` that took part in the last successful search.
    public func group(named name: String) -> Range<Int>? {
        for entry in namedGroups where entry.name == name {
            if let range = group(entry.number) { return range }
        }
        return nil
    }

    /// True when the pattern matches somewhere in `subject`.
    public func matches(_ subject: UnsafeBufferPointer<UInt8>) -> Bool { firstMatch(in: subject) != nil }

    public func matches(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBufferPointer { matches($0) }
    }

    private static func message(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "error \(code)"
    }

    private static func readGroupNames(_ code: OpaquePointer) -> [(name: String, number: Int)] {
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafeMutableRawPointer?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        guard count > 0, let table else { return [] }
        var names: [(name: String, number: Int)] = []
        let bytes = table.assumingMemoryBound(to: UInt8.self)
        for i in 0..<Int(count) {
            let entry = bytes + i * Int(entrySize)
            let number = Int(entry[0]) << 8 | Int(entry[1])
            var end = 2
            while end < Int(entrySize) && entry[end] != 0 { end += 1 }
            names.append((String(decoding: UnsafeBufferPointer(start: entry + 2, count: end - 2), as: UTF8.self), number))
        }
        return names.sorted { $0.number < $1.number }
    }
}

/// A user rule that names a route: targets matching `regex` are counted as `route`.
///
/// Written `REGEX=>ROUTE` on the command line (`^/products/[^/?]+=>/products/{slug}`).
/// Rules are tried in order on the target without its query string, before
/// the built-in `{id}`/`{uuid}`/`{hex}` normalisation.
public struct RouteRule: Sendable {
    public let pattern: String
    public let route: String

    public init(specification: String) throws {
        guard let arrow = specification.range(ofArrow: "=>") else {
            throw TriageError.routeRule("'\(specification)' needs the form REGEX=>ROUTE")
        }
        pattern = String(specification[..<arrow.lowerBound])
        route = String(specification[arrow.upperBound...])
        guard !pattern.isEmpty, route.hasPrefix("/") else {
            throw TriageError.routeRule("'\(specification)': the pattern must not be empty and the route must start with /")
        }
        do {
            _ = try Regex(pattern) // reject bad patterns at startup, not per line
        } catch let TriageError.regex(_, message) {
            throw TriageError.routeRule("'\(specification)': invalid regular expression '\(pattern)': \(message)")
        }
    }
}

extension String {
    /// The last occurrence of `arrow`: a route never contains `=>`, a pattern might.
    func range(ofArrow arrow: String) -> Range<String.Index>? {
        var found: Range<String.Index>?
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(arrow) { found = index..<self.index(index, offsetBy: arrow.count) }
            index = self.index(after: index)
        }
        return found
    }
}
