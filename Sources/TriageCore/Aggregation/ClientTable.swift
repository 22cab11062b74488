/// Requests, 5xx and retry storms per client, in bounded memory.
///
/// A client is the address the log's client field holds (`$remote_addr`, Apache
/// `%h`/`%a`, HAProxy `%ci`, the load balancers' `client` without its port, a JSON
/// or logfmt client key). `X-Forwarded-For` is not read: any client can write
/// it. Behind a load balancer, nginx's `real_ip` module (or Apache's `mod_remoteip`)
/// puts the real client in `$remote_addr`, and that is what triage sees.
///
/// Bounds, like routes: the first `limits.clientTable` clients are counted
/// exactly; once the table is full, clients that get a 5xx compete for
/// `limits.heavyHitterClients` Space-Saving slots (``HeavyHitters``, ranked by
/// 5xx, with each slot's possible overcount kept as `error`); every other request
/// counts under `(other clients)`, so no request vanishes.
///
/// A **retry storm** is a client repeating one failing request: at least
/// ``stormMinimum`` failing requests (a 5xx, or a 499 the client gave up on) by
/// one client on one route (method and route), each within ``stormGap`` seconds
/// of the one before. Requests that succeed in between do not end it; a failing
/// request on another route does. Storms are found in one stream of lines: the
/// threads of one run stitch their runs at the chunk boundaries (``merge(_:route:)``),
/// so a run over one file finds the storms a single pass finds; a partial carries
/// its host's storms settled (``settleRuns()``), and `triage merge` adds them up,
/// so a client's retries spread over several hosts count on each host alone.
final class ClientTable {
    /// Failing requests of one client on one route, each within ``stormGap`` of the previous.
    struct Run: Equatable {
        var route: Int32
        var count: Int
        var first: Int64
        var last: Int64
    }

    /// The user agent kept as a client's sample: the earliest of its 5xx, or, when it
    /// had none, of its requests (ties by bytes), so the choice does not depend on
    /// reading order.
    struct UserAgentSample: Equatable {
        /// 0: from a 5xx; 1: from another request; 2: none yet.
        var rank: UInt8 = 2
        var time: Int64 = .max
        var bytes: [UInt8] = []

        @inline(__always)
        func isBetter(rank: UInt8, time: Int64, _ candidate: UnsafeBufferPointer<UInt8>) -> Bool {
            if rank != self.rank { return rank < self.rank }
            if time != self.time { return time < self.time }
            return candidate.lexicographicallyPrecedes(bytes)
        }

        mutating func offer(rank: UInt8, time: Int64, _ candidate: UnsafeBufferPointer<UInt8>) {
            let cut = UnsafeBufferPointer(rebasing: candidate.prefix(ClientTable.userAgentCapacity))
            guard isBetter(rank: rank, time: time, cut) else { return }
            self.rank = rank
            self.time = time
            bytes = Array(cut)
        }

        mutating func merge(_ other: UserAgentSample) {
            guard other.rank < 2 else { return }
            // `other.bytes` is already cut to the capacity: shared, not copied.
            guard other.bytes.withUnsafeBufferPointer({ isBetter(rank: other.rank, time: other.time, $0) }) else { return }
            self = other
        }
    }

    struct Stats {
        var requests = 0
        var serverErrors = 0
        var classes = ClassCounts()
        var userAgent = UserAgentSample()
        /// Storms settled so far, and their failing requests.
        var storms = 0
        var stormRequests = 0
        /// The first run of failing requests in this stream (it may continue one of the
        /// stream before) and the latest (it may go on in the next); the runs between
        /// are settled. `tail` is nil while there was only one run.
        var head: Run?
        var tail: Run?
    }

    /// Settled storms on one route.
    struct StormTally: Equatable {
        var storms = 0
        var requests = 0
        var largest: LargestStorm?

        mutating func add(_ other: StormTally) {
            storms += other.storms
            requests += other.requests
            if let theirs = other.largest { offer(theirs) }
        }

        mutating func offer(_ storm: LargestStorm) {
            if let mine = largest, !storm.outranks(mine) { return }
            largest = storm
        }
    }

