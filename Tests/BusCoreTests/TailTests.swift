import BusTestSupport
import Foundation
import Testing

@testable import BusCore

private func record(_ id: String, _ body: String) -> [UInt8] {
    RecordEncoder.encode(BusMessage(msgID: id, timestamp: .zero, type: "FACT", projectID: "p", body: body))
}

@Suite struct TailInspectorTests {
    private func state(_ bytes: [UInt8]) throws -> TailState {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            try writeBytes(path, bytes)
            let handle = try BusFile.open(path, flags: O_RDONLY)
            return try TailInspector.inspect(handle, size: bytes.count)
        }
    }

    @Test func states() throws {
        let first = record("MSG-1", "one\ntwo")
        let second = record("MSG-2", "three")
        let complete = first + [0x0A] + second
        #expect(try state([]) == .clean)
        #expect(try state(first) == .clean)
        #expect(try state(complete) == .clean)
        #expect(try state(Array("[2026-02-05 12:51:53] FACT: done\n".utf8)) == .clean)
        #expect(try state(complete + Array("\n[2026-02-05 12:51:53] FACT: no newline".utf8)) == .unterminatedLine)
        #expect(try state(Array("just text".utf8)) == .unterminatedLine)
        for cut in 1..<second.count {
            #expect(try state(first + [0x0A] + second[..<cut]) == .torn(cut: first.count), "cut \(cut)")
        }
        for cut in 1..<first.count {
            #expect(try state(Array(first[..<cut])) == .torn(cut: 0), "cut \(cut)")
        }
    }

    @Test func goWrittenBusIsClean() throws {
        #expect(try state(try Vectors.bytes("go-written.md")) == .clean)
        #expect(try state(try Vectors.bytes("go-hazard.md")) == .clean)
    }

    /// A torn record after a long bus is found without reading from the start (the window grows as needed).
    @Test func tornRecordAfterALargeBody() throws {
        let big = record("MSG-BIG", String(repeating: "a line of text\n", count: 20_000))
        let next = record("MSG-NEXT", "x")
        #expect(try state(big + [0x0A] + next[..<(next.count - 1)]) == .torn(cut: big.count))
    }
}

@Suite struct WriterRepairTests {
    /// In-process version of the crash test: the next post cuts the torn tail into a side file.
    @Test(arguments: [1, 3, 4, 30, 200, -1])
    func tornTailIsCutAndSaved(keep: Int) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false))
            let earlier = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: "earlier")).messages
            let good = try readBytes(path)
            let torn = record("MSG-TORN", "line one\nline two\nline three")
            let count = keep < 0 ? torn.count - 1 : min(keep, torn.count - 1)
            let tail = [0x0A] + Array(torn[..<count])
            try appendBytes(path, tail)

            let receipt = try writer.post(MessageDraft(type: "DONE", projectID: "p", body: "after the crash"))
            let repair = try #require(receipt.repair)
            #expect(repair.offset == good.count)
            #expect(repair.byteCount == tail.count)
            #expect(try readBytes(repair.savedTo) == tail)
            let bytes = try readBytes(path)
            #expect(Array(bytes[..<good.count]) == good)
            #expect(Array(bytes[good.count...]) == [0x0A] + RecordEncoder.encode(receipt.messages[0]))
            let snapshot = try BusReader.read(path)
            #expect(snapshot.messages.map(\.msgID) == (earlier + receipt.messages).map(\.msgID))
            #expect(snapshot.malformed.isEmpty)
            #expect(GoRulesReader.parse(bytes).map(\.msgID) == snapshot.messages.map(\.msgID))
        }
    }

    @Test func unterminatedLegacyLineIsSealed() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            try writeBytes(path, Array("[2026-02-05 12:51:53] FACT: from a script".utf8))
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false))
            let receipt = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: "next"))
            #expect(receipt.repair == nil)
            let messages = try BusReader.read(path).messages
            #expect(messages.map(\.msgID) == ["LEGACY-LINE-000000001", receipt.messages[0].msgID])
            #expect(messages.first?.body == "from a script")
        }
    }
}

