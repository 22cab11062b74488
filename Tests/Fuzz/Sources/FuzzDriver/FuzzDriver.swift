import TriageCore
import TriageReport

/// libFuzzer's driver. SwiftPM gives every executable its own `main`, which shadows
/// the one in libFuzzer, so each target calls the driver from its top-level code.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The target's body; a C callback cannot capture it, so it waits here.
nonisolated(unsafe) private var body: (([UInt8]) -> Void)?

/// Runs libFuzzer with the process's arguments, calling `target` with each input.
public func runFuzzer(_ target: @escaping ([UInt8]) -> Void) -> Never {
    body = target
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        body?(bytes)
        return 0
    }
    exit(status)
}

/// One input in this many is rendered (`FUZZ_RENDER_EVERY`, default 8; 1 renders all).
///
/// Rendering the four reports is most of a small input's cost, while the count
/// oracle, checked on every input, needs only the summary. Which inputs are
/// rendered depends on the input's bytes alone (FNV-1a), so a crash in a renderer
/// reproduces when its input is run again, and the renderers still see a steady
/// share of every kind of input the fuzzer makes.
let renderEvery: UInt64 = {
    guard let text = getenv("FUZZ_RENDER_EVERY"), let n = UInt64(String(cString: text)), n > 0 else { return 8 }
    return n
}()

/// Whether `bytes` is one of the inputs whose summaries are rendered.
public func isRendered(_ bytes: [UInt8]) -> Bool {
    guard renderEvery > 1 else { return true }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return hash % renderEvery == 0
}

/// Renders `summary` with every renderer. Oracle: no raw control byte (anything
/// below 0x20 but a line break, or DEL) in any report: log text is hostile, and a
/// report must never carry it raw to a terminal, a browser or a JSON reader.
public func checkRenderers(_ summary: TriageSummary) {
    let reports = [
        ("terminal", TerminalRenderer(color: false, width: 100).render(summary)),
        ("markdown", MarkdownRenderer().render(summary)),
        ("html", HTMLRenderer().render(summary)),
        ("json", JSONRenderer().render(summary)),
    ]
    for (name, text) in reports {
        for byte in text.utf8 where (byte < 0x20 && byte != 0x0A) || byte == 0x7F {
            preconditionFailure("raw control byte 0x\(String(byte, radix: 16)) in the \(name) report")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