    /// The storm with the most requests (ties: the earlier, then the client's bytes).
    struct LargestStorm: Equatable {
        var client: [UInt8]
        var requests: Int
        var first: Int64
        var last: Int64

        func outranks(_ other: LargestStorm) -> Bool {
            if requests != other.requests { return requests > other.requests }
            if first != other.first { return first < other.first }
            return client.lexicographicallyPrecedes(other.client)
        }
    }

    /// Seconds allowed between two failing requests of a storm.
    static let stormGap: Int64 = 2
    /// Failing requests that make a run a storm (the first and four repeats).
    static let stormMinimum = 5
    /// Bytes of a user agent kept as a sample.
    static let userAgentCapacity = 200

    let exact: ByteKeyTable<Stats>
    let sketch: HeavyHitters<Stats>
    /// Clients neither in the table nor in the sketch; never has runs.
    var overflow = Stats()
    /// Next id for a client entering the sketch: ids ≥ the table's limit are sketch clients.
    var nextSketchID: Int32
    /// Settled storms per route index (the ``Aggregator``'s route ids; -1: other routes).
    var routeStorms: [Int32: StormTally] = [:]
    /// 5xx per (client id, route id), for naming the client behind most of a route's 5xx;
    /// at most `pairLimit` pairs, later pairs are not counted (`pairsOverflowed`).
    var routeClientErrors: [Int64: Int] = [:]
    var pairsOverflowed = false
    let pairLimit: Int

    init(limit: Int, sketchCapacity: Int, pairLimit: Int) {
        exact = ByteKeyTable(limit: limit)
        sketch = HeavyHitters(capacity: sketchCapacity)
        nextSketchID = Int32(clamping: limit)
        self.pairLimit = pairLimit
    }

    @inline(__always)
    static func pairKey(client: Int32, route: Int32) -> Int64 {
        Int64(client) << 32 | Int64(UInt32(bitPattern: route))
    }

    // MARK: - Counting

    /// A client's lookup started ahead of ``add``: each request reads one client among
    /// thousands at random, so its slot and then its counts are cache misses. The
    /// aggregator starts both loads early (``prepare(_:)``, then ``locate(_:_:)``) and
    /// does other work while they arrive.
    struct Lookup {
        var prepared: ByteKeyTable<Stats>.Prepared
        /// The client's index in the exact table, once located (nil: not there yet).
        var index: Int?
    }

    /// Hashes `address` and starts loading its slot.
    @inline(__always)
    func prepare(_ address: UnsafeBufferPointer<UInt8>) -> Lookup {
        Lookup(prepared: exact.prepare(address), index: nil)
    }

    /// Finds a prepared client in the exact table, if it is there, and starts loading its counts.
    @inline(__always)
    func locate(_ lookup: inout Lookup, _ address: UnsafeBufferPointer<UInt8>) {
        guard let index = exact.find(address, prepared: lookup.prepared) else { return }
        lookup.index = index
        exact.prefetchValue(index)
    }

    /// Counts one request of `address`; returns the client's id (-1: other clients).
    ///
    /// - Parameters:
    ///   - lookup: from ``prepare(_:)`` for this address, when the caller started it early.
    ///   - failureClass: the request's class, if it has one.
    ///   - isServerError: whether the client received a 5xx.
    ///   - route: the request's route id, for storms and the per-route share.
    @discardableResult
    func add(_ address: UnsafeBufferPointer<UInt8>, lookup: Lookup? = nil, userAgent: UnsafeBufferPointer<UInt8>?,
             failureClass: FailureClass?, isServerError: Bool, time: Int64, route: Int32) -> Int32 {
        let isFailing = isServerError || failureClass == .clientClosed
        var id: Int32 = -1
        let found: Int?
        if let lookup {
            found = lookup.index ?? exact.index(of: address, prepared: lookup.prepared, make: { Stats() })
        } else {
            found = exact.index(of: address, make: { Stats() })
        }
        if let index = found {
            record(&exact.values[index], key: address, userAgent: userAgent, failureClass: failureClass,
                   isServerError: isServerError, isFailing: isFailing, time: time, route: route)
            id = Int32(index)
        } else {
            let hash = ByteKeyTable<Int>.hash(address)
            var slot = sketch.slot(of: address, hash: hash)
            if slot == nil, isServerError {
                let admitted = sketch.admit(address, hash: hash, id: nextSketchID, empty: Stats())
                nextSketchID &+= 1
                if let evicted = admitted.evicted { retire(evicted) }
                slot = admitted.slot
            }
            if let slot {
                if isServerError { sketch.addFailure(slot: slot) }
                sketch.update(slot: slot) {
                    record(&$0, key: address, userAgent: userAgent, failureClass: failureClass,
                           isServerError: isServerError, isFailing: isFailing, time: time, route: route)
                }
                id = sketch.entries[slot].id
            } else {
                overflow.requests += 1
                if isServerError { overflow.serverErrors += 1 }
                if let failureClass { overflow.classes[failureClass] += 1 }
            }
        }
        if isServerError { countPair(client: id, route: route, count: 1) }
        return id
    }

