/// Turns messages into record bytes with the Go writer's layout (key order, 4-space indents, `""` for empty
/// ids) plus this tool's `body_escape`/`body_bytes` keys and the
/// closing `crc32c` checksum.
package enum RecordEncoder {
    /// The bytes of one record, without the `\n` that separates it from a previous one.
    package static func encode(_ message: BusMessage) -> [UInt8] {
        var storedBody = Array(message.body.utf8)
        let escaped = BodyCodec.needsEscape(storedBody)
        if escaped { storedBody = BodyCodec.escape(storedBody) }
        if storedBody.last != 0x0A { storedBody.append(0x0A) }

        var header = "---\n"
        header += "msg_id: " + YAMLScalar.encode(message.msgID) + "\n"
        header += "ts: " + message.timestamp.rfc3339 + "\n"
        header += "type: " + YAMLScalar.encode(message.type) + "\n"
        header += "project_id: " + YAMLScalar.encode(message.projectID) + "\n"
        header += "task_id: " + YAMLScalar.encode(message.taskID) + "\n"
        header += "run_id: " + YAMLScalar.encode(message.runID) + "\n"
        if !message.issueID.isEmpty { header += "issue_id: " + YAMLScalar.encode(message.issueID) + "\n" }
        if !message.parents.isEmpty {
            header += "parents:\n"
            for parent in message.parents {
                header += "    - msg_id: " + YAMLScalar.encode(parent.msgID) + "\n"
                if !parent.kind.isEmpty { header += "      kind: " + YAMLScalar.encode(parent.kind) + "\n" }
                if !parent.meta.isEmpty {
                    header += "      meta:\n" + mapping(parent.meta, indent: "        ")
                }
            }
        }
        if !message.links.isEmpty {
            header += "links:\n"
            for link in message.links {
                header += "    - url: " + YAMLScalar.encode(link.url) + "\n"
                if !link.label.isEmpty { header += "      label: " + YAMLScalar.encode(link.label) + "\n" }
                if !link.kind.isEmpty { header += "      kind: " + YAMLScalar.encode(link.kind) + "\n" }
            }
        }
        if !message.meta.isEmpty { header += "meta:\n" + mapping(message.meta, indent: "    ") }
        if escaped { header += RecordFormat.bodyEscapeKey + ": " + RecordFormat.bodyEscapeDashes + "\n" }
        header += RecordFormat.bodyBytesKey + ": " + String(storedBody.count) + "\n"

        // The checksum line comes last, so a header cut anywhere before its end has no valid one.
        var record = Array(header.utf8)
        var crc = CRC32C()
        crc.update(record[RecordFormat.separatorLine.count...])
        crc.update(storedBody)
        record.append(contentsOf: RecordFormat.checksumLine(crc.value))
        record.append(contentsOf: RecordFormat.separatorLine)
        record.reserveCapacity(record.count + storedBody.count)
        record.append(contentsOf: storedBody)
        return record
    }

    private static func mapping(_ values: [String: String], indent: String) -> String {
        var out = ""
        for key in values.keys.sorted() {
            out += indent + YAMLScalar.encode(key) + ": " + YAMLScalar.encode(values[key] ?? "") + "\n"
        }
        return out
    }
}
