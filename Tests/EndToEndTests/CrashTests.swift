import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Tests 5 and 6: a writer killed mid-record, and a record still being written.
@Suite struct CrashTests {
    /// Takes the lock like a writer, writes `\n` + the first K bytes of a record, and dies by SIGKILL.
    static let tornWriter = """
        import fcntl, os, signal, sys
        path, record, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        data = open(record, "rb").read()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"\\n" + data[:count])
        os.kill(os.getpid(), signal.SIGKILL)
        """

    /// Writes `\n` + the first K bytes under the lock, says so, waits for a line on stdin, writes the rest.
    static let slowWriter = """
        import fcntl, os, sys
        path, record, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        data = open(record, "rb").read()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"\\n" + data[:count])
        print("half", flush=True)
        sys.stdin.readline()
        os.write(fd, data[count:])
        """

    /// A real record from the binary: posted alone to a scratch bus, whose bytes are then exactly the record.
    private func realRecord(_ sandbox: Sandbox, body: String) throws -> (path: String, bytes: [UInt8], headerEnd: Int) {
        let scratch = sandbox.io + "/scratch-\(UUID().uuidString).md"
        let result = try sandbox.bus(
            ["post", "--bus", scratch, "--project", "p", "--type", "FACT"] + bodyArguments(body)
        )
        #expect(result.status == 0)
        let bytes = readBytes(scratch)
        let closer = try #require(bytes.indices.first { bytes[$0...].starts(with: "\n---\n".utf8) && $0 > 0 })
        return (scratch, bytes, closer + 5)
    }

    static let cuts = ["inside the opener", "inside the header", "at the header end", "inside the body", "one short"]

    @Test(arguments: cuts)
    func writerKilledMidRecord(cut: String) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let earlier = [try sandbox.post(bus, "first"), try sandbox.post(bus, "second\nhas two lines")]
            let before = readBytes(bus)
            let record = try realRecord(sandbox, body: "torn body line one\ntorn body line two\ntorn body line three")
            let count: Int
            switch cut {
            case "inside the opener": count = 2
            case "inside the header": count = 40
            case "at the header end": count = record.headerEnd
            case "inside the body": count = record.headerEnd + 25
            default: count = record.bytes.count - 1
            }
            let script = try sandbox.script("torn.py", Self.tornWriter)
            let crashed = try sandbox.run("/usr/bin/env", ["python3", script, bus, record.path, String(count)])
            #expect(crashed.status != 0)
            let torn = [0x0A] + Array(record.bytes[..<count])
            #expect(readBytes(bus) == before + torn)

            let result = try sandbox.bus(["post", "--bus", bus, "--project", "p", "--body", "after the crash"])
            #expect(result.status == 0, "\(result.stderr)")
            let newID = try #require(result.postedID)
            #expect(result.stderr.contains("cut"))
            let sideFiles = listing(sandbox.path).filter { $0.hasPrefix("bus.md.torn-") }
            try #require(sideFiles.count == 1)
            #expect(result.stderr.contains(sandbox.path + "/" + sideFiles[0]))
            #expect(readBytes(sandbox.path + "/" + sideFiles[0]) == torn)

            // The bus is the earlier bytes plus one clean record, as if the crash had never happened.
            let after = readBytes(bus)
            #expect(Array(after.prefix(before.count)) == before)
            #expect(after.count > before.count && after[before.count] == 0x0A)
            #expect(after[before.count...].starts(with: "\n---\nmsg_id: \(newID)\n".utf8))
            let snapshot = try BusReader.read(bus)
            #expect(snapshot.malformed.isEmpty)
            #expect(snapshot.messages.map(\.msgID) == earlier + [newID])
            #expect(snapshot.messages.last?.body == "after the crash")
            #expect(!snapshot.messages.contains { $0.body.contains("torn") })
            let goRecords = GoRulesReader.parse(after)
            #expect(goRecords.map(\.msgID) == earlier + [newID])
            #expect(!goRecords.contains { $0.body.contains("torn") || $0.body.contains("msg_id") })
            #expect(goRecords.last?.body == "after the crash")
            let read = try sandbox.bus(["read", "--bus", bus, "--tail", "0"])
            #expect(read.stderr.isEmpty)
            #expect(read.stdout.split(separator: "\n").count == 4)
        }
    }

    @Test(arguments: [3, 60, -30, -1])
    func recordBeingWrittenIsNotShown(split: Int) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let first = try sandbox.post(bus, "complete")
            let record = try realRecord(sandbox, body: "slow line one\nslow line two")
            let count = split < 0 ? record.bytes.count + split : split
            let tailer = try BusTailer(path: bus)
            #expect(try tailer.refresh().messages.map(\.msgID) == [first])

            let script = try sandbox.script("slow.py", Self.slowWriter)
            let writer = try sandbox.start(
                "/usr/bin/env",
                ["python3", script, bus, record.path, String(count)],
                pipeStdin: true
            )
            defer { writer.kill() }
            try #require(waitUntil(deadline: .seconds(20)) { writer.stdout == "half\n" }, "\(writer.stderr)")

            let partial = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"])
            #expect(partial.status == 0)
            #expect(partial.stderr.isEmpty)
            #expect(try partial.jsonObjects().compactMap { $0["msg_id"] as? String } == [first])
            #expect(try BusReader.read(bus).messages.map(\.msgID) == [first])
            #expect(try tailer.refresh().isEmpty)

            try writer.send("go on\n")
            #expect(writer.waitForExit(timeout: .seconds(20)))
            #expect(writer.process.terminationStatus == 0)
            let recordID = try #require(try BusReader.read(record.path).messages.first?.msgID)
            let complete = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"])
            let objects = try complete.jsonObjects()
            #expect(objects.compactMap { $0["msg_id"] as? String } == [first, recordID])
            #expect(objects.last?["body"] as? String == "slow line one\nslow line two")
            #expect(try BusReader.read(bus).messages.map(\.msgID) == [first, recordID])
            let update = try tailer.refresh()
            #expect(update.messages.map(\.msgID) == [recordID])
            #expect(update.malformed.isEmpty)
        }
    }
}
