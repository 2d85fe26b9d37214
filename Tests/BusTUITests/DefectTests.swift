import BusCore
import Testing

@testable import BusTUI

/// Regression tests for the defects of issue 9, each written against the behaviour a user tripped over.
@Suite("Issue 9 defects")
struct DefectTests {
    static let demoTasks = ["task-20261126-090000-api", "task-20261126-090500-tests", "task-20261126-091000-review"]

    /// Rows of the list (below the status bar and the column header) that show `text`.
    static func rows(_ model: MonitorModel, containing text: String) -> [String] {
        model.screenLines.filter { $0.contains(text) }
    }

    // MARK: 1. Opening a message pins it

    @Test("Enter on the newest message pins it: new arrivals neither move the selection nor the detail pane")
    func enterPins() {
        var model = Fixture.model(Fixture.numbered(5))
        #expect(model.following)
        model.press(.enter)
        #expect(!model.following, "an explicit choice pauses follow")
        model.ingest(Fixture.numbered(2, from: 5), source: 0)
        #expect(model.selectedBody == "message 4")
        #expect(model.newCount == 2)
        #expect(model.screenLines.contains { $0.contains("msg_id: M4") })
        #expect(model.screenLines[0].contains("PAUSED 2 new"))
        model.press(.character("G"))
        #expect(model.following)
        #expect(model.selectedBody == "message 6")
        #expect(model.screenLines.contains { $0.contains("msg_id: M6") }, "the detail pane shows the selection")
    }

    @Test("j at the newest, a click on it and n onto it all pin the selection", arguments: [0, 1, 2])
    func explicitChoicesPin(_ way: Int) {
        var model = Fixture.model(Fixture.numbered(5))
        switch way {
        case 0: model.press(.character("j"))
        case 1:
            let row = model.layout.list.top + model.listRowOffset(ofPosition: 4)
            model.press(.mouse(MouseEvent(.press, row: row, column: 3)))
        default:
            model.press(.character("/"))
            model.type("message 4")
            model.press(.enter, .character("G"), .character("n"))
        }
        #expect(model.selectedBody == "message 4")
        #expect(!model.following)
        model.ingest(Fixture.numbered(1, from: 5), source: 0)
        #expect(model.selectedBody == "message 4")
    }

    // MARK: 2. Columns

    @Test("80x24: the demo's task ids drop their shared prefix, the distinguishing part shows after …")
    func taskIDsDistinguishable() {
        let messages = Self.demoTasks.enumerated().map { index, task in
            Fixture.message("work \(index)", type: "PROGRESS", task: task, second: Int64(index))
        }
        let model = Fixture.model(messages)
        for (index, suffix) in ["…090000-api", "…090500-tests", "…091000-review"].enumerated() {
            let rows = Self.rows(model, containing: "work \(index)")
            #expect(rows.count == 1 && rows[0].contains(suffix), "\(rows)")
        }
        #expect(!model.screenLines.joined().contains("task-2026112 "))
    }

