/// Wrapping text at spaces to a width, for the terminal report and `triage check`.
enum TextWrap {
    /// Columns `s` takes on a terminal: escape sequences (`ESC … m`) take none.
    static func visibleWidth(_ s: Substring) -> Int {
        var n = 0
        var inEscape = false
        for scalar in s.unicodeScalars {
            if inEscape { if scalar == "m" { inEscape = false }; continue }
            if scalar == "\u{1B}" { inEscape = true; continue }
            n += 1
        }
        return n
    }

    /// `text` wrapped at spaces to `width`: `first` starts the first line, `indent` the
    /// others. A word longer than a whole line stays whole on a line of its own.
    static func wrap(_ text: String, width: Int, first: String, indent: String) -> [String] {
        var lines: [String] = []
        var current = first
        var currentWidth = visibleWidth(first[...])
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let w = visibleWidth(word)
            if lineHasWord && !word.isEmpty && currentWidth + 1 + w > width {
                lines.append(current)
                current = indent
                currentWidth = indent.count
                lineHasWord = false
            }
            if lineHasWord {
                current += " "
                currentWidth += 1
            }
            current += word
            currentWidth += w
            lineHasWord = true
        }
        lines.append(current)
        return lines
    }

    /// `line` as it is when it fits `width`; else wrapped at spaces, its continuation lines
    /// under its own indentation plus four (at most half the width). A word wider than a
    /// line stays whole.
    static func fit(_ line: String, width: Int) -> [String] {
        guard visibleWidth(line[...]) > width else { return [line] }
        let leading = line.prefix { $0 == " " }.count
        return wrap(String(line.dropFirst(leading)), width: width, first: String(repeating: " ", count: leading),
                    indent: String(repeating: " ", count: min(leading + 4, width / 2)))
    }
}
