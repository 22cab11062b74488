/// One cause of failures within a minute: the class and status, and the route, upstream
/// and client they came from. The per-minute series keeps failures by cause, so that
/// ``IncidentDetector`` can find each problem apart (a route's bug, a dead upstream, one
/// client rate-limited) even when they overlap in time.
///
/// Indexes are the aggregator's: route (-1: `(other routes)`; ids past the route table
/// are sketch routes), upstream (-1: none or beyond the table), client (-1: none, or past
/// the client table, or collapsed). Memory: at most ``Budget/limit`` causes over all
/// minutes (see ``add(_:_:to:budget:)``), about 40 bytes each.
public struct CauseCell: Hashable, Comparable, Sendable {
    public var failureClass: FailureClass
    public var status: Int16
    public var route: Int32
    public var upstream: Int32
    public var client: Int32

    public init(failureClass: FailureClass, status: Int16, route: Int32, upstream: Int32, client: Int32) {
        self.failureClass = failureClass
        self.status = status
        self.route = route
        self.upstream = upstream
        self.client = client
    }

    /// The same cause without its client.
    var withoutClient: CauseCell {
        CauseCell(failureClass: failureClass, status: status, route: route, upstream: upstream, client: -1)
    }

    /// Only the class and status: what is left of a cause when a minute has no room.
    var collapsed: CauseCell {
        CauseCell(failureClass: failureClass, status: status, route: -1, upstream: -1, client: -1)
    }

    public static func < (a: CauseCell, b: CauseCell) -> Bool {
        (a.failureClass.rawValue, a.status, a.route, a.upstream, a.client)
            < (b.failureClass.rawValue, b.status, b.route, b.upstream, b.client)
    }

    /// The causes an aggregator may keep, over all its minutes.
    struct Budget {
        let limit: Int
        /// Causes kept now (distinct per minute).
        var used = 0
    }

    /// Adds `count` failures of `cell` to a minute's causes, within the budget: past half
    /// of it a new cause is kept without its client, past all of it without route and
    /// upstream too (one cause per class and status and minute at most). Until the budget
    /// is reached nothing depends on the order failures arrive in, so merges are exact.
    ///
    /// - Returns: the failures counted with less detail than they had (0 when none).
    static func add(_ cell: CauseCell, _ count: Int, to causes: inout [CauseCell: Int], budget: inout Budget) -> Int {
        if let existing = causes[cell] {
            causes[cell] = existing + count
            return 0
        }
        var kept = cell
        if budget.used >= budget.limit / 2 { kept = kept.withoutClient }
        if causes[kept] == nil && budget.used >= budget.limit { kept = kept.collapsed }
        if let existing = causes[kept] {
            causes[kept] = existing + count
        } else {
            causes[kept] = count
            budget.used += 1
        }
        return kept == cell ? 0 : count
    }
}
