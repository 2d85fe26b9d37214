import BusCore
import Testing

@testable import BusTUI

/// Issue 11's hand-off features (clipboard, pager, editor, export) and time features (go to time, ages).
@Suite("Hand off and time")
struct HandOffTests {
    static let messages: [BusMessage] = [
        BusMessage(
            msgID: "MSG-20261126-090000-000000001-PID00042-0001",
            timestamp: BusTimestamp(seconds: 1_795_683_600, nanoseconds: 123_456_789),
            type: "QUESTION",
            projectID: "demo",
            taskID: "task-20261126-090000-api",
            runID: "run-20261126-090000-1",
            parents: [BusParent(msgID: "MSG-0", kind: "reply", meta: ["why": "context"])],
            links: [BusLink(url: "https://example.com/pr/1", label: "PR", kind: "review")],
            meta: ["agent": "claude"],
            body: "which port?\n---\nnot a record opener: 端口 👍🏽"
        ),
        BusMessage(
            msgID: "MSG-20261126-090100-000000001-PID00042-0002",
            timestamp: BusTimestamp(seconds: 1_795_683_660, nanoseconds: 0),
            type: "ANSWER",
            projectID: "demo",
            body: "8080"
        ),
    ]

    @Test("base64 and the OSC 52 sequence")
    func osc52() {
        #expect(Clipboard.base64(Array("".utf8)) == "")
        #expect(Clipboard.base64(Array("f".utf8)) == "Zg==")
        #expect(Clipboard.base64(Array("fo".utf8)) == "Zm8=")
        #expect(Clipboard.base64(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Clipboard.osc52("hi") == "\u{1B}]52;c;aGk=\u{07}")
    }

    @Test("y copies the id, Y the whole record; the status bar says copied")
    func copy() {
        var model = Fixture.model(Self.messages)
        #expect(model.press(.character("y")) == .copy(Self.messages[1].msgID))
        #expect(model.screenLines[0].contains("copied MSG-20261126-090100"))
        guard case .copy(let whole) = model.press(.character("Y")) else {
            Issue.record("Y did not copy")
            return
        }
        #expect(whole.hasPrefix("---\nmsg_id: MSG-20261126-090100") && whole.contains("\n8080\n"))
        #expect(model.press(.character("o")) == .page(whole))
    }

    @Test("an exported .md reads back to the same messages; .jsonl is read --json's shape, one per line")
    func exportRoundTrip() {
        let bus = Exporter.bytes(Self.messages, format: .bus)
        let read = RecordScanner.scan(bus, final: true)
        #expect(read.malformed.isEmpty)
        #expect(read.messages == Self.messages)
        let lines = String(decoding: Exporter.bytes(Self.messages, format: .jsonLines), as: UTF8.self)
            .split(separator: "\n")
        #expect(lines.map(String.init) == Self.messages.map { MessageJSON.encode($0) })
        #expect(Exporter.format(forPath: "out.JSONL") == .jsonLines)
        #expect(Exporter.format(forPath: "x.txt") == nil)
    }

    @Test("w asks for a file; a wrong extension is refused in the prompt; Enter exports what is shown")
    func exportPrompt() {
        var model = Fixture.model(Self.messages)
        model.setQuery("8080")
        model.press(.character("w"))
        #expect(model.screenLines[23].hasPrefix("write shown messages to:"))
        model.type("out.txt")
        model.press(.enter)
        #expect(model.askPrompt?.error == "the name must end in .jsonl or .md")
        #expect(model.screenLines[23].contains("the name must end in .jsonl or .md"))
        for _ in 0..<3 { model.press(.backspace) }
        model.type("md")
        let action = model.press(.enter)
        #expect(action == .export(ExportRequest(path: "out.md", format: .bus, messages: [Self.messages[1]])))
        #expect(model.askPrompt == nil)
        model.exportFinished(.success("out.md"), count: 1)
        #expect(model.screenLines[0].contains("wrote 1 message to out.md"))
    }

    @Test("Ctrl-X Ctrl-E in compose hands the draft to the editor and takes its text back")
    func editor() {
        var model = Fixture.model(Self.messages)
        model.press(.character("c"))
        model.type("draft")
        #expect(model.press(.control("x")) == .none)
        #expect(model.press(.control("e")) == .editDraft("draft"))
        model.draftEdited("edited\ntwo lines\n")
        #expect(model.compose?.body.text == "edited\ntwo lines")
        model.press(.control("x"), .character("!"))
        #expect(model.compose?.body.text == "edited\ntwo lines!", "Ctrl-X then another key is that key")
    }

