import BusCore
import Testing

@testable import BusTUI

/// Issue 11's swarm panel and activity sparkline.
@Suite("Swarm")
struct SwarmTests {
    static let api = "task-20261126-090000-api"
    static let tests = "task-20261126-090500-tests"

    static var messages: [BusMessage] {
        [
            Fixture.message("api started", type: "RUN_START", task: api, id: "A1", second: 0),
            Fixture.message("which port?", type: "QUESTION", task: api, id: "A2", second: 10),
            Fixture.message("tests started", type: "RUN_START", task: tests, id: "T1", second: 20),
            Fixture.message("answered?", type: "QUESTION", task: tests, id: "T2", second: 30),
            Fixture.message("yes", type: "ANSWER", task: tests, id: "T3", second: 1000, parents: ["T2"]),
        ]
    }

    @Test("one row per task, newest activity first, with counts and open questions")
    func summary() {
        let model = Fixture.model(Self.messages)
        let rows = SwarmSummary(store: model.store).rows
        #expect(rows.map(\.task) == [Self.tests, Self.api])
        #expect(rows.map(\.count) == [3, 2])
        #expect(rows.map(\.openQuestions) == [0, 1])
        #expect(model.store.messages[rows[1].last].msgID == "A2")
    }

    @Test("s opens the panel; a task silent past --stale is marked; Enter filters the list to it; s closes")
    func panel() {
        var model = Fixture.model(Self.messages, width: 120, height: 24)
        model.staleAfter = 600
        model.now = BusTimestamp(seconds: 1_767_225_600 + 1010, nanoseconds: 0)
        model.press(.character("s"))
        let lines = model.screenLines
        let apiRow = lines.first { $0.contains("│ …090000-api") } ?? ""
        let testsRow = lines.first { $0.contains("│ …090500-tests") } ?? ""
        #expect(apiRow.contains("16m ago") && apiRow.contains("STALE") && apiRow.contains("which port?"), "\(lines)")
        #expect(testsRow.contains("10s ago") && !testsRow.contains("STALE"), "\(testsRow)")
        #expect(lines.contains { $0.contains("TASK") && $0.contains("OPEN?") })
        #expect(lines[23].contains("Enter show the task"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        model.press(.character("j"), .enter)
        #expect(model.overlay == nil)
        #expect(model.chosenTasks == [Self.api])
        #expect(model.visibleBodies == ["api started", "which port?"])
        model.press(.character("s"), .character("s"))
        #expect(model.overlay == nil)
    }

    @Test("the panel keeps its layout at 80x24, 40x12 and 10x5")
    func sizes() {
        for (width, height) in [(80, 24), (40, 12), (10, 5)] {
            var model = Fixture.model(Self.messages, width: width, height: height)
            model.press(.character("s"))
            RenderTests.expectAligned(MonitorView.render(model).grid)
        }
    }

    @Test("messages per minute over 30 minutes: the window ends now, busier minutes get taller bars")
    func sparkline() {
        let base: Int64 = 1_767_225_600
        let messages = [0, 1, 2, 3, 65, 1700].map { Fixture.message("m\($0)", id: "S\($0)", second: Int64($0)) }
        let model = Fixture.model(messages)
        let now = BusTimestamp(seconds: base + 1800, nanoseconds: 0)
        let counts = Sparkline.counts(model.store, now: now)
        #expect(counts.count == 30)
        #expect(counts[0] == 3, "second 0 is exactly 30 minutes ago: outside the window")
        #expect(counts[1] == 1 && counts[28] == 1)
        #expect(Sparkline.text(counts).first == "█")
        #expect(Sparkline.text([0, 1, 2, 4]) == " ▂▄█")
        #expect(Sparkline.text([0, 0]) == "  ")
    }

    @Test("the sparkline rides in the status bar when there is room and a clock, never pushing the path out")
    func sparklineInStatusBar() {
        var model = Fixture.model(Fixture.numbered(5), width: 120)
        #expect(!model.screenLines[0].contains("█"), "no wall clock: no sparkline")
        model.now = BusTimestamp(seconds: 1_767_225_600 + 10, nanoseconds: 0)
        #expect(model.screenLines[0].hasSuffix("█"))
        #expect(model.screenLines[0].count == "bus.md | 5/5 | FOLLOW | ".count + 30)
        model.resize(width: 40, height: 12)
        #expect(model.screenLines[0] == "bus.md | 5/5 | FOLLOW |          █", "the last 10 minutes")
        model.resize(width: 30, height: 12)
        #expect(model.screenLines[0] == "bus.md | 5/5 | FOLLOW", "no room: left out, not cut")
    }
}

/// The hint bar and issue 11's views at the sizes issue 9 names.
@Suite("Issue 11 views at 80x24, 40x10 and 140x40")
struct PowerSizeTests {
    @Test("the hint bar holds whole hints only, ? help first, in every view", arguments: ScreenSize.all)
    func hintBar(size: ScreenSize) {
        var model = Fixture.model(ConversationTests.thread, width: size.width, height: size.height)
        for keys in [[], [KeyEvent.enter, .tab], [.escape, .character("r")], [.escape, .character("s")]] {
            for key in keys { model.press(key) }
            let footer = model.screenLines[size.height - 1]
            #expect(!footer.contains("…"), "\(footer)")
            #expect(footer.count <= size.width)
            let items = FooterView.hintItems(model)
            #expect(footer.hasPrefix(items[0]))
        }
        model.press(.escape)
        #expect(model.screenLines[size.height - 1].hasPrefix("? help  j/k move"))
    }

    @Test("thread view, swarm panel, reply marks and ages keep every row aligned", arguments: ScreenSize.all)
    func aligned(size: ScreenSize) {
        var model = Fixture.model(ConversationTests.thread, width: size.width, height: size.height)
        model.now = BusTimestamp(seconds: 1_767_225_600 + 3600, nanoseconds: 0)
        model.press(.character("R"), .character("g"), .character("m"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        model.press(.character("r"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        model.press(.escape, .character("s"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        model.press(.escape, .character("w"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        #expect(model.screenLines[size.height - 1].hasPrefix("write shown messages to:"))
    }
}
