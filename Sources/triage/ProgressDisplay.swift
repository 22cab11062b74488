import TriageCore
#if canImport(Glibc)
import Glibc
#endif

/// One self-rewriting line on standard error: file, bytes of total, lines per second, ETA.
///
/// Only on a terminal and never with --quiet. The analyzer calls it every 64K
/// lines; it redraws at most ten times a second, so the hot path pays a
/// counter decrement per line and nothing more.
final class ProgressDisplay {
    let enabled: Bool
    private let start = ProgressDisplay.now()
    private var lastDraw = 0.0
    private var drawn = false
    private var linesBefore = 0
    private var currentPath = ""
    private var linesInCurrent = 0

    init(enabled: Bool) { self.enabled = enabled }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func update(_ p: Progress) {
        guard enabled else { return }
        if p.path != currentPath {
            linesBefore += linesInCurrent
            currentPath = p.path
        }
        linesInCurrent = p.lines
        let t = Self.now()
        guard t - lastDraw >= 0.1 else { return }
        lastDraw = t
        let elapsed = max(0.001, t - start)
        let lines = linesBefore + p.lines
        var text = "triage: [\(p.inputIndex)/\(p.inputCount)] \(LogText.sanitize(p.path).suffix(40))"
        if let size = p.fileSize, size > 0 {
            let fraction = min(1, Double(p.fileBytesRead) / Double(size))
            text += " \(Int(fraction * 100))% of \(megabytes(size))"
            let rate = Double(p.fileBytesRead) / max(0.001, t - start)
            if rate > 0 && fraction < 1 { text += ", ETA \(Int(Double(size - p.fileBytesRead) / rate) + 1)s" }
        } else {
            text += " \(megabytes(p.fileBytesRead)) read"
        }
        text += ", \(Int(Double(lines) / elapsed / 1000))k lines/s"
        writeStandardErrorRaw("\r\u{1B}[2K" + LogText.sanitize(text))
        drawn = true
    }

    func finish() {
        if drawn { writeStandardErrorRaw("\r\u{1B}[2K") }
    }

    private func megabytes(_ bytes: Int64) -> String {
        bytes >= 10 << 20 ? "\(bytes >> 20) MB" : "\(bytes >> 10) KB"
    }
}
