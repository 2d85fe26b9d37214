import BusCore
import Testing

@testable import BusTUI

/// The malformed records the monitor keeps per source, and the `!` overlay that lists them with their raw bytes.
@Suite("Malformed records: the log and the ! overlay")
struct MalformedListTests {
    /// A model holding one good message and `offsets` malformed records of source 0.
    static func model(offsets: [Int], width: Int = 80, height: Int = 24) -> MonitorModel {
        var model = Fixture.model(Fixture.numbered(1), width: width, height: height)
        model.ingest([], malformed: offsets.enumerated().map { Fixture.malformed(at: $1, line: $0 * 4 + 1) }, source: 0)
        return model
    }

    @Test("records accumulate per source, in order, each reported once; the status bar shows the key")
    func accumulate() {
        var model = Self.model(offsets: [10, 50])
        model.addSource(1, name: "/runs/demo/task-1/TASK-MESSAGE-BUS.md")
        model.ingest([], malformed: [Fixture.malformed(at: 7)], source: 1)
        model.ingest([], malformed: [Fixture.malformed(at: 90)], source: 0)
        // Reported again (a repeated read): not counted twice.
        model.ingest([], malformed: [Fixture.malformed(at: 50)], source: 0)
        #expect(model.malformedTotal == 4)
        #expect(model.malformedLog.counts == [0: 3, 1: 1])
        #expect(model.malformedLog.entries.map(\.key.source) == [0, 0, 0, 1])
        #expect(model.malformedLog.entries.map(\.record.offset) == [10, 50, 90, 7])
        #expect(model.screenLines[0].contains("4 malformed (!)"))
        #expect(model.screenLines[23].hasPrefix("? help  ! malformed  j/k move"))
    }

    #if os(Linux)
    /// After a rotation the tailer reads a new file whose offsets start again: its records count and are
    /// listed beside the earlier file's, and only the current file's bytes are read from the bus path.
    @Test("a rotation restarts a source's offsets: the new file's records are not taken for repeats")
    func rotationRestartsOffsets() throws {
        var model = Self.model(offsets: [500])
        var tail = TailUpdate()
        tail.resets = [.rotated(archive: "/runs/demo/MESSAGE-BUS.md.20261126-090000-000000000.archived")]
        tail.malformed = [Fixture.malformed(at: 100)]
        MonitorLoop.apply(BusSources.Update(source: 0, result: .success(tail)), to: &model)
        #expect(model.malformedTotal == 2)
        #expect(model.malformedLog.entries.map(\.record.offset) == [500, 100])
        // The earlier file's record: its bytes are in the archive now, not at the bus path.
        model.openMalformedList()
        _ = model.handle(.character("k"))
        #expect(model.handle(.enter) == .none)
        #expect(model.screenLines.contains { $0.contains("rotated or replaced since") })
        // The current file's record (the pane is open, so moving to it asks for its bytes) is read from the bus.
        guard case .readRecordBytes(let request) = model.handle(.character("j")) else {
            Issue.record("no read of the current file's record")
            return
        }
        #expect(request.offset == 100)
    }
    #endif

    @Test("a truncation reset clears that source's records and count, not the others'")
    func resetClears() {
        var model = Self.model(offsets: [10, 50])
        model.addSource(1, name: "task")
        model.ingest([], malformed: [Fixture.malformed(at: 7)], source: 1)
        model.resetSource(0)
        #expect(model.malformedTotal == 1)
        #expect(model.malformedLog.entries.map(\.key) == [MalformedKey(source: 1, offset: 7)])
        // Read again from the start: the same offsets count again.
        model.ingest([], malformed: [Fixture.malformed(at: 10)], source: 0)
        #expect(model.malformedTotal == 2)
        model.resetSource(1)
        model.resetSource(0)
        #expect(model.malformedTotal == 0)
        #expect(!model.screenLines[0].contains("malformed"))
    }

    @Test("the list is bounded per source: the newest are kept, all are counted")
    func bounded() {
        var log = MalformedLog(limit: 3)
        log.add((0..<5).map { Fixture.malformed(at: $0 * 100) }, source: 0)
        log.add([Fixture.malformed(at: 600)], source: 0)
        log.add([Fixture.malformed(at: 1)], source: 1)
        #expect(log.total == 7)
        #expect(log.entries.map(\.record.offset) == [300, 400, 600, 1])
        var model = Self.model(offsets: Array(stride(from: 0, to: 1500 * 40, by: 40)))
        #expect(model.malformedTotal == 1500)
        #expect(model.malformedLog.entries.count == MalformedLog.defaultLimit)
        #expect(model.malformedLog.entries.first?.record.offset == 500 * 40)
        model.press(.character("!"))
        #expect(model.screenLines[1].contains("malformed records: 1500, newest 1000 per file kept"))
    }

    @Test("! with no malformed records shows a notice, not an empty overlay; the next key clears it")
    func noneNotice() {
        var model = Fixture.model(Fixture.numbered(2))
        model.press(.character("!"))
        #expect(model.overlay == nil)
        #expect(model.screenLines[0].contains("no malformed records"))
        model.press(.character("k"))
        #expect(!model.screenLines[0].contains("no malformed records"))
    }