    @inline(__always)
    private func record(_ s: inout Stats, key: UnsafeBufferPointer<UInt8>, userAgent: UnsafeBufferPointer<UInt8>?,
                        failureClass: FailureClass?, isServerError: Bool, isFailing: Bool, time: Int64, route: Int32) {
        s.requests += 1
        if isServerError { s.serverErrors += 1 }
        if let failureClass { s.classes[failureClass] += 1 }
        if let userAgent {
            let rank: UInt8 = isServerError ? 0 : 1
            if s.userAgent.isBetter(rank: rank, time: time, userAgent) { s.userAgent.offer(rank: rank, time: time, userAgent) }
        }
        if isFailing && time != .min { fail(&s, key: key, route: route, time: time) }
    }

    /// Extends the client's latest run, or starts a new one (settling the one before it).
    private func fail(_ s: inout Stats, key: UnsafeBufferPointer<UInt8>, route: Int32, time: Int64) {
        if var last = s.tail ?? s.head, last.route == route,
           time >= last.first - Self.stormGap, time <= last.last + Self.stormGap {
            last.count += 1
            last.last = max(last.last, time)
            if s.tail != nil { s.tail = last } else { s.head = last }
            return
        }
        let run = Run(route: route, count: 1, first: time, last: time)
        if s.head == nil {
            s.head = run
        } else {
            if let finished = s.tail { settle(finished, key: key, into: &s) }
            s.tail = run
        }
    }

    /// Counts a finished run as a storm when it is one.
    private func settle(_ run: Run, key: UnsafeBufferPointer<UInt8>, into s: inout Stats) {
        guard run.count >= Self.stormMinimum else { return }
        s.storms += 1
        s.stormRequests += run.count
        var tally = routeStorms[run.route] ?? StormTally()
        tally.storms += 1
        tally.requests += run.count
        let candidate = { LargestStorm(client: Array(key), requests: run.count, first: run.first, last: run.last) }
        if let largest = tally.largest {
            let probe = LargestStorm(client: [], requests: run.count, first: run.first, last: run.last)
            // Only copy the key when it can win (an empty key wins every tie on bytes).
            if probe.outranks(largest) { tally.offer(candidate()) }
        } else {
            tally.largest = candidate()
        }
        routeStorms[run.route] = tally
    }

    private func settleAll(_ s: inout Stats, key: [UInt8]) {
        key.withUnsafeBufferPointer { k in
            if let head = s.head { settle(head, key: k, into: &s) }
            if let tail = s.tail { settle(tail, key: k, into: &s) }
        }
        s.head = nil
        s.tail = nil
    }

    /// Settles every client's open runs: the stream is over (a summary or a partial is made).
    func settleRuns() {
        for i in 0..<exact.count where exact.values[i].head != nil {
            let key = exact.keys[i]
            settleAll(&exact.values[i], key: key)
        }
        for slot in sketch.entries.indices where sketch.entries[slot].stats.head != nil {
            let key = sketch.entries[slot].key
            sketch.update(slot: slot) { settleAll(&$0, key: key) }
        }
    }

