import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 7, defect 2: what `read` and `poll` print cannot drive the reader's terminal.
@Suite struct TerminalInjectionTests {
    /// OSC 52 (clipboard write), OSC 0 (window title), CSI (colour) and a bare BEL, with a tab and a line break.
    static let hostileBody =
        "clip \u{1B}]52;c;cHduZWQ=\u{07} title \u{1B}]0;owned\u{07} red \u{1B}[31mR\u{1B}[0m bell \u{07}\tend\nline two"
    /// What `read` prints for it: every control visible as in `less`, the tab and the line break kept.
    static let visibleBody =
        "clip ^[]52;c;cHduZWQ=^G title ^[]0;owned^G red ^[[31mR^[[0m bell ^G\tend\nline two"
    /// Our writer refuses control characters in a type; a foreign writer can still store one.
    static let hostileType = "NOTE\u{1B}]0;typed\u{07}"

    /// A bus holding the hostile body (posted through the binary) and a foreign record with a hostile type.
    private func hostileBus(_ sandbox: Sandbox) throws -> (bus: String, firstID: String) {
        let bus = sandbox.file("bus.md")
        let firstID = try sandbox.post(bus, Self.hostileBody)
        let foreign = BusMessage(
            msgID: "MSG-FOREIGN",
            timestamp: BusTimestamp(seconds: 1_795_704_136, nanoseconds: 0),
            type: Self.hostileType,
            projectID: "p",
            body: "typed"
        )
        try writeBytes(bus, readBytes(bus) + [0x0A] + RecordEncoder.encode(foreign))
        let json = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"])
        try #require(try json.jsonObjects().compactMap { $0["type"] as? String } == ["FACT", Self.hostileType])
        return (bus, firstID)
    }

    private static func expectInert(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!bytes.contains(0x1B), "an ESC reached the output", sourceLocation: sourceLocation)
        #expect(!bytes.contains(0x07), "a BEL reached the output", sourceLocation: sourceLocation)
    }

    @Test func readToAPipeShowsControlsVisibly() throws {
        try withSandbox { sandbox in
            let (bus, firstID) = try hostileBus(sandbox)
            let read = try sandbox.bus(["read", "--bus", bus, "--tail", "0"])
            #expect(read.status == 0, "\(read.stderr)")
            Self.expectInert(read.stdoutBytes)
            #expect(read.stdout.contains("(FACT) " + Self.visibleBody + "\n"))
            #expect(read.stdout.contains("(NOTE^[]0;typed^G) typed\n"))

            // poll prints through the same printer.
            let poll = try sandbox.bus(["poll", "--bus", bus, "--since", firstID, "--timeout", "5"])
            #expect(poll.status == 0, "\(poll.stderr)")
            Self.expectInert(poll.stdoutBytes)
            #expect(poll.stdout.hasSuffix("(NOTE^[]0;typed^G) typed\n"))

            // --raw prints bodies byte for byte, for those who ask; --json is already escaped and excludes it.
            let raw = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--raw"])
            #expect(raw.status == 0, "\(raw.stderr)")
            #expect(raw.stdout.contains("(FACT) " + Self.hostileBody + "\n"))
            let both = try sandbox.bus(["read", "--bus", bus, "--raw", "--json"])
            #expect(both.status == 64, "\(both.stderr)")
            #expect(both.stderrLines.count == 1)
        }
    }

    @Test func readToATerminalShowsControlsVisibly() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("skipped: no script(1) to give read a terminal")
            return
        }
        try withSandbox { sandbox in
            let (bus, _) = try hostileBus(sandbox)
            // script(1) runs read on a pseudo-terminal and copies what it wrote there to our stdout.
            func onTerminal(_ extra: String) throws -> RunResult {
                try sandbox.run(
                    "/usr/bin/script",
                    ["-q", "-e", "-c", "'\(Binary.path)' bus read --bus '\(bus)' --tail 0 \(extra)", "/dev/null"],
                    timeout: .seconds(30)
                )
            }
            let text = try onTerminal("")
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("^[]52;c;cHduZWQ=^G"), "\(text.stdout)")
            Self.expectInert(text.stdoutBytes)
            // The same pty path does carry the bytes when --raw asks for them.
            let raw = try onTerminal("--raw")
            #expect(raw.stdoutBytes.contains(0x1B) && raw.stdoutBytes.contains(0x07))
        }
    }

    /// Warnings and errors go to the terminal too: a hostile path or id is escaped there as well.
    @Test func errorsNeverCarryControls() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "x")
            let missing = sandbox.file("gone\u{1B}]0;t\u{07}.md")
            let result = try sandbox.bus(["read", "--bus", missing])
            #expect(result.status == 66)
            #expect(result.stderrLines.count == 1)
            Self.expectInert(Array(result.stderr.utf8))
        }
    }
}
