/// The failures that server error logs state, kept so the access pass can join them.
///
/// Error logs are read *before* the access logs (unlike application logs): a
/// cause can change a request's class (a status-only 503 that nginx's error log
/// says was `limiting requests` is `proxy_error`, a 200 after `connect() failed`
/// is `retried_ok`), and the class feeds every aggregate — routes, upstreams,
/// the timeline, incidents and deploys — as the line is counted. An error log
/// has one line per failure, not per request, and only lines with a cause of
/// the table (``ErrorCause``) are kept, each as one ``Entry`` of 64 bytes, at
/// most ``limit`` (the rest are counted as `untracked`).
///
/// Entries are found by three keys: client and request line (nginx writes both),
/// client alone (Apache writes no request line), and upstream address (for an
/// access log with `$upstream_addr`). A bitmap of the seconds that hold an entry,
/// widened by the tolerance, lets the access pass skip every line whose second
/// has none without hashing anything.
///
/// Immutable once built: threads that read chunks of one access log share it.
final class ErrorLogIndex: @unchecked Sendable {
    struct Entry {
        /// Local date and time read as UTC seconds (error logs write no zone).
        var wallTime: Int64
        /// ``ErrorLogIndex/requestKey`` of client and request line, 0 without a request line.
        var requestKey: UInt64
        /// ``ErrorLogIndex/clientKey`` of the client, 0 without one.
        var clientKey: UInt64
        /// Hashes of the `host:` (the request's Host header) and `server:` (the matched
        /// `server_name`) the error line names, 0 without one: an access log's host field may
        /// hold either (`$host`, `$server_name`).
        var hostKey: UInt64
        var serverKey: UInt64
        /// Index into ``upstreamNames``, -1 without an upstream.
        var upstream: Int32
        var cause: ErrorCause
        /// Index into ``inputs`` and the line number there, for the report.
        var input: Int16
        var line: Int32
        var nextSameKey: Int32 = -1
        var nextSameUpstream: Int32 = -1
    }

    private(set) var entries: [Entry] = []
    /// Paths of the error logs, as the report names them.
    private(set) var inputs: [String] = []
    let upstreamNames = ByteKeyTable<Void>(limit: 4_096)
    /// Heads of the chains by request key (or client key for entries without a request line) and by upstream.
    private var byKey = KeyChains()
    private var byUpstream: [Int32: Int32] = [:]
    /// Entries with a client but no request line (Apache) exist: then a client-only lookup is worth doing.
    private(set) var hasClientOnlyEntries = false
    let limit: Int
    /// Seconds an error line's time may be from its request's access-log time.
    let tolerance: Int64
    /// Entries not kept because the index was full.
    private(set) var untracked = 0
    private var occupancy: [UInt64] = []
    /// One bit per client key (mod 2^16) of the kept lines: most requests in a busy second come
    /// from clients no error line names, and are let go after hashing the client alone.
    private var clientFilter = [UInt64](repeating: 0, count: 1 << 10)
    private var firstSecond: Int64 = .max
    private var lastSecond: Int64 = .min

    /// The error logs' zone when the user named it (`--error-log-timezone`), else nil.
    let timeZone: LogTimeZone?

    init(limit: Int = 500_000, tolerance: Int64 = 2, timeZone: LogTimeZone? = nil) {
        self.limit = limit
        self.tolerance = max(0, tolerance)
        self.timeZone = timeZone
    }