    /// An evicted sketch client: its runs are settled, its counts go to `(other clients)`.
    private func retire(_ entry: HeavyHitters<Stats>.Entry) {
        var stats = entry.stats
        settleAll(&stats, key: entry.key)
        overflow.absorb(stats)
    }

    private func countPair(client: Int32, route: Int32, count: Int) {
        let key = Self.pairKey(client: client, route: route)
        if let current = routeClientErrors[key] {
            routeClientErrors[key] = current + count
        } else if routeClientErrors.count < pairLimit {
            routeClientErrors[key] = count
        } else {
            pairsOverflowed = true
        }
    }

    // MARK: - Merging

    /// Adds `other`'s counts as if its lines came after this table's (the threads of one
    /// run, in file order): a run open at the end of this table's stream and one at the
    /// start of `other`'s are one run when they meet the storm rule.
    ///
    /// - Parameter route: maps `other`'s route ids to this aggregator's.
    /// - Returns: a map from `other`'s client ids to this table's (-1: other clients).
    func merge(_ other: ClientTable, route: (Int32) -> Int32) -> IDMap {
        var clientMap = IDMap()
        clientMap.exact.reserveCapacity(other.exact.count)
        for (index, key) in other.exact.keys.enumerated() {
            clientMap.exact.append(absorb(key: key, stats: other.exact.values[index],
                                          count: other.exact.values[index].serverErrors, error: 0, route: route))
        }
        for entry in other.sketch.entries {
            clientMap.sketch[entry.id] = absorb(key: entry.key, stats: entry.stats, count: entry.count, error: entry.error,
                                                route: route)
        }
        overflow.absorb(other.overflow)
        for (r, tally) in other.routeStorms { routeStorms[route(r), default: StormTally()].add(tally) }
        for (key, count) in other.routeClientErrors.sorted(by: { $0.key < $1.key }) {
            let client = clientMap[Int32(truncatingIfNeeded: key >> 32)] ?? -1
            countPair(client: client, route: route(Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)), count: count)
        }
        pairsOverflowed = pairsOverflowed || other.pairsOverflowed
        return clientMap
    }

    /// Another table's client ids (exact ones are 0..<count, sketch ones above) to this table's.
    struct IDMap {
        var exact: [Int32] = []
        var sketch: [Int32: Int32] = [:]

        subscript(id: Int32) -> Int32? {
            if id >= 0 && Int(id) < exact.count { return exact[Int(id)] }
            return sketch[id]
        }
    }

    /// One client of another table, into this table if it has room, else the sketch
    /// (when it had 5xx), else `(other clients)`.
    private func absorb(key: [UInt8], stats: Stats, count: Int, error: Int, route: (Int32) -> Int32) -> Int32 {
        var theirs = stats
        theirs.head = theirs.head.map { Run(route: route($0.route), count: $0.count, first: $0.first, last: $0.last) }
        theirs.tail = theirs.tail.map { Run(route: route($0.route), count: $0.count, first: $0.first, last: $0.last) }
        return key.withUnsafeBufferPointer { k -> Int32 in
            if let index = exact.index(of: k, make: { Stats() }) {
                join(&exact.values[index], theirs, key: k)
                return Int32(index)
            }
            let hash = ByteKeyTable<Int>.hash(k)
            var slot = sketch.slot(of: k, hash: hash)
            if slot == nil, theirs.serverErrors > 0 {
                let admitted = sketch.admit(k, hash: hash, id: nextSketchID, empty: Stats())
                nextSketchID &+= 1
                if let evicted = admitted.evicted { retire(evicted) }
                slot = admitted.slot
            }
            guard let slot else {
                settleAll(&theirs, key: key)
                overflow.absorb(theirs)
                return -1
            }
            var mine = sketch.entries[slot].stats
            join(&mine, theirs, key: k)
            sketch.absorb(slot: slot, count: count, error: error) { $0 = mine }
            return sketch.entries[slot].id
        }
    }

    /// Adds `theirs` (later lines) to `mine`, stitching the runs where they meet.
    private func join(_ mine: inout Stats, _ theirs: Stats, key: UnsafeBufferPointer<UInt8>) {
        mine.requests += theirs.requests
        mine.serverErrors += theirs.serverErrors
        mine.classes.add(theirs.classes)
        mine.userAgent.merge(theirs.userAgent)
        mine.storms += theirs.storms
        mine.stormRequests += theirs.stormRequests
        // Mine's runs, then theirs (head before tail), without allocating: at most four.
        guard var later = theirs.head else { return }
        var laterTail = theirs.tail
        guard let head = mine.head else {
            mine.head = later
            mine.tail = laterTail
            return
        }
        let last = mine.tail ?? head
        if last.route == later.route, later.first >= last.first - Self.stormGap, later.first <= last.last + Self.stormGap {
            let stitched = Run(route: last.route, count: last.count + later.count, first: min(last.first, later.first),
                               last: max(last.last, later.last))
            if mine.tail != nil { mine.tail = stitched } else { mine.head = stitched }
            guard let next = laterTail else { return }
            later = next
            laterTail = nil
        }
        // Runs between the new head and the new tail are settled, in order.
        if let middle = mine.tail { settle(middle, key: key, into: &mine) }
        if let tail = laterTail {
            settle(later, key: key, into: &mine)
            mine.tail = tail
        } else {
            mine.tail = later
        }
    }

    // MARK: - Reading

    /// The requests counted for a client id from ``add`` (0 when the id names no client now).
    func requests(of id: Int32) -> Int {
        if id >= 0 && Int(id) < exact.count { return exact.values[Int(id)].requests }
        return sketch.entries.first { $0.id == id }?.stats.requests ?? 0
    }

    /// The client's address as the log wrote it (made safe to display), for an id from ``add``.
    func name(of id: Int32) -> String? {
        if id >= 0 && Int(id) < exact.count { return LogText.display(exact.keys[Int(id)]) }
        return sketch.entries.first { $0.id == id }.map { LogText.display($0.key) }
    }
}

