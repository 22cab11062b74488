/// Accumulates records into counts; memory is bounded by the limits below,
/// never by the number of lines.
///
/// Pure: it sees records and line bytes, and knows nothing of files or terminals.
public final class Aggregator {
    public struct Limits: Sendable {
        /// Distinct `METHOD route` keys kept; later new routes count under `(other routes)`.
        public var routes = 20_000
        /// Routes tracked approximately (by failures) once the route table is full.
        public var heavyHitterRoutes = 1_000
        public var upstreams = 4_096
        /// Distinct 5xx clients counted exactly up to this many.
        public var clients = 1_000_000
        /// Clients whose requests, 5xx and storms are counted exactly (``ClientTable``).
        public var clientTable = 10_000
        /// Clients tracked approximately (by 5xx) once the client table is full.
        public var heavyHitterClients = 1_000
        /// (client, route) pairs whose 5xx are counted, for the client behind a route's 5xx.
        public var clientRoutePairs = 50_000
        public var samplesPerGroup = 5
        /// 5xx request IDs kept for matching application logs (about 160 bytes each);
        /// 0 keeps none (the analyzer's choice when no application log is given).
        public var failedRequests = 200_000
        public var malformedExamples = 20
        /// Routes and upstreams that get a latency histogram (at most 4.7 KB each, about
        /// 2 KB for typical spreads); later ones report no latency.
        public var latencyGroups = 2_000
        /// Causes of failures (class, status, route, upstream, client per minute) kept in all,
        /// about 40 bytes each; past half of it a new cause loses its client, past it also its
        /// route and upstream (see ``CauseCell``).
        public var causes = 1_000_000
        public init() {}
    }

    struct GroupStats {
        var requests = 0
        var serverErrors = 0
        var failures = 0
        var classes = ClassCounts()
        var samples = SampleSet()
        /// Request time (routes) or upstream response time (upstreams); empty past the latency budget.
        var latency = LatencyHistogram()
    }

    struct MinuteStats {
        var requests = 0
        var serverErrors = 0
        var classes = ClassCounts()
        /// Requests per second of the minute, when the run keeps the series for partials
        /// (``Aggregator/recordsSeconds``); empty otherwise.
        var perSecond: [Int32] = []
        /// Failures (every classified request) by cause, for per-cause incident detection.
        var causes: [CauseCell: Int] = [:]
        /// Request times of the minute, for the timeline's p95.
        var latency = TimelineLatency()
    }


    /// Exact counts around one deploy, accumulated during the pass.
    struct DeployAccumulator {
        var marker: DeployMarker
        var time: Int64 = 0
        /// The after window ends at the next deploy, if it comes within the window.
        var afterEnd: Int64 = .max
        var before = WindowCounts()
        var after = WindowCounts()
        /// Server errors per access-log signature (route index and class) before and after;
        /// every 5xx has exactly one server-error class, so per-route 5xx are their sums.
        var signatures: [Int64: (before: Int, after: Int)] = [:]
    }

    public let limits: Limits
    let routes: ByteKeyTable<GroupStats>
    let upstreams: ByteKeyTable<GroupStats>
    var routeOverflow = GroupStats()
    /// Attempts to upstream addresses beyond the upstream table (counted, not listed).
    var upstreamOverflowAttempts = 0
    /// Failing routes beyond the route table, tracked approximately.
    let heavyHitters: HeavyHitters<GroupStats>
    /// Next id for a route entering the sketch: ids ≥ `limits.routes` are sketch routes.
    var nextSketchID: Int32
    private let normalizer = RouteNormalizer()
    /// Reused for every line: filled in place, never copied.
    private let attempts = UpstreamAttempts()
    private let keyBuffer: UnsafeMutablePointer<UInt8>
    private static let keyCapacity = 512

    var requests = 0
    var serverErrors = 0
    /// Request time of every request that logged one, and per class.
    var latency = LatencyHistogram()
    var classLatency = [LatencyHistogram](repeating: LatencyHistogram(), count: FailureClass.allCases.count)
    /// Upstream response time of every attempt that logged one.
    var upstreamLatency = LatencyHistogram()
    /// Route and upstream histograms started so far (bounded by `limits.latencyGroups`).
    var latencyGroups = 0
    var statusCounts = [Int](repeating: 0, count: 1000)
    var classes = ClassCounts()
    var statusOnly = ClassCounts()
    /// Requests the cache answered with a kept error (row F4a), per class.
    var servedFromCache = ClassCounts()
    /// Requests whose class a server error log's line decided (`--error-log`, `confidence.error_log`).
    var errorLogDecided = ClassCounts()
    /// The join with server error logs, when they were given (one per aggregator; the index is shared).
    var errorJoin: ErrorLogJoin?
    /// What the error-log joins of merged partials counted (their indexes stayed on their hosts).
    var errorTally: ErrorLogTally?
    var classFirst = [Int64?](repeating: nil, count: FailureClass.allCases.count)
    var classLast = [Int64?](repeating: nil, count: FailureClass.allCases.count)
    var classSamples = [SampleSet](repeating: SampleSet(), count: FailureClass.allCases.count)
    var firstTime: Int64?
    var lastTime: Int64?
    var minutes: [Int64: MinuteStats] = [:]
    var currentMinute: Int64 = .min
    var current = MinuteStats()
    /// Keep the per-second series (a run that writes a partial: deploys may be given at merge time).
    var recordsSeconds = false
    /// The series' decided and 5xx requests per second, class and route (``SecondFailure``).
    var secondFailures: [SecondFailure: Int] = [:]
    var clients = Set<UInt64>()
    /// Requests, 5xx, user agents and retry storms per client.
    let clientTable: ClientTable
    var clientsOverflowed = false
    /// Failures whose cause lost detail to the budget (``CauseCell/add(_:_:to:budget:)``).
    var collapsedCauses = 0
    var causeBudget: CauseCell.Budget
    var serverErrorsWithRequestID = 0
    /// The 5xx, by request ID where they have one, for signatures and application logs.
    let ledger: ServerErrorLedger
    var deploys: [DeployAccumulator]
    var deploysResolved = false
    /// Seconds on each side of a deploy.
    let deployWindow: Int64
    /// Reference for relative deploy times (`now-10m`).
    let now: Int64
    /// The UTC offset of the first timed record: the zone for zoneless deploy times.
    public internal(set) var logUTCOffset: Int?

