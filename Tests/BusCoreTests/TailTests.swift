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

            // A rename by hand: the path names a new file; the old one's last records are not lost.
            let fourth = try post(path, "four, still in the old file")
            #expect(rename(path, path + ".archived") == 0)
            let fifth = try post(path, "five, in the new file")
            update = try tailer.refresh()
            #expect(update.messages == [fourth, fifth])
            #expect(update.resets == [.rotated(archive: path + ".archived")])

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

/// Followers across rotations: the chain of archives between two refreshes, read in order.
@Suite struct RotationChainTests {
    private func post(_ path: String, _ body: String) throws -> BusMessage {
        try BusWriter(path: path, options: WriterOptions(fsync: false))
            .post(MessageDraft(type: "FACT", projectID: "p", body: body)).messages[0]
    }

    /// Rotates whatever the size; returns the archive's path.
    private func rotate(_ path: String) throws -> String {
        guard case .rotated(let archive, _, _) = try BusRotator.rotate(path, maxSize: 0, lockWait: LockWait()) else {
            Issue.record("not rotated")
            return ""
        }
        return archive
    }

    private func status(_ path: String) -> stat {
        var info = stat()
        _ = lstat(path, &info)
        return info
    }

    /// The issue's repro in process: two rotations between refreshes, and every message once, in order.
    @Test(arguments: [true, false])
    func archivesBetweenRefreshesAreRead(useInotify: Bool) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let first = try post(path, "A")
            let tailer = try BusTailer(path: path, useInotify: useInotify)
            #expect(try tailer.refresh().messages == [first])
            let archiveA = try rotate(path)
            let second = try post(path, "B")
            let archiveB = try rotate(path)
            let third = try post(path, "C")
            let update = try tailer.refresh()
            #expect(update.messages == [second, third])
            #expect(update.resets == [.rotated(archive: archiveA), .rotated(archive: archiveB)])
            #expect(
                RotationLog.entries(for: path).map(\.archiveName)
                    == [archiveA, archiveB].map { PathText.split($0).name }
            )
            let fourth = try post(path, "D")
            #expect(try tailer.refresh().messages == [fourth])
        }
    }

    /// The rename leaves no file at the path until the next post: that is a rotation, not a deletion followed by
    /// a creation.
    @Test(arguments: [true, false])
    func pathMissingAfterARotationIsNoDeletion(useInotify: Bool) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "A")
            let tailer = try BusTailer(path: path, useInotify: useInotify)
            _ = try tailer.refresh()
            let archive = try rotate(path)
            var update = try tailer.refresh()
            #expect(update.resets == [.rotated(archive: archive)])
            #expect(try tailer.refresh().isEmpty)
            let next = try post(path, "B")
            update = try tailer.refresh()
            #expect(update.resets.isEmpty)
            #expect(update.messages == [next])
        }
    }

    /// Archives deleted before the tailer reached them are counted with their logged size; the one it held is
    /// still read to its end (its inode lives on while it is open).
    @Test func deletedArchivesAreCounted() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "A")
            let tailer = try BusTailer(path: path)
            _ = try tailer.refresh()
            let late = try post(path, "A2, appended before the rotation")
            let held = try rotate(path)
            _ = try post(path, "B")
            let lostB = try rotate(path)
            _ = try post(path, "C")
            let lostC = try rotate(path)
            let last = try post(path, "D")
            let lostBytes = Int(status(lostB).st_size + status(lostC).st_size)
            for archive in [held, lostB, lostC] { #expect(unlink(archive) == 0) }
            let update = try tailer.refresh()
            #expect(update.messages == [late, last])
            #expect(update.resets == [.rotated(archive: held), .archivesMissing(count: 2, bytes: lostBytes)])
            #expect(update.resets.last?.description.contains("2 rotated archives could not be read") == true)
        }
    }

    /// Without the rotation log (deleted, or a bus rotated by an older tool) the archive names give the order.
    @Test(arguments: [true, false])
    func withoutTheLogTheArchiveNamesAreUsed(useInotify: Bool) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "A")
            let tailer = try BusTailer(path: path, useInotify: useInotify)
            _ = try tailer.refresh()
            let archiveA = try rotate(path)
            let second = try post(path, "B")
            let archiveB = try rotate(path)
            let third = try post(path, "C")
            #expect(unlink(RotationLog.path(for: path)) == 0)
            let update = try tailer.refresh()
            #expect(update.messages == [second, third])
            #expect(update.resets == [.rotated(archive: archiveA), .rotated(archive: archiveB)])
        }
    }

    /// No log and the held file's archive deleted too: inotify saw it renamed away, so it is still a rotation,
    /// and the archives stamped after its last change are read.
    @Test func renameSeenByInotifyIsARotation() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "A")
            let tailer = try BusTailer(path: path)
            _ = try tailer.refresh()
            let archiveA = try rotate(path)
            let second = try post(path, "B")
            let archiveB = try rotate(path)
            let third = try post(path, "C")
            #expect(unlink(RotationLog.path(for: path)) == 0)
            #expect(unlink(archiveA) == 0)
            let update = try tailer.refresh()
            #expect(update.messages == [second, third])
            #expect(update.resets == [.rotated(archive: nil), .rotated(archive: archiveB)])
        }
    }

    /// A deleted archive whose inode number the next live file reuses is reported missing.
    ///
    /// ext4 reuses a freed number at once; the tailer took such an entry for a rotate that died before renaming
    /// the live file, and the loss went unreported (a `poll` test failed once under load). The live file born
    /// after the log's last write tells them apart.
    @Test func aDeletedArchiveWhoseInodeTheLiveFileReusesIsReportedMissing() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "A")
            let tailer = try BusTailer(path: path)
            _ = try tailer.refresh()
            _ = try rotate(path)
            _ = try post(path, "B")
            let archiveB = try rotate(path)
            #expect(unlink(archiveB) == 0)
            let third = try post(path, "C")
            // The log as ext4 leaves it when the new file gets the deleted archive's inode number: its last entry
            // names the live file's identity, and was written before that file was born.
            let logPath = RotationLog.path(for: path)
            let entries = RotationLog.entries(for: path)
            let live = status(path)
            let lines =
                entries.dropLast().map(\.line)
                + ["\(entries.count) \(live.st_dev) \(live.st_ino) 300 \(PathText.split(archiveB).name)\n"]
            try writeBytes(logPath, Array(lines.joined().utf8))
            var times = [timespec(tv_sec: time(nil) - 60, tv_nsec: 0), timespec(tv_sec: time(nil) - 60, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, logPath, &times, 0) == 0)
            let update = try tailer.refresh()
            #expect(update.messages == [third])
            #expect(update.resets.contains(.archivesMissing(count: 1, bytes: 300)), "\(update.resets)")
        }
    }

    /// The log stays bounded and its sequence numbers keep counting across trims.
    @Test func logIsBounded() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let total = RotationLog.maxEntries + 90
            for number in 1...total {
                var info = stat()
                info.st_ino = ino_t(1_000 + number)
                info.st_size = off_t(number)
                try RotationLog.record(bus: path, info: info, archiveName: "bus.md.\(number).archived")
            }
            let entries = RotationLog.entries(for: path)
            #expect(entries.count <= RotationLog.maxEntries)
            #expect(entries.count >= RotationLog.keptEntries)
            #expect(entries.last?.sequence == total)
            #expect(entries.last?.archiveName == "bus.md.\(total).archived")
            #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.sequence + 1 == $1.sequence })
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["bus.md.rotations"])
        }
    }

    /// A rotate that died after logging but before renaming leaves an entry for a file still at the path, and
    /// one that died mid-line a torn line: the next rotate drops both.
    @Test func staleAndTornEntriesAreDropped() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            _ = try post(path, "A")
            try RotationLog.record(bus: path, info: status(path), archiveName: "bus.md.never-renamed.archived")
            let archive = try rotate(path)
            _ = try post(path, "B")
            try appendBytes(RotationLog.path(for: path), Array("3 1 2".utf8))
            let second = try rotate(path)
            let entries = RotationLog.entries(for: path)
            #expect(entries.map(\.archiveName) == [archive, second].map { PathText.split($0).name })
            #expect(entries.map(\.sequence) == [2, 3])
        }
    }
}
#endif
