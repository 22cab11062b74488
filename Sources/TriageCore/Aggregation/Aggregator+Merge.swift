extension Aggregator {
    /// A new, empty aggregator with the same limits, rules and deploys, for another thread.
    func makeSibling() -> Aggregator {
        let sibling = Aggregator(limits: limits, routeRules: routeRuleSpecifications, deploys: deploys.map(\.marker),
                                 deployWindow: deployWindow, now: now)
        sibling.errorJoin = errorJoin.map { ErrorLogJoin(index: $0.index) }
        sibling.recordsSeconds = recordsSeconds
        return sibling
    }

    /// Adds everything `other` counted, as if its records had come after this one's.
    ///
    /// Route and upstream indexes differ between the two tables, so `other`'s
    /// are mapped to this one's (new keys inserted; past the limit they fall
    /// into the overflow route, as they would have in one pass).
    func merge(_ other: Aggregator) {
        flushCurrentMinute()
        other.flushCurrentMinute()

        var routeMap: [Int32] = []
        routeMap.reserveCapacity(other.routes.count)
        for (index, key) in other.routes.keys.enumerated() {
            let value = other.routes.values[index]
            let mapped = key.withUnsafeBufferPointer { routes.index(of: $0, make: { GroupStats() }) }
            if let mapped {
                routes.values[mapped].merge(value, sampleLimit: limits.samplesPerGroup)
                routeMap.append(Int32(mapped))
            } else {
                routeOverflow.merge(value, sampleLimit: limits.samplesPerGroup)
                routeMap.append(-1)
            }
        }
        routeOverflow.merge(other.routeOverflow, sampleLimit: limits.samplesPerGroup)
        // The other's approximately tracked routes: into our table if it has room, else our sketch.
        var sketchMap: [Int32: Int32] = [:]
        for entry in other.heavyHitters.entries {
            let mapped: Int32 = entry.key.withUnsafeBufferPointer { key in
                if let index = routes.index(of: key, make: { GroupStats() }) {
                    routes.values[index].merge(entry.stats, sampleLimit: limits.samplesPerGroup)
                    return Int32(index)
                }
                let hash = ByteKeyTable<Int>.hash(key)
                var slot = heavyHitters.slot(of: key, hash: hash)
                if slot == nil {
                    let admitted = heavyHitters.admit(key, hash: hash, id: nextSketchID, empty: GroupStats())
                    nextSketchID &+= 1
                    if let evicted = admitted.evicted { routeOverflow.merge(evicted.stats, sampleLimit: limits.samplesPerGroup) }
                    slot = admitted.slot
                }
                guard let slot else { return -1 }
                heavyHitters.absorb(slot: slot, count: entry.count, error: entry.error) {
                    $0.merge(entry.stats, sampleLimit: limits.samplesPerGroup)
                }
                return heavyHitters.entries[slot].id
            }
            sketchMap[entry.id] = mapped
        }
        func route(_ index: Int32) -> Int32 {
            if index >= 0 && Int(index) < routeMap.count { return routeMap[Int(index)] }
            return sketchMap[index] ?? -1
        }

        var upstreamMap: [Int32] = []
        for (index, key) in other.upstreams.keys.enumerated() {
            let value = other.upstreams.values[index]
            let mapped = key.withUnsafeBufferPointer { upstreams.index(of: $0, make: { GroupStats() }) }
            if let mapped {
                upstreams.values[mapped].merge(value, sampleLimit: limits.samplesPerGroup)
            } else {
                upstreamOverflowAttempts += value.requests
            }
            upstreamMap.append(mapped.map(Int32.init) ?? -1)
        }

        collapsedCauses += other.collapsedCauses

        requests += other.requests
        serverErrors += other.serverErrors
        latency.merge(other.latency)
        for i in classLatency.indices { classLatency[i].merge(other.classLatency[i]) }
        upstreamLatency.merge(other.upstreamLatency)
        // Each thread kept to the budget; merged, the groups are at most threads × budget.
        latencyGroups += other.latencyGroups
        upstreamOverflowAttempts += other.upstreamOverflowAttempts
        for i in statusCounts.indices { statusCounts[i] += other.statusCounts[i] }
        classes.add(other.classes)
        servedFromCache.add(other.servedFromCache)
        statusOnly.add(other.statusOnly)
        errorLogDecided.add(other.errorLogDecided)
        if let mine = errorJoin, let theirs = other.errorJoin, mine.index === theirs.index {
            // Threads of one run: the same index, so the matched lines are a union, not a sum.
            mine.merge(theirs)
        } else if let theirs = other.errorLogTally() {
            // Another host's partial: its own index, so its counts add.
            if errorTally == nil { errorTally = theirs } else { errorTally?.merge(theirs) }
        }
        for i in classFirst.indices {
            classFirst[i] = Self.earlier(classFirst[i], other.classFirst[i])
            classLast[i] = Self.later(classLast[i], other.classLast[i])
            classSamples[i].merge(other.classSamples[i], limit: limits.samplesPerGroup)
        }
        let myFirst = firstTime, otherFirst = other.firstTime
        firstTime = Self.earlier(firstTime, other.firstTime)
        lastTime = Self.later(lastTime, other.lastTime)
        // Client ids differ between the tables as route indexes do: the causes follow the merge's map.
        let clientMap = clientTable.merge(other.clientTable, route: route)
        // Minute by minute in time order: the causes' budget is shared by all minutes, so which
        // of them lose detail must not follow the dictionary's order.
        for minute in other.minutes.keys.sorted() {
            guard let stats = other.minutes[minute] else { continue }
            var remapped = stats
            remapped.causes = [:]
            for (cell, count) in stats.causes {
                var mapped = cell
                mapped.route = cell.route == -1 ? -1 : route(cell.route)
                mapped.upstream = cell.upstream >= 0 && Int(cell.upstream) < upstreamMap.count ? upstreamMap[Int(cell.upstream)] : -1
                mapped.client = cell.client == -1 ? -1 : clientMap[cell.client] ?? -1
                remapped.causes[mapped, default: 0] += count
            }
            mergeMinute(remapped, at: minute)
        }
        for (key, count) in other.secondFailures {
            var mapped = key
            if key.route != SecondFailure.noRoute { mapped.route = route(key.route) }
            secondFailures[mapped, default: 0] += count
        }
        if clients.count + other.clients.count <= limits.clients {
            clients.formUnion(other.clients)
        } else {
            // The smallest hashes first, whatever the set's order: a partial written next is the same.
            for c in other.clients.sorted() where clients.count < limits.clients { clients.insert(c) }
            clientsOverflowed = true
        }
        clientsOverflowed = clientsOverflowed || other.clientsOverflowed
        serverErrorsWithRequestID += other.serverErrorsWithRequestID
        ledger.merge(other.ledger, route: route)
        // The offset of the earliest line, whichever side holds it (merges of partials are order-free).
        if logUTCOffset == nil || (other.logUTCOffset != nil && (otherFirst ?? .max) < (myFirst ?? .max)) {
            logUTCOffset = other.logUTCOffset ?? logUTCOffset
        }
        if !deploysResolved && other.deploysResolved {
            deploysResolved = true
            for i in deploys.indices { deploys[i].time = other.deploys[i].time }
        }
        for i in deploys.indices where i < other.deploys.count {
            let o = other.deploys[i]
            deploys[i].before.add(o.before)
            deploys[i].after.add(o.after)
            for (k, v) in o.signatures {
                let mappedKey = Int64(route(Int32(k >> 8) - 1) + 1) << 8 | (k & 0xFF)
                var entry = deploys[i].signatures[mappedKey] ?? (0, 0)
                entry.before += v.before
                entry.after += v.after
                deploys[i].signatures[mappedKey] = entry
            }
        }
    }

    static func earlier(_ a: Int64?, _ b: Int64?) -> Int64? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    static func later(_ a: Int64?, _ b: Int64?) -> Int64? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }
}

extension Aggregator.GroupStats {
    mutating func merge(_ other: Aggregator.GroupStats, sampleLimit: Int) {
        requests += other.requests
        serverErrors += other.serverErrors
        failures += other.failures
        classes.add(other.classes)
        samples.merge(other.samples, limit: sampleLimit)
        latency.merge(other.latency)
    }
}

extension WindowCounts {
    mutating func add(_ other: WindowCounts) {
        requests += other.requests
        serverErrors += other.serverErrors
        classes.add(other.classes)
        latency.merge(other.latency)
    }
}
