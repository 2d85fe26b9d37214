import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 6: nothing lost, whoever wrote the file.
///
/// Torn headers followed by another writer's records, the
/// checksum, and what the writer cuts under the lock.
@Suite struct RecoveryTests {
    static let timestamp = BusTimestamp(seconds: 1_795_704_136, nanoseconds: 67_875_014)

    /// A record of this tool's writer, as the encoder lays it out.
    static func ours(_ id: String, body: String) -> [UInt8] {
        RecordEncoder.encode(
            BusMessage(
                msgID: id,
                timestamp: timestamp,
                type: "FACT",
                projectID: "p",
                taskID: "task-20261126-090000-api",
                body: body
            )
        )
    }

    /// A record in the Go writer's layout (no `body_bytes`, no checksum), without the separator before it.
    static func goRecord(_ id: String, body: String) -> [UInt8] {
        Array(
            ("---\nmsg_id: \(id)\nts: 2026-12-02T10:00:00Z\ntype: FACT\nproject_id: p\ntask_id: \"\"\nrun_id: \"\"\n---\n"
                + body + "\n").utf8
        )
    }

    /// Defect 1: this tool's writer dies anywhere inside a record, then Go's writer appends two records.
    ///
    /// (Go writes its separator and its record as two writes.) Every Go record comes back, no message reads as 1970, and the
    /// torn bytes are reported, never returned as a message.
    @Test func tornRecordThenGoAppendsLosesNothing() {
        let first = Self.ours("MSG-FIRST", body: "first")
        let second = Self.ours("MSG-SECOND", body: "second line one\nsecond line two")
        var tornHeaders = 0
        for cut in 0...second.count {
            var bytes = first + [0x0A] + second[..<cut]
            bytes += [0x0A] + Self.goRecord("MSG-GO-1", body: "go one")
            bytes += [0x0A] + Self.goRecord("MSG-GO-2", body: "go two")
            let result = RecordScanner.scan(bytes)
            let ids = result.messages.map(\.msgID)
            // Cut just before the record's final `\n`, Go's separator supplies exactly that byte: all is there.
            let whole = cut >= second.count - 1
            let expected =
                whole
                ? ["MSG-FIRST", "MSG-SECOND", "MSG-GO-1", "MSG-GO-2"] : ["MSG-FIRST", "MSG-GO-1", "MSG-GO-2"]
            #expect(ids == expected, "cut at \(cut)")
            #expect(result.messages.allSatisfy { $0.timestamp != .zero }, "cut at \(cut)")
            #expect(result.messages.map(\.body).contains("go one"), "cut at \(cut)")
            if cut > 4, cut < second.count { tornHeaders += result.malformed.isEmpty ? 0 : 1 }
        }
        #expect(tornHeaders > 0)
    }

    /// The issue's repro, through the real writer and the Go layout: the header cut inside `ts:`.
    @Test func issueReproTornTimestamp() throws {
        try withTempDirectory { directory in
            let path = directory.file("a.md")
            _ = try BusWriter(path: path, options: WriterOptions(fsync: false))
                .post(MessageDraft(type: "FACT", projectID: "p", body: "first"))
            try appendBytes(path, Array("\n---\nmsg_id: MSG-X\nts: 2026-12-0".utf8))
            try appendBytes(path, [0x0A])
            try appendBytes(path, Self.goRecord("MSG-GO-1", body: "go one"))
            try appendBytes(path, [0x0A])
            try appendBytes(path, Self.goRecord("MSG-GO-2", body: "go two"))
            let snapshot = try BusReader.read(path)
            #expect(snapshot.messages.map(\.body) == ["first", "go one", "go two"])
            #expect(snapshot.malformed.count == 1)
            #expect(snapshot.malformed.first?.reason.contains("torn") == true)
        }
    }

    /// A header cut at every key's `:` and closed by Go's opener, then Go's record: Go's record is kept.
    @Test(arguments: [
        "msg_id: MSG-X\nts: ", "msg_id: MSG-X\nts: 2026-11-26T14:42:16Z\ntype: FA",
        "msg_id: MSG-X\nts: 2026-11-26T14:42:16Z\ntype: FACT\nproject_id: ",
        "msg_id: MSG-X\nts: 2026-11-26T14:42:16Z\ntype: FACT\nproject_id: p\ntask_id: task-2026",
    ])
    func headerCutAfterAColon(header: String) {
        let bytes = Array(("---\n" + header + "\n").utf8) + Self.goRecord("MSG-GO", body: "go body")
        let result = RecordScanner.scan(bytes)
        #expect(result.messages.map(\.msgID) == ["MSG-GO"])
        #expect(result.messages.map(\.body) == ["go body"])
        #expect(result.malformed.count == 1)
    }

