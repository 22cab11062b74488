import Foundation

/// Checks a JSON document against the subset of JSON Schema (draft 2020-12)
/// that Docs/triage-report.schema.json uses.
///
/// Keywords: `$ref` (local `#/…` pointers), `type` (one or a list, with
/// `integer`), `enum`, `const`, `required`, `properties`,
/// `additionalProperties` (false or a schema), `propertyNames`, `items`,
/// `minimum`, `maximum`, `pattern` (searched, not anchored, as the spec says).
/// ``unsupportedKeywords()`` lists any other keyword the schema uses, so a
/// test can fail rather than let a constraint go unchecked.
public struct JSONSchemaValidator: Sendable {
    public static let checkedKeywords: Set<String> = [
        "$ref", "type", "enum", "const", "required", "properties", "additionalProperties", "propertyNames", "items",
        "minimum", "maximum", "pattern",
    ]
    /// Keywords that never constrain an instance.
    public static let annotations: Set<String> = ["$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"]

    public let schema: JSONValue
    /// Also report object keys that appear in another order than the schema's `properties`.
    public var checksKeyOrder = false

    public init(schema: JSONValue, checksKeyOrder: Bool = false) {
        self.schema = schema
        self.checksKeyOrder = checksKeyOrder
    }

    /// Every violation, each as `/json/pointer: message`; empty when the document is valid.
    public func validate(_ instance: JSONValue) -> [String] {
        var errors: [String] = []
        check(instance, against: schema, at: "", errors: &errors)
        return errors
    }

    /// Keywords in the schema this validator would ignore.
    public func unsupportedKeywords() -> Set<String> {
        var found: Set<String> = []
        collectKeywords(schema, into: &found)
        return found.subtracting(Self.checkedKeywords).subtracting(Self.annotations)
    }

    private func collectKeywords(_ schema: JSONValue, into found: inout Set<String>) {
        guard case .object(let members) = schema else { return }
        for (key, value) in members {
            found.insert(key)
            switch key {
            case "properties", "$defs":
                if case .object(let named) = value { for (_, sub) in named { collectKeywords(sub, into: &found) } }
            case "items", "additionalProperties", "propertyNames":
                collectKeywords(value, into: &found)
            default:
                break
            }
        }
    }

    // MARK: - Checking

