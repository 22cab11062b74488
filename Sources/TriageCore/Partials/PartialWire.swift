/// The wire encoding of partials: numbered fields, as Protocol Buffers lays them out.
///
/// A field is a key (`number << 3 | wire type`, a varint) and a value: a varint
/// (type 0: counts, flags, zigzag-encoded signed numbers) or a length and that many
/// bytes (type 2: text, byte keys, nested messages, packed counts). A reader skips
/// the numbers it does not know, so a newer minor version may add fields an older
/// reader ignores (Docs/ScaleOut.md lists every field).
struct PartialWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func uint(_ field: Int, _ value: Int) {
        guard value != 0 else { return }
        varint(UInt64(field << 3))
        varint(UInt64(truncatingIfNeeded: value))
    }

    /// A raw value of an enumeration (an error-log cause); written even when 0, since 0 is a
    /// case and absence means "none".
    mutating func code(_ field: Int, _ value: UInt8) {
        varint(UInt64(field << 3))
        varint(UInt64(value))
    }

    /// A signed number (zigzag); written even when 0, so "absent" and "zero" differ.
    mutating func sint(_ field: Int, _ value: Int64) {
        varint(UInt64(field << 3))
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func optionalTime(_ field: Int, _ value: Int64?) {
        if let value { sint(field, value) }
    }

    mutating func bool(_ field: Int, _ value: Bool) { uint(field, value ? 1 : 0) }

    mutating func bytes(_ field: Int, _ value: some Collection<UInt8>) {
        varint(UInt64(field << 3 | 2))
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ body: (inout PartialWriter) -> Void) {
        var nested = PartialWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }

    /// Non-negative counts, one varint each, in one field.
    mutating func packed(_ field: Int, _ values: [Int]) {
        var nested = PartialWriter()
        for v in values { nested.varint(UInt64(truncatingIfNeeded: max(0, v))) }
        bytes(field, nested.bytes)
    }
}

/// Why a partial could not be read.
struct PartialDecodingError: Error {
    var reason: String
}

/// Reads the fields written by ``PartialWriter``, in order.
struct PartialReader {
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    private let data: ArraySlice<UInt8>
    private var position: Int

    init(_ data: ArraySlice<UInt8>) {
        self.data = data
        position = data.startIndex
    }

    var isAtEnd: Bool { position >= data.endIndex }

    private mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.endIndex else { throw PartialDecodingError(reason: "cut short inside a number") }
            let b = data[position]
            position += 1
            guard shift < 64 else { throw PartialDecodingError(reason: "a number longer than 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field, or nil at the end.
    mutating func next() throws -> (field: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        let field = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0:
            return (field, .varint(try readVarint()))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(data.endIndex - position) else {
                throw PartialDecodingError(reason: "field \(field) is longer (\(length) bytes) than what is left")
            }
            let start = position
            position += Int(length)
            return (field, .bytes(data[start..<position]))
        default:
            throw PartialDecodingError(reason: "field \(field) has wire type \(key & 7), which partials do not use")
        }
    }

    /// Calls `body` for every field of this message.
    mutating func forEach(_ body: (Int, Value) throws -> Void) throws {
        while let (field, value) = try next() { try body(field, value) }
    }
}

extension PartialReader.Value {
    func int() throws -> Int {
        guard case let .varint(v) = self else { throw PartialDecodingError(reason: "a count is stored as bytes") }
        guard v <= UInt64(Int.max) else { throw PartialDecodingError(reason: "a count beyond \(Int.max)") }
        return Int(v)
    }

    func int64() throws -> Int64 {
        guard case let .varint(v) = self else { throw PartialDecodingError(reason: "a number is stored as bytes") }
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    func bool() throws -> Bool { try int() != 0 }

    func bytes() throws -> ArraySlice<UInt8> {
        guard case let .bytes(b) = self else { throw PartialDecodingError(reason: "text is stored as a number") }
        return b
    }

    func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

    func reader() throws -> PartialReader { PartialReader(try bytes()) }

    func packed() throws -> [Int] {
        var r = try reader()
        var values: [Int] = []
        while !r.isAtEnd {
            // Packed values are bare varints (no keys): read them as a key-less stream.
            values.append(try r.bareVarint())
        }
        return values
    }
}

extension PartialReader {
    mutating func bareVarint() throws -> Int {
        let v = try readVarint()
        guard v <= UInt64(Int.max) else { throw PartialDecodingError(reason: "a count beyond \(Int.max)") }
        return Int(v)
    }
}
