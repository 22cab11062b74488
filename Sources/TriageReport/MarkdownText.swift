import TriageCore

/// Makes text safe to place in GitHub-flavoured Markdown, in prose or a table cell.
///
/// Log text is hostile: a route can hold `|` (which would split a table cell),
/// `*`, `_`, backticks, `[…](…)`, raw HTML or a terminal escape. Two forms keep
/// it literal:
///
/// - ``text(_:)`` backslash-escapes every character Markdown could read as
///   syntax and writes `<`, `>` and `&` as entities, so the text renders as
///   itself in proportional type;
/// - ``code(_:)`` wraps it in a code span whose backtick fence is longer than
///   any run of backticks inside. Inside a code span nothing is syntax, links
///   and `@mentions` are not made, and only `|` needs escaping (GFM splits
///   table rows before it parses spans, and honours `\|` even inside code).
///
/// Both first pass the text through ``LogText/sanitize(_:)``: control
/// characters (newlines included) become visible `\xHH`, so no log text can
/// end a table row or start a block.
enum MarkdownText {
    /// Characters GFM may read as syntax anywhere in a line; escaped with a backslash.
    private static let punctuation: Set<Character> = ["\\", "`", "*", "_", "[", "]", "|", "~", "#", "!", "$"]

    /// `value` as literal prose.
    static func text(_ value: String) -> String {
        let clean = LogText.sanitize(value)
        var out = ""
        out.reserveCapacity(clean.utf8.count + 8)
        var index = clean.startIndex
        while index < clean.endIndex {
            let c = clean[index]
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case ":" where clean[index...].hasPrefix("://"):
                // `https\://` is not autolinked by GFM's extended autolinks.
                out += "\\:"
            default:
                if punctuation.contains(c) { out.append("\\") }
                out.append(c)
            }
            index = clean.index(after: index)
        }
        return escapeLineStart(out)
    }

    /// `value` as a code span (monospace, literal); empty text stays empty.
    ///
    /// - Parameter inTable: escape `|` for a table cell (outside a table the
    ///   backslash would show).
    static func code(_ value: String, inTable: Bool = true) -> String {
        let sanitized = LogText.sanitize(value)
        let clean = inTable ? sanitized.replacing("|", with: "\\|") : sanitized
        guard !clean.isEmpty else { return "" }
        var longestRun = 0
        var run = 0
        for c in clean {
            run = c == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        // GFM strips one space from each side when both are present, and a
        // backtick next to the fence would lengthen it: pad in both cases.
        let needsPadding = clean.first == "`" || clean.last == "`"
            || (clean.first == " " && clean.last == " " && clean.contains { $0 != " " })
        let pad = needsPadding ? " " : ""
        return fence + pad + clean + pad + fence
    }

    /// Escapes what starts a block only at the start of a line (`-`, `+`, `=`, `1.`, `1)`).
    ///
    /// Prose produced here always begins a list item or paragraph, so this is
    /// where `- foo` would become a nested list.
    private static func escapeLineStart(_ text: String) -> String {
        guard let first = text.first else { return text }
        if first == "-" || first == "+" || first == "=" { return "\\" + text }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 9 {
            let rest = text.dropFirst(digits.count)
            if let marker = rest.first, marker == "." || marker == ")" {
                return digits + "\\" + rest
            }
        }
        return text
    }

    /// One table row: cells joined with pipes. Cells must already be escaped.
    static func row(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }

    /// The header and delimiter rows of a table; `numeric` columns align right.
    static func header(_ titles: [String], numeric: Set<Int> = []) -> [String] {
        [row(titles), row(titles.indices.map { numeric.contains($0) ? "---:" : "---" })]
    }

    /// A fenced code block that no backtick run in `lines` can close early.
    static func fenced(_ lines: [String]) -> [String] {
        var longest = 0
        for line in lines {
            var run = 0
            for c in line {
                run = c == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [fence] + lines.map { $0.replacing("\t", with: "    ") } + [fence]
    }
}