    @Test(
        "time queries: clock today (yesterday when later than now), date and time, date, ago",
        arguments: [
            ("14:05", "2026-11-26T13:05:00Z"),
            ("23:00", "2026-11-25T22:00:00Z"),
            ("2026-11-20 08:30", "2026-11-20T07:30:00Z"),
            ("2026-11-20T08:30:15", "2026-11-20T07:30:15Z"),
            ("2026-11-20", "2026-11-19T23:00:00Z"),
            ("-10m", "2026-11-26T14:50:00Z"),
            ("-2h", "2026-11-26T13:00:00Z"),
        ]
    )
    func timeQueries(text: String, expected: String) throws {
        // 15:00 local at UTC+1.
        let now = try #require(BusTimestamp(rfc3339: "2026-11-26T14:00:00Z"))
        let shifted = BusTimestamp(seconds: now.seconds + 3600, nanoseconds: 0)
        let parsed = TimeQuery.parse(text, now: shifted, utcOffset: 3600)
        #expect((try? parsed.get())?.rfc3339.hasPrefix(String(expected.dropLast())) == true, "\(parsed)")
    }

    /// Amounts that overflowed Int64 when multiplied trapped and killed the monitor (review of issue 11).
    @Test(
        "bad times are refused with the accepted forms",
        arguments: [
            "25:00", "14", "-5x", "2026-13-01", "soon", "-200000000000000d", "-9223372036854775807m", "-400000y",
        ]
    )
    func badTimes(text: String) {
        guard case .failure(let failure) = TimeQuery.parse(text, now: .zero, utcOffset: 0) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(failure.description.contains("try 14:05"))
    }

    @Test("@ selects the first message at or after the time; R shows ages instead of clocks")
    func goToTimeAndAges() {
        var model = Fixture.model(Fixture.numbered(600))
        model.now = BusTimestamp(seconds: 1_767_225_600 + 660, nanoseconds: 0)
        model.press(.character("@"))
        model.type("-10m")
        model.press(.enter)
        #expect(model.selectedBody == "message 60")
        #expect(model.notice?.hasPrefix("at 2026-01-01 00:01:00") == true)
        model.press(.character("@"))
        model.type("later")
        model.press(.enter)
        #expect(model.askPrompt?.error?.hasPrefix("not a time") == true)
        model.press(.escape, .character("R"))
        let lines = model.screenLines
        #expect(lines.contains { $0.hasPrefix("       10m ago [") }, "\(lines)")
        #expect(RelativeTime.text(model.now, now: model.now) == "now")
        #expect(RelativeTime.text(BusTimestamp(seconds: 0, nanoseconds: 0), now: model.now).hasSuffix("d ago"))
    }
}

@Suite("Clipboard limit")
struct ClipboardLimitTests {
    @Test("a message too large for OSC 52 is not sent; the status bar says so and points at the pager")
    func tooLarge() {
        var model = Fixture.model([Fixture.message(String(repeating: "x", count: 80 * 1024), id: "BIG")])
        #expect(model.press(.character("Y")) == .none)
        #expect(model.notice?.hasPrefix("too large for the clipboard (80 KiB)") == true)
        #expect(model.press(.character("y")) == .copy("BIG"))
    }
}

#if os(Linux)
import Glibc

/// `w` export targets.
///
/// `w` replaced its target with `O_TRUNC`: typing the followed bus's own name wiped every message the filter hid
/// (review of issue 11). Bus files are refused; other targets are replaced whole, through a rename.
@Suite("Export targets")
struct ExportTargetTests {
    @Test func theFollowedBusAndBusNamesAreRefusedOtherFilesReplaced() throws {
        let folder = SourcesTests.temporaryFolder()
        defer { _ = system("rm -rf '\(folder)'") }
        let bus = folder + "/MESSAGE-BUS.md"
        try SourcesTests.post(bus, "a message")
        let link = folder + "/alias.md"
        #expect(Glibc.link(bus, link) == 0)

        #expect(ExportTarget.refusal(bus, buses: [bus])?.contains("bus file's name") == true)
        #expect(ExportTarget.refusal(folder + "/TASK-MESSAGE-BUS.md", buses: [])?.contains("bus file") == true)
        // Another name for the same file is still the bus.
        #expect(ExportTarget.refusal(link, buses: [bus])?.contains("this monitor follows") == true)
        #expect(ExportTarget.refusal(folder + "/export.md", buses: [bus]) == nil)

        let target = folder + "/export.jsonl"
        try FileBytes.replace(target, with: Array("old, longer content\n".utf8))
        try FileBytes.replace(target, with: Array("new\n".utf8))
        let fd = open(target, O_RDONLY)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        #expect(String(decoding: buffer[..<max(count, 0)], as: UTF8.self) == "new\n")
        #expect(access(target + ".export-\(getpid())", F_OK) != 0, "the temporary file is gone")
    }
}
#endif
