extension TriageSummary {
    /// One client (an address from the log's client field; see ``ClientTable``).
    public struct Client: Sendable, Equatable {
        public var address: String
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts
        /// The user agent of its earliest 5xx (or earliest request), made safe to display.
        public var userAgent: String?
        /// Retry storms it caused, and their failing requests.
        public var retryStorms: Int
        public var retryStormRequests: Int
        /// For a client tracked approximately (after the client table filled up): how many
        /// 5xx it may have had before it was tracked; its counts are lower bounds. Nil when exact.
        public var serverErrorCountError: Int? = nil
    }

    /// The client behind the largest share of a route's or a class's 5xx.
    public struct TopClient: Sendable, Equatable {
        public var address: String
        /// Its 5xx on that route, or its requests of that class.
        public var count: Int
        public var userAgent: String?
    }

    /// How the client table fared: how many clients were counted exactly, approximately, or not at all.
    public struct ClientCounts: Sendable, Equatable {
        /// Clients in the exact table.
        public var distinct = 0
        /// Clients tracked approximately, by 5xx, once the table was full.
        public var approximate = 0
        /// Requests of clients in neither (`(other clients)`).
        public var overflowRequests = 0
        /// 5xx whose (client, route) pair found no room: route shares are lower bounds when > 0.
        public var pairsOverflowed = false
    }

    /// Clients repeating a failing request within seconds (see ``ClientTable``).
    public struct RetryStorms: Sendable, Equatable {
        public var gapSeconds = Int(ClientTable.stormGap)
        public var minimumRequests = ClientTable.stormMinimum
        public var storms = 0
        /// Failing requests in those storms.
        public var requests = 0
        /// Tracked clients that caused at least one.
        public var clients = 0
        /// Per route, most storms' requests first.
        public var routes: [RouteStorms] = []
    }

    public struct RouteStorms: Sendable, Equatable {
        public var method: String
        public var route: String
        public var storms: Int
        public var requests: Int
        public var largest: Storm?
    }

    /// One storm: a client's failing repeats on a route, from first to last.
    public struct Storm: Sendable, Equatable {
        public var client: String
        public var requests: Int
        public var first: Int64
        public var last: Int64
    }
}
