import BusCore
import Foundation
import Testing

/// Issue 8, target 1: `read --tail 0` scans on a thread of its own while the main one writes; its output,
/// warnings and exit status are the single-thread read's, whatever the chunk boundaries.
///
/// Test knobs (`WholeReadKnobs`): `JRUN_READ_CHUNK_BYTES` sets the chunk size, so a small bus crosses hundreds
/// of boundaries; `JRUN_READ_PIPELINE=0` reads on one thread, the reference.
@Suite struct PipelinedReadTests {
    /// A bus of every shape the reader meets: both layouts, CRLF, escaped bodies, ill-formed UTF-8, legacy lines,
    /// a header without an id, malformed records, and a torn last record.
    static func oddBus(rounds: Int) -> [UInt8] {
        var bytes: [UInt8] = Array("[2026-02-05 12:51:53] FACT: a legacy line first\n\n".utf8)
        for round in 0..<rounds {
            let own = BusMessage(
                msgID: "MSG-OWN-\(round)",
                timestamp: BusTimestamp(seconds: 1_795_704_136 + Int64(round), nanoseconds: 7),
                type: round % 3 == 0 ? "DONE" : "FACT",
                projectID: "p",
                taskID: round % 2 == 0 ? "t1" : "t2",
                body: "body \(round)\n---\na rule above, so the body is escaped; \u{1B}[31mred\u{1B}[0m\ttab"
            )
            bytes += RecordEncoder.encode(own) + [0x0A]
            bytes += Array("---\nmsg_id: MSG-GO-\(round)\nts: 2026-11-26T09:00:00Z\ntype: FACT\n".utf8)
            bytes += Array("project_id: p\ntask_id: t1\n---\nGo body \(round) 🎉 日本語\n\n".utf8)
            bytes += Array("---\r\nmsg_id: MSG-CRLF-\(round)\r\nts: 2026-11-26T09:00:01Z\r\ntype: NOTE\r\n".utf8)
            bytes += Array("---\r\nCRLF body \(round)\r\n\r\n".utf8)
            bytes += Array("---\nmsg_id: MSG-BAD-UTF8-\(round)\nts: 2026-11-26T09:00:02Z\ntype: FACT\n---\n".utf8)
            bytes += [0x66, 0xFF, 0xC3, 0x28, 0x0A, 0x0A]
            bytes += Array("---\nts: 2026-11-26T09:00:03Z\ntype: FACT\n---\nno id here\n\n".utf8)
            bytes += Array("[2026-02-05 12:51:54] NOTE: between \(round)\n\n".utf8)
            bytes += Array("---\nmsg_id: [unclosed\n---\nbody of a broken record\n\n".utf8)
            if round % 10 == 0 {
                let long = String(repeating: "a long body line \(round)\n", count: 400)
                bytes += Array("---\nmsg_id: MSG-LONG-\(round)\nts: 2026-11-26T09:00:04Z\ntype: FACT\n".utf8)
                bytes += Array("---\n\(long)\n".utf8)
            }
        }
        bytes += Array("---\nmsg_id: MSG-TORN\nts: 2026-11-26T09:00:05Z\ntype: FA".utf8)
        return bytes
    }

    static let argumentSets: [[String]] = [
        ["--json"], [], ["--raw"], ["--type", "FACT", "--json"], ["--json", "--task", "t1"], ["--type", "NOPE"],
    ]

    @Test func twoThreadsPrintWhatOneDoesAcrossEveryChunkBoundary() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try writeBytes(bus, Self.oddBus(rounds: 40))
            for arguments in Self.argumentSets {
                let read = ["read", "--bus", bus, "--tail", "0"] + arguments
                let reference = try sandbox.bus(read, environment: ["JRUN_READ_PIPELINE": "0"])
                #expect(!reference.stderr.isEmpty, "the malformed records are reported")
                if arguments == ["--json"] { #expect(reference.stdout.split(separator: "\n").count > 200) }
                for chunk in ["1", "13", "200", "4096", "65536"] {
                    let got = try sandbox.bus(read, environment: ["JRUN_READ_CHUNK_BYTES": chunk])
                    #expect(got.status == reference.status, "\(arguments), chunks of \(chunk)")
                    #expect(got.stdoutBytes == reference.stdoutBytes, "\(arguments), chunks of \(chunk)")
                    #expect(got.stderr == reference.stderr, "\(arguments), chunks of \(chunk)")
                }
                let whole = try sandbox.bus(read)
                #expect(whole.stdoutBytes == reference.stdoutBytes && whole.stderr == reference.stderr, "\(arguments)")
            }
        }
    }

    @Test(arguments: [[UInt8](), Array("junk\nand more junk\n---\n".utf8)])
    func anEmptyOrJunkBusReadsAsOnOneThread(bytes: [UInt8]) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try writeBytes(bus, bytes)
            let read = ["read", "--bus", bus, "--tail", "0", "--json"]
            let reference = try sandbox.bus(read, environment: ["JRUN_READ_PIPELINE": "0"])
            let got = try sandbox.bus(read, environment: ["JRUN_READ_CHUNK_BYTES": "3"])
            #expect(got.status == reference.status)
            #expect(got.stdoutBytes == reference.stdoutBytes)
            #expect(got.stderr == reference.stderr)
        }
    }

    /// A reader that goes away after the first line: the write fails with SIGPIPE, as on one thread, and the
    /// scanning thread does not keep the process alive.
    @Test func aReaderThatClosesEarlyEndsTheRead() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try writeBytes(bus, Self.oddBus(rounds: 1_000))
            let statuses = try ["0", "1"].map { pipelined in
                let script = """
                    JRUN_READ_PIPELINE=\(pipelined) JRUN_READ_CHUNK_BYTES=4096 '\(Binary.path)' bus read \
                    --bus '\(bus)' --tail 0 --json 2>'\(sandbox.io)/err-\(pipelined)' | head -1 > /dev/null
                    echo "${PIPESTATUS[0]}"
                    """
                let result = try sandbox.run("/bin/bash", ["-c", script], timeout: .seconds(120))
                #expect(!result.timedOut)
                return result.stdout
            }
            #expect(statuses[0] == statuses[1])
            #expect(statuses[1] == "141\n", "killed by SIGPIPE: \(statuses)")
            #expect(readBytes(sandbox.io + "/err-0") == readBytes(sandbox.io + "/err-1"))
        }
    }
}
