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