extension ClientTable.Stats {
    /// Adds counts that no longer belong to a named client (runs must be settled first).
    mutating func absorb(_ other: ClientTable.Stats) {
        requests += other.requests
        serverErrors += other.serverErrors
        classes.add(other.classes)
        storms += other.storms
        stormRequests += other.stormRequests
    }
}

// MARK: - Summary

extension ClientTable {
    private func userAgent(_ s: Stats) -> String? { s.userAgent.rank < 2 ? LogText.display(s.userAgent.bytes) : nil }

    /// Every tracked client (exact and approximate), with its key and id.
    private var tracked: [(id: Int32, key: [UInt8], stats: Stats, error: Int?)] {
        var all: [(id: Int32, key: [UInt8], stats: Stats, error: Int?)] = []
        all.reserveCapacity(exact.count + sketch.entries.count)
        for (index, key) in exact.keys.enumerated() { all.append((Int32(index), key, exact.values[index], nil)) }
        for entry in sketch.entries where entry.stats.requests > 0 { all.append((entry.id, entry.key, entry.stats, entry.error)) }
        return all
    }

    /// Fills the summary's clients, client counts, retry storms and each class's top client.
    /// Call ``settleRuns()`` first.
    ///
    /// - Parameter routeName: `METHOD route` of a route id.
    func summarize(into s: inout TriageSummary, top: Int, routeName: (Int32) -> String) {
        // Every client is read in place by index: copying a (key, stats) pair retains
        // two arrays, and a loop per class over ten thousand clients cost as much as
        // reading a 10 MB log.
        let all = tracked
        var clients: [TriageSummary.Client] = []
        for j in all.indices where all[j].stats.serverErrors > 0 || all[j].stats.storms > 0 {
            let c = all[j]
            clients.append(.init(address: LogText.display(c.key), requests: c.stats.requests,
                                 serverErrors: c.stats.serverErrors, classes: c.stats.classes, userAgent: userAgent(c.stats),
                                 retryStorms: c.stats.storms, retryStormRequests: c.stats.stormRequests,
                                 serverErrorCountError: c.error))
        }
        clients.sort { a, b in
            if a.serverErrors != b.serverErrors { return a.serverErrors > b.serverErrors }
            if a.requests != b.requests { return a.requests > b.requests }
            return a.address < b.address
        }
        s.clients = Array(clients.prefix(top))
        s.clientCounts = .init(distinct: exact.count, approximate: sketch.entries.count,
                               overflowRequests: overflow.requests, pairsOverflowed: pairsOverflowed)

        // Each class's top client (ties: the smaller address), all classes in one pass.
        var best = [Int](repeating: -1, count: FailureClass.allCases.count)
        var stormClients = 0
        for j in all.indices {
            let classes = all[j].stats.classes
            if all[j].stats.storms > 0 { stormClients += 1 }
            for c in FailureClass.allCases where classes[c] > 0 {
                let b = best[c.rawValue]
                if b >= 0 {
                    let other = all[b].stats.classes[c]
                    if !(classes[c] > other || (classes[c] == other && all[j].key.lexicographicallyPrecedes(all[b].key))) {
                        continue
                    }
                }
                best[c.rawValue] = j
            }
        }
        for i in s.classDetails.indices {
            let c = s.classDetails[i].failureClass
            let b = best[c.rawValue]
            if b >= 0 {
                s.classDetails[i].topClient = .init(address: LogText.display(all[b].key), count: all[b].stats.classes[c],
                                                    userAgent: userAgent(all[b].stats))
            }
        }

        var storms = TriageSummary.RetryStorms()
        storms.clients = stormClients
        var routes: [TriageSummary.RouteStorms] = []
        // By name: route ids that left the sketch all read "(other routes)", and are one row.
        var byName: [String: StormTally] = [:]
        for (route, tally) in routeStorms where tally.storms > 0 { byName[routeName(route), default: StormTally()].add(tally) }
        for (name, tally) in byName {
            storms.storms += tally.storms
            storms.requests += tally.requests
            let space = name.firstIndex(of: " ") ?? name.endIndex
            routes.append(.init(method: String(name[..<space]),
                                route: space < name.endIndex ? String(name[name.index(after: space)...]) : "",
                                storms: tally.storms, requests: tally.requests,
                                largest: tally.largest.map {
                                    .init(client: LogText.display($0.client), requests: $0.requests, first: $0.first, last: $0.last)
                                }))
        }
        routes.sort { a, b in
            if a.requests != b.requests { return a.requests > b.requests }
            if a.storms != b.storms { return a.storms > b.storms }
            return (a.route, a.method) < (b.route, b.method)
        }
        storms.routes = Array(routes.prefix(top))
        s.retryStorms = storms
    }