    /// A request's time on the error logs' clock: the access log's own wall clock (its UTC time
    /// plus its offset), or the named zone's.
    @inline(__always)
    func wallTime(utc: Int64, accessOffset: Int32) -> Int64 {
        guard let timeZone else { return utc + Int64(accessOffset) }
        return utc + Int64(timeZone.offset(atUTC: utc))
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Registers an error log; returns its index for ``add(_:line:cause:input:number:)``.
    func addInput(_ path: String) -> Int16 {
        inputs.append(path)
        return Int16(clamping: inputs.count - 1)
    }

    /// Keeps one error line that states `cause`. Returns false when the index is full.
    @discardableResult
    /// - Parameter upstream: the upstream's name when another line gave it (Apache's AH00957 before its AH01114).
    func add(_ parsed: ErrorLogLine, line: UnsafeBufferPointer<UInt8>, cause: ErrorCause, input: Int16, number: Int,
             upstream upstreamName: UnsafeBufferPointer<UInt8>? = nil) -> Bool {
        guard entries.count < limit else {
            untracked += 1
            return false
        }
        let client = Self.firstAddress(parsed.client.bytes(in: line))
        var requestKey: UInt64 = 0
        if parsed.request.isPresent, client.count > 0 {
            let (method, target) = Self.split(requestLine: parsed.request.bytes(in: line))
            requestKey = Self.requestKey(client: client, method: method, target: target, escapingLikeNginx: true)
        }
        let clientKey = client.count > 0 ? Self.clientKey(client) : 0
        if clientKey != 0 { clientFilter[Int(clientKey >> 6) & 1023] |= 1 << (clientKey & 63) }
        var upstream: Int32 = -1
        if let name = upstreamName ?? (parsed.upstream.isPresent ? parsed.upstream.bytes(in: line) : nil),
           let u = upstreamNames.index(of: name, make: { () }) {
            upstream = Int32(u)
        }
        let hostKey = parsed.host.hasValue(in: line) ? ByteKeyTable<Void>.hash(parsed.host.bytes(in: line)) : 0
        let serverKey = parsed.server.hasValue(in: line) ? ByteKeyTable<Void>.hash(parsed.server.bytes(in: line)) : 0
        var entry = Entry(wallTime: parsed.wallTime, requestKey: requestKey, clientKey: clientKey, hostKey: hostKey,
                          serverKey: serverKey, upstream: upstream, cause: cause, input: input, line: Int32(clamping: number))
        let index = Int32(entries.count)
        let key = requestKey != 0 ? requestKey : clientKey
        if key != 0 {
            entry.nextSameKey = byKey.push(key, index)
            if requestKey == 0 { hasClientOnlyEntries = true }
        }
        if upstream >= 0 {
            entry.nextSameUpstream = byUpstream[upstream] ?? -1
            byUpstream[upstream] = index
        }
        entries.append(entry)
        firstSecond = min(firstSecond, parsed.wallTime)
        lastSecond = max(lastSecond, parsed.wallTime)
        occupancy = []
        return true
    }

    /// Builds the bitmap of seconds within the tolerance of some entry. Called once, after the last ``add``.
    func seal() {
        guard !entries.isEmpty else { return }
        let span = lastSecond - firstSecond + 2 * tolerance + 1
        // A span of years (a bitmap over 16 MiB) is not worth a bitmap: every second is looked up.
        guard span > 0, span < 1 << 27 else { return }
        occupancy = [UInt64](repeating: 0, count: Int((span + 63) / 64))
        for e in entries {
            for s in (e.wallTime - tolerance)...(e.wallTime + tolerance) {
                let bit = s - (firstSecond - tolerance)
                occupancy[Int(bit >> 6)] |= 1 << UInt64(bit & 63)
            }
        }
    }

    /// False when no entry is within the tolerance of `wallTime`: the caller need not look further.
    @inline(__always)
    func mayHave(_ wallTime: Int64) -> Bool {
        guard !entries.isEmpty else { return false }
        guard !occupancy.isEmpty else { return true }
        let bit = wallTime - (firstSecond - tolerance)
        guard bit >= 0, bit < Int64(occupancy.count) * 64 else { return false }
        return occupancy[Int(bit >> 6)] & (1 << UInt64(bit & 63)) != 0
    }

    /// False when no kept line names this client (``clientKey(_:)``): its request need not be hashed.
    @inline(__always)
    func mayName(clientKey: UInt64) -> Bool {
        clientFilter[Int(clientKey >> 6) & 1023] & (1 << (clientKey & 63)) != 0
    }

    /// Calls `body` with each entry (and its index) under `key`, newest first, that is within the
    /// tolerance of `wallTime`.
    @inline(__always)
    func forEach(key: UInt64, near wallTime: Int64, _ body: (Int, Entry) -> Void) {
        var i = byKey.head(key)
        guard i >= 0 else { return }
        entries.withUnsafeBufferPointer { all in
            while i >= 0 {
                let e = all[Int(i)]
                if abs(e.wallTime - wallTime) <= tolerance { body(Int(i), e) }
                i = e.nextSameKey
            }
        }
    }

    /// Calls `body` with each entry (and its index) for `upstream` that is within the tolerance of `wallTime`.
    @inline(__always)
    func forEach(upstream address: UnsafeBufferPointer<UInt8>, near wallTime: Int64, _ body: (Int, Entry) -> Void) {
        guard let u = upstreamNames.find(address) else { return }
        var i = byUpstream[Int32(u)] ?? -1
        entries.withUnsafeBufferPointer { all in
            while i >= 0 {
                let e = all[Int(i)]
                if abs(e.wallTime - wallTime) <= tolerance { body(Int(i), e) }
                i = e.nextSameUpstream
            }
        }
    }

    func upstreamName(_ index: Int32) -> String? {
        index >= 0 && Int(index) < upstreamNames.count ? LogText.display(upstreamNames.keys[Int(index)]) : nil
    }

    // MARK: - Keys

    /// The first address of a `, ` list (an X-Forwarded-For chain logged as the client).
    static func firstAddress(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var end = 0
        while end < p.count && p[end] != UInt8(ascii: ",") && p[end] != UInt8(ascii: " ") { end += 1 }
        return UnsafeBufferPointer(rebasing: p[..<end])
    }

    /// Method and target of `GET /x HTTP/1.1` (the protocol is left out: access logs may not log it).
    static func split(requestLine p: UnsafeBufferPointer<UInt8>) -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) {
        var first = 0
        while first < p.count && p[first] != UInt8(ascii: " ") { first += 1 }
        guard first < p.count else { return (p, UnsafeBufferPointer(rebasing: p[p.count...])) }
        var last = p.count
        while last > first + 1 && p[last - 1] != UInt8(ascii: " ") { last -= 1 }
        let hasProtocol = last > first + 1 && last + 5 <= p.count && p[last] == UInt8(ascii: "H")
            && p[last + 1] == UInt8(ascii: "T") && p[last + 2] == UInt8(ascii: "T") && p[last + 3] == UInt8(ascii: "P")
        let targetEnd = hasProtocol ? last - 1 : p.count
        return (UnsafeBufferPointer(rebasing: p[..<first]), UnsafeBufferPointer(rebasing: p[(first + 1)..<max(first + 1, targetEnd)]))
    }

