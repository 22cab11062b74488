/// Writes JSON text with keys in the order they are written.
///
/// Stable key order is part of the report's contract (Docs/JSONReport.md);
/// a dictionary-based encoder would not keep it.
public struct JSONWriter {
    public private(set) var text = ""
    private var needsComma = [false]
    private var indent = 0
    public let pretty: Bool

    public init(pretty: Bool = true) { self.pretty = pretty }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
        if pretty && indent > 0 {
            text += "\n" + String(repeating: "  ", count: indent)
        }
    }

    private mutating func key(_ name: String?) {
        separator()
        if let name {
            text += Self.quoted(name)
            text += pretty ? ": " : ":"
        }
    }

    public mutating func beginObject(_ name: String? = nil) {
        key(name)
        text += "{"
        indent += 1
        needsComma.append(false)
    }

    public mutating func endObject() { close("}") }

    public mutating func beginArray(_ name: String? = nil) {
        key(name)
        text += "["
        indent += 1
        needsComma.append(false)
    }

    public mutating func endArray() { close("]") }

    private mutating func close(_ bracket: String) {
        let hadItems = needsComma.removeLast()
        indent -= 1
        if pretty && hadItems { text += "\n" + String(repeating: "  ", count: indent) }
        text += bracket
    }

    public mutating func string(_ name: String? = nil, _ value: String) {
        key(name)
        text += Self.quoted(value)
    }

    public mutating func optionalString(_ name: String? = nil, _ value: String?) {
        key(name)
        text += value.map(Self.quoted) ?? "null"
    }

    public mutating func int(_ name: String? = nil, _ value: Int) {
        key(name)
        text += String(value)
    }

    public mutating func double(_ name: String? = nil, _ value: Double) {
        key(name)
        text += value.isFinite ? String(value) : "null"
    }

    public mutating func bool(_ name: String? = nil, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    public mutating func null(_ name: String? = nil) {
        key(name)
        text += "null"
    }

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