    /// User route rules, compiled for this aggregator's thread.
    private let routeRules: [(regex: Regex, route: [UInt8])]
    /// The rules as given, to build an aggregator for another thread.
    let routeRuleSpecifications: [RouteRule]
    /// Targets on which each route rule gave up on PCRE2's match limit, by rule (in
    /// order), and their sum: this aggregator's own, never merged (each
    /// ``LineProcessor`` reads its aggregator's to count and name those lines).
    private(set) var routeRuleLimitHits: [Int]
    private(set) var routeRuleLimitTotal = 0

    public init(limits: Limits = Limits(), routeRules: [RouteRule] = [], deploys: [DeployMarker] = [],
                deployWindow: Int64 = 1800, now: Int64 = 0) {
        self.limits = limits
        self.deploys = deploys.map { DeployAccumulator(marker: $0) }
        self.deployWindow = deployWindow
        self.now = now
        self.routeRuleSpecifications = routeRules
        self.routeRules = routeRules.compactMap { rule in
            (try? Regex(rule.pattern)).map { ($0, Array(rule.route.utf8)) }
        }
        routeRuleLimitHits = [Int](repeating: 0, count: self.routeRules.count)
        routes = ByteKeyTable(limit: limits.routes)
        heavyHitters = HeavyHitters(capacity: limits.heavyHitterRoutes)
        nextSketchID = Int32(clamping: limits.routes)
        upstreams = ByteKeyTable(limit: limits.upstreams)
        clientTable = ClientTable(limit: limits.clientTable, sketchCapacity: limits.heavyHitterClients,
                                  pairLimit: limits.clientRoutePairs)
        causeBudget = CauseCell.Budget(limit: limits.causes)
        keyBuffer = .allocate(capacity: Self.keyCapacity)
        ledger = ServerErrorLedger(limit: limits.failedRequests, sampleLimit: limits.samplesPerGroup)
    }

    deinit { keyBuffer.deallocate() }

