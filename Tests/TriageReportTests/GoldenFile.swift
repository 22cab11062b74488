import Foundation
import Testing

/// Compares rendered text with a file under `Golden/`, or rewrites the file.
///
/// Set `TRIAGE_RECORD_GOLDEN=1` to record: the test then writes what it
/// rendered and passes. Review the diff before committing it.
enum GoldenFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var isRecording: Bool { ProcessInfo.processInfo.environment["TRIAGE_RECORD_GOLDEN"] == "1" }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if isRecording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("Golden/\(name) is missing; record it with TRIAGE_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if let difference = firstDifference(expected: expected, actual: actual) {
            Issue.record("""
                Golden/\(name) differs at line \(difference.line):
                  expected: \(difference.expected)
                  actual:   \(difference.actual)
                (if the change is intended, re-record with TRIAGE_RECORD_GOLDEN=1 and review the diff)
                """, sourceLocation: sourceLocation)
        }
    }

    /// The first line (1-based) where the texts differ; a missing line shows as `<end of file>`.
    static func firstDifference(expected: String, actual: String) -> (line: Int, expected: String, actual: String)? {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(e.count, a.count) {
            let left = i < e.count ? String(e[i]) : "<end of file>"
            let right = i < a.count ? String(a[i]) : "<end of file>"
            if left != right { return (i + 1, left, right) }
        }
        return nil
    }
}
