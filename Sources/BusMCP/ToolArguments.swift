internal import MCP

/// The `arguments` of a tool call, read with the schema's rules: every name known, every value of its type.
///
/// Each accessor throws `BusMCPError.invalidArgument` naming the argument, so an agent can fix its call.
struct ToolArguments {
    let values: [String: Value]

    /// - Parameters:
    ///   - values: the call's arguments (nil: none).
    ///   - allowed: the names the tool's schema declares; any other is refused (a misspelt `since` would
    ///     otherwise read the whole bus).
    /// - Throws: `BusMCPError.invalidArgument` for a name the schema does not declare.
    init(_ values: [String: Value]?, allowed: Set<String>) throws(BusMCPError) {
        self.values = values ?? [:]
        for name in self.values.keys.sorted() where !allowed.contains(name) {
            throw .invalidArgument(
                name: name,
                reason: "is not known (expected one of \(allowed.sorted().joined(separator: ", ")))"
            )
        }
    }

    /// A string, or nil when absent or null.
    func string(_ name: String) throws(BusMCPError) -> String? {
        switch values[name] {
        case .none, .null: return nil
        case .string(let text): return text
        case .some(let other): throw .invalidArgument(name: name, reason: "must be a string, got \(Self.kind(other))")
        }
    }

    /// A string that must be there and not be empty.
    func requiredString(_ name: String) throws(BusMCPError) -> String {
        guard let text = try string(name) else { throw .invalidArgument(name: name, reason: "is required") }
        return text
    }

    /// A whole number in `range`, or nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(BusMCPError) -> Int? {
        let number: Int
        switch values[name] {
        case .none, .null: return nil
        case .int(let value): number = value
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: number = Int(value)
        case .some(let other):
            throw .invalidArgument(name: name, reason: "must be an integer, got \(Self.kind(other))")
        }
        guard range.contains(number) else {
            throw .invalidArgument(
                name: name,
                reason: "must be from \(range.lowerBound) to \(range.upperBound), got \(number)"
            )
        }
        return number
    }

    /// A number of seconds in `range` (decimals allowed), or nil when absent.
    func seconds(_ name: String, in range: ClosedRange<Double>) throws(BusMCPError) -> Double? {
        let number: Double
        switch values[name] {
        case .none, .null: return nil
        case .int(let value): number = Double(value)
        case .double(let value): number = value
        case .some(let other): throw .invalidArgument(name: name, reason: "must be a number, got \(Self.kind(other))")
        }
        guard range.contains(number) else {
            throw .invalidArgument(
                name: name,
                reason: "must be from \(Int(range.lowerBound)) to \(Int(range.upperBound)) seconds, got \(number)"
            )
        }
        return number
    }

    /// A list of strings (a single string counts as a list of one), or nil when absent.
    func strings(_ name: String) throws(BusMCPError) -> [String]? {
        switch values[name] {
        case .none, .null: return nil
        case .string(let text): return [text]
        case .array(let items):
            var texts: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw .invalidArgument(name: name, reason: "must be a list of strings, found \(Self.kind(item))")
                }
                texts.append(text)
            }
            return texts
        case .some(let other):
            throw .invalidArgument(name: name, reason: "must be a list of strings, got \(Self.kind(other))")
        }
    }

    /// An object of string values, or nil when absent.
    func stringMap(_ name: String) throws(BusMCPError) -> [String: String]? {
        switch values[name] {
        case .none, .null: return nil
        case .object(let entries):
            var map: [String: String] = [:]
            for (key, value) in entries {
                guard case .string(let text) = value else {
                    throw .invalidArgument(
                        name: name,
                        reason: "must map keys to strings, '\(key)' is \(Self.kind(value))"
                    )
                }
                guard !key.isEmpty else { throw .invalidArgument(name: name, reason: "has an empty key") }
                map[key] = text
            }
            return map
        case .some(let other): throw .invalidArgument(name: name, reason: "must be an object, got \(Self.kind(other))")
        }
    }

    private static func kind(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .data: "data"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
