import Foundation
import Yams

/// A JSON value whose kinds stay apart (JSONSerialization's NSNumber would make `true` an integer too).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    init(parsing text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// The served OpenAPI document, parsed with Yams, and a validator for the subset of JSON Schema it uses:
/// `type`, `required`, `properties`, `additionalProperties` (false or a schema), `items`, `enum`, `oneOf` and
/// `$ref` to `#/...` (components).
struct OpenAPISchema {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    let root: [String: Any]

    init(yaml: String) throws {
        guard let root = Self.normalized(try Yams.load(yaml: yaml)) as? [String: Any] else {
            throw Invalid(description: "the document is not a YAML mapping")
        }
        self.root = root
    }

    /// Yams gives `[AnyHashable: Any]` mappings; the keys of this document are all strings.
    private static func normalized(_ node: Any?) -> Any? {
        if let mapping = node as? [AnyHashable: Any] {
            var out: [String: Any] = [:]
            for (key, value) in mapping { out[String(describing: key.base)] = normalized(value) ?? NSNull() }
            return out
        }
        if let sequence = node as? [Any] { return sequence.map { normalized($0) ?? NSNull() } }
        return node
    }

    var paths: [String: Any] { (root["paths"] as? [String: Any]) ?? [:] }

    /// The HTTP methods (lowercase) of a path item.
    func methods(of path: String) -> Set<String> {
        let item = (paths[path] as? [String: Any]) ?? [:]
        return Set(item.keys).intersection(["get", "put", "post", "delete", "options", "head", "patch", "trace"])
    }

    /// Follows `#/a/b/c` references (several in a row) to the node they name.
    func resolve(_ node: [String: Any]) throws(Invalid) -> [String: Any] {
        var node = node
        var hops = 0
        while let reference = node["$ref"] as? String {
            guard reference.hasPrefix("#/"), hops < 16 else { throw Invalid(description: "bad $ref \(reference)") }
            var target: Any? = root
            for key in reference.dropFirst(2).split(separator: "/") {
                target = (target as? [String: Any])?[String(key)]
            }
            guard let resolved = target as? [String: Any] else {
                throw Invalid(description: "$ref \(reference) names nothing")
            }
            node = resolved
            hops += 1
        }
        return node
    }

    /// Every `$ref` anywhere in the document, so a test can check that each one resolves.
    var references: [String] {
        var found: [String] = []
        func walk(_ node: Any) {
            if let mapping = node as? [String: Any] {
                if let reference = mapping["$ref"] as? String { found.append(reference) }
                mapping.values.forEach(walk)
            } else if let sequence = node as? [Any] {
                sequence.forEach(walk)
            }
        }
        walk(root)
        return found
    }

    /// The response object an operation declares for a status code (explicitly, not through `default`).
    func response(_ path: String, _ method: String, status: Int) throws(Invalid) -> [String: Any] {
        guard let item = paths[path] as? [String: Any], let operation = item[method] as? [String: Any] else {
            throw Invalid(description: "\(method) \(path) is not in the document")
        }
        guard let responses = operation["responses"] as? [String: Any],
            let response = responses[String(status)] as? [String: Any]
        else {
            throw Invalid(description: "\(method) \(path) does not list status \(status)")
        }
        return try resolve(response)
    }

    /// The schema of a response's `media` content, nil when it documents no such content.
    func schema(of response: [String: Any], media: String = "application/json") throws(Invalid) -> [String: Any]? {
        guard let content = response["content"] as? [String: Any],
            let entry = content[media] as? [String: Any],
            let schema = entry["schema"] as? [String: Any]
        else { return nil }
        return schema
    }

    /// Problems of `value` against `schema` (empty when it validates), each naming where it is.
    func validate(_ value: JSONValue, _ node: [String: Any], at location: String = "$") -> [String] {
        let schema: [String: Any]
        do throws(Invalid) {
            schema = try resolve(node)
        } catch {
            return ["\(location): \(error)"]
        }
        var problems: [String] = []
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matches = options.filter { validate(value, $0, at: location).isEmpty }.count
            if matches != 1 { problems.append("\(location): matches \(matches) of oneOf") }
        }
        if let type = schema["type"] as? String, !Self.matches(value, type: type) {
            return problems + ["\(location): \(value.kind) where the document says \(type)"]
        }
        if let allowed = schema["enum"] as? [Any] {
            let names = allowed.map { String(describing: $0) }
            if case .string(let text) = value, names.contains(text) {
            } else {
                problems.append("\(location): \(value) is not one of \(names)")
            }
        }
        switch value {
        case .object(let fields):
            let required = (schema["required"] as? [String]) ?? []
            for name in required where fields[name] == nil { problems.append("\(location): missing '\(name)'") }
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] as? [String: Any] {
                    problems += validate(field, property, at: location + "." + name)
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(location): '\(name)' is not in the document")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    problems += validate(field, extra, at: location + "." + name)
                }
            }
        case .array(let elements):
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in elements.enumerated() {
                    problems += validate(element, items, at: location + "[\(index)]")
                }
            }
        default:
            break
        }
        return problems
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .integer),
            ("number", .integer), ("number", .number), ("null", .null):
            true
        default:
            false
        }
    }
}