    /// The key of a client and request line.
    ///
    /// - Parameter escapingLikeNginx: the bytes are raw, as nginx's error log writes the request
    ///   line; the access log escapes `"`, `\`, control bytes and bytes ≥ 0x7F as `\xHH`
    ///   (`escape=default`), so the key is taken over that form.
    @inline(__always)
    static func requestKey(client: UnsafeBufferPointer<UInt8>, method: UnsafeBufferPointer<UInt8>,
                           target: UnsafeBufferPointer<UInt8>, escapingLikeNginx: Bool = false) -> UInt64 {
        var h = FNV1a()
        h.add(client)
        h.add(0x1F)
        h.add(method)
        h.add(0x20)
        if escapingLikeNginx {
            let hex: StaticString = "0123456789ABCDEF"
            for b in target {
                if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x7F {
                    h.add(UInt8(ascii: "\\"))
                    h.add(UInt8(ascii: "x"))
                    hex.withUTF8Buffer { digits in
                        h.add(digits[Int(b >> 4)])
                        h.add(digits[Int(b & 0x0F)])
                    }
                } else {
                    h.add(b)
                }
            }
        } else {
            h.add(target)
        }
        return h.value | 1
    }

    @inline(__always)
    static func clientKey(_ client: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = FNV1a()
        h.add(0x1E)
        h.add(client)
        return h.value | 1
    }
}

/// Heads of the entry chains by key: open addressing over the keys themselves, which are
/// already FNV-1a hashes (never 0), so a lookup costs no further hashing.
private struct KeyChains {
    private var keys = [UInt64](repeating: 0, count: 64)
    private var heads = [Int32](repeating: -1, count: 64)
    private var count = 0

    /// The newest entry under `key`, -1 when none.
    @inline(__always)
    func head(_ key: UInt64) -> Int32 {
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: key ^ (key >> 29)) & mask
        while true {
            let k = keys[slot]
            if k == key { return heads[slot] }
            if k == 0 { return -1 }
            slot = (slot + 1) & mask
        }
    }

    /// Makes `entry` the newest under `key`; returns the previous newest (-1 when none).
    mutating func push(_ key: UInt64, _ entry: Int32) -> Int32 {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: key ^ (key >> 29)) & mask
        while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
        if keys[slot] == 0 {
            keys[slot] = key
            count += 1
        }
        let previous = heads[slot]
        heads[slot] = entry
        return previous
    }

    private mutating func grow() {
        let oldKeys = keys, oldHeads = heads
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        heads = [Int32](repeating: -1, count: oldKeys.count * 2)
        let mask = keys.count - 1
        for (k, key) in oldKeys.enumerated() where key != 0 {
            var slot = Int(truncatingIfNeeded: key ^ (key >> 29)) & mask
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = key
            heads[slot] = oldHeads[k]
        }
    }
}
