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
        message.timestamp.appendRFC3339(to: &json)
        json.append(raw: "\"")
        if message.timestampInferred { json.append(raw: ",\"timestamp_inferred\":true") }
        json.append(raw: ",\"type\":")
        json.append(string: message.type)
        json.append(raw: ",\"project_id\":")
        json.append(string: message.projectID)
        appendOptional(",\"task_id\":", message.taskID, into: &json)
        appendOptional(",\"run_id\":", message.runID, into: &json)
        appendOptional(",\"issue_id\":", message.issueID, into: &json)
        appendList(",\"parents\":[", message.parents, into: &json) { encode($0, into: &$1) }
        appendList(",\"links\":[", message.links, into: &json) { encode($0, into: &$1) }
        if !message.meta.isEmpty {
            json.append(raw: ",\"meta\":")
            object(message.meta, into: &json)
        }
        json.append(raw: ",\"body\":")
        json.append(string: message.body)
        if revised { json.append(raw: ",\"revised\":true") }
        json.append(raw: "}")
    }

    /// Appends the object for a message whose fields are still bytes of the file: the same text as `encode` of
    /// the built message, without making it.
    /// - Returns: false, with nothing appended, when a field is not well-formed UTF-8 (encode the built message,
    ///   whose strings hold replacement characters there).
    package static func encode(_ record: PlainRecord, into json: inout JSONBuffer) -> Bool {
        let mark = json.count
        json.append(raw: "{\"msg_id\":")
        var valid = json.append(checkingUTF8: record.msgID)
        json.append(raw: ",\"timestamp\":\"")
        record.timestamp.appendRFC3339(to: &json)
        // Keys that follow each other are one append.
        if record.timestampInferred {
            json.append(raw: "\",\"timestamp_inferred\":true,\"type\":")
        } else {
            json.append(raw: "\",\"type\":")
        }
        valid = valid && json.append(checkingUTF8: record.type)
        json.append(raw: ",\"project_id\":")
        valid = valid && json.append(checkingUTF8: record.projectID)
        valid = valid && appendOptional(",\"task_id\":", record.taskID, into: &json)
        valid = valid && appendOptional(",\"run_id\":", record.runID, into: &json)
        valid = valid && appendOptional(",\"issue_id\":", record.issueID, into: &json)
        json.append(raw: ",\"body\":")
        valid = valid && json.append(checkingUTF8: record.body)
        json.append(raw: "}")
        if !valid { json.truncate(to: mark) }
        return valid
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
        appendOptional(",\"kind\":", parent.kind, into: &json)
        if !parent.meta.isEmpty {
            json.append(raw: ",\"meta\":")
            object(parent.meta, into: &json)
        }
        json.append(raw: "}")
    }

    private static func encode(_ link: BusLink, into json: inout JSONBuffer) {
        json.append(raw: "{\"url\":")
        json.append(string: link.url)
        appendOptional(",\"label\":", link.label, into: &json)
        appendOptional(",\"kind\":", link.kind, into: &json)
        json.append(raw: "}")
    }

    /// Appends `opening` (the key and `[`), the items, and `]` when there are items.
    private static func appendList<Item>(
        _ opening: StaticString,
        _ items: [Item],
        into json: inout JSONBuffer,
        _ encodeItem: (Item, inout JSONBuffer) -> Void
    ) {
        guard !items.isEmpty else { return }
        json.append(raw: opening)
        for (index, item) in items.enumerated() {
            if index > 0 { json.append(raw: ",") }
            encodeItem(item, &json)
        }
        json.append(raw: "]")
    }

    /// Appends `key` and `value` when the value is set: optional fields are left out, not written empty.
    private static func appendOptional(_ key: StaticString, _ value: String, into json: inout JSONBuffer) {
        guard !value.isEmpty else { return }
        json.append(raw: key)
        json.append(string: value)
    }

    /// `appendOptional` for a field still in bytes.
    /// - Returns: false when it is not well-formed UTF-8.
    private static func appendOptional(
        _ key: StaticString,
        _ value: UnsafeBufferPointer<UInt8>,
        into json: inout JSONBuffer
    ) -> Bool {
        guard !value.isEmpty else { return true }
        json.append(raw: key)
        return json.append(checkingUTF8: value)
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
