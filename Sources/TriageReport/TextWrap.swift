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
}
