import CBusBytes

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
        if PlainObject.write(record, into: &json) { return true }
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

/// The JSON object of a plain record whose header fields need no escape and no check, in one reservation.
///
/// Almost every record's ids, type and project are ASCII without quotes, backslashes or controls: the keys, those
/// fields and the time are written as they are, the same text as `MessageJSON.encode(_:into:)` writes append by
/// append, without a capacity and ownership check per key and field. The body (multi-line, so escaped) is
/// appended as before.
enum PlainObject {
    /// Room for the keys, quotes and punctuation around the header fields, and the time: more than they take.
    static let framing = 160 + BusTimestamp.fixedWidthLimit

    /// Writes the object for `record` when every header field is plain.
    /// - Returns: false, with nothing written, when a header field needs an escape or a UTF-8 check, the time
    ///   has no fixed width, or the body is not well-formed UTF-8: `MessageJSON.encode` judges those.
    static func write(_ record: PlainRecord, into json: inout JSONBuffer) -> Bool {
        guard isPlain(record.msgID), isPlain(record.type), isPlain(record.projectID), isPlain(record.taskID),
            isPlain(record.runID), isPlain(record.issueID)
        else { return false }
        let mark = json.count
        let fields =
            record.msgID.count + record.type.count + record.projectID.count + record.taskID.count
            + record.runID.count + record.issueID.count
        var room = Room(json.reserve(framing + fields))
        room.write("{\"msg_id\":\"")
        room.write(record.msgID)
        room.write("\",\"timestamp\":\"")
        guard let time = record.timestamp.writeRFC3339(into: room.next) else { return false }
        room.next += time
        room.write(record.timestampInferred ? "\",\"timestamp_inferred\":true,\"type\":\"" : "\",\"type\":\"")
        room.write(record.type)
        room.write("\",\"project_id\":\"")
        room.write(record.projectID)
        room.write("\"")
        room.writeOptional(",\"task_id\":\"", record.taskID)
        room.writeOptional(",\"run_id\":\"", record.runID)
        room.writeOptional(",\"issue_id\":\"", record.issueID)
        room.write(",\"body\":")
        json.commit(room.written)
        guard json.append(checkingUTF8: record.body) else {
            json.truncate(to: mark)
            return false
        }
        json.append(byte: 0x7D)
        return true
    }

    /// No byte of `text` needs an escape or a UTF-8 check.
    private static func isPlain(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return true }
        return bus_json_special(base, text.count, 1) == text.count
    }

    /// Reserved room, written front to back without checks: `write` reserved enough for all of it.
    private struct Room {
        let start: UnsafeMutablePointer<UInt8>
        var next: UnsafeMutablePointer<UInt8>

        init(_ start: UnsafeMutablePointer<UInt8>) {
            self.start = start
            next = start
        }

        var written: Int { start.distance(to: next) }

        mutating func write(_ text: StaticString) {
            next.initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
            next += text.utf8CodeUnitCount
        }

        mutating func write(_ text: UnsafeBufferPointer<UInt8>) {
            guard let base = text.baseAddress else { return }
            next.initialize(from: base, count: text.count)
            next += text.count
        }

        /// `key` (with the opening quote), the text and the closing quote, when the text is set.
        mutating func writeOptional(_ key: StaticString, _ text: UnsafeBufferPointer<UInt8>) {
            guard !text.isEmpty else { return }
            write(key)
            write(text)
            next.initialize(to: 0x22)
            next += 1
        }
    }
}