    private func check(_ instance: JSONValue, against schema: JSONValue, at path: String, errors: inout [String]) {
        if case .bool(let allowed) = schema {
            if !allowed { errors.append("\(path): not allowed") }
            return
        }
        guard case .object = schema else { return }

        if case .string(let reference)? = schema["$ref"] {
            guard let target = resolve(reference) else {
                errors.append("\(path): cannot resolve $ref \(reference)")
                return
            }
            check(instance, against: target, at: path, errors: &errors)
        }
        if let type = schema["type"], !matches(instance, type: type) {
            errors.append("\(path): expected \(describe(type)), found \(kind(instance))")
            return
        }
        if case .array(let options)? = schema["enum"], !options.contains(where: { equal($0, instance) }) {
            errors.append("\(path): \(render(instance)) is not one of \(options.map(render).joined(separator: ", "))")
        }
        if let constant = schema["const"], !equal(constant, instance) {
            errors.append("\(path): expected \(render(constant))")
        }
        if let minimum = numeric(schema["minimum"]), let value = numeric(instance), value < minimum {
            errors.append("\(path): \(render(instance)) is less than the minimum \(render(schema["minimum"] ?? .null))")
        }
        if let maximum = numeric(schema["maximum"]), let value = numeric(instance), value > maximum {
            errors.append("\(path): \(render(instance)) is more than the maximum \(render(schema["maximum"] ?? .null))")
        }
        if case .string(let pattern)? = schema["pattern"], case .string(let text) = instance, !search(pattern, in: text) {
            errors.append("\(path): \(render(instance)) does not match \(pattern)")
        }
        if case .array(let items) = instance, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)/\(i)", errors: &errors) }
        }
        if case .object(let members) = instance {
            checkObject(members, against: schema, at: path, errors: &errors)
        }
    }

    private func checkObject(_ members: [(key: String, value: JSONValue)], against schema: JSONValue, at path: String,
                             errors: inout [String]) {
        let keys = members.map(\.key)
        if case .array(let required)? = schema["required"] {
            for case .string(let key) in required where !keys.contains(key) {
                errors.append("\(path): missing required key \"\(key)\"")
            }
        }
        var seen: Set<String> = []
        for key in keys where !seen.insert(key).inserted {
            errors.append("\(path): key \"\(key)\" appears twice")
        }
        let properties: [(key: String, value: JSONValue)]
        if case .object(let declared)? = schema["properties"] { properties = declared } else { properties = [] }
        for (key, value) in members {
            let childPath = "\(path)/\(key)"
            if let propertyNames = schema["propertyNames"] {
                check(.string(key), against: propertyNames, at: "\(childPath) (key)", errors: &errors)
            }
            if let property = properties.first(where: { $0.key == key }) {
                check(value, against: property.value, at: childPath, errors: &errors)
            } else if let additional = schema["additionalProperties"] {
                if case .bool(false) = additional {
                    errors.append("\(path): unexpected key \"\(key)\"")
                } else {
                    check(value, against: additional, at: childPath, errors: &errors)
                }
            }
        }
        if checksKeyOrder {
            let declaredOrder = properties.map(\.key).filter(keys.contains)
            let actualOrder = keys.filter { key in properties.contains { $0.key == key } }
            if declaredOrder != actualOrder {
                errors.append("\(path): keys in order \(actualOrder), schema order \(declaredOrder)")
            }
        }
    }

    /// Resolves `#/a/b` in the root schema (with `~0`/`~1` unescaped).
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node: JSONValue? = schema
        for token in reference.dropFirst().split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }

    private func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    // MARK: - Types and values

    private func matches(_ instance: JSONValue, type: JSONValue) -> Bool {
        switch type {
        case .string(let name): return matches(instance, typeName: name)
        case .array(let names): return names.contains { if case .string(let n) = $0 { matches(instance, typeName: n) } else { false } }
        default: return false
        }
    }

    private func matches(_ instance: JSONValue, typeName: String) -> Bool {
        switch (typeName, instance) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .integer), ("number", .integer), ("number", .number): return true
        case ("integer", .number(let value)): return value.rounded() == value
        default: return false
        }
    }

    private func kind(_ instance: JSONValue) -> String {
        switch instance {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private func describe(_ type: JSONValue) -> String {
        switch type {
        case .string(let name): return name
        case .array(let names): return names.map(render).joined(separator: " or ")
        default: return "?"
        }
    }

    private func numeric(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let n)?: return Double(n)
        case .number(let n)?: return n
        default: return nil
        }
    }

    private func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.integer, _), (.number, _): return numeric(a) != nil && numeric(a) == numeric(b)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { m in y.contains { $0.key == m.key && equal($0.value, m.value) } }
        default: return false
        }
    }

    private func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .integer(let n): return String(n)
        case .number(let n): return String(n)
        case .string(let s): return "\"\(s)\""
        case .array: return "[…]"
        case .object: return "{…}"
        }
    }
}

extension JSONSchemaValidator {
    /// The validator for the report schema in this repository (Docs/triage-report.schema.json).
    public static func reportSchema(checksKeyOrder: Bool = false) throws -> JSONSchemaValidator {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/triage-report.schema.json")
        return JSONSchemaValidator(schema: try JSONValue.parse(try String(contentsOf: url, encoding: .utf8)),
                                   checksKeyOrder: checksKeyOrder)
    }
}

extension JSONSchemaValidator {
    /// The validator for the JSON of `triage check` (Docs/triage-check.schema.json).
    public static func checkSchema(checksKeyOrder: Bool = false) throws -> JSONSchemaValidator {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/triage-check.schema.json")
        return JSONSchemaValidator(schema: try JSONValue.parse(try String(contentsOf: url, encoding: .utf8)),
                                   checksKeyOrder: checksKeyOrder)
    }
}
