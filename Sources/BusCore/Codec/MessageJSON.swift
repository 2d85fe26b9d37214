/// The JSON shape of a message (CONTRACT section 7), written by hand so that key order is fixed and no
/// Foundation is needed: `msg_id, timestamp, type, project_id`, then the optional fields only when set, then
/// `body`.
package enum MessageJSON {
    /// Appends the object for `message` to `json`.
    /// - Parameters:
    ///   - message: the message.
    ///   - revised: add `"revised":true` (`read --follow` printing a message again whose record grew).
    ///   - json: the buffer to append to.
    package static func encode(_ message: BusMessage, revised: Bool = false, into json: inout JSONBuffer) {
        json.append(raw: "{\"msg_id\":")
        json.append(string: message.msgID)
        json.append(raw: ",\"timestamp\":\"")
        message.timestamp.appendRFC3339(to: &json.bytes)
        json.append(raw: "\"")
        if message.timestampInferred { json.append(raw: ",\"timestamp_inferred\":true") }
        json.append(raw: ",\"type\":")
        json.append(string: message.type)
        json.append(raw: ",\"project_id\":")
        json.append(string: message.projectID)
        if !message.taskID.isEmpty {
            json.append(raw: ",\"task_id\":")
            json.append(string: message.taskID)
        }
        if !message.runID.isEmpty {
            json.append(raw: ",\"run_id\":")
            json.append(string: message.runID)
        }
        if !message.issueID.isEmpty {
            json.append(raw: ",\"issue_id\":")
            json.append(string: message.issueID)
        }
        if !message.parents.isEmpty {
            json.append(raw: ",\"parents\":[")
            for (index, parent) in message.parents.enumerated() {
                if index > 0 { json.append(raw: ",") }
                encode(parent, into: &json)
            }
            json.append(raw: "]")
        }
        if !message.links.isEmpty {
            json.append(raw: ",\"links\":[")
            for (index, link) in message.links.enumerated() {
                if index > 0 { json.append(raw: ",") }
                encode(link, into: &json)
            }
            json.append(raw: "]")
        }
        if !message.meta.isEmpty {
            json.append(raw: ",\"meta\":")
            object(message.meta, into: &json)
        }
        json.append(raw: ",\"body\":")
        json.append(string: message.body)
        if revised { json.append(raw: ",\"revised\":true") }
        json.append(raw: "}")
    }

    /// The object for `message` as text.
    package static func encode(_ message: BusMessage) -> String {
        var json = JSONBuffer(capacity: message.body.utf8.count + 256)
        encode(message, into: &json)
        return json.text
    }

    private static func encode(_ parent: BusParent, into json: inout JSONBuffer) {
        json.append(raw: "{\"msg_id\":")
        json.append(string: parent.msgID)
        if !parent.kind.isEmpty {
            json.append(raw: ",\"kind\":")
            json.append(string: parent.kind)
        }
        if !parent.meta.isEmpty {
            json.append(raw: ",\"meta\":")
            object(parent.meta, into: &json)
        }
        json.append(raw: "}")
    }

    private static func encode(_ link: BusLink, into json: inout JSONBuffer) {
        json.append(raw: "{\"url\":")
        json.append(string: link.url)
        if !link.label.isEmpty {
            json.append(raw: ",\"label\":")
            json.append(string: link.label)
        }
        if !link.kind.isEmpty {
            json.append(raw: ",\"kind\":")
            json.append(string: link.kind)
        }
        json.append(raw: "}")
    }

    /// A string map with sorted keys.
    package static func object(_ values: [String: String], into json: inout JSONBuffer) {
        json.append(raw: "{")
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { json.append(raw: ",") }
            json.append(string: key)
            json.append(raw: ":")
            json.append(string: values[key] ?? "")
        }
        json.append(raw: "}")
    }

    /// A string map with sorted keys, as text.
    package static func object(_ values: [String: String]) -> String {
        var json = JSONBuffer()
        object(values, into: &json)
        return json.text
    }

    /// A JSON string literal, as text (see `JSONBuffer.append(string:)`).
    package static func string(_ value: String) -> String {
        var json = JSONBuffer(capacity: value.utf8.count + 2)
        json.append(string: value)
        return json.text
    }
}
