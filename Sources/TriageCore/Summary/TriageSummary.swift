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
        /// Server error-log lines in an input that interleaves them with access lines (read by the error-log pass).
        public var errorLogLines: Int = 0
        /// Damage that stopped reading this input early, if any.
        public var error: String?
        public var hasUpstreamFields: Bool
        public var hasRequestID: Bool
        /// Lines of another shape than the input's format (error-log lines, other output), not requests.
        public var otherLines: Int = 0
        /// Records read with text left after the format's last field (a preset's unread fields).
        public var trailingTextLines: Int = 0
        /// Fields at the end of the lines that were matched but not understood, or left unread: a sentence.
        public var unreadFields: String?
        /// The `--log-format` that reads the whole line (with placeholders for what is not understood).
        public var suggestedLogFormat: String?
        /// The servers that write this input's format (hints speak their configuration).
        public var servers: [LogServer] = []
    }

    /// Lines that were not of their input's format, grouped by what they are.
    public struct OtherLines: Sendable {
        public var reason: String
        public var count: Int
        /// The first such line (its reason says where the format failed on it).
        public var example: MalformedExample
    }

    /// Percentiles of durations (microseconds) from a ``LatencyHistogram``: each within
    /// ``LatencyHistogram/relativeError`` of the exact value; `max` is exact.
    public struct Latency: Sendable, Equatable {
        /// Durations counted.
        public var count: Int
        public var p50: Int64
        public var p95: Int64
        public var p99: Int64
        public var max: Int64

        public init(count: Int, p50: Int64, p95: Int64, p99: Int64, max: Int64) {
            (self.count, self.p50, self.p95, self.p99, self.max) = (count, p50, p95, p99, max)
        }

        /// Nil for an empty histogram.
        public init?(_ h: LatencyHistogram) {
            guard let p50 = h.quantile(0.5), let p95 = h.quantile(0.95), let p99 = h.quantile(0.99) else { return nil }
            self.init(count: h.count, p50: p50, p95: p95, p99: p99, max: h.max)
        }
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
        /// Request time (`$request_time`, `%D`…) of the route's requests; nil when not
        /// logged or past the latency budget.
        public var latency: Latency? = nil
        /// The client with the most 5xx on this route, if it had 5xx from a tracked client.
        public var topClient: TopClient? = nil

        /// The 5xx class with the most requests on this route (ties: the first in
        /// ``FailureClass`` order); nil when the route had no 5xx.
        public var main5xxClass: FailureClass? {
            FailureClass.allCases.filter { $0.isServerError && classes[$0] > 0 }
                .max { classes[$0] < classes[$1] || (classes[$0] == classes[$1] && $0.rawValue > $1.rawValue) }
        }
    }

    public struct Upstream: Sendable {
        public var address: String
        /// Attempts sent to this upstream.
        public var requests: Int
        /// Attempts that failed (5xx or no response).
        public var failures: Int
        public var classes: ClassCounts
        public var sampleRequestIDs: [String]
        /// What the server error logs said of the requests to this upstream (`--error-log`), most first.
        public var causes: [UpstreamCause] = []
        /// Response time of the attempts sent here (`$upstream_response_time`); nil when not logged.
        public var latency: Latency? = nil
    }

    /// Requests to one upstream that an error-log line explained with one cause.
    public struct UpstreamCause: Sendable {
        /// The upstream as the error log names it (`10.0.1.13:8080`).
        public var address: String
        public var cause: ErrorCause
        public var count: Int
        /// Access-log times of the first and last such request.
        public var firstSeen: Int64?
        public var lastSeen: Int64?
    }

    public struct TimelineBucket: Sendable {
        /// Unix seconds of the bucket's start.
        public var start: Int64
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts
        /// Request times of the bucket (coarse: ``TimelineLatency/relativeError``); empty
        /// when the log has no request time.
        public var latency = TimelineLatency()

        public init(start: Int64, requests: Int, serverErrors: Int, classes: ClassCounts,
                    latency: TimelineLatency = TimelineLatency()) {
            self.start = start
            self.requests = requests
            self.serverErrors = serverErrors
            self.classes = classes
            self.latency = latency
        }
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
        /// Requests of this class whose class a server error log decided (`confidence.error_log`).
        public var errorLog: Int = 0
        /// The error logs' causes for requests of this class, most first.
        public var causes: [(cause: ErrorCause, count: Int)] = []
        /// The tracked client with the most requests of this class.
        public var topClient: TopClient? = nil
    }

    /// One error signature: the 5xx one bug (or, without an application event, one
    /// access-log failure mode) caused. Every 5xx is under exactly one.
    public struct Signature: Sendable {
        public enum Source: String, Sendable {
            case appLog = "app_log"
            case accessLog = "access_log"
        }
        public var id: String
        public var title: String
        public var source: Source
        /// 5xx under this signature.
        public var count: Int
        /// Access-log times of the first and last of those 5xx.
        public var firstSeen: Int64?
        public var lastSeen: Int64?
        /// `METHOD route`, most 5xx first (at most five).
        public var routes: [String]
        public var classes: ClassCounts
        public var sampleRequestIDs: [String]
        public var exceptionType: String?
        /// The first matching event's message and stack, as written (trimmed).
        public var message: String?
        public var stack: [String]
        /// The normalised frames that are part of the signature.
        public var frames: [String]
        /// `file:line` of that event.
        public var location: String?
        /// For access-log signatures: the upstream's status, when it sent one.
        public var upstreamStatus: Int?
        /// The deploy this signature was first seen after, within the deploy window.
        public var followsDeploy: String? = nil
        /// For access-log signatures: the cause a server error log gave (`--error-log`).
        public var cause: ErrorCause? = nil

        /// The example as people read it: the message, then the stack, the message left out
        /// when the stack already holds it (an exception line below a header).
        public var exampleText: [String] {
            guard let message, !message.isEmpty else { return stack }
            // Both may be cut (the message at 300 characters, a stack line at 200, each ending in "…").
            let holds = stack.contains { line in
                let t = line.trimmedSpaces
                return t == message || (t.hasSuffix("…") && message.hasPrefix(t.dropLast()))
            }
            return holds ? stack : [message] + stack
        }
    }

    /// One server error log read (`--error-log`, or an input recognised as one).
    public struct ErrorLogInput: Sendable {
        public var path: String
        public var isGzip = false
        /// Given as an access log and recognised as an error log by its lines.
        public var isDetected = false
        /// Error-log lines interleaved with access-log lines (a container's stdout): read by both passes.
        public var isInterleaved = false
        public var lines = 0
        /// Lines that start an entry (a time stamp in an error-log form), by dialect.
        public var entries = 0
        public var nginxEntries = 0
        public var apacheEntries = 0
        /// Entries at level error or worse.
        public var errors = 0
        /// Lines that continue the entry before them (`PHP message: …` after `FastCGI sent in stderr: "…`).
        public var continuationLines = 0
        public var blank = 0
        /// Access-log lines of an interleaved input (the access pass reads them).
        public var otherLines = 0
        /// Lines that are none of the above; the first ones are in `examples`.
        public var unrecognised = 0
        public var examples: [MalformedExample] = []
        /// Entries whose message states a cause, by cause.
        public var causes = CauseCounts()
        /// Of those, kept for joining (the rest did not fit in memory: `ErrorLog.untracked`).
        public var kept = 0
        public var error: String?

        public init(path: String) { self.path = path }
    }

    /// How far server error logs explained the access log's failures (`--error-log`).
    public struct ErrorLog: Sendable {
        public var inputs: [ErrorLogInput] = []
        /// Seconds an error line's time may be from its request's access-log time.
        public var toleranceSeconds: Int64 = 2
        /// Error lines with a cause, kept for joining.
        public var causeLines = 0
        /// …of which matched at least one request.
        public var matchedLines = 0
        /// …of which matched nothing (shown as context of the incident they fall in).
        public var unmatchedLines: Int { causeLines - matchedLines }
        /// Lines with a cause beyond the memory limit: not joined.
        public var untracked = 0
        /// 5xx whose class or cause an error line gave, of `serverErrors`.
        public var explainedServerErrors = 0
        public var serverErrors = 0
        /// Requests below 500 made `retried_ok` by an error line (a failed attempt, then an answer).
        public var explainedRetried = 0
        /// Per upstream and cause, most first.
        public var upstreamCauses: [UpstreamCause] = []
        public init() {}
    }

    /// One application log read for correlation.
    public struct AppLogInput: Sendable {
        public var path: String
        public var isGzip: Bool
        public var lines: Int
        /// Events (a line and its continuation lines), errors among them, and errors with a request ID.
        public var events: Int
        public var errorEvents: Int
        public var errorEventsWithRequestID: Int
        /// Error events whose request ID is one of the 5xx.
        public var matchedEvents: Int
        /// Events with a 5xx's ID whose time was too far from the 5xx's (see --app-time-tolerance).
        public var timeMismatches: Int
        public var error: String?
        /// Seconds the log's zoneless clock is off from the access log's zone, once three
        /// matching events agreed on it (0: the same zone); nil when not settled.
        public var zoneShiftSeconds: Int? = nil
        /// Lines whose request-ID search hit PCRE2's match limit; nil when none did.
        public var idPatternLimit: PatternLimit? = nil
    }

    /// A request-ID pattern that backtracked past PCRE2's match limit on some lines.
    public struct PatternLimit: Sendable {
        /// Lines whose search gave up (they have no request ID).
        public var lines: Int
        /// The first of them.
        public var firstLine: Int
        /// `--app-id-pattern` as given; nil for the built-in pattern.
        public var pattern: String? = nil
    }

    /// How far request IDs explained the 5xx.
    public struct Correlation: Sendable {
        public var serverErrors = 0
        /// 5xx whose access-log line carried a request ID.
        public var withRequestID = 0
        /// …of which were explained by an application error event.
        public var matched = 0
        /// 5xx with an ID beyond the ledger's limit: not looked up.
        public var untracked = 0
        public var appLogs: [AppLogInput] = []
        /// Signatures in all (the summary lists the top ones).
        public var distinctSignatures = 0
        /// The signature algorithm (``ErrorSignature/algorithm``).
        public var signatureAlgorithm = ErrorSignature.algorithm
        /// What to change so that more 5xx can be matched, if anything.
        public var hint: String?
        public init() {}
    }

    public var inputs: [Input] = []
    public var lines = 0
    public var requests = 0
    public var serverErrors = 0
    public var malformedLines = 0
    /// Lines of another shape than their input's format: counted, not requests.
    public var otherLines = 0
    public var otherByReason: [OtherLines] = []
    public var statusCounts: [(status: Int, count: Int)] = []
    public var classes = ClassCounts()
    public var classDetails: [ClassDetail] = []
    /// Requests per class that the cache answered with an error it kept (`$upstream_cache_status`
    /// HIT, STALE, UPDATING…): included in ``classes``, excluded from ``upstreamFailures``.
    public var servedFromCache = ClassCounts()
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// Request time of every request that logged one; nil when the log has none.
    public var latency: Latency?
    /// Request time per class (requests of that class that logged one).
    public var classLatency: [FailureClass: Latency] = [:]
    /// Upstream response time of every attempt that logged one.
    public var upstreamLatency: Latency?
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
    /// The top clients by 5xx (then requests), only clients with a 5xx.
    public var clients: [Client] = []
    public var clientCounts = ClientCounts()
    public var retryStorms = RetryStorms()
    public var malformedExamples: [MalformedExample] = []
    /// Malformed lines per reason kind (field name or `overlong line`), most first.
    public var malformedByReason: [(reason: String, count: Int)] = []
    /// Advice on what the log lacks (upstream fields, request IDs).
    public var hints: [String] = []
    /// One comparison per deploy marker, in time order.
    public var deploys: [DeployComparison] = []
    /// Problems: failures of one cause that departed from their baseline, most 5xx first
    /// (``Incident/byImpact(_:_:)``); problems may overlap in time.
    public var incidents: [Incident] = []
    /// Why the problems' causes are approximate (bounded memory), or nil when they are exact.
    public var incidentsApproximation: String?
    /// The top signatures, most 5xx first (application-log signatures before
    /// access-log ones on ties). Every 5xx is under exactly one signature.
    public var signatures: [Signature] = []
    public var correlation = Correlation()
    /// Present when server error logs were read (`--error-log` or detected among the inputs).
    public var errorLog: ErrorLog?
    /// The UTC offset (seconds) of the log's times; zoneless deploy times were read in it.
    public var logUTCOffset: Int?
    /// In a report merged from partials (`triage merge`): what each host (partial) counted,
    /// most 5xx first, so "it was only web-7" is one glance away. Empty for a single run.
    public var hosts: [Host] = []

    /// One host's share of a merged report (see Docs/ScaleOut.md).
    public struct Host: Sendable {
        /// The label the partial was written with (`--host`, default the machine's name).
        public var name: String
        public var requests: Int
        public var serverErrors: Int
        public var classes: ClassCounts

        public init(name: String, requests: Int, serverErrors: Int, classes: ClassCounts) {
            self.name = name
            self.requests = requests
            self.serverErrors = serverErrors
            self.classes = classes
        }
    }

    public init() {}

    /// Requests that ended 5xx and were decided from the status code alone.
    public var statusOnlyCount: Int { classDetails.reduce(0) { $0 + $1.statusOnly } }

    /// Requests whose class a server error log's line decided (`--error-log`).
    public var errorLogDecidedCount: Int { classDetails.reduce(0) { $0 + $1.errorLog } }

    /// The routes that answered 5xx, most 5xx first: what a table "by 5xx" shows
    /// (``routes`` also holds routes with only 499s or retried requests).
    public var routesBy5xx: [Route] {
        routes.filter { $0.serverErrors > 0 }.sorted { a, b in
            let aOther = a.method == "*", bOther = b.method == "*"
            if aOther != bOther { return bOther }
            if a.serverErrors != b.serverErrors { return a.serverErrors > b.serverErrors }
            if a.requests != b.requests { return a.requests > b.requests }
            return (a.route, a.method) < (b.route, b.method)
        }
    }

    /// Sum of upstream classes (502/503/504 family) over server errors, without the
    /// errors the cache served (they did not reach the upstreams).
    public var upstreamFailures: Int {
        FailureClass.allCases.filter(\.isUpstream).reduce(0) { $0 + classes[$1] - servedFromCache[$1] }
    }
}
