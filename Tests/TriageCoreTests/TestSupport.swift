import CZlib
import Foundation
@testable import TriageCore

/// One gzip member holding `bytes`, made with zlib's deflate.
func gzipMember(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(CZlib_deflateInit2(&stream, 6, 15 + 16) == Z_OK)
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: bytes.count + 1024)
    var input = bytes
    let produced = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return outBuf.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<produced])
}

/// The absolute path of `relative`, a path from the repository's root.
///
/// Found from this file's own place (Tests/TriageCoreTests/TestSupport.swift),
/// so a test's depth in the tree's rooms does not matter.
func repositoryFile(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(relative).path
}

/// Reads everything from a source, `readSize` bytes at a time; returns bytes and the error, if any.
func drain(_ source: ByteSource, readSize: Int = 4096) -> (bytes: [UInt8], error: TriageError?) {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: readSize)
    do {
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return (out, nil) }
            out += buffer[0..<n]
        }
    } catch let error as TriageError {
        return (out, error)
    } catch {
        return (out, .readFailed(path: "?", reason: "\(error)"))
    }
}

/// Lines as (text, isTerminated, isOverlong) read by a LineReader over `bytes` delivered in chunks.
func readLines(_ bytes: [UInt8], chunk: Int, maxLineLength: Int = 1024) throws -> [(String, Bool, Bool)] {
    let reader = LineReader(source: MemorySource(bytes, chunkSize: chunk), maxLineLength: maxLineLength, readSize: 64)
    var lines: [(String, Bool, Bool)] = []
    try reader.forEachLine { line in
        lines.append((String(decoding: line.bytes, as: UTF8.self), line.isTerminated, line.isOverlong))
    }
    return lines
}

/// Parses `line` with `format` (text or JSON); returns the record and a closure to read its fields as text.
func parse(_ line: String, _ format: LogFormat) -> (ok: Bool, record: AccessRecord, text: (FieldRange) -> String, failure: String) {
    let parser = format.makeDecoder()
    let bytes = Array(line.utf8)
    var record = AccessRecord()
    var failure = ""
    let ok = bytes.withUnsafeBufferPointer { buffer in
        let ok = parser.parse(buffer, into: &record)
        if !ok { failure = parser.describeFailure(in: buffer) }
        return ok
    }
    let text = { (range: FieldRange) -> String in
        guard range.isPresent else { return "<absent>" }
        return String(decoding: bytes[Int(range.start)..<Int(range.end)], as: UTF8.self)
    }
    return (ok, record, text, failure)
}

func preset(_ name: String) -> LogFormat {
    guard let format = LogFormat.preset(named: name) else { fatalError("no preset \(name)") }
    return format
}