    /// Adds one parsed record.
    ///
    /// - Parameters:
    ///   - hasUpstreamFields: whether the record's format logs upstream fields.
    ///   - vocabulary: how the format's proxy writes its failure flags.
    public func add(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>, hasUpstreamFields: Bool,
                    vocabulary: ProxyVocabulary = .upstreamAttempts) {
        requests += 1
        let status = record.status
        statusCounts[status.clamped(0, 999)] += 1

        // A JSON line may lack keys its format maps: judge upstream evidence per line
        // (text formats always have their fields, as `-` at worst).
        let hasUpstreamFields = hasUpstreamFields && (record.upstreamStatus.isPresent || record.upstreamAddr.isPresent
            || record.upstreamResponseTime.isPresent || record.upstreamConnectTime.isPresent
            || record.upstreamHeaderTime.isPresent || record.proxyFlags.isPresent || record.proxyDetails.isPresent)
        // The client's slot and counts load while the request is classified and routed.
        let hasClient = record.remoteAddr.hasValue(in: line)
        var clientLookup = hasClient ? clientTable.prepare(record.remoteAddr.bytes(in: line)) : nil
        let attempts = self.attempts
        if hasUpstreamFields { attempts.read(record: record, line: line) } else { attempts.reset() }
        var facts = vocabulary.facts(record, line: line, attempts: attempts, hasUpstreamFields: hasUpstreamFields)
        if record.cacheStatus.isPresent && ProxyVocabulary.isServedFromCache(record.cacheStatus.bytes(in: line)) {
            facts.note(.servedFromCache)
        }
        // The error log's line for this request, if any, says why: one more fact for the table
        // (and the only one on a line without upstream fields).
        let match = errorJoin?.join(record, line: line, facts: &facts, attempts: attempts)
        var decision = Classifier.decide(facts)
        var cause: ErrorCause?
        if let match, let errorJoin { cause = errorJoin.settle(match, decision: &decision, status: status, time: record.time) }
        // A 5xx the client never received (it left first, and the proxy says so) is not a server error.
        let isServerError = status >= 500 && status <= 599 && decision?.failureClass != .clientClosed
        if isServerError { serverErrors += 1 }

        // Time and timeline.
        let time = record.time
        if time != .min {
            if !deploysResolved { resolveDeploys(utcOffset: Int(record.utcOffset)) }
            if firstTime.map({ time < $0 }) ?? true { firstTime = time }
            if lastTime.map({ time > $0 }) ?? true { lastTime = time }
            let minute = time - ((time % 60) + 60) % 60
            if minute != currentMinute { switchMinute(to: minute) }
            current.requests += 1
            if isServerError { current.serverErrors += 1 }
            if let decision { current.classes[decision.failureClass] += 1 }
        }

        // The request ID becomes a String only when some sample list still has room.
        let hasRequestID = decision != nil && record.requestID.hasValue(in: line)
        var requestID = LazyRequestID(hasRequestID ? record.requestID.bytes(in: line) : nil)
        if let decision {
            let c = decision.failureClass
            classes[c] += 1
            if decision.confidence == .statusOnly { statusOnly[c] += 1 }
            if decision.confidence == .errorLog { errorLogDecided[c] += 1 }
            if decision.servedFromCache { servedFromCache[c] += 1 }
            if time != .min {
                if classFirst[c.rawValue].map({ time < $0 }) ?? true { classFirst[c.rawValue] = time }
                if classLast[c.rawValue].map({ time > $0 }) ?? true { classLast[c.rawValue] = time }
            }
            if hasRequestID {
                if isServerError { serverErrorsWithRequestID += 1 }
                classSamples[c.rawValue].offer(time: time, limit: limits.samplesPerGroup, &requestID)
            }
            if isServerError, record.remoteAddr.hasValue(in: line) { noteClient(record.remoteAddr.bytes(in: line)) }
        }

        if hasClient, clientLookup != nil { clientTable.locate(&clientLookup!, record.remoteAddr.bytes(in: line)) }
        let routeIndex = addRoute(record, line: line, decision: decision, isServerError: isServerError,
                                  time: time, requestID: &requestID)
        if record.requestMicros >= 0 {
            // One logarithm for every histogram the request time goes into.
            let micros = record.requestMicros
            let bucket = LatencyHistogram.index(micros)
            latency.record(micros, bucket: bucket)
            if let decision { classLatency[decision.failureClass.rawValue].record(micros, bucket: bucket) }
            if routeIndex >= 0 && Int(routeIndex) < routes.count {
                recordLatency(micros, bucket: bucket, into: &routes.values[Int(routeIndex)].latency)
            }
            if time != .min { current.latency.record(fineBucket: bucket) }
        }
        if isServerError, let decision, decision.failureClass.isServerError {
            ledger.add(requestID: hasRequestID ? record.requestID.bytes(in: line) : nil, time: time, route: routeIndex,
                       failureClass: decision.failureClass, upstreamStatus: attempts.last?.status ?? 0, cause: cause)
        }
        if hasUpstreamFields {
            // A cached error is not the upstreams' failure now: its attempts (a background
            // refresh) count as requests to them, never as failures.
            addUpstreams(attempts, line: line, finalStatus: status, requestID: &requestID, time: time,
                         judgesAttempts: vocabulary == .upstreamAttempts && record.upstreamStatus.isPresent
                            && !attempts.addressIsServiceName, decision: decision,
                         fromCache: decision?.servedFromCache ?? false)
        }
        // Last of the request's tables, so that its client's counts had time to arrive.
        var client: Int32 = -1
        if hasClient {
            client = clientTable.add(record.remoteAddr.bytes(in: line), lookup: clientLookup,
                            userAgent: record.userAgent.hasValue(in: line) ? record.userAgent.bytes(in: line) : nil,
                            failureClass: decision?.failureClass, isServerError: isServerError, time: time, route: routeIndex)
        }
        if let decision, time != .min {
            let c = decision.failureClass
            // The upstream a failure is blamed on: the attempt that failed (the first failed one
            // when a retry succeeded), else the last attempt (a 499's); none for an error the
            // cache served.
            var upstream: Int32 = -1
            if hasUpstreamFields && attempts.count > 0 && !decision.servedFromCache {
                var chosen: Int? = attempts.count - 1
                if c == .retriedOK {
                    // The attempt that failed; none when only a count of retries says so
                    // (Traefik's `RetryAttempts`: its one URL is the server that answered).
                    chosen = (0..<attempts.count).first { attempts[$0].status >= 500 || attempts[$0].status == 0 }
                }
                if let chosen, attempts[chosen].address.isPresent {
                    upstream = upstreams.find(attempts[chosen].address.bytes(in: line)).map(Int32.init) ?? -1
                }
            }
            let cell = CauseCell(failureClass: c, status: Int16(status.clamped(0, 999)), route: routeIndex,
                                 upstream: upstream, client: client)
            addCause(cell, 1, to: &current)
        }
        if !deploys.isEmpty && time != .min {
            addToDeployWindows(time: time, decision: decision, isServerError: isServerError, routeIndex: routeIndex,
                               requestMicros: record.requestMicros)
        }
        if recordsSeconds && time != .min {
            recordSecond(time: time, decision: decision, isServerError: isServerError, routeIndex: routeIndex)
        }
    }

    // MARK: - Deploys

    private func resolveDeploys(utcOffset: Int) {
        deploysResolved = true
        logUTCOffset = utcOffset
        for i in deploys.indices {
            deploys[i].time = deploys[i].marker.time.resolve(reference: now, utcOffset: utcOffset)
        }
        Self.cutAfterWindows(&deploys)
    }