    /// The client with the most 5xx per route id (ties: the smaller address).
    /// - Parameter route: the route id a pair counts under: the aggregator maps the ids of
    ///   routes no longer tracked to -1, `(other routes)`, so that row's top client sees all of its 5xx.
    func topClientByRoute(route canonicalRoute: (Int32) -> Int32 = { $0 }) -> [Int32: TriageSummary.TopClient] {
        var sketchSlots: [Int32: Int] = [:]
        for (slot, entry) in sketch.entries.enumerated() { sketchSlots[entry.id] = slot }
        func tracked(_ id: Int32) -> (key: [UInt8], stats: Stats)? {
            if id >= 0 && Int(id) < exact.count { return (exact.keys[Int(id)], exact.values[Int(id)]) }
            return sketchSlots[id].map { (sketch.entries[$0].key, sketch.entries[$0].stats) }
        }
        var pairs: [Int64: Int] = [:]
        for (pair, count) in routeClientErrors {
            let client = Int32(truncatingIfNeeded: pair >> 32), route = Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF)
            pairs[Self.pairKey(client: client, route: canonicalRoute(route)), default: 0] += count
        }
        var best: [Int32: (count: Int, key: [UInt8], stats: Stats)] = [:]
        for (pair, count) in pairs {
            let client = Int32(truncatingIfNeeded: pair >> 32), route = Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF)
            // An evicted sketch client's pairs no longer name anyone.
            guard client >= 0, let (key, stats) = tracked(client) else { continue }
            if let b = best[route], !(count > b.count || (count == b.count && key.lexicographicallyPrecedes(b.key))) { continue }
            best[route] = (count, key, stats)
        }
        return best.mapValues { b in .init(address: LogText.display(b.key), count: b.count, userAgent: userAgent(b.stats)) }
    }
}