#if os(Linux)
@Suite struct BusTailerTests {
    private func post(_ path: String, _ body: String) throws -> BusMessage {
        try BusWriter(path: path, options: WriterOptions(fsync: false))
            .post(MessageDraft(type: "FACT", projectID: "p", body: body)).messages[0]
    }

    /// The same with inotify and with the `stat` polling used where inotify is unavailable or exhausted.
    @Test(arguments: [true, false])
    func appendTruncateRotateDelete(useInotify: Bool) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let first = try post(path, "one")
            let tailer = try BusTailer(path: path, useInotify: useInotify)
            #expect(tailer.pollsFilesystem == !useInotify)
            #expect((tailer.descriptor >= 0) == useInotify)
            var update = try tailer.refresh()
            #expect(update.messages == [first])
            #expect(update.resets.isEmpty)
            #expect(try tailer.refresh().isEmpty)

            // Append.
            let second = try post(path, "two")
            update = try tailer.refresh()
            #expect(update.messages == [second])
            #expect(update.resets.isEmpty)
            #expect(tailer.committedOffset == (try readBytes(path)).count)

            // Truncation in place, then a new (shorter) record.
            #expect(truncate(path, 0) == 0)
            let third = try post(path, "3")
            update = try tailer.refresh()
            #expect(update.resets == [.truncated])
            #expect(update.messages == [third])

            // Rotation: the path names a new file; the old one's last records are not lost.
            let fourth = try post(path, "four, still in the old file")
            #expect(rename(path, path + ".archived") == 0)
            let fifth = try post(path, "five, in the new file")
            update = try tailer.refresh()
            #expect(update.messages == [fourth, fifth])
            #expect(update.resets == [.replaced])

            // Deletion, then the file comes back.
            #expect(unlink(path) == 0)
            update = try tailer.refresh()
            #expect(update.resets == [.deleted])
            #expect(update.messages.isEmpty)
            #expect(try tailer.refresh().isEmpty)
            let sixth = try post(path, "six")
            update = try tailer.refresh()
            #expect(update.resets == [.created])
            #expect(update.messages == [sixth])
        }
    }

    @Test func recordBeingWrittenIsHeldBack() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let first = try post(path, "one")
            let tailer = try BusTailer(path: path)
            #expect(try tailer.refresh().messages == [first])
            var complete = [first.msgID]
            for split in [1, 10, 60, 100, 125] {
                let pending = record("MSG-PENDING-\(split)", "being\nwritten")
                try #require(split < pending.count)
                try appendBytes(path, [0x0A] + Array(pending[..<split]))
                #expect(try tailer.refresh().isEmpty, "split \(split)")
                #expect(try BusReader.read(path).messages.map(\.msgID) == complete)
                try appendBytes(path, Array(pending[split...]))
                complete.append("MSG-PENDING-\(split)")
                #expect(try BusReader.read(path).messages.map(\.msgID) == complete)
                let update = try tailer.refresh()
                #expect(update.messages.map(\.msgID) == ["MSG-PENDING-\(split)"])
                #expect(update.messages.first?.body == "being\nwritten")
                #expect(update.malformed.isEmpty)
            }
        }
    }

    /// A malformed record is reported once, even when the tailer stops right after it.
    @Test func malformedRecordReportedOnce() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "one")
            let tailer = try BusTailer(path: path)
            _ = try tailer.refresh()
            let brokenOffset = try readBytes(path).count + 1
            try appendBytes(path, Array("\n---\nmsg_id: [unclosed\n---\nbroken body\n".utf8))
            var update = try tailer.refresh()
            #expect(update.malformed.map(\.offset) == [brokenOffset])
            let next = try post(path, "after the broken one")
            update = try tailer.refresh()
            #expect(update.malformed.isEmpty)
            #expect(update.messages == [next])
        }
    }
}
#endif