    /// Ends each deploy's after window at the next deploy (a later time; the window's own
    /// length bounds it anyway).
    static func cutAfterWindows(_ deploys: inout [DeployAccumulator]) {
        let times = deploys.map(\.time)
        for i in deploys.indices { deploys[i].afterEnd = afterEnd(of: deploys[i].time, among: times) }
    }

    /// The end of the after window of a deploy at `time`: the next later deploy, if any.
    static func afterEnd(of time: Int64, among times: [Int64]) -> Int64 {
        times.filter { $0 > time }.min() ?? .max
    }

    private func addToDeployWindows(time: Int64, decision: Classifier.Decision?, isServerError: Bool, routeIndex: Int32,
                                    requestMicros: Int64) {
        for i in deploys.indices {
            // Checked: a deploy given as `now-1000000000w` resolves to the earliest time.
            let (delta, overflow) = time.subtractingReportingOverflow(deploys[i].time)
            guard !overflow, delta >= -deployWindow && delta < deployWindow else { continue }
            let isAfter = delta >= 0
            if isAfter && time >= deploys[i].afterEnd { continue }
            if isAfter {
                deploys[i].after.add(decision: decision, isServerError: isServerError, requestMicros: requestMicros)
            } else {
                deploys[i].before.add(decision: decision, isServerError: isServerError, requestMicros: requestMicros)
            }
            if let decision, decision.failureClass.isServerError {
                let key = Int64(routeIndex + 1) << 8 | Int64(decision.failureClass.rawValue)
                var entry = deploys[i].signatures[key] ?? (0, 0)
                if isAfter { entry.after += 1 } else { entry.before += 1 }
                deploys[i].signatures[key] = entry
            }
        }
    }

    private func switchMinute(to minute: Int64) {
        if currentMinute != .min {
            store(current, at: currentMinute)
        }
        currentMinute = minute
        current = minutes.removeValue(forKey: minute) ?? MinuteStats()
    }

    /// Adds failures under a cause, within the per-minute bound.
    func addCause(_ cell: CauseCell, _ count: Int, to minute: inout MinuteStats) {
        collapsedCauses += CauseCell.add(cell, count, to: &minute.causes, budget: &causeBudget)
    }

    /// Puts a minute counted here back with the stored one (its causes are already in the budget).
    func store(_ stats: MinuteStats, at minute: Int64) {
        var target = minutes.removeValue(forKey: minute) ?? MinuteStats()
        target.addCounts(stats)
        for (cell, count) in stats.causes {
            if let existing = target.causes[cell] {
                target.causes[cell] = existing + count
                causeBudget.used -= 1
            } else {
                target.causes[cell] = count
            }
        }
        minutes[minute] = target
    }

    /// Adds a minute from another aggregator or a partial: its causes are new here, within the budget.
    func mergeMinute(_ stats: MinuteStats, at minute: Int64) {
        var target = minutes.removeValue(forKey: minute) ?? MinuteStats()
        target.addCounts(stats)
        // In key order, so that which causes lose detail past the budget does not depend on hashing.
        for (cell, count) in stats.causes.sorted(by: { $0.key < $1.key }) {
            collapsedCauses += CauseCell.add(cell, count, to: &target.causes, budget: &causeBudget)
        }
        minutes[minute] = target
    }

    private func noteClient(_ address: UnsafeBufferPointer<UInt8>) {
        if clients.count >= limits.clients {
            if !clients.contains(ByteKeyTable<Int>.hash(address)) { clientsOverflowed = true }
            return
        }
        clients.insert(ByteKeyTable<Int>.hash(address))
    }

    // MARK: - Routes

    /// Counts the record under its route; returns the route's index (-1 for the overflow route).
    private func addRoute(_ record: AccessRecord, line: UnsafeBufferPointer<UInt8>, decision: Classifier.Decision?,
                          isServerError: Bool, time: Int64, requestID: inout LazyRequestID) -> Int32 {
        // Key: METHOD, a space, the normalised route.
        var length = 0
        if record.hasValidRequestLine {
            let method = record.method.bytes(in: line)
            for b in method.prefix(32) { keyBuffer[length] = b; length += 1 }
            keyBuffer[length] = UInt8(ascii: " ")
            length += 1
            let target = record.target.bytes(in: line)
            if let named = namedRoute(target) {
                for b in named.prefix(Self.keyCapacity - length) { keyBuffer[length] = b; length += 1 }
            } else {
                let route = normalizer.normalize(target)
                for b in route.prefix(Self.keyCapacity - length) { keyBuffer[length] = b; length += 1 }
            }
        } else {
            for b in Self.invalidRequestKey { keyBuffer[length] = b; length += 1 }
        }
        let key = UnsafeBufferPointer(start: keyBuffer, count: length)
        if let index = routes.index(of: key, make: { GroupStats() }) {
            routes.values[index].record(decision: decision, isServerError: isServerError, time: time,
                                        requestID: &requestID, sampleLimit: limits.samplesPerGroup)
            return Int32(index)
        }
        // The table is full: failing routes compete for the sketch; the rest is "(other routes)".
        let hash = ByteKeyTable<Int>.hash(key)
        var slot = heavyHitters.slot(of: key, hash: hash)
        if slot == nil, decision != nil {
            let admitted = heavyHitters.admit(key, hash: hash, id: nextSketchID, empty: GroupStats())
            nextSketchID &+= 1
            if let evicted = admitted.evicted { routeOverflow.merge(evicted.stats, sampleLimit: limits.samplesPerGroup) }
            slot = admitted.slot
        }
        guard let slot else {
            routeOverflow.record(decision: decision, isServerError: isServerError, time: time, requestID: &requestID,
                                 sampleLimit: limits.samplesPerGroup)
            return -1
        }
        if decision != nil { heavyHitters.addFailure(slot: slot) }
        heavyHitters.update(slot: slot) {
            $0.record(decision: decision, isServerError: isServerError, time: time, requestID: &requestID,
                      sampleLimit: limits.samplesPerGroup)
        }
        return heavyHitters.entries[slot].id
    }