    @Test("a cut column ends in …; SESSION_START fits at 80 columns")
    func typeLabels80() {
        let model = Fixture.model([
            Fixture.message("hello", type: "SESSION_START", second: 1), Fixture.message("x", type: "FACT", second: 2),
        ])
        #expect(
            Self.rows(model, containing: "hello").first?.contains("[SESSION_START]") == true,
            "\(model.screenLines)"
        )
        #expect(!model.screenLines.joined().contains("[SESSION_ST]"))
    }

    @Test("40 columns: RUN_START and RUN_STOP get labels that differ, each cut marked with …")
    func typeLabels40() {
        let model = Fixture.model(
            [
                Fixture.message("began", type: "RUN_START", second: 1),
                Fixture.message("ended", type: "RUN_STOP", second: 2),
                Fixture.message("plain", type: "FACT", second: 3),
            ],
            width: 40,
            height: 10
        )
        let start = Self.rows(model, containing: "began").first ?? ""
        let stop = Self.rows(model, containing: "ended").first ?? ""
        func label(_ row: String) -> String {
            guard let open = row.firstIndex(of: "["), let close = row.firstIndex(of: "]") else { return "" }
            return String(row[row.index(after: open)..<close])
        }
        #expect(label(start) != label(stop), "\(start) / \(stop)")
        #expect(label(start).contains("…") && label(stop).contains("…"))
        #expect(label(Self.rows(model, containing: "plain").first ?? "") == "FACT")
    }

    @Test("a column with no values takes no space; a long body is cut with …")
    func emptyColumnsAndEllipsis() {
        let long = String(repeating: "abcdefghij ", count: 20)
        let model = Fixture.model([Fixture.message(long, type: "FACT", second: 1)])
        let row = Self.rows(model, containing: "abcdefghij").first ?? ""
        #expect(row.hasPrefix("01-01 00:00:01 [FACT] abcdefghij"), "\(row)")
        #expect(row.hasSuffix("…"), "\(row)")
        #expect(DisplayWidth.of(row) == 80)
    }

    // MARK: 3. Preview

    @Test("the preview is the first non-blank line; a carriage return shows as ^M")
    func preview() {
        let model = Fixture.model([
            Fixture.message("\n\n  \nSession opened by claude\nmore", type: "SESSION_START", second: 1),
            Fixture.message("cr:\rOVERWRITE", second: 2),
        ])
        #expect(!Self.rows(model, containing: "Session opened by claude").isEmpty, "\(model.screenLines)")
        #expect(!Self.rows(model, containing: "cr:^MOVERWRITE").isEmpty, "\(model.screenLines)")
    }

    // MARK: 4. Grapheme clusters in the grid

    static let clusters = [
        "🎉", "👍🏽", "👨‍👩‍👧‍👦", "🇯🇵", "e\u{301}\u{302}", "❤️", "👨‍💻", "日本",
    ]

    @Test("every kind of grapheme cluster keeps all its code points in the grid, and the row stays aligned")
    func clustersKept() {
        let body = "🎉🚀👍🏽👨‍👩‍👧‍👦🇯🇵 é́ ❤️ 漢字 end"
        for (width, height) in [(80, 24), (40, 10), (140, 40)] {
            var model = Fixture.model([Fixture.message(body, task: "task-1", second: 1)], width: width, height: height)
            model.press(.enter)
            let grid = MonitorView.render(model).grid
            RenderTests.expectAligned(grid)
            let text = grid.lines.joined(separator: "\n")
            #expect(text.unicodeScalars.filter { $0 == "\u{200D}" }.count >= 3, "ZWJs kept at \(width)")
            #expect(text.contains("👨‍👩‍👧‍👦"), "family kept at \(width)")
            #expect(text.contains("👍🏽") && text.contains("🇯🇵") && text.contains("é́") && text.contains("❤️"))
        }
    }

    @Test("cluster widths follow the terminal's per-code-point rule (tmux, xterm, VTE)")
    func clusterWidths() {
        #expect(DisplayWidth.of(Character("🎉")) == 2)
        #expect(DisplayWidth.of(Character("👍🏽")) == 4, "a skin tone modifier is a wide character of its own")
        #expect(DisplayWidth.of(Character("👨‍👩‍👧‍👦")) == 2, "joined by ZWJ: one wide cell")
        #expect(DisplayWidth.of(Character("🇯🇵")) == 2, "two regional indicators of one column each")
        #expect(DisplayWidth.of(Character("e\u{301}")) == 1)
        #expect(DisplayWidth.of(Character("❤️")) == 1, "VS16 does not widen")
    }

    // MARK: 5. Status bar at 40 columns

    @Test("40 columns: follow state, counts and malformed count stay; the path is shortened in the middle")
    func statusBar40() {
        var model = MonitorModel(
            sourceLabel: "/tmp/run-agent-demo-Ab12Cd/runs/demo/MESSAGE-BUS.md",
            postContext: PostContext(projectID: "demo"),
            width: 40,
            height: 10
        )
        model.ingest(Fixture.numbered(3), malformed: [Fixture.malformed(at: 0)], source: 0)
        var status = model.screenLines[0]
        #expect(status.contains("FOLLOW") && status.contains("3/3") && status.contains("1 malformed"), "\(status)")
        #expect(status.contains("…"), "\(status)")
        #expect(status.contains("BUS.md"), "the end of the path stays: \(status)")
        model.press(.character("k"))
        model.ingest(Fixture.numbered(2, from: 3), source: 0)
        status = model.screenLines[0]
        #expect(status.contains("PAUSED 2 new"), "\(status)")
    }

    // MARK: 6. Ctrl-C in compose

    @Test("Ctrl-C with a draft cancels compose and keeps the draft; a second Ctrl-C quits")
    func ctrlCInCompose() {
        var model = Fixture.model(Fixture.numbered(2))
        model.press(.character("c"))
        model.type("half a thought")
        #expect(model.press(.control("c")) == .none)
        #expect(model.compose == nil)
        #expect(model.screenLines[0].contains("Ctrl-C again to quit"))
        model.press(.character("c"))
        #expect(model.compose?.body.text == "half a thought", "the draft comes back")
        model.press(.escape)
        #expect(model.press(.control("c")) == .quit)
    }

    @Test("Ctrl-C in an empty compose box quits at once")
    func ctrlCEmptyCompose() {
        var model = Fixture.model()
        model.press(.character("c"))
        #expect(model.press(.control("c")) == .quit)
    }

    // MARK: 7. Smaller ones

    @Test("the detail pane leaves out empty task_id, run_id and issue_id")
    func detailSkipsEmpty() {
        var model = Fixture.model([Fixture.message("x", second: 1)])
        model.press(.enter)
        let text = model.screenLines.joined(separator: "\n")
        #expect(text.contains("project_id: demo"))
        #expect(!text.contains("task_id:") && !text.contains("run_id:") && !text.contains("issue_id:"))
    }

    @Test("a message posted while paused is brought into view and selected")
    func postedWhilePausedIsShown() {
        var model = Fixture.model(Fixture.numbered(40))
        model.press(.character("g"))
        model.press(.character("c"))
        model.type("mine")
        model.press(.enter)
        model.postFinished(.success("MINE-1"))
        model.ingest([Fixture.message("mine", id: "MINE-1", second: 100)], source: 0)
        #expect(model.selectedBody == "mine")
        #expect(model.screenLines.contains { $0.hasSuffix("mine") })
    }

    @Test("ESC and BEL in a body show the same visible way in the list and the detail pane")
    func controlsVisible() {
        var model = Fixture.model([Fixture.message("a\u{1B}[31mred\u{07}b", second: 1)])
        #expect(model.screenLines.contains { $0.contains("a^[[31mred^Gb") }, "\(model.screenLines)")
        model.press(.enter)
        #expect(model.screenLines.filter { $0.contains("a^[[31mred^Gb") }.count == 2)
    }

    @Test("picker counts follow arrivals while the picker is open")
    func pickerCountsLive() {
        var model = Fixture.model(Fixture.numbered(3))
        model.press(.character("t"))
        model.ingest(
            [Fixture.message("new", type: "FACT", second: 50), Fixture.message("q", type: "ASK", second: 51)],
            source: 0
        )
        guard case .picker(let picker) = model.overlay else {
            Issue.record("picker closed")
            return
        }
        #expect(picker.items.first { $0.name == "FACT" }?.count == 2)
        #expect(picker.items.contains { $0.name == "ASK" })
    }

    @Test("a sticky warning (the locale) survives keys; notices go at the next key")
    func warningSticks() {
        var model = Fixture.model(Fixture.numbered(3))
        model.warning = "locale codeset is ANSI_X3.4-1968, not UTF-8"
        model.notice = "search wrapped"
        model.press(.character("k"))
        #expect(model.screenLines[0].contains("not UTF-8"))
        #expect(!model.screenLines[0].contains("search wrapped"))
    }

    @Test("SGR 1006 mouse reports become mouse events, also past column 223")
    func sgrMouse() {
        func keys(_ text: String) -> [KeyEvent] {
            [.escape] + text.map { KeyEvent.character($0) }
        }
        var tracker = ClickTracker()
        #expect(
            tracker.decode(keys("[<0;230;5M"), now: .zero)
                == [.mouse(MouseEvent(.press, row: 4, column: 229))]
        )
        #expect(tracker.decode(keys("[<0;230;5m"), now: .milliseconds(10)) == [])
        #expect(
            tracker.decode(keys("[<0;230;5M"), now: .milliseconds(100))
                == [.mouse(MouseEvent(.doubleClick, row: 4, column: 229))]
        )
        #expect(
            tracker.decode(keys("[<64;3;2M"), now: .seconds(2)) == [.mouse(MouseEvent(.wheelUp, row: 1, column: 2))]
        )
        #expect(
            tracker.decode(keys("[<65;3;2M"), now: .seconds(3)) == [.mouse(MouseEvent(.wheelDown, row: 1, column: 2))]
        )
        #expect(tracker.decode(keys("[<35;3;2M"), now: .seconds(4)) == [], "motion is ignored")
        #expect(tracker.decode(keys("[x") + [.character("q")], now: .seconds(5)) == keys("[x") + [.character("q")])
    }
}