    /// A flipped byte in a body or a header fails the checksum: that record is reported as corrupt, the records
    /// around it are kept.
    @Test func checksumCatchesCorruption() {
        let records = [
            Self.ours("MSG-1", body: "one"), Self.ours("MSG-2", body: "two, to be damaged"),
            Self.ours("MSG-3", body: "three"),
        ]
        var bytes = records[0] + [0x0A] + records[1] + [0x0A] + records[2]
        let bodyByte = records[0].count + 1 + records[1].count - 5
        bytes[bodyByte] ^= 0x01
        let result = RecordScanner.scan(bytes)
        #expect(result.messages.map(\.msgID) == ["MSG-1", "MSG-3"])
        #expect(result.malformed.map(\.offset) == [records[0].count + 1])
        #expect(result.malformed.first?.reason.contains("corrupt") == true)
    }

    /// Records written before the checksum existed (`body_bytes`, no `crc32c`) read as they did.
    @Test func recordsWithoutChecksumStillRead() {
        let old = String(decoding: Self.ours("MSG-OLD", body: "written before the checksum"), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("crc32c: ") }
            .joined(separator: "\n")
        let bytes = Array(old.utf8) + [0x0A] + Self.ours("MSG-NEW", body: "new")
        let result = RecordScanner.scan(bytes)
        #expect(result.messages.map(\.body) == ["written before the checksum", "new"])
        #expect(result.malformed.isEmpty)
    }

    /// Defect 6: a header with an id but no `ts` takes its time from the id (or the record before), marked as
    /// inferred; an empty type reads as UNKNOWN.
    @Test func missingTimeIsInferred() {
        let text = """
            ---
            msg_id: MSG-20261126-090000-123456789-PID00042-0001
            project_id: p
            ---
            from the id

            ---
            msg_id: hand-written
            type: FACT
            ts: 2026-11-27T08:00:00Z
            ---
            has a time

            ---
            msg_id: hand-written-2
            type: FACT
            ---
            from the record before

            """
        let messages = RecordScanner.scan(Array(text.utf8)).messages
        try? #require(messages.count == 3)
        #expect(
            messages.map(\.timestamp.rfc3339) == [
                "2026-11-26T09:00:00.123456789Z", "2026-11-27T08:00:00Z", "2026-11-27T08:00:00Z",
            ]
        )
        #expect(messages.map(\.timestampInferred) == [true, false, true])
        #expect(messages.map(\.type) == ["UNKNOWN", "FACT", "FACT"])
        #expect(MessageJSON.encode(messages[0]).contains("\"timestamp_inferred\":true"))
    }

    /// The writer cuts only a torn tail.
    ///
    /// A torn header in the middle (another writer appended after it) stays and is reported by readers.
    @Test func writerLeavesAReportedTornHeaderInTheMiddle() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let bytes =
                Self.ours("MSG-1", body: "one") + Array("\n---\nmsg_id: MSG-X\nts: 2026-12-0\n".utf8)
                + Self.goRecord("MSG-GO", body: "go")
            try writeBytes(path, bytes)
            let receipt = try BusWriter(path: path, options: WriterOptions(fsync: false))
                .post(MessageDraft(type: "FACT", projectID: "p", body: "after"))
            #expect(receipt.repair == nil)
            let snapshot = try BusReader.read(path)
            #expect(snapshot.messages.map(\.body) == ["one", "go", "after"])
            #expect(snapshot.malformed.count == 1)
        }
    }
}

/// The checksum is the standard CRC-32C, so other tools can check records too.
@Suite struct ChecksumTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        var split = CRC32C()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8))
        #expect(split.value == 0xE306_9283)
        #expect(CRC32C.softwareChecksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// The processor's instruction and the table walk agree on every length, every alignment of the start, and
    /// chunked feeding (the 8-byte loop, the byte tail, and the hand-over between updates).
    @Test func instructionMatchesTheTableWalk() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for end in start...bytes.count {
                let slice = Array(bytes[start..<end])
                #expect(CRC32C.checksum(bytes[start..<end]) == CRC32C.softwareChecksum(slice), "\(start)..<\(end)")
            }
        }
        var chunked = CRC32C()
        for chunk in stride(from: 0, to: bytes.count, by: 13) {
            chunked.update(bytes[chunk..<min(chunk + 13, bytes.count)])
        }
        #expect(chunked.value == CRC32C.softwareChecksum(bytes))
    }

    /// The README's example record carries the checksum this tool's encoder computes.
    @Test func readmeExample() {
        let message = BusMessage(
            msgID: "MSG-20261126-144216-067875014-PID29106-0001",
            timestamp: BusTimestamp(rfc3339: "2026-11-26T14:42:16.067875014Z") ?? .zero,
            type: "FACT",
            projectID: "demo",
            taskID: "task-20261126-101500-build",
            body: "Build passed on linux-x86_64"
        )
        #expect(String(decoding: RecordEncoder.encode(message), as: UTF8.self).contains("crc32c: 27c9a713\n---\n"))
    }
}
