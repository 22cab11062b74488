/// Everything a report shows, computed once; renderers are pure functions of it.
///
/// Lists are sorted (most failures first, ties by name) so that every
/// renderer and every run shows them in the same order.
public struct TriageSummary: Sendable {
    public struct Input: Sendable {
        public var path: String
        public var format: String
        /// How the format was chosen: `given`, `detected (…)`, or why none was.
        public var formatSource: String
        public var isGzip: Bool
        public var lines: Int
        public var records: Int
        public var malformed: Int
        public var blank: Int
        /// Lines not analysed because no format fits this input.
        public var skipped: Int
        /// Records outside --since/--until (parsed, then left out of every count).
        public var outsideTimeRange: Int = 0
        /// Damage that stopped reading this input early, if any.
        public var error: String?
        public var hasUpstreamFields: Bool
        public var hasRequestID: Bool
    }

    public struct Route: Sendable {
        public var method: String
        public var route: String
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts
        public var sampleRequestIDs: [String]
        /// For a route tracked approximately (after the route table filled up):
        /// how many failures it may have had before it was tracked; its counts
        /// are lower bounds. Nil for exactly counted routes.
        public var failureCountError: Int? = nil
    }

    public struct Upstream: Sendable {
        public var address: String
        /// Attempts sent to this upstream.
        public var requests: Int
        /// Attempts that failed (5xx or no response).
        public var failures: Int
        public var classes: ClassCounts
        public var sampleRequestIDs: [String]
    }

    public struct TimelineBucket: Sendable {
        /// Unix seconds of the bucket's start.
        public var start: Int64
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts
    }

    public struct MalformedExample: Sendable {
        public var path: String
        public var line: Int
        public var reason: String
        /// The start of the line, made safe to display.
        public var excerpt: String
    }

    public struct ClassDetail: Sendable {
        public var failureClass: FailureClass
        public var count: Int
        public var statusOnly: Int
        public var firstSeen: Int64?
        public var lastSeen: Int64?
        public var sampleRequestIDs: [String]
    }

    public var inputs: [Input] = []
    public var lines = 0
    public var requests = 0
    public var serverErrors = 0
    public var malformedLines = 0
    public var statusCounts: [(status: Int, count: Int)] = []
    public var classes = ClassCounts()
    public var classDetails: [ClassDetail] = []
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var routes: [Route] = []
    /// Distinct routes seen, and how many requests fell in `(other routes)` once the table was full.
    public var distinctRoutes = 0
    public var routesOverflowRequests = 0
    /// Routes tracked approximately, by failures, once the route table was full.
    public var approximateRoutes = 0
    public var upstreams: [Upstream] = []
    /// Attempts to upstream addresses beyond the 4,096 the table keeps (counted, not listed).
    public var upstreamsOverflowAttempts = 0
    public var timelineBucketSeconds: Int64 = 60
    public var timeline: [TimelineBucket] = []
    public var clientsAffected = 0
    /// True when the distinct-client count stopped being exact (memory cap reached).
    public var clientsAffectedIsLowerBound = false
    public var serverErrorsWithRequestID = 0
    public var malformedExamples: [MalformedExample] = []
    /// Malformed lines per reason kind (field name or `overlong line`), most first.
    public var malformedByReason: [(reason: String, count: Int)] = []
    /// Advice on what the log lacks (upstream fields, request IDs).
    public var hints: [String] = []
    /// One comparison per deploy marker, in time order.
    public var deploys: [DeployComparison] = []
    /// Periods where failures departed from their baseline, in time order.
    public var incidents: [Incident] = []
    /// The UTC offset (seconds) of the log's times; zoneless deploy times were read in it.
    public var logUTCOffset: Int?

    public init() {}

    /// Requests that ended 5xx and were decided from the status code alone.
    public var statusOnlyCount: Int { classDetails.reduce(0) { $0 + $1.statusOnly } }

    /// Sum of upstream classes (502/503/504 family) over server errors.
    public var upstreamFailures: Int {
        FailureClass.allCases.filter(\.isUpstream).reduce(0) { $0 + classes[$1] }
    }
}