@Suite("Cluster widths as the terminal measures them")
struct WidthProbeTests {
    @Test("a cursor position report gives the 0-based column; anything else gives nil")
    func reply() {
        #expect(WidthProbeReply.column(in: Array("\u{1B}[12;3R".utf8)) == 2)
        #expect(WidthProbeReply.column(in: Array("junk\u{1B}[1;9R".utf8)) == 8)
        #expect(WidthProbeReply.column(in: Array("\u{1B}[12;R".utf8)) == nil)
        #expect(WidthProbeReply.column(in: Array("\u{1B}[12;3".utf8)) == nil)
        #expect(WidthProbeReply.column(in: Array("12;3R".utf8)) == nil)
    }

    @Test("measured widths choose the profile; unanswered samples keep the per-code-point rule")
    func profiles() {
        let tmux = WidthProbeReply.profile([.zwj: 2, .modifier: 4, .vs16: 1])
        #expect(tmux == .perCodePoint)
        let kitty = WidthProbeReply.profile([.zwj: 2, .modifier: 2, .vs16: 2])
        #expect(kitty.joinsModifiers && kitty.widensVS16 && kitty.joinsZWJ)
        let xterm = WidthProbeReply.profile([.zwj: 8, .modifier: 4, .vs16: 1])
        #expect(!xterm.joinsZWJ)
        #expect(WidthProbeReply.profile([:]) == .perCodePoint)
        #expect(WidthProbeReply.profile([.zwj: 5]) == .perCodePoint, "a width that fits neither reading")
    }

    @Test("each profile measures every sample as that terminal drew it")
    func widthsByProfile() {
        for (profile, expected) in [
            (WidthProbeReply.profile([.zwj: 2, .modifier: 4, .vs16: 1]), [2, 4, 1]),
            (WidthProbeReply.profile([.zwj: 2, .modifier: 2, .vs16: 2]), [2, 2, 2]),
            (WidthProbeReply.profile([.zwj: 8, .modifier: 4, .vs16: 1]), [8, 4, 1]),
        ] {
            let widths = WidthProbeReply.Sample.allCases.map { DisplayWidth.of(Character($0.text), profile: profile) }
            #expect(widths == expected, "\(profile)")
        }
        #expect(DisplayWidth.of(Character("e\u{301}"), profile: ClusterWidthProfile(joinsModifiers: true)) == 1)
    }
}
