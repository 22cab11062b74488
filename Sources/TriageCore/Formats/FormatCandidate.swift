/// The server that writes a log format: what hints and config lines speak.
public enum LogServer: String, Sendable, CaseIterable {
    case nginx, apache, tomcat, caddy, envoy, haproxy, traefik, alb, elb, heroku, generic
}

/// One format detection may choose: a compiled format and how to make its decoder.
///
/// Most candidates are a ``LogFormat`` run by its usual decoder
/// (``LogFormat/makeDecoder()``). A dialect whose lines need more than the
/// field program (an envelope to peel, a logfmt reader) gives its own factory;
/// the factory is called once per thread, never per line.
public struct FormatCandidate: Sendable {
    /// The format; settings made after detection (the envelope, the log's zone) reach the decoders.
    public var format: LogFormat
    private let factory: (@Sendable (LogFormat) -> LineDecoder)?

    public init(_ format: LogFormat) {
        self.format = format
        self.factory = nil
    }

    /// A candidate read by its own decoder, made from the (possibly adjusted) format.
    public init(format: LogFormat, decoder: @escaping @Sendable (LogFormat) -> LineDecoder) {
        self.format = format
        self.factory = decoder
    }

    /// A decoder for one thread.
    public func makeDecoder() -> LineDecoder {
        factory?(format) ?? format.makeDecoder()
    }
}

extension FormatCandidate {
    /// Every candidate detection tries, in order: the text presets, the JSON
    /// flavours, then other dialects. A new dialect adds its entries here.
    ///
    /// Order matters only on exact ties (same lines matched, same trailing
    /// text, same fields filled): the earlier entry wins.
    public static var detectionTable: [FormatCandidate] {
        LogFormat.presets.map(FormatCandidate.init)
    }

    /// Candidates whose lines carry no time: tried besides the table on lines whose
    /// envelope or prefix gives one (``LogFormat/untimedPresets``).
    public static var untimedTable: [FormatCandidate] {
        LogFormat.untimedPresets.map(FormatCandidate.init)
    }
}
