import Foundation
import Testing

@testable import BusCore

/// Records written by Go have no `body_bytes`: where they end, and what a writer may cut after them.
@Suite struct GoFramingTests {
    /// A complete Go-written record (no `body_bytes`), as Go's writer lays it out.
    static func goRecord(_ id: String, body: String) -> String {
        "---\nmsg_id: \(id)\nts: 2026-11-26T14:42:16Z\ntype: FACT\nproject_id: demo\ntask_id: \"\"\nrun_id: \"\"\n---\n"
            + body + "\n"
    }

    private func post(_ path: String, _ body: String) throws -> AppendReceipt {
        try BusWriter(path: path, options: WriterOptions(fsync: false))
            .post(MessageDraft(type: "FACT", projectID: "demo", body: body))
    }

    /// A writer that died in the next record's header (mid-line or at a line end) after a Go record: only the
    /// torn bytes are cut, the Go record stays, and the new record reads back.
    @Test(arguments: ["\n---\nmsg_id: MSG-G\nts: 2026-", "\n---\nmsg_id: MSG-G\nts: 2026-11-26T14:42:17Z\n"])
    func tornHeaderAfterGoRecord(torn: String) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let goRecord = Self.goRecord("MSG-A", body: "body A")
            try writeBytes(path, Array((goRecord + torn).utf8))
            #expect(try BusReader.read(path).messages.map(\.msgID) == ["MSG-A"])
            let receipt = try post(path, "after the crash")
            #expect(receipt.repair?.byteCount == torn.utf8.count)
            let messages = try BusReader.read(path).messages
            #expect(messages.map(\.body) == ["body A", "after the crash"])
            #expect(try readBytes(path).starts(with: Array(goRecord.utf8)))
        }
    }

    /// Text appended without a line break after a Go record is sealed, not cut with the record.
    @Test func unterminatedTextAfterGoRecordIsSealed() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            try writeBytes(path, Array((Self.goRecord("MSG-A", body: "body A") + "note").utf8))
            let receipt = try post(path, "next")
            #expect(receipt.repair == nil)
            #expect(try BusReader.read(path).messages.map(\.body) == ["body A\nnote", "next"])
        }
    }

    /// A Go record whose body has a `---` line is shown even when it is the last one on the bus.
    @Test func lastGoRecordWithDashLineIsShown() {
        let body = "before\n---\nafter the bare dashes line"
        #expect(RecordScanner.scan(Array(Self.goRecord("MSG-A", body: body).utf8)).messages.map(\.body) == [body])
    }

    /// A body ending in a `---` line after a blank line looks like a record starting to be written: readers wait
    /// for the next bytes, and the writer (who knows nothing is being written) keeps it as body text.
    @Test func bodyEndingInRuleIsHeldThenKept() throws {
        let record = Self.goRecord("MSG-A", body: "summary\n\n---")
        #expect(RecordScanner.scan(Array(record.utf8)).messages.isEmpty)
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            try writeBytes(path, Array(record.utf8))
            #expect(try post(path, "next").repair == nil)
            #expect(try BusReader.read(path).messages.map(\.body) == ["summary\n\n---", "next"])
        }
    }

    /// Go writes the separator and the next record in two writes: a reader between them holds the record
    /// back rather than return its body with the separator glued on.
    @Test func separatorAloneHoldsTheRecordBack() {
        let record = Self.goRecord("MSG-A", body: "body A")
        #expect(RecordScanner.scan(Array((record + "\n").utf8)).messages.isEmpty)
        let both = record + "\n" + Self.goRecord("MSG-B", body: "body B")
        #expect(RecordScanner.scan(Array(both.utf8)).messages.map(\.body) == ["body A", "body B"])
    }

    /// A torn record of this tool followed by a Go append: the Go record is not swallowed.
    @Test func tornHeaderThenGoRecord() {
        let torn = "---\nmsg_id: MSG-T\nts: 2026-11-26T14:42:16Z\ntype: INFO\n"
        let bytes = Array((torn + "\n" + Self.goRecord("MSG-G", body: "go body")).utf8)
        let result = RecordScanner.scan(bytes)
        #expect(result.messages.map(\.msgID) == ["MSG-G"])
        #expect(result.malformed.map(\.offset) == [0])
    }

    /// A malformed record right after a Go record is reported, not glued into the Go body.
    @Test func malformedAfterGoRecordIsReported() {
        let text =
            Self.goRecord("MSG-A", body: "body A") + "\n---\nmsg_id: [broken\n---\nits body\n\n"
            + Self.goRecord("MSG-B", body: "body B")
        let result = RecordScanner.scan(Array(text.utf8))
        #expect(result.messages.map(\.body) == ["body A", "body B"])
        #expect(result.malformed.count == 1)
    }

    /// A Go bus converted to CRLF: the `\r\n` separator line is not part of the body.
    @Test func crlfSeparator() {
        let text = (Self.goRecord("MSG-A", body: "body A") + "\n" + Self.goRecord("MSG-B", body: "body B"))
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(RecordScanner.scan(Array(text.utf8)).messages.map(\.body) == ["body A", "body B"])
    }

    /// Go's reader trims every `\r` before comparing with `---`, so such a body line is escaped too.
    @Test func dashLineWithSeveralCarriageReturnsIsEscaped() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "a\n---\r\r\nb")
            #expect(String(decoding: try readBytes(path), as: UTF8.self).contains("body_escape: dashes"))
            #expect(try BusReader.read(path).messages.map(\.body) == ["a\n---\r\r\nb"])
        }
    }

    @Test func mergeKeyIsQuoted() {
        #expect(YAMLScalar.encode("<<") == "\"<<\"")
    }
}
