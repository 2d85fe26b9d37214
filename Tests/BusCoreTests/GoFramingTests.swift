import BusTestSupport
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

    /// Issue 6, defect 3: a Go record torn inside a body line (every writer ends a record with `\n`) is cut
    /// under the lock into the side file, not returned as if complete and appended after.
    @Test func goRecordTornInsideItsBodyIsCut() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let first = Self.goRecord("MSG-A", body: "body A")
            let torn =
                "\n---\nmsg_id: MSG-B\nts: 2026-11-26T14:42:17Z\ntype: FACT\nproject_id: demo\ntask_id: \"\"\n"
                + "run_id: \"\"\n---\nline one\nhalf a li"
            try writeBytes(path, Array((first + torn).utf8))
            // Readers show the complete lines so far (the record may still be being written)...
            #expect(try BusReader.read(path).messages.map(\.body) == ["body A", "line one"])
            // ...the writer, alone under the lock, knows it never will be.
            let receipt = try post(path, "next")
            let repair = try #require(receipt.repair)
            #expect(try readBytes(repair.savedTo) == Array(torn.utf8))
            #expect(try BusReader.read(path).messages.map(\.body) == ["body A", "next"])
        }
    }

    /// Text appended without a line break after a Go record is the end of its body being written: the writer
    /// (nothing writes while it holds the lock) cuts it as a torn record, keeping it in the side file.
    @Test func unterminatedTextAfterGoRecordIsCut() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let record = Self.goRecord("MSG-A", body: "body A")
            try writeBytes(path, Array((record + "note").utf8))
            let receipt = try post(path, "next")
            let repair = try #require(receipt.repair)
            #expect(try readBytes(repair.savedTo) == Array((record + "note").utf8))
            #expect(try BusReader.read(path).messages.map(\.body) == ["next"])
        }
    }

    /// A Go record whose body has a `---` line is shown even when it is the last one on the bus.
    @Test func lastGoRecordWithDashLineIsShown() {
        let body = "before\n---\nafter the bare dashes line"
        #expect(RecordScanner.scan(Array(Self.goRecord("MSG-A", body: body).utf8)).messages.map(\.body) == [body])
    }

    /// Issue 6, defect 2: after a Go record, a tail that is only a separator and an opener (a writer that died
    /// right after them) is cut under the lock; readers show the Go record meanwhile, without the dashes.
    @Test(arguments: ["\n---", "\n---\n", "\n---\nms", "\n-"])
    func openerAloneAfterGoRecordIsCut(tail: String) throws {
        let record = Self.goRecord("MSG-A", body: "summary")
        let scan = RecordScanner.scan(Array((record + tail).utf8))
        #expect(scan.messages.map(\.body) == ["summary"])
        #expect(scan.provisional)
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            try writeBytes(path, Array((record + tail).utf8))
            let repair = try #require(try post(path, "next").repair)
            #expect(try readBytes(repair.savedTo) == Array(tail.utf8))
            #expect(try readBytes(path).starts(with: Array(record.utf8)))
            #expect(try BusReader.read(path).messages.map(\.body) == ["summary", "next"])
            #expect(GoRulesReader.parse(try readBytes(path)).map(\.body) == ["summary\n", "next"])
        }
    }

    /// Issue 6, defect 5: a last Go record whose body ends in blank lines is returned at once, without them,
    /// and the answer does not change when the next record arrives.
    @Test(arguments: ["\n", "\n\n", "\r\n"])
    func trailingBlankLinesAreNotPartOfTheBody(blank: String) {
        let record = Self.goRecord("MSG-A", body: "a" + blank)
        #expect(RecordScanner.scan(Array(record.utf8)).messages.map(\.body) == ["a"])
        let both = record + "\n" + Self.goRecord("MSG-B", body: "body B")
        #expect(RecordScanner.scan(Array(both.utf8)).messages.map(\.body) == ["a", "body B"])
    }

    /// Go writes the separator and the next record in two writes: a reader between them shows the record
    /// without the separator glued on.
    @Test func separatorAloneIsNotPartOfTheBody() {
        let record = Self.goRecord("MSG-A", body: "body A")
        #expect(RecordScanner.scan(Array((record + "\n").utf8)).messages.map(\.body) == ["body A"])
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