    /// The route of the first user rule matching the target's path, if any.
    private func namedRoute(_ target: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard !routeRules.isEmpty else { return nil }
        var end = target.count
        for i in 0..<target.count where target[i] == UInt8(ascii: "?") {
            end = i
            break
        }
        let path = UnsafeBufferPointer(rebasing: target[0..<end])
        for (index, rule) in routeRules.enumerated() {
            let hitsBefore = rule.regex.limitHits
            if rule.regex.matches(path) { return rule.route }
            // Gave up rather than ruled out: the next rule is tried, as for no match,
            // but the line is counted so that a runaway rule is never silent.
            if rule.regex.limitHits != hitsBefore {
                routeRuleLimitHits[index] += 1
                routeRuleLimitTotal += 1
            }
        }
        return nil
    }

    /// The rule at `index` as the user wrote it (`REGEX=>ROUTE`).
    func routeRuleText(_ index: Int) -> String {
        "\(routeRuleSpecifications[index].pattern)=>\(routeRuleSpecifications[index].route)"
    }

    static let invalidRequestKey: [UInt8] = Array("- (invalid request)".utf8)

    /// Records into a group's histogram, starting one only while the latency budget lasts.
    @inline(__always)
    private func recordLatency(_ micros: Int64, into histogram: inout LatencyHistogram) {
        guard micros >= 0 else { return }
        recordLatency(micros, bucket: LatencyHistogram.index(micros), into: &histogram)
    }

    @inline(__always)
    private func recordLatency(_ micros: Int64, bucket: Int, into histogram: inout LatencyHistogram) {
        if histogram.isEmpty {
            guard latencyGroups < limits.latencyGroups else { return }
            latencyGroups += 1
        }
        histogram.record(micros, bucket: bucket)
    }

    // MARK: - Upstreams

    /// Counts each attempt against its address.
    ///
    /// - Parameters:
    ///   - judgesAttempts: the line logs nginx's status per attempt (`$upstream_status`,
    ///     where nginx writes 502/504 for its own failed attempts): each attempt is judged
    ///     by its own status. Otherwise (Envoy's `%UPSTREAM_HOST%`, HAProxy's server,
    ///     Heroku's `dyno=`, Traefik's service, ALB's target, whose status is the target's
    ///     real answer) the one upstream is judged by the request's decision: a 503
    ///     `via_upstream` is the upstream's own error, a 504 `UT` its timeout.
    ///   - decision: the request's class, when it needs one.
    private func addUpstreams(_ attempts: UpstreamAttempts, line: UnsafeBufferPointer<UInt8>, finalStatus: Int,
                              requestID: inout LazyRequestID, time: Int64, judgesAttempts: Bool = true,
                              decision: Classifier.Decision? = nil, fromCache: Bool = false) {
        let timed = time != .min
        guard attempts.count > 0 else { return }
        let hasPerAttemptStatus = judgesAttempts
        for i in 0..<attempts.count {
            let attempt = attempts[i]
            // The whole upstream latency counts every attempt; the per-upstream table, named ones.
            if attempt.responseMicros >= 0 { upstreamLatency.record(attempt.responseMicros) }
            guard attempt.address.isPresent else { continue }
            let isLast = i == attempts.count - 1
            var failed = !fromCache && (attempt.status >= 500 || (attempt.status == 0 && (!isLast || finalStatus >= 500)))
            var failureClass: FailureClass?
            if !hasPerAttemptStatus, isLast {
                // The request's class is the upstream's: a failure when it is a 5xx the
                // client got, whatever the proxy's words for it.
                failed = !fromCache && finalStatus >= 500 && finalStatus <= 599
                    && decision.map { $0.failureClass != .clientClosed } ?? false
                failureClass = decision?.failureClass
            }
            let gaveUp = isLast && (finalStatus == 499 || (!hasPerAttemptStatus && decision?.failureClass == .clientClosed))
            guard let index = upstreams.index(of: attempt.address.bytes(in: line), make: { GroupStats() }) else {
                upstreamOverflowAttempts += 1
                continue
            }
            upstreams.values[index].requests += 1
            if attempt.responseMicros >= 0 {
                recordLatency(attempt.responseMicros, into: &upstreams.values[index].latency)
            }
            if failed {
                upstreams.values[index].failures += 1
                // nginx logs the group's name as the last address when no live server was left
                // (the request is then upstream_unavailable, whatever status it logged for it).
                let c = failureClass ?? (isLast && !attempts.addressesAreHosts
                    && Classifier.isGroupName(attempt.address.bytes(in: line)) ? .upstreamUnavailable
                    : Classifier.attemptClass(status: attempt.status, finalStatus: isLast ? finalStatus : 502))
                upstreams.values[index].classes[c] += 1
                upstreams.values[index].samples.offer(time: time, limit: limits.samplesPerGroup, &requestID)
            } else if gaveUp {
                upstreams.values[index].classes[.clientClosed] += 1
            }
        }
    }

