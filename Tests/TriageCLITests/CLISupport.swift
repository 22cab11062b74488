import Foundation
import _TriageTestSupport

/// Runs the built `triage` binary and captures its output.
///
/// Output goes to temporary files rather than pipes, so a large report can
/// never block the child while the test waits for it.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `triage` built next to the test bundle, else in `.build/debug`.
    static let binary: URL = {
        if let override = ProcessInfo.processInfo.environment["TRIAGE_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("triage")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repoRoot.appendingPathComponent(".build/debug/triage")
    }()

    static var corpus: URL { repoRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus") }
    static var hasCorpus: Bool { FileManager.default.fileExists(atPath: corpus.path) }
    static var sampleLogs: URL { repoRoot.appendingPathComponent("SampleLogs") }

    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repoRoot
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let inURL = dir.appendingPathComponent("in")
            try stdin.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Parses a JSON report. Every report (one with `schema_version` and `inputs`)
    /// is first validated against Docs/triage-report.schema.json, and every
    /// `triage check` output against Docs/triage-check.schema.json: a test that
    /// reads one fails when it breaks its schema.
    static func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CocoaError(.propertyListReadCorrupt)
        }
        if object["schema_version"] != nil, object["inputs"] != nil {
            let errors = try schemaValidator.validate(JSONValue.parse(text))
            if !errors.isEmpty { throw SchemaViolation(errors: errors) }
        }
        if object["schema"] as? String == "triage-check" {
            let errors = try checkSchemaValidator.validate(JSONValue.parse(text))
            if !errors.isEmpty { throw SchemaViolation(errors: errors) }
        }
        return object
    }

    struct SchemaViolation: Error, CustomStringConvertible {
        var errors: [String]
        var description: String { "report breaks the schema: " + errors.prefix(5).joined(separator: "; ") }
    }

    static let schemaValidator: JSONSchemaValidator = {
        do { return try JSONSchemaValidator.reportSchema(checksKeyOrder: true) } catch {
            fatalError("cannot load Docs/triage-report.schema.json: \(error)")
        }
    }()

    static let checkSchemaValidator: JSONSchemaValidator = {
        do { return try JSONSchemaValidator.checkSchema(checksKeyOrder: true) } catch {
            fatalError("cannot load Docs/triage-check.schema.json: \(error)")
        }
    }()

    /// Writes `text` to a fresh temporary file and returns its path.
    static func temporaryFile(_ data: Data, name: String = "access.log") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-in-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}

extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
    func int(_ key: String) -> Int { (self[key] as? NSNumber)?.intValue ?? -1 }
    func list(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
}
