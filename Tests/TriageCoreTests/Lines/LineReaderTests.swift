import Testing
@testable import TriageCore

@Suite struct LineReaderTests {
    static let chunkSizes = [1, 2, 3, 7, 64, 4096]

    @Test("lines match split(separator:) whatever the chunk size", arguments: chunkSizes)
    func matchesSplitOracle(chunk: Int) throws {
        let text = "alpha\nbeta\n\ngamma delta\nlast without newline"
        let lines = try readLines(Array(text.utf8), chunk: chunk)
        let oracle = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.map(\.0) == oracle)
        #expect(lines.map(\.1) == [true, true, true, true, false])
    }

    @Test("CRLF line ends read like LF", arguments: chunkSizes)
    func crlf(chunk: Int) throws {
        let lines = try readLines(Array("a\r\nbb\r\nccc\r\n".utf8), chunk: chunk)
        #expect(lines.map(\.0) == ["a", "bb", "ccc"])
    }

    @Test("a trailing newline does not add an empty line; empty input has no lines")
    func trailingNewline() throws {
        #expect(try readLines(Array("x\n".utf8), chunk: 1).map(\.0) == ["x"])
        #expect(try readLines([], chunk: 1).isEmpty)
        #expect(try readLines(Array("\n".utf8), chunk: 1).map(\.0) == [""])
    }

    @Test("an over-long line is reported once as overlong and not split", arguments: [1, 5, 64, 4096])
    func overlongLine(chunk: Int) throws {
        let long = String(repeating: "x", count: 100)
        let text = "short\n\(long)\nafter\n\(long)"
        let lines = try readLines(Array(text.utf8), chunk: chunk, maxLineLength: 16)
        #expect(lines.count == 4)
        #expect(lines.map(\.2) == [false, true, false, true])
        #expect(lines[1].0 == String(repeating: "x", count: 16))
        #expect(lines[2].0 == "after")
    }

    @Test("a UTF-8 byte order mark starting a line is not part of it", arguments: chunkSizes)
    func byteOrderMark(chunk: Int) throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = bom + Array("first\nsecond\n".utf8) + bom + Array("joined by cat\n".utf8) + bom
            + Array("\r\nmid\u{FEFF}dle".utf8)
        let lines = try readLines(bytes, chunk: chunk)
        #expect(lines.map(\.0) == ["first", "second", "joined by cat", "", "mid\u{FEFF}dle"])
    }

    @Test("line numbers and offsets are absolute across refills")
    func numbersAndOffsets() throws {
        let text = (1...500).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let reader = LineReader(source: MemorySource(Array(text.utf8), chunkSize: 13), maxLineLength: 32, readSize: 64)
        var expectedOffset: Int64 = 0
        var count = 0
        try reader.forEachLine { line in
            count += 1
            #expect(line.number == count)
            #expect(line.offset == expectedOffset)
            #expect(String(decoding: line.bytes, as: UTF8.self) == "line \(count)")
            expectedOffset += Int64(line.bytes.count + 1)
        }
        #expect(count == 500)
    }
}

/// Issue #10.5: a lone CR is a line end, whatever the chunk boundaries.
@Suite struct LineReaderCarriageReturnTests {
    /// Lines as the reader should see them: split at LF, CRLF and lone CR.
    static func oracle(_ text: String) -> [String] {
        var lines: [String] = []
        var current: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                lines.append(String(decoding: current, as: UTF8.self))
                current = []
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            } else {
                current.append(b)
            }
            i += 1
        }
        if !current.isEmpty { lines.append(String(decoding: current, as: UTF8.self)) }
        return lines
    }

    static let texts = [
        "a\rbb\rccc\r",
        "a\rbb\rccc",
        "one\ntwo\rthree\r\nfour\n",
        "x\r\r\ny\r\rz",
        String(repeating: "line\r", count: 50),
        "lf first\n" + String(repeating: "cr\r", count: 20) + "crlf\r\n",
    ]

    @Test("lone CR, CRLF and LF all end lines, for every chunk size", arguments: LineReaderTests.chunkSizes)
    func mixedEndings(chunk: Int) throws {
        for text in Self.texts {
            let lines = try readLines(Array(text.utf8), chunk: chunk)
            #expect(lines.map(\.0) == Self.oracle(text), "\(text.debugDescription) in chunks of \(chunk)")
        }
    }

    @Test("an over-long CR-terminated line is one overlong line, and the next line is whole", arguments: [1, 5, 64, 4096])
    func overlongCR(chunk: Int) throws {
        let text = String(repeating: "x", count: 100) + "\rafter\rend"
        let lines = try readLines(Array(text.utf8), chunk: chunk, maxLineLength: 16)
        #expect(lines.map(\.0) == [String(repeating: "x", count: 16), "after", "end"])
        #expect(lines.map(\.2) == [true, false, false])
    }

    @Test("lines ended by a lone CR are counted")
    func counted() throws {
        let reader = LineReader(source: MemorySource(Array("a\rb\rc\n".utf8), chunkSize: 2), readSize: 64)
        try reader.forEachLine { _ in }
        #expect(reader.carriageReturnLines == 2)
    }

    /// Lone CRs in `text`: every CR not followed by LF, the last byte included.
    static func loneCRs(_ text: String) -> Int {
        let bytes = Array(text.utf8)
        return bytes.indices.filter { bytes[$0] == 0x0D && ($0 + 1 == bytes.count || bytes[$0 + 1] != 0x0A) }.count
    }

    @Test("a CR at the very end of the input is counted as a lone CR line end, for every chunk size",
          arguments: LineReaderTests.chunkSizes)
    func finalCRCounted(chunk: Int) throws {
        for text in Self.texts + ["one\ntwo\r", "\r", String(repeating: "x", count: 40) + "\r"] {
            let reader = LineReader(source: MemorySource(Array(text.utf8), chunkSize: chunk), maxLineLength: 16, readSize: 64)
            try reader.forEachLine { _ in }
            #expect(reader.carriageReturnLines == Self.loneCRs(text), "\(text.debugDescription) in chunks of \(chunk)")
        }
    }

    @Test("reading bytes in memory in place gives the lines, verdicts, offsets and lone-CR count of reading them from a source")
    func inMemory() throws {
        let long = String(repeating: "x", count: 40)
        for text in Self.texts + ["one\ntwo\r", "\r", long + "\r", long, "a\n\(long)\nb\r\(long)\r\nc", "", "\n\n", "end\r\n"] {
            let bytes = Array(text.utf8)
            func read(_ reader: LineReader) throws -> ([String], Int) {
                var lines: [String] = []
                try reader.forEachLine { line in
                    lines.append("\(String(decoding: line.bytes, as: UTF8.self))|\(line.number)|\(line.offset)|\(line.isTerminated)|\(line.isOverlong)")
                }
                return (lines, reader.carriageReturnLines)
            }
            let fromSource = try read(LineReader(source: MemorySource(bytes, chunkSize: 3), maxLineLength: 16, readSize: 64))
            let copy = bytes
            let inPlace = try copy.withUnsafeBufferPointer { try read(LineReader(memory: $0, maxLineLength: 16)) }
            #expect(inPlace.0 == fromSource.0, "\(text.debugDescription)")
            #expect(inPlace.1 == fromSource.1, "\(text.debugDescription)")
            #expect(copy == bytes)
        }
    }
}