    // MARK: - Summary

    /// The sorted, display-ready view of everything counted so far.
    /// Moves the minute being counted into `minutes`.
    func flushCurrentMinute() {
        if currentMinute != .min { store(current, at: currentMinute) }
        current = MinuteStats()
        currentMinute = .min
    }

    /// Everything the error-log joins counted: this run's join and the partials merged in; nil without error logs.
    func errorLogTally() -> ErrorLogTally? {
        guard var tally = errorTally ?? errorJoin?.tally() else { return nil }
        if errorTally != nil, let errorJoin { tally.merge(errorJoin.tally()) }
        return tally
    }

    public func summary(top: Int) -> TriageSummary {
        flushCurrentMinute()

        var s = TriageSummary()
        s.requests = requests
        s.serverErrors = serverErrors
        s.statusCounts = statusCounts.enumerated().filter { $0.element > 0 }.map { ($0.offset, $0.element) }
        s.classes = classes
        s.servedFromCache = servedFromCache
        s.classDetails = FailureClass.allCases.map { c in
            TriageSummary.ClassDetail(failureClass: c, count: classes[c], statusOnly: statusOnly[c],
                                      firstSeen: classFirst[c.rawValue], lastSeen: classLast[c.rawValue],
                                      sampleRequestIDs: classSamples[c.rawValue].ids)
        }
        s.firstTime = firstTime
        s.lastTime = lastTime
        s.latency = TriageSummary.Latency(latency)
        for c in FailureClass.allCases { s.classLatency[c] = TriageSummary.Latency(classLatency[c.rawValue]) }
        s.upstreamLatency = TriageSummary.Latency(upstreamLatency)

        clientTable.settleRuns()
        let tracked = TrackedIDs(routes: Int32(routes.count), sketchRoutes: Set(heavyHitters.entries.map(\.id)),
                                 clients: Int32(clientTable.exact.count), sketchClients: Set(clientTable.sketch.entries.map(\.id)))
        let routeClients = clientTable.topClientByRoute(route: { tracked.route($0) })
        var routeList: [TriageSummary.Route] = []
        for (index, key) in routes.keys.enumerated() {
            let v = routes.values[index]
            let text = LogText.display(key)
            let space = text.firstIndex(of: " ") ?? text.endIndex
            let method = String(text[..<space])
            let route = space < text.endIndex ? String(text[text.index(after: space)...]) : ""
            routeList.append(.init(method: method, route: route, requests: v.requests, serverErrors: v.serverErrors,
                                   classes: v.classes, sampleRequestIDs: v.samples.ids, latency: .init(v.latency),
                                   topClient: routeClients[Int32(index)]))
        }
        for entry in heavyHitters.entries where entry.stats.requests > 0 {
            let text = LogText.display(entry.key)
            let space = text.firstIndex(of: " ") ?? text.endIndex
            var route = TriageSummary.Route(method: String(text[..<space]),
                                            route: space < text.endIndex ? String(text[text.index(after: space)...]) : "",
                                            requests: entry.stats.requests, serverErrors: entry.stats.serverErrors,
                                            classes: entry.stats.classes, sampleRequestIDs: entry.stats.samples.ids)
            route.failureCountError = entry.error
            route.topClient = routeClients[entry.id]
            routeList.append(route)
        }
        if routeOverflow.requests > 0 {
            routeList.append(.init(method: "*", route: "(other routes)", requests: routeOverflow.requests,
                                   serverErrors: routeOverflow.serverErrors, classes: routeOverflow.classes,
                                   sampleRequestIDs: routeOverflow.samples.ids, topClient: routeClients[-1]))
        }
        s.distinctRoutes = routes.count
        s.routesOverflowRequests = routeOverflow.requests
        s.approximateRoutes = heavyHitters.entries.count
        s.upstreamsOverflowAttempts = upstreamOverflowAttempts
        routeList.sort { a, b in
            // The catch-all bucket is not a route: it never outranks one.
            let aOther = a.method == "*", bOther = b.method == "*"
            if aOther != bOther { return bOther }
            let fa = a.classes.total, fb = b.classes.total
            if a.serverErrors != b.serverErrors { return a.serverErrors > b.serverErrors }
            if fa != fb { return fa > fb }
            if a.requests != b.requests { return a.requests > b.requests }
            return (a.route, a.method) < (b.route, b.method)
        }
        s.routes = Array(routeList.filter { $0.classes.total > 0 }.prefix(top))

        var upstreamList: [TriageSummary.Upstream] = []
        for (index, key) in upstreams.keys.enumerated() {
            let v = upstreams.values[index]
            upstreamList.append(.init(address: LogText.display(key), requests: v.requests, failures: v.failures,
                                      classes: v.classes, sampleRequestIDs: v.samples.ids, latency: .init(v.latency)))
        }
        upstreamList.sort { a, b in
            if a.failures != b.failures { return a.failures > b.failures }
            if a.requests != b.requests { return a.requests > b.requests }
            return a.address < b.address
        }
        s.upstreams = Array(upstreamList.prefix(top))

        s.timeline = minutes.keys.sorted().map { minute in
            let m = minutes[minute] ?? MinuteStats()
            return .init(start: minute, requests: m.requests, serverErrors: m.serverErrors, classes: m.classes,
                         latency: m.latency)
        }
        s.timelineBucketSeconds = 60
        let routeNames = routes.keys.map { LogText.display($0) }
        var sketchNames: [Int32: String] = [:]
        for entry in heavyHitters.entries { sketchNames[entry.id] = LogText.display(entry.key) }
        let upstreamNames = upstreams.keys.map { LogText.display($0) }
        func routeName(_ index: Int32) -> String {
            if index >= 0 && Int(index) < routeNames.count { return routeNames[Int(index)] }
            return sketchNames[index] ?? "* (other routes)"
        }
        func upstreamName(_ index: Int32) -> String {
            index >= 0 && Int(index) < upstreamNames.count ? upstreamNames[Int(index)] : "?"
        }
        var series: [IncidentDetector.Minute] = []
        for minute in minutes.keys.sorted() {
            guard let m = minutes[minute] else { continue }
            series.append(IncidentDetector.Minute(start: minute, requests: m.requests, serverErrors: m.serverErrors,
                                                  classes: m.classes, causes: tracked.causes(m.causes)))
        }
        var sketchRequests: [Int32: Int] = [:]
        for entry in heavyHitters.entries { sketchRequests[entry.id] = entry.stats.requests }
        let clientTable = self.clientTable
        let keys = IncidentDetector.Keys(
            routeName: routeName, upstreamName: upstreamName,
            clientName: { clientTable.name(of: $0) ?? "(other clients)" },
            routeRequests: { [routes] index in
                index >= 0 && Int(index) < routes.count ? routes.values[Int(index)].requests : sketchRequests[index] ?? 0
            },
            upstreamRequests: { [upstreams] index in
                index >= 0 && Int(index) < upstreams.count ? upstreams.values[Int(index)].requests : 0
            },
            clientRequests: { clientTable.requests(of: $0) })
        s.incidents = IncidentDetector.detect(series, keys: keys)
        var approximations: [String] = []
        if !clientTable.sketch.entries.isEmpty || clientTable.overflow.requests > 0 {
            approximations.append("clients past the first \(limits.clientTable) are tracked approximately or under (other clients)")
        }
        if collapsedCauses > 0 {
            approximations.append("past \(limits.causes / 2) causes kept, failures lost their client, past \(limits.causes) their route and upstream (\(collapsedCauses))")
        }
        if !heavyHitters.entries.isEmpty || routeOverflow.requests > 0 {
            approximations.append("routes past the route table are approximate or under (other routes)")
        }
        s.incidentsApproximation = approximations.isEmpty ? nil : approximations.joined(separator: "; ")
        s.logUTCOffset = logUTCOffset
        if let tally = errorLogTally() {
            for c in FailureClass.allCases { s.classDetails[c.rawValue].errorLog = errorLogDecided[c] }
            tally.summarize(into: &s, logUTCOffset: logUTCOffset ?? 0)
        }
        if !deploysResolved { resolveDeploys(utcOffset: 0) }
        // Merged partials and deploys given to the merge: the ends follow from the times.
        var deploys = self.deploys
        Self.cutAfterWindows(&deploys)
        s.deploys = deploys
            .map { d in
                let time = d.time
                let (verdict, p) = DeployComparison.verdict(before: d.before.serverErrors, of: d.before.requests,
                                                            after: d.after.serverErrors, of: d.after.requests)
                let (originVerdict, originP) = DeployComparison.verdict(
                    before: d.before.classes[.originError], of: d.before.requests,
                    after: d.after.classes[.originError], of: d.after.requests)
                let (upstreamVerdict, _) = DeployComparison.verdict(
                    before: d.before.upstreamErrors, of: d.before.requests,
                    after: d.after.upstreamErrors, of: d.after.requests)
                // Growth by one or two errors is noise, not a finding.
                // Keyed by route name, not id: route ids that left the sketch all read
                // "(other routes)", and are one route here as everywhere in the report.
                var classRouteErrors: [String: (failureClass: FailureClass, route: String, before: Int, after: Int)] = [:]
                for (key, counts) in d.signatures {
                    guard let c = FailureClass(rawValue: Int(key & 0xFF)) else { continue }
                    let name = routeName(Int32(key >> 8) - 1)
                    let cellKey = "\(c.rawValue) \(name)"
                    var cell = classRouteErrors[cellKey] ?? (c, name, 0, 0)
                    cell.before += counts.before
                    cell.after += counts.after
                    classRouteErrors[cellKey] = cell
                }
                var routeErrors: [String: (before: Int, after: Int)] = [:]
                for cell in classRouteErrors.values {
                    let sum = routeErrors[cell.route] ?? (0, 0)
                    routeErrors[cell.route] = (sum.before + cell.before, sum.after + cell.after)
                }
                let changes = routeErrors.filter { $0.value.after >= 3 && $0.value.after > $0.value.before }.map { entry -> DeployComparison.RouteChange in
                    let name = entry.key
                    let space = name.firstIndex(of: " ") ?? name.endIndex
                    return .init(method: String(name[..<space]),
                                 route: space < name.endIndex ? String(name[name.index(after: space)...]) : "",
                                 before: entry.value.before, after: entry.value.after)
                }.sorted { a, b in
                    // A total order: the routes come from a dictionary, and the same route under
                    // another method rises by as much.
                    if a.after - a.before != b.after - b.before { return a.after - a.before > b.after - b.before }
                    if a.route != b.route { return a.route < b.route }
                    if a.method != b.method { return a.method < b.method }
                    return (a.before, a.after) < (b.before, b.after)
                }
                let newSignatures = classRouteErrors.values.filter { $0.before == 0 && $0.after > 0 }
                    .map { cell -> DeployComparison.NewSignature in
                        let c = cell.failureClass
                        return .init(id: "access:\(c.identifier) \(cell.route)", title: "\(c.identifier) on \(cell.route)",
                                     failureClass: c, count: cell.after)
                    }
                    .sorted { ($0.count, $1.id) > ($1.count, $0.id) }
                let signatureCounts = classRouteErrors.values.map { cell -> DeployComparison.SignatureCount in
                    let name = cell.route
                    let space = name.firstIndex(of: " ") ?? name.endIndex
                    return .init(method: String(name[..<space]),
                                 route: space < name.endIndex ? String(name[name.index(after: space)...]) : "",
                                 failureClass: cell.failureClass, before: cell.before, after: cell.after)
                }.sorted { ($0.method, $0.route, $0.failureClass.rawValue) < ($1.method, $1.route, $1.failureClass.rawValue) }
                var comparison = DeployComparison(
                    label: d.marker.label, time: time, windowSeconds: deployWindow, before: d.before, after: d.after,
                    verdict: verdict, pValue: p, originVerdict: originVerdict, originPValue: originP,
                    upstreamLikelyUnrelated: upstreamVerdict == .regression && originVerdict != .regression,
                    regressedRoutes: Array(changes.prefix(5)),
                    newSignatures: Array((ledger.newAppSignatures(deployTime: time, window: min(deployWindow, d.afterEnd &- time))
                                          + newSignatures).prefix(10)),
                    timeWasZoneless: d.marker.time.isZoneless, signatureCounts: signatureCounts)
                if d.afterEnd &- time < deployWindow { comparison.afterSeconds = d.afterEnd - time }
                comparison.judge()
                return comparison
            }.sorted { $0.time < $1.time }
        clientTable.summarize(into: &s, top: top, routeName: routeName)
        s.clientsAffected = clients.count
        s.clientsAffectedIsLowerBound = clientsOverflowed
        s.serverErrorsWithRequestID = serverErrorsWithRequestID
        var signatures = ledger.signatures(routeName: routeName)
        // A signature first seen within a deploy window after a deploy follows it.
        for i in signatures.indices {
            guard let first = signatures[i].firstSeen else { continue }
            let preceding = s.deploys.filter { $0.time <= first && first - $0.time < deployWindow }.max { $0.time < $1.time }
            signatures[i].followsDeploy = preceding?.label
        }
        s.signatures = Array(signatures.prefix(top))
        IncidentDetector.attach(deploys: s.deploys, signatures: signatures, to: &s.incidents)
        s.correlation.distinctSignatures = signatures.count
        s.correlation.serverErrors = serverErrors
        s.correlation.withRequestID = ledger.serverErrorsWithRequestID
        s.correlation.matched = ledger.matchedServerErrors
        s.correlation.untracked = ledger.untracked
        return s
    }
}

