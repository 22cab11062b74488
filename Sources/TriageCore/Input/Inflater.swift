internal import CZlib
internal import CISAL

/// The deflate engines `GzipSource` can use. ISA-L is the default (several
/// times faster than zlib here); zlib stays available as the fallback.
public enum InflateEngine: String, CaseIterable, Sendable {
    case isal, zlib

    func make() throws -> Inflater {
        switch self {
        case .isal: return try ISALInflater()
        case .zlib: return try ZlibInflater()
        }
    }
}

/// What one inflate call did.
struct InflateStep {
    var consumed: Int
    var produced: Int
    /// The gzip member is complete (its trailer was read and checked).
    var isMemberEnd: Bool
    /// The engine's error code and message, when the data is bad.
    var failure: (code: Int32, message: String)?
}

/// One gzip member decoder: inflates, reports member ends, resets for the next.
protocol Inflater: AnyObject {
    func step(_ input: UnsafePointer<UInt8>, _ inputCount: Int,
              _ output: UnsafeMutablePointer<UInt8>, _ outputCount: Int) -> InflateStep
    /// Prepares for the next member of a multi-member stream.
    func reset()
}

/// zlib, owning one heap-allocated `z_stream`.
///
/// zlib keeps the stream's address internally, so the stream must never move:
/// it lives in memory this object allocated and frees exactly once.
final class ZlibInflater: Inflater {
    let stream: UnsafeMutablePointer<z_stream>

    init() throws(TriageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: gzip wrapper only, largest window.
        let code = CZlib_inflateInit2(stream, 15 + 16)
        if code != Z_OK {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw TriageError.invalidFormat("zlib inflateInit2 failed with code \(code)")
        }
    }

    func reset() { inflateReset(stream) }

    func step(_ input: UnsafePointer<UInt8>, _ inputCount: Int,
              _ output: UnsafeMutablePointer<UInt8>, _ outputCount: Int) -> InflateStep {
        let inCount = UInt32(min(inputCount, Int(UInt32.max)))
        let outCount = UInt32(min(outputCount, Int(UInt32.max)))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input)
        stream.pointee.avail_in = inCount
        stream.pointee.next_out = output
        stream.pointee.avail_out = outCount
        let code = inflate(stream, Z_NO_FLUSH)
        var result = InflateStep(consumed: Int(inCount - stream.pointee.avail_in),
                                 produced: Int(outCount - stream.pointee.avail_out),
                                 isMemberEnd: code == Z_STREAM_END, failure: nil)
        if code != Z_OK && code != Z_STREAM_END && code != Z_BUF_ERROR {
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "no message"
            result.failure = (code, "zlib error \(code): " + message)
        }
        return result
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
}

/// ISA-L's igzip inflater (Debian's libisal), in gzip wrapper mode.
final class ISALInflater: Inflater {
    private let state: OpaquePointer

    init() throws(TriageError) {
        guard let state = CISAL_create() else { throw TriageError.invalidFormat("ISA-L: out of memory") }
        self.state = OpaquePointer(state)
    }

    func reset() { CISAL_reset(UnsafeMutablePointer(state)) }

    func step(_ input: UnsafePointer<UInt8>, _ inputCount: Int,
              _ output: UnsafeMutablePointer<UInt8>, _ outputCount: Int) -> InflateStep {
        var consumed: UInt32 = 0
        var produced: UInt32 = 0
        var finished: Int32 = 0
        let code = CISAL_step(UnsafeMutablePointer(state), input, UInt32(min(inputCount, Int(UInt32.max))),
                              output, UInt32(min(outputCount, Int(UInt32.max))), &consumed, &produced, &finished)
        var result = InflateStep(consumed: Int(consumed), produced: Int(produced), isMemberEnd: finished != 0, failure: nil)
        if code < 0 { result.failure = (code, "ISA-L error \(code): " + Self.describe(code)) }
        return result
    }

    static func describe(_ code: Int32) -> String {
        switch code {
        case -1: return "invalid deflate block"
        case -2: return "invalid deflate symbol"
        case -3: return "invalid lookback distance"
        case -4: return "invalid gzip wrapper"
        case -5: return "unsupported method"
        case -6: return "incorrect checksum"
        default: return "error \(code)"
        }
    }

    deinit { CISAL_destroy(UnsafeMutablePointer(state)) }
}
