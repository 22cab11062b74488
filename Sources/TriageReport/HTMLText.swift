import TriageCore

/// Makes text safe to place in HTML, in element content or a quoted attribute.
///
/// Log text is hostile: a route or user agent of `<script>alert(1)</script>`
/// must show as those characters. The text first goes through
/// ``LogText/sanitize(_:)`` (control characters become visible `\xHH`, which
/// HTML would otherwise drop or reject), then the five characters that can end
/// text or an attribute value become entities.
enum HTMLText {
    static func escape(_ value: String) -> String {
        let clean = LogText.sanitize(value)
        var out = ""
        out.reserveCapacity(clean.utf8.count + 16)
        for scalar in clean.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `value` escaped inside `<code>`; empty text gives nothing.
    static func code(_ value: String) -> String {
        value.isEmpty ? "" : "<code>\(escape(value))</code>"
    }

    /// A number with at most one decimal, the same on every platform (SVG coordinates).
    static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