    @Test("the overlay lists file, offset, line and reason; j/k move; Esc, q and ! close it")
    func overlayList() {
        var model = Self.model(offsets: [10, 250])
        model.press(.character("!"))
        let lines = model.screenLines
        let reason = Fixture.malformed(at: 0).reason
        let rows = lines.filter { $0.contains("  PROJECT-MESSAGE-BUS.md  ") }
        #expect(rows.count == 2, "\(lines)")
        #expect(rows.first?.contains("byte 10  line 1  PROJECT-MESSAGE-BUS.md  " + reason.prefix(20)) == true)
        #expect(rows.last?.contains("byte 250  line 5") == true)
        // The newest is selected (reverse video) at first.
        guard case .malformed(let state) = model.overlay else {
            Issue.record("the overlay is not open")
            return
        }
        #expect(state.selected == MalformedKey(source: 0, offset: 250))
        model.press(.character("k"))
        guard case .malformed(let moved) = model.overlay else {
            Issue.record("the overlay closed on k")
            return
        }
        #expect(moved.selected == MalformedKey(source: 0, offset: 10))
        for key in [KeyEvent.escape, .character("q"), .character("!")] {
            var copy = model
            copy.press(key)
            #expect(copy.overlay == nil)
        }
    }

    @Test("Enter asks the live layer for the bytes; they show escaped (ESC as ^[), wrapped to the width")
    func rawBytes() {
        // The record the scanner skips is the opener and the header, up to the closing `---`.
        let bytes =
            "---\nmsg_id: [broken \u{1B}[31mred\u{1B}]0;title\u{07} " + String(repeating: "x", count: 150)
            + "\n---\nbody\n"
        var model = Fixture.model(Fixture.numbered(1))
        model.ingest([], malformed: [Fixture.malformed(at: 42, line: 3, bytes: bytes)], source: 0)
        model.press(.character("!"))
        let action = model.press(.enter)
        guard case .readRecordBytes(let request) = action else {
            Issue.record("Enter did not ask for the bytes: \(action)")
            return
        }
        #expect(request.path == "/runs/demo/PROJECT-MESSAGE-BUS.md")
        #expect(request.offset == 42)
        #expect(request.count == model.malformedLog.entries.first?.record.length)
        #expect(model.screenLines.contains { $0.contains("bytes: reading...") })

        model.recordBytesRead(
            request.key,
            .loaded(Array(bytes.utf8).prefix(request.count).map { $0 }, requested: request.count)
        )
        let lines = model.screenLines
        let screen = lines.joined(separator: "\n")
        #expect(screen.contains("msg_id: [broken ^[[31mred^[]0;title^G"), "\(screen)")
        #expect(screen.contains("reason: "))
        #expect(screen.contains("at: byte 42, line 3"))
        // 150 x's wrap at the pane's 74 columns: 74, 74, 2.
        let xs = lines.map { $0.filter { $0 == "x" }.count }.filter { $0 > 0 }
        #expect(xs == [74, 74, 2], "\(screen)")
        // Nothing the bytes carried reaches the grid as a control character.
        let grid = MonitorView.render(model).grid
        #expect(grid.cells.allSatisfy { !$0.character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
        RenderTests.expectAligned(grid)
        // Moving while the pane is open asks for the newly selected record (here there is only one: nothing).
        #expect(model.press(.character("j")) == .none)
        // Enter hides the pane again; opening it again does not read again.
        model.press(.enter)
        #expect(!model.screenLines.joined().contains("at: byte 42"))
        #expect(model.press(.enter) == .none)
    }

    @Test("invalid UTF-8 shows as <XX>; a short read and a failed read say so")
    func undecodable() {
        #expect(RawBytesText.decoded([0x61, 0xFF, 0x62, 0xE6, 0xBC]) == "a<FF>b<E6><BC>")
        #expect(RawBytesText.lines(Array("a\r\nb\rc\n".utf8)) == ["a", "b^Mc"])
        var model = Self.model(offsets: [10])
        model.press(.character("!"))
        guard case .readRecordBytes(let request) = model.press(.enter) else {
            Issue.record("Enter did not ask for the bytes")
            return
        }
        var short = model
        short.recordBytesRead(request.key, .loaded(Array("---\n".utf8), requested: request.count))
        #expect(short.screenLines.joined().contains("the file now ends after 4 of them"))
        model.recordBytesRead(request.key, .failed("'open' failed for '/x': No such file or directory (errno 2)"))
        #expect(model.screenLines.joined().contains("not readable: 'open' failed for '/x'"))
    }

    @Test(
        "the overlay keeps its layout at 80x24, 40x24 and tiny sizes, with the pane open",
        arguments: [
            (80, 24), (40, 24), (40, 10), (20, 6), (8, 3), (1, 1),
        ]
    )
    func sizes(width: Int, height: Int) {
        var model = Self.model(offsets: Array(stride(from: 0, to: 4000, by: 100)), width: width, height: height)
        model.press(.character("!"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        if case .readRecordBytes(let request) = model.press(.enter) {
            model.recordBytesRead(request.key, .loaded(Array(Fixture.brokenRecord.utf8), requested: request.count))
        }
        let grid = MonitorView.render(model).grid
        #expect(grid.width == width && grid.height == height)
        RenderTests.expectAligned(grid)
        if width == 40, height == 24 {
            let lines = model.screenLines
            #expect(lines.contains { $0.contains("│ byte 3900  line 157  PROJECT-") }, "\(lines)")
            #expect(lines.contains { $0.contains("at: byte 3900, line 157") }, "\(lines)")
            #expect(lines.contains { $0.contains("msg_id: [broken") }, "\(lines)")
        }
        model.press(.pageDown, .pageDown, .character("k"), .character("g"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
    }

    @Test("help and the footer name the key")
    func helpNamesKey() {
        #expect(HelpView.lines.contains { $0.hasPrefix("!   ") && $0.contains("malformed records") })
    }
}
