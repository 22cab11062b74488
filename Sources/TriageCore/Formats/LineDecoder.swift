/// Turns the bytes of one log line into an ``AccessRecord``.
///
/// Two kinds exist: ``RecordParser`` runs a text format (nginx `log_format`,
/// Apache `LogFormat`); ``JSONRecordDecoder`` reads JSON lines (Caddy,
/// Traefik, Envoy, nginx `escape=json`). One instance per thread.
public protocol LineDecoder: AnyObject {
    var format: LogFormat { get }
    /// Cached from the format: computed once, read per line.
    var hasUpstreamFields: Bool { get }
    /// Fills `record`; false when the line does not match (see ``describeFailure(in:)``).
    func parse(_ line: UnsafeBufferPointer<UInt8>, into record: inout AccessRecord) -> Bool
    /// A sentence naming the field and the text that failed, for the last failed `line`.
    func describeFailure(in line: UnsafeBufferPointer<UInt8>) -> String
    /// Name of the field where the last parse failed.
    var failedFieldName: String { get }
    /// Byte column where the last parse failed (how far a candidate format got).
    var failurePosition: Int { get }
    /// For the last failed `line`: why it is not of this format at all (another log's
    /// line, see ``OtherLine``), or nil when it is a line of the format with a bad field.
    func otherShapeReason(_ line: UnsafeBufferPointer<UInt8>) -> String?
}

extension RecordParser: LineDecoder {}

extension LogFormat {
    /// A decoder for this format, for one thread.
    public func makeDecoder() -> LineDecoder {
        switch dialect {
        case .json: return JSONRecordDecoder(format: self, fastPath: jsonFlatFastPath)
        case .logfmt: return LogfmtRecordDecoder(format: self)
        default: return RecordParser(format: self)
        }
    }
}