extension Aggregator.GroupStats {
    mutating func record(decision: Classifier.Decision?, isServerError: Bool, time: Int64, requestID: inout LazyRequestID,
                         sampleLimit: Int) {
        requests += 1
        if isServerError { serverErrors += 1 }
        if let decision {
            classes[decision.failureClass] += 1
            samples.offer(time: time, limit: sampleLimit, &requestID)
        }
    }
}

extension Aggregator.MinuteStats {
    /// Adds `other`'s counts, not its causes (the aggregator adds those within its budget).
    mutating func addCounts(_ other: Aggregator.MinuteStats) {
        requests += other.requests
        serverErrors += other.serverErrors
        classes.add(other.classes)
        latency.merge(other.latency)
        if !other.perSecond.isEmpty {
            if perSecond.isEmpty { perSecond = other.perSecond } else {
                for i in perSecond.indices where i < other.perSecond.count { perSecond[i] &+= other.perSecond[i] }
            }
        }
    }
}

/// Which route and client ids still name something when a summary is made. An id that left
/// its sketch names nothing any more: all such ids are -1, `(other routes)` and `(other
/// clients)`, wherever they are counted from there on (incidents, top clients per route),
/// as ``Aggregator/merge(_:)`` makes them when it remaps.
struct TrackedIDs {
    let routes: Int32
    let sketchRoutes: Set<Int32>
    let clients: Int32
    let sketchClients: Set<Int32>

    func route(_ id: Int32) -> Int32 { id < routes || sketchRoutes.contains(id) ? id : -1 }
    func client(_ id: Int32) -> Int32 { id < clients || sketchClients.contains(id) ? id : -1 }

    /// A minute's causes with untracked ids made -1 (cells that then coincide add up).
    func causes(_ causes: [CauseCell: Int]) -> [CauseCell: Int] {
        var out: [CauseCell: Int] = [:]
        out.reserveCapacity(causes.count)
        for (cell, count) in causes {
            var c = cell
            c.route = route(cell.route)
            c.client = client(cell.client)
            out[c, default: 0] += count
        }
        return out
    }
}
