import Foundation
import Testing

@testable import BusCore

/// Tests 8 and 10: a write that fails for lack of space, and malformed records among good ones.
@Suite struct FailureTests {
    /// Runs `body` with a 64 KiB tmpfs mounted in the sandbox (root only; otherwise says so and skips).
    private func withSmallDisk(_ sandbox: Sandbox, _ body: (String) throws -> Void) throws {
        let mount = sandbox.path + "/small"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: false)
        let mounted = try sandbox.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount])
        guard mounted.status == 0 else {
            print("skipped: cannot mount a tmpfs (\(mounted.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
            return
        }
        defer { _ = try? sandbox.run("/bin/umount", ["-l", mount]) }
        try body(mount)
    }

    /// Fills the filesystem at `mount`: whole pages first, then byte by byte, until nothing more fits.
    private func fill(_ mount: String) throws {
        let filler = open(mount + "/filler", O_WRONLY | O_CREAT, 0o644)
        try #require(filler >= 0)
        let page = [UInt8](repeating: 0x41, count: 4096)
        while write(filler, page, page.count) > 0 {}
        while write(filler, page, 1) == 1 {}
        close(filler)
        let stats = try FileManager.default.attributesOfFileSystem(forPath: mount)
        let free = (stats[.systemFreeSize] as? NSNumber)?.intValue ?? -1
        #expect(free >= 0 && free < 4096, "free space: \(free)")
    }

    @Test func fullDiskLeavesTheBusByteIdentical() throws {
        try withSandbox { sandbox in
            try withSmallDisk(sandbox) { mount in
                let bus = mount + "/bus.md"
                for index in 0..<3 { try sandbox.post(bus, "record \(index) " + String(repeating: "z", count: 300)) }
                try fill(mount)
                let before = readBytes(bus)
                // What still fits is the slack in the bus file's last page: a few hundred to a few thousand bytes.
                let slack = (4096 - before.count % 4096) % 4096
                let body = String(repeating: "this will not fit\n", count: (slack + 4096) / 18 + 10)

                let result = try sandbox.bus(["post", "--bus", bus, "--project", "p"], stdin: Array(body.utf8))
                #expect(result.status == 74, "\(result.stderr)")
                #expect(result.stderrLines.count == 1)
                #expect(result.stderr.contains(bus))
                #expect(result.stderr.contains("No space left on device"))
                #expect(readBytes(bus) == before)
                #expect(listing(mount) == ["bus.md", "filler"])
                #expect(try BusReader.read(bus).messages.count == 3)

                // A small record still fits in the slack, and lands intact.
                if slack > 400 {
                    let small = try sandbox.bus([
                        "post", "--bus", bus, "--project", "p", "--body", "small", "--no-fsync",
                    ])
                    #expect(small.status == 0, "\(small.stderr)")
                    #expect(try BusReader.read(bus).messages.last?.body == "small")
                }
            }
        }
    }

    /// A torn tail that cannot be saved for lack of space: the post fails and leaves no empty side file.
    @Test func fullDiskLeavesNoEmptyTornSideFile() throws {
        try withSandbox { sandbox in
            try withSmallDisk(sandbox) { mount in
                let bus = mount + "/bus.md"
                for index in 0..<3 { try sandbox.post(bus, "record \(index)") }
                // A writer that died in the middle of a header.
                try writeBytes(bus, readBytes(bus) + Array("\n---\nmsg_id: MSG-20261126-144216-0678".utf8))
                try fill(mount)
                let before = readBytes(bus)
                let result = try sandbox.bus(["post", "--bus", bus, "--project", "p", "--body", "after"])
                #expect(result.status == 74, "\(result.stderr)")
                #expect(result.stderrLines.count == 1)
                #expect(result.stderr.contains("No space left on device"))
                #expect(readBytes(bus) == before)
                #expect(listing(mount) == ["bus.md", "filler"])
            }
        }
    }

    /// After a rotation the next post creates the bus; when that post fails, no empty bus is left behind.
    @Test func fullDiskAfterRotateLeavesNoEmptyBus() throws {
        try withSandbox { sandbox in
            try withSmallDisk(sandbox) { mount in
                let bus = mount + "/bus.md"
                for index in 0..<3 { try sandbox.post(bus, "record \(index)") }
                try fill(mount)
                let rotated = try sandbox.bus(["rotate", "--bus", bus, "--max-size", "1"])
                // The rename needs no space: the rotation goes ahead without its log entry, and says so.
                #expect(rotated.status == 0, "\(rotated.stderr)")
                #expect(rotated.stderr.contains("rotation log not written"))
                let archives = listing(mount).filter { $0.hasSuffix(".archived") }
                #expect(archives.count == 1)
                let result = try sandbox.bus(["post", "--bus", bus, "--project", "p", "--body", "after"])
                #expect(result.status == 74, "\(result.stderr)")
                #expect(result.stderr.contains("No space left on device"))
                // No empty bus left behind (the rotation log, created before the disk filled up or empty, may stay).
                #expect(listing(mount).filter { !$0.hasSuffix(".rotations") } == archives + ["filler"])
            }
        }
    }

    @Test func malformedRecordsAreReportedWithTheirOffset() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            var bytes = Array("[2026-02-05 12:51:53] FACT: before everything\n\n".utf8)
            func record(_ id: String, _ body: String) -> [UInt8] {
                RecordEncoder.encode(
                    BusMessage(
                        msgID: id,
                        timestamp: BusTimestamp(seconds: 1_795_704_136, nanoseconds: 1),
                        type: "FACT",
                        projectID: "p",
                        body: body
                    )
                )
            }
            bytes += record("MSG-A", "first") + [0x0A]
            bytes += Array("[2026-02-05 12:51:54] NOTE: between\n\n".utf8)
            let firstBroken = bytes.count
            bytes += Array("---\nmsg_id: [unclosed\n---\nbody of a broken record\n\n".utf8)
            bytes += record("MSG-B", "second") + [0x0A]
            let secondBroken = bytes.count
            bytes += Array("---\njust a plain scalar\n---\nits body\n\n".utf8)
            bytes += record("MSG-C", "third")
            bytes += Array("[2026-02-05T12:51:55] after a body\n---\n[2026-02-05 12:51:56] DONE: after a rule\n".utf8)
            try writeBytes(bus, bytes)
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            func lineNumber(of text: String) -> String {
                String(format: "LEGACY-LINE-%09d", (lines.firstIndex { $0.hasPrefix(text) } ?? -1) + 1)
            }

            let read = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"])
            #expect(read.status == 0)
            let ids = try read.jsonObjects().compactMap { $0["msg_id"] as? String }
            #expect(
                ids == [
                    "LEGACY-LINE-000000001", "MSG-A", lineNumber(of: "[2026-02-05 12:51:54]"), "MSG-B", "MSG-C",
                    lineNumber(of: "[2026-02-05T12:51:55]"), lineNumber(of: "[2026-02-05 12:51:56]"),
                ]
            )
            #expect(ids[2] == "LEGACY-LINE-000000015")  // each record of this tool has 9 header lines
            let warnings = read.stderrLines
            #expect(warnings.count == 2)
            #expect(warnings.first?.contains("malformed record at byte \(firstBroken) ") == true)
            #expect(warnings.last?.contains("malformed record at byte \(secondBroken) ") == true)
            #expect(warnings.allSatisfy { $0.contains(bus) })
            #expect(readBytes(bus) == bytes)

            // A post after all this lands as a clean record and the earlier ones stay readable.
            let id = try sandbox.post(bus, "appended")
            let after = try BusReader.read(bus)
            #expect(after.messages.map(\.msgID) == ids + [id])
            #expect(after.malformed.map(\.offset) == [firstBroken, secondBroken])
        }
    }
}
