import Foundation
import Testing
import _TriageTestSupport
@testable import TriageCore
@testable import TriageReport

/// The JSON report, as written, against Docs/triage-report.schema.json.
@Suite struct JSONReportSchemaTests {
    static let schemaURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Docs/triage-report.schema.json")

    static func validator(checksKeyOrder: Bool = false) throws -> JSONSchemaValidator {
        let text = try String(contentsOf: schemaURL, encoding: .utf8)
        return JSONSchemaValidator(schema: try JSONValue.parse(text), checksKeyOrder: checksKeyOrder)
    }

    static func report(_ s: TriageSummary) throws -> JSONValue {
        try JSONValue.parse(JSONRenderer().render(s))
    }

    enum Sample: String, CaseIterable, CustomTestStringConvertible {
        case realistic, hostile, empty
        var summary: TriageSummary {
            switch self {
            case .realistic: return SampleSummaries.realistic
            case .hostile: return SampleSummaries.hostile
            case .empty: return TriageSummary()
            }
        }
        var testDescription: String { rawValue }
    }

    @Test("the schema uses only keywords the validator checks")
    func schemaKeywordsAreChecked() throws {
        #expect(try Self.validator().unsupportedKeywords().isEmpty)
    }

    @Test("the report validates against the schema, keys in schema order", arguments: Sample.allCases)
    func reportIsValid(sample: Sample) throws {
        let errors = try Self.validator(checksKeyOrder: true).validate(Self.report(sample.summary))
        #expect(errors.isEmpty, "\(errors.prefix(10).joined(separator: "\n"))")
    }

    @Test("the schema's version pattern accepts the version the renderer writes")
    func schemaVersionMatches() throws {
        let report = try Self.report(TriageSummary())
        guard case .string(let version)? = report["schema_version"] else {
            Issue.record("schema_version is not a string")
            return
        }
        #expect(version == TriageVersion.jsonSchema)
        #expect(version.hasPrefix("1."), "a new major version needs a new schema file")
    }

    /// Ways to break a valid report; each must be rejected at the named place.
    enum Breakage: String, CaseIterable, CustomTestStringConvertible {
        case majorVersion, negativeCount, fractionalCount, missingClass, extraRouteKey, spaceInTime, localTime,
             unknownClass, stringBool, missingHints, statusKeyNotNumeric, nullCount, lineZero, pValueAboveOne,
             unknownAnomalousClass, unknownDeployVerdict

        var testDescription: String { rawValue }

        func apply(_ report: JSONValue) -> JSONValue {
            switch self {
            case .majorVersion: return report.updating(["schema_version"]) { _ in .string("2.0") }
            case .negativeCount: return report.updating(["totals", "requests"]) { _ in .integer(-1) }
            case .fractionalCount: return report.updating(["totals", "requests"]) { _ in .number(1.5) }
            case .missingClass: return report.updating(["classes", "retried_ok"]) { _ in nil }
            case .extraRouteKey: return report.updating(["routes", "0", "p99_ms"]) { _ in .integer(1) }
            case .spaceInTime: return report.updating(["timeline", "buckets", "0", "start"]) { _ in .string("2026-11-20 08:00:00") }
            case .localTime: return report.updating(["totals", "first_time"]) { _ in .string("2026-11-20T08:00:00+01:00") }
            case .unknownClass: return report.updating(["class_details", "0", "class"]) { _ in .string("teapot") }
            case .stringBool: return report.updating(["inputs", "0", "gzip"]) { _ in .string("yes") }
            case .missingHints: return report.updating(["hints"]) { _ in nil }
            case .statusKeyNotNumeric: return report.updating(["status_counts", "2xx"]) { _ in .integer(3) }
            case .nullCount: return report.updating(["upstreams", "0", "failures"]) { _ in .null }
            case .lineZero: return report.updating(["malformed", "examples", "0", "line"]) { _ in .integer(0) }
            case .pValueAboveOne: return report.updating(["deploys", "0", "p_value"]) { _ in .number(1.5) }
            case .unknownAnomalousClass:
                return report.updating(["incidents", "0", "anomalous_classes", "0"]) { _ in .string("teapot") }
            case .unknownDeployVerdict: return report.updating(["deploys", "1", "verdict"]) { _ in .string("fine") }
            }
        }

        /// Where the error must be reported.
        var path: String {
            switch self {
            case .majorVersion: return "/schema_version"
            case .negativeCount, .fractionalCount: return "/totals/requests"
            case .missingClass: return "/classes"
            case .extraRouteKey: return "/routes/0"
            case .spaceInTime: return "/timeline/buckets/0/start"
            case .localTime: return "/totals/first_time"
            case .unknownClass: return "/class_details/0/class"
            case .stringBool: return "/inputs/0/gzip"
            case .missingHints: return ""
            case .statusKeyNotNumeric: return "/status_counts/2xx"
            case .nullCount: return "/upstreams/0/failures"
            case .lineZero: return "/malformed/examples/0/line"
            case .pValueAboveOne: return "/deploys/0/p_value"
            case .unknownAnomalousClass: return "/incidents/0/anomalous_classes/0"
            case .unknownDeployVerdict: return "/deploys/1/verdict"
            }
        }
    }

    @Test("the validator rejects a broken report", arguments: Breakage.allCases)
    func brokenReportIsRejected(breakage: Breakage) throws {
        let validator = try Self.validator()
        let report = try Self.report(SampleSummaries.realistic)
        #expect(validator.validate(report).isEmpty)
        let errors = validator.validate(breakage.apply(report))
        #expect(!errors.isEmpty)
        #expect(errors.contains { $0.hasPrefix(breakage.path + ":") || $0.hasPrefix(breakage.path + " (key):") },
                "errors: \(errors)")
    }

    @Test("a new top-level key (a later minor version) is accepted")
    func topLevelIsOpen() throws {
        let report = try Self.report(SampleSummaries.realistic).updating(["deploys"]) { _ in .array([]) }
        #expect(try Self.validator().validate(report).isEmpty)
    }

    @Test("the validator catches keys out of the documented order")
    func keyOrderIsChecked() throws {
        let report = try Self.report(TriageSummary())
        guard case .object(var members) = report else { Issue.record("not an object"); return }
        members.swapAt(0, 1)
        #expect(!(try Self.validator(checksKeyOrder: true).validate(.object(members)).isEmpty))
    }

    @Test("the JSON parser keeps order, numbers and escapes")
    func parser() throws {
        let value = try JSONValue.parse(#"{"b": 1, "a": [1.5, true, null, "x\"\u00e9\ud83d\ude00"]}"#)
        guard case .object(let members) = value, case .array(let items)? = value["a"] else {
            Issue.record("unexpected shape")
            return
        }
        #expect(members.map(\.key) == ["b", "a"])
        guard case .integer(1)? = value["b"], case .number(1.5) = items[0], case .bool(true) = items[1], case .null = items[2],
              case .string(let text) = items[3] else {
            Issue.record("unexpected values")
            return
        }
        #expect(text == "x\"é😀")
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(#"{"a": 1,}"#) }
    }
}
