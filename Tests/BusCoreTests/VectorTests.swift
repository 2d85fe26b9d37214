import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Test 1: the Go-written vectors read back exactly as `expected.jsonl` says.
@Suite struct VectorTests {
    /// Empty optional fields (`""`, `[]`, `{}`) are the same as absent ones.
    private func text(_ object: [String: Any], _ key: String) -> String { object[key] as? String ?? "" }

    private func normalizedTimestamp(_ text: String) throws -> String {
        try #require(BusTimestamp(rfc3339: text), "unparseable timestamp \(text)").rfc3339
    }

    private func check(_ message: BusMessage, against expected: [String: Any]) throws {
        #expect(message.msgID == text(expected, "msg_id"))
        #expect(message.timestamp.rfc3339 == (try normalizedTimestamp(text(expected, "timestamp"))))
        #expect(message.type == text(expected, "type"))
        #expect(message.projectID == text(expected, "project_id"))
        #expect(message.taskID == text(expected, "task_id"))
        #expect(message.runID == text(expected, "run_id"))
        #expect(message.issueID == text(expected, "issue_id"))
        #expect(message.meta == (expected["meta"] as? [String: String] ?? [:]))
        let parents = (expected["parents"] as? [[String: Any]] ?? []).map { parent in
            BusParent(
                msgID: text(parent, "msg_id"),
                kind: text(parent, "kind"),
                meta: parent["meta"] as? [String: String] ?? [:]
            )
        }
        #expect(message.parents == parents)
        let links = (expected["links"] as? [[String: Any]] ?? []).map { link in
            BusLink(url: text(link, "url"), label: text(link, "label"), kind: text(link, "kind"))
        }
        #expect(message.links == links)
        #expect(Array(message.body.utf8) == Array(text(expected, "body").utf8), "body of \(message.msgID)")
    }

    @Test func goWrittenBusReadsAsExpected() throws {
        let snapshot = try BusReader.read(Vectors.path("go-written.md"))
        let expected = try Vectors.jsonLines("expected.jsonl")
        #expect(expected.count == 20)
        #expect(snapshot.malformed.isEmpty)
        try #require(snapshot.messages.count == expected.count)
        for (message, object) in zip(snapshot.messages, expected) {
            try check(message, against: object)
        }
        // The last Go-framed record could still grow: the committed end stops before its separator line, where a
        // tailer goes on (and revises that record if it grows).
        let bytes = try readBytes(Vectors.path("go-written.md"))
        let text = String(decoding: bytes, as: UTF8.self)
        let lastSeparator = try #require(text.range(of: "\n---\nmsg_id", options: .backwards))
        let lastOpener = text.utf8.distance(from: text.startIndex, to: lastSeparator.lowerBound)
        #expect(snapshot.end == lastOpener)
    }

    @Test func goWrittenBusScansTheSameFromBytes() throws {
        let bytes = try Vectors.bytes("go-written.md")
        let fromFile = try BusReader.read(Vectors.path("go-written.md")).messages
        #expect(RecordScanner.scan(bytes).messages == fromFile)
    }

    @Test func goHazardKeepsBothMessages() throws {
        let snapshot = try BusReader.read(Vectors.path("go-hazard.md"))
        #expect(snapshot.malformed.isEmpty)
        try #require(snapshot.messages.count == 2)
        let goOutput = try Vectors.jsonLines("go-hazard-reader-output.jsonl")
        let (first, second) = (snapshot.messages[0], snapshot.messages[1])
        #expect(first.msgID == "MSG-20261126-144209-291040299-PID29038-0001")
        #expect(first.body == "before\n---\nafter the bare dashes line")
        #expect(first.type == "FACT")
        #expect(second.msgID == "MSG-20261126-144209-291223795-PID29038-0002")
        #expect(second.msgID == text(goOutput[1], "msg_id"))
        #expect(second.type == "DONE")
        #expect(second.projectID == "demo")
        #expect(second.body == "message after the hazard")
        #expect(second.timestamp.rfc3339 == "2026-11-26T14:42:09.291225457Z")
    }

    /// The Go-rules reader of these tests reproduces the Go tool's own output on both vectors, so its verdict on
    /// files written by this tool means something.
    @Test func goRulesReaderMatchesTheGoReaderOutput() throws {
        for (bus, output) in [
            ("go-written.md", "go-reader-output.jsonl"), ("go-hazard.md", "go-hazard-reader-output.jsonl"),
        ] {
            let records = GoRulesReader.parse(try Vectors.bytes(bus))
            let goOutput = try Vectors.jsonLines(output)
            try #require(records.count == goOutput.count, "\(bus)")
            for (record, object) in zip(records, goOutput) {
                #expect(record.msgID == text(object, "msg_id"))
                #expect(record.body == text(object, "body"), "\(bus) \(record.msgID)")
                #expect(record.header["type"] == text(object, "type"))
            }
        }
    }
}
