import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Test 2 (in-process half): what this writer posts reads back as posted, keeps the Go layout, and reads as the
/// same records under the Go reader's rules.
@Suite struct WriterRoundTripTests {
    static let specialBodies: [(String, String)] = [
        ("bare dashes", "before\n---\nafter"),
        ("dashes first and last", "---\nmiddle\n---"),
        ("dashes with CR", "one\r\n---\r\ntwo\r\n"),
        ("escaped-looking lines", "\\---\n---\n\\\\---\n\\---\r\nplain"),
        ("backslash dashes without a bare line", "\\---\n\\\\---"),
        ("CRLF", "line one\r\nline two\r\n"),
        ("final CR", "ends in a carriage return\r"),
        ("inner CR", "a\rb\r\rc"),
        ("empty", ""),
        ("only a newline", "\n"),
        ("blank lines", "\n\nx\n\n"),
        ("dashes with spaces", "--- \n ---\n----\n-- -"),
        ("a YAML header lookalike", "---\nmsg_id: fake\nts: 2026-11-26T14:42:16Z\n---\nnot a record"),
        (
            "legacy lookalike",
            "[2026-02-05 12:51:53] FACT: not a legacy line\n---\n[2026-02-05 12:51:53] FACT: nor this"
        ),
    ]

    static func megabyteOfText() -> String {
        var text = ""
        text.reserveCapacity(1 << 20)
        var line = 0
        while text.utf8.count < (1 << 20) - 100 {
            text += "line \(line) of a large body, with --- inside and ümlauts\n"
            line += 1
        }
        return text
    }

    private func options() -> WriterOptions { WriterOptions(fsync: false) }

    @Test func postedVectorsRoundTrip() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: options())
            var written: [BusMessage] = []
            for object in try Vectors.jsonLines("posted.jsonl") {
                written += try writer.post(draft(fromJSON: object)).messages
            }
            #expect(written.count == 20)
            let snapshot = try BusReader.read(path)
            #expect(snapshot.malformed.isEmpty)
            try #require(snapshot.messages.count == written.count)
            for (read, posted) in zip(snapshot.messages, written) {
                var expected = posted
                expected.body = withoutOneLineBreak(posted.body)
                #expect(read == expected)
            }
        }
    }

    @Test(arguments: specialBodies.map(\.0) + ["1 MiB of text"])
    func specialBodyRoundTrips(name: String) throws {
        let body = Self.specialBodies.first { $0.0 == name }?.1 ?? Self.megabyteOfText()
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: options())
            let before = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: "first")).messages
            let posted = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: body)).messages
            let after = try writer.post(MessageDraft(type: "DONE", projectID: "p", body: "last")).messages
            let snapshot = try BusReader.read(path)
            #expect(snapshot.malformed.isEmpty)
            try #require(snapshot.messages.count == 3)
            #expect(Array(snapshot.messages[1].body.utf8) == Array(withoutOneLineBreak(body).utf8))
            #expect(snapshot.messages.map(\.msgID) == (before + posted + after).map(\.msgID))

            // The Go reader's rules see the same three records, and the escape key only where it is needed.
            let bytes = try readBytes(path)
            let records = GoRulesReader.parse(bytes)
            #expect(records.map(\.msgID) == snapshot.messages.map(\.msgID))
            let needsEscape = Array(body.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
                .contains { $0.elementsEqual("---".utf8) || $0.elementsEqual("---\r".utf8) }
            #expect((records.count == 3 ? records[1].header["body_escape"] : nil) == (needsEscape ? "dashes" : nil))
            if !needsEscape, records.count == 3 {
                // Unescaped bodies are stored byte for byte.
                #expect(records[1].body.hasPrefix(withoutOneLineBreak(body)))
            }
        }
    }

    @Test func storedBodyLengthIsExact() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: options())
            for (_, body) in Self.specialBodies {
                _ = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: body))
            }
            let bytes = try readBytes(path)
            let text = String(decoding: bytes, as: UTF8.self)
            var checked = 0
            var searchFrom = text.startIndex
            while let key = text.range(of: "\nbody_bytes: ", range: searchFrom..<text.endIndex) {
                let numberEnd = try #require(text[key.upperBound...].firstIndex(of: "\n"))
                let declared = try #require(Int(text[key.upperBound..<numberEnd]))
                // The checksum line ends the header, then the closer.
                let checksum = text.index(after: numberEnd)
                #expect(text[checksum...].hasPrefix("crc32c: "))
                let closer = text.utf8.index(checksum, offsetBy: RecordFormat.checksumLineLength)
                #expect(text[closer...].hasPrefix("---\n"))
                let bodyStart = text.utf8.index(closer, offsetBy: 4)
                let bodyEnd = text.utf8.index(bodyStart, offsetBy: declared)
                let stored = text.utf8[bodyStart..<bodyEnd]
                #expect(stored.last == 0x0A)
                // What follows a stored body is the blank separator line and the next record, or the end.
                let rest = text.utf8[bodyEnd...]
                #expect(rest.isEmpty || rest.starts(with: "\n---\n".utf8))
                checked += 1
                searchFrom = bodyEnd
            }
            #expect(checked == Self.specialBodies.count)
        }
    }

    /// This writer's file, with ids, timestamps and the two keys of its own removed, is the Go writer's file.
    @Test func layoutMatchesTheGoWriter() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: options())
            for object in try Vectors.jsonLines("posted.jsonl") {
                _ = try writer.post(draft(fromJSON: object))
            }
            let ours = normalize(try readBytes(path))
            let go = normalize(try Vectors.bytes("go-written.md"))
            #expect(ours.count == go.count)
            for (index, (mine, theirs)) in zip(ours, go).enumerated() where mine != theirs {
                Issue.record("line \(index + 1) differs: ours \(mine.debugDescription), Go \(theirs.debugDescription)")
            }
            #expect(ours == go)
        }
    }

    /// Lines of a bus with `msg_id`/`ts` values masked, `body_bytes`/`body_escape`/`crc32c` dropped, and the `issue_id`
    /// that Go's writer adds to ISSUE messages (its own msg_id) dropped: the rest must be the same bytes.
    private func normalize(_ bytes: [UInt8]) -> [String] {
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        var currentID = ""
        lines = lines.compactMap { line in
            if line.hasPrefix("msg_id: ") {
                currentID = String(line.dropFirst(8))
                return "msg_id: *"
            }
            if line.hasPrefix("ts: ") { return "ts: *" }
            if line.hasPrefix("body_bytes: ") || line.hasPrefix("body_escape: ") || line.hasPrefix("crc32c: ") {
                return nil
            }
            if line == "issue_id: " + currentID { return nil }
            return line
        }
        return lines
    }
}
