/// The JSON shape of a message (CONTRACT section 7), written by hand so that key order is fixed and no
/// Foundation is needed: `msg_id, timestamp, type, project_id`, then the optional fields only when set, then
/// `body`.
package enum MessageJSON {
    package static func encode(_ message: BusMessage) -> String {
        var out = "{"
        out += "\"msg_id\":" + string(message.msgID)
        out += ",\"timestamp\":" + string(message.timestamp.rfc3339)
        if message.timestampInferred { out += ",\"timestamp_inferred\":true" }
        out += ",\"type\":" + string(message.type)
        out += ",\"project_id\":" + string(message.projectID)
        if !message.taskID.isEmpty { out += ",\"task_id\":" + string(message.taskID) }
        if !message.runID.isEmpty { out += ",\"run_id\":" + string(message.runID) }
        if !message.issueID.isEmpty { out += ",\"issue_id\":" + string(message.issueID) }
        if !message.parents.isEmpty {
            out += ",\"parents\":[" + message.parents.map(parent).joined(separator: ",") + "]"
        }
        if !message.links.isEmpty {
            out += ",\"links\":[" + message.links.map(link).joined(separator: ",") + "]"
        }
        if !message.meta.isEmpty { out += ",\"meta\":" + object(message.meta) }
        out += ",\"body\":" + string(message.body)
        return out + "}"
    }

    private static func parent(_ parent: BusParent) -> String {
        var out = "{\"msg_id\":" + string(parent.msgID)
        if !parent.kind.isEmpty { out += ",\"kind\":" + string(parent.kind) }
        if !parent.meta.isEmpty { out += ",\"meta\":" + object(parent.meta) }
        return out + "}"
    }

    private static func link(_ link: BusLink) -> String {
        var out = "{\"url\":" + string(link.url)
        if !link.label.isEmpty { out += ",\"label\":" + string(link.label) }
        if !link.kind.isEmpty { out += ",\"kind\":" + string(link.kind) }
        return out + "}"
    }

    /// A string map with sorted keys.
    package static func object(_ values: [String: String]) -> String {
        "{" + values.keys.sorted().map { string($0) + ":" + string(values[$0] ?? "") }.joined(separator: ",") + "}"
    }

    /// A JSON string literal; control characters escaped, everything else (UTF-8) as is.
    package static func string(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
