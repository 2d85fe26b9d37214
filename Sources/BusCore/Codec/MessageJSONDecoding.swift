/// A JSON value that does not have the shape a field needs: names the field (`parents[1].msg_id`) and why.
package struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    package var field: String
    package var reason: String

    package init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    package var description: String { field.isEmpty ? reason : "field '\(field)': \(reason)" }
}

/// Typed access to the fields of one JSON object, with errors that name the field.
package struct JSONObjectReader {
    package let pairs: [(key: String, value: JSONValue)]
    /// Where this object sits in the document (`""` for the top level, `parents[0]` inside a list).
    package let location: String

    /// - Throws: `JSONFieldError` when `value` is not an object.
    package init(_ value: JSONValue, location: String = "") throws(JSONFieldError) {
        guard case .object(let pairs) = value else {
            throw JSONFieldError(field: location, reason: "expected an object, got \(value.kindName)")
        }
        self.pairs = pairs
        self.location = location
    }

    package func name(_ key: String) -> String { location.isEmpty ? key : location + "." + key }

    package func value(_ key: String) -> JSONValue? { pairs.first { $0.key == key }?.value }

    /// Refuses keys outside `allowed`, naming the first unknown one.
    package func rejectUnknown(_ allowed: Set<String>) throws(JSONFieldError) {
        if let unknown = pairs.first(where: { !allowed.contains($0.key) }) {
            throw JSONFieldError(field: name(unknown.key), reason: "unknown field")
        }
    }

    /// A string field; nil when absent or null.
    package func string(_ key: String) throws(JSONFieldError) -> String? {
        switch value(key) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw JSONFieldError(field: name(key), reason: "expected a string, got \(other.kindName)")
        }
    }

    /// A string field that must be there.
    package func requiredString(_ key: String) throws(JSONFieldError) -> String {
        guard let text = try string(key) else { throw JSONFieldError(field: name(key), reason: "is required") }
        return text
    }

    /// An object of string values (`meta`); nil when absent or null.
    package func stringMap(_ key: String) throws(JSONFieldError) -> [String: String]? {
        switch value(key) {
        case nil, .null?: return nil
        case .object(let entries)?:
            var out: [String: String] = [:]
            for entry in entries {
                guard case .string(let text) = entry.value else {
                    throw JSONFieldError(
                        field: name(key) + "." + entry.key,
                        reason: "expected a string, got \(entry.value.kindName)"
                    )
                }
                out[entry.key] = text
            }
            return out
        case let other?: throw JSONFieldError(field: name(key), reason: "expected an object, got \(other.kindName)")
        }
    }

    /// An array field; nil when absent or null.
    package func array(_ key: String) throws(JSONFieldError) -> [JSONValue]? {
        switch value(key) {
        case nil, .null?: return nil
        case .array(let items)?: return items
        case let other?: throw JSONFieldError(field: name(key), reason: "expected an array, got \(other.kindName)")
        }
    }
}

extension MessageJSON {
    /// Decodes the JSON shape of a message (what `encode` writes); unknown keys are ignored, as readers of a
    /// newer server's output should.
    /// - Throws: `JSONFieldError` naming the first field of the wrong type, or a missing required one.
    package static func decode(_ value: JSONValue) throws(JSONFieldError) -> BusMessage {
        let object = try JSONObjectReader(value)
        let stamp = try object.requiredString("timestamp")
        guard let timestamp = BusTimestamp(rfc3339: stamp) else {
            throw JSONFieldError(field: "timestamp", reason: "not an RFC 3339 time: \(stamp)")
        }
        var inferred = false
        if case .bool(let flag)? = object.value("timestamp_inferred") { inferred = flag }
        return BusMessage(
            msgID: try object.requiredString("msg_id"),
            timestamp: timestamp,
            type: try object.requiredString("type"),
            projectID: try object.string("project_id") ?? "",
            taskID: try object.string("task_id") ?? "",
            runID: try object.string("run_id") ?? "",
            issueID: try object.string("issue_id") ?? "",
            parents: try parents(object),
            links: try links(object),
            meta: try object.stringMap("meta") ?? [:],
            body: try object.requiredString("body"),
            timestampInferred: inferred
        )
    }

    /// `parents`: objects `{msg_id, kind?, meta?}`, or plain id strings (the legacy form).
    package static func parents(_ object: JSONObjectReader, strict: Bool = false) throws(JSONFieldError) -> [BusParent]
    {
        var out: [BusParent] = []
        for (index, item) in (try object.array("parents") ?? []).enumerated() {
            let location = object.name("parents") + "[\(index)]"
            if case .string(let id) = item {
                out.append(BusParent(msgID: id))
                continue
            }
            let entry = try JSONObjectReader(item, location: location)
            if strict { try entry.rejectUnknown(["msg_id", "kind", "meta"]) }
            out.append(
                BusParent(
                    msgID: try entry.requiredString("msg_id"),
                    kind: try entry.string("kind") ?? "",
                    meta: try entry.stringMap("meta") ?? [:]
                )
            )
        }
        return out
    }

    /// `links`: objects `{url, label?, kind?}`.
    package static func links(_ object: JSONObjectReader, strict: Bool = false) throws(JSONFieldError) -> [BusLink] {
        var out: [BusLink] = []
        for (index, item) in (try object.array("links") ?? []).enumerated() {
            let entry = try JSONObjectReader(item, location: object.name("links") + "[\(index)]")
            if strict { try entry.rejectUnknown(["url", "label", "kind"]) }
            out.append(
                BusLink(
                    url: try entry.requiredString("url"),
                    label: try entry.string("label") ?? "",
                    kind: try entry.string("kind") ?? ""
                )
            )
        }
        return out
    }
}
