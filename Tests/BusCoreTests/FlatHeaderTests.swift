import Testing

@testable import BusCore

/// The flat-header fast path gives what the YAML path gives, and leaves every other shape to it.
@Suite struct FlatHeaderTests {
    /// What a decoded header means to a reader.
    struct Meaning: Equatable {
        var message: BusMessage
        var framing: HeaderFraming
    }

    static func decode(_ text: String, flat: Bool) -> Meaning? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            if flat {
                // The message as the scanner builds it from the spans.
                guard let fields = FlatHeader.decode(buffer[...]) else { return nil }
                // A header without `ts` is given the time of its id, as the scanner gives it.
                let id = fields.string(fields.msgID, in: buffer)
                let record = ScannedRecord(
                    buffer: buffer,
                    content: .record(.flat(fields), body: 0..<0, line: 7),
                    offset: 0,
                    base: 0,
                    timestamp: fields.framing.timestamp ?? BusTimestamp(messageID: id) ?? .zero
                )
                return Meaning(
                    message: record.message,
                    framing: fields.framing
                )
            }
            guard case .success(let header) = RecordHeader.decodeYAML(buffer[...]) else { return nil }
            return Meaning(
                message: header.message(
                    body: "",
                    line: 7,
                    timestamp: header.framing.timestamp ?? BusTimestamp(messageID: header.msgID) ?? .zero
                ),
                framing: header.framing
            )
        }
    }

    /// Headers of the flat shape, as both writers and hand-written scripts produce them.
    static let flatHeaders = [
        "msg_id: MSG-20261126-090000-000000001-PID00042-0001\nts: 2026-11-26T09:00:00.123456789Z\ntype: FACT\nproject_id: p\ntask_id: task-20261126-090000-api\nrun_id: run-1\n",
        "msg_id: MSG-1\nts: 2026-11-26T09:00:00Z\ntype: DONE\nproject_id: p\nbody_bytes: 12\n",
        "msg_id: MSG-1\nts: 2026-11-26T09:00:00Z\ntype: FACT\nproject_id: \"\"\ntask_id: \"\"\nrun_id: \"\"\n",
        "msg_id: MSG-1\r\nts: 2026-11-26T09:00:00Z\r\ntype: FACT\r\n",
        "msg_id: MSG-1\nts: 2026-11-26T09:00:00Z\ntype: FACT\nbody_escape: dashes\nbody_bytes: 0\n",
        "msg_id: MSG-1\nts: not a time\ntype: FACT\n",
        "msg_id: MSG-1\nts: ~\ntype: null\nproject_id: NULL\n",
        "msg_id: MSG-1\ntype: FACT\ntype: QUESTION\n",
        "msg_id: MSG-1\ntype: FACT   \nissue_id: ISSUE-9\n",
        "msg_id: MSG-1\ntype: FACT\ncrc32c: 0badf00d\n",
        "msg_id: MSG-1\ntype: FACT\nproject_id: emoji 🎉 and 日本語\n",
        "msg_id: MSG-20261126-090000-000000001-PID00042-0001\ntype: FACT\n",
        // `body_bytes` is read from the bytes as `Int(String)` reads it.
        "msg_id: MSG-1\ntype: FACT\nbody_bytes: +12\n",
        "msg_id: MSG-1\ntype: FACT\nbody_bytes: 0012\n",
        "msg_id: MSG-1\ntype: FACT\nbody_bytes: 99999999999999999999\n",
        "msg_id: MSG-1\ntype: FACT\nbody_bytes: 9223372036854775807\n",
        "msg_id: MSG-1\ntype: FACT\nbody_bytes: 12abc\n",
    ]

    @Test(arguments: flatHeaders)
    func flatHeadersDecodeAsYAMLDoes(text: String) throws {
        let flat = try #require(Self.decode(text, flat: true), "not taken by the fast path")
        #expect(flat == Self.decode(text, flat: false))
    }

    /// Shapes the fast path must leave to YAML (which may accept or refuse them).
    static let otherHeaders = [
        "msg_id: MSG-1\ntype: FACT\nparents:\n  - msg_id: MSG-0\n",
        "msg_id: MSG-1\ntype: FACT\nmeta:\n  agent: codex\n",
        "msg_id: 'MSG-1'\ntype: FACT\n",
        "msg_id: \"MSG-\\u00e9\"\ntype: FACT\n",
        "msg_id: MSG-1 # a comment\ntype: FACT\n",
        "messageId: MSG-OLD\ntype: FACT\n",
        "msg_id: MSG-1\n\ntype: FACT\n",
        "msg_id: MSG-1\n  type: FACT\n",
        "msg_id: a: b\ntype: FACT\n",
        "msg_id: [MSG-1]\ntype: FACT\n",
        "msg_id:\ntype: FACT\n",
        "project_id: p\n",
        "msg_id: MSG-1\ntype: |\n  FACT\n",
        "msg_id: MSG-1\ntype: FACT\nbody_bytes: -3\n",
    ]

    @Test(arguments: otherHeaders)
    func otherShapesGoToYAML(text: String) {
        #expect(Self.decode(text, flat: true) == nil)
    }
}
