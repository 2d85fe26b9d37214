import BusCore
import Testing

@testable import BusTUI

/// The finished design of issue 9: header row, chat-like bottom anchoring, the new-messages rule, hints that
/// follow the focus, box drawing, the dimmed list behind an overlay, the agent column.
@Suite("Monitor design")
struct DesignTests {
    static let sizes = [(80, 24), (40, 10), (140, 40)]

    @Test("a header names the columns; few messages sit at the bottom next to the footer", arguments: [0, 1, 2])
    func headerAndBottom(_ index: Int) {
        let (width, height) = Self.sizes[index]
        let model = Fixture.model(Fixture.numbered(2), width: width, height: height)
        let lines = model.screenLines
        #expect(lines[1].contains("TYPE") && lines[1].contains("MESSAGE"), "\(lines[1])")
        #expect(lines[height - 2].hasSuffix("message 1"), "\(lines)")
        #expect(lines[height - 3].hasSuffix("message 0"), "\(lines)")
        #expect(lines[2].isEmpty)
        RenderTests.expectAligned(MonitorView.render(model).grid)
    }

    @Test("a click lands on the row it hits, also with the list at the bottom")
    func clickOnAnchoredRow() {
        var model = Fixture.model(Fixture.numbered(3))
        let row = model.layout.list.top + model.layout.listRows - 3
        model.press(.mouse(MouseEvent(.press, row: row, column: 10)))
        #expect(model.selectedBody == "message 0")
        model.press(.mouse(MouseEvent(.press, row: model.layout.list.top, column: 10)))
        #expect(model.selectedBody == "message 0", "a blank row above the messages selects nothing")
    }

    @Test("paused, a ── N new ── rule marks where the unseen messages start", arguments: [0, 1, 2])
    func newRule(_ index: Int) {
        let (width, height) = Self.sizes[index]
        var model = Fixture.model(Fixture.numbered(3), width: width, height: height)
        model.press(.character("k"))
        model.ingest(Fixture.numbered(2, from: 3), source: 0)
        let lines = model.screenLines
        let rule = lines.firstIndex { $0.contains("─ 2 new ─") }
        let first = lines.firstIndex { $0.hasSuffix("message 3") }
        #expect(rule != nil && first != nil && rule.map { $0 + 1 } == first, "\(lines)")
        #expect(lines.contains { $0.hasSuffix("message 4") }, "\(lines)")
        model.press(.character("G"))
        #expect(!model.screenLines.contains { $0.contains(" new ─") })
        RenderTests.expectAligned(MonitorView.render(model).grid)
    }

    @Test("the rule never pushes the selection off screen")
    func ruleKeepsSelection() {
        var model = Fixture.model(Fixture.numbered(60), width: 80, height: 12)
        model.press(.character("F"))
        model.ingest(Fixture.numbered(30, from: 60), source: 0)
        for step in 0..<40 {
            model.press(.character("j"))
            #expect(model.screenLines.contains { $0.hasSuffix(model.selectedBody ?? "?") }, "step \(step)")
        }
    }

    @Test("the hint bar follows the focus")
    func hints() {
        var model = Fixture.model(Fixture.numbered(3))
        #expect(model.screenLines[23].contains("Enter open"))
        model.press(.enter, .tab)
        #expect(model.screenLines[23].contains("j/k scroll"))
        model.press(.escape, .character("c"))
        #expect(model.screenLines[23].contains("Ctrl-J"))
        model.press(.escape, .character("t"))
        #expect(model.screenLines[23].contains("Space select"))
        model.press(.escape, .character("/"))
        #expect(model.screenLines[23].contains("Enter apply  Esc clear"))
    }

    @Test("overlays are boxed with line drawing and dim what is behind them")
    func overlayBox() {
        var model = Fixture.model(Fixture.numbered(3))
        model.press(.character("t"))
        let grid = MonitorView.render(model).grid
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("┌") && text.contains("┘") && text.contains("│"))
        #expect(grid[0, 0].style.attributes.contains(.dim), "the status bar behind is dimmed")
        RenderTests.expectAligned(grid)
    }

    @Test("behind an overlay the list stands still; it catches up when the overlay closes")
    func listStillBehindOverlay() {
        var model = Fixture.model(Fixture.numbered(40))
        model.press(.character("t"))
        let top = model.listTop
        model.ingest(Fixture.numbered(20, from: 40), source: 0)
        #expect(model.listTop == top)
        model.press(.escape)
        #expect(model.screenLines.contains { $0.hasSuffix("message 59") })
    }

    @Test("140x40 with long ids: the agent and task columns widen, ids still cut with …")
    func wide140() {
        let tasks = DefectTests.demoTasks + ["task-20261126-093000-a-very-long-integration-name-indeed"]
        let messages = tasks.enumerated().map { index, task in
            var message = Fixture.message(
                "body \(index) 👨‍👩‍👧‍👦 漢字",
                task: task,
                run: "run-20261126-0900\(index)",
                second: Int64(index)
            )
            message.meta = ["agent": "an-agent-with-a-long-name-\(index)"]
            return message
        }
        let model = Fixture.model(messages, width: 140, height: 40)
        let lines = model.screenLines
        #expect(lines.contains { $0.contains("…090000-api") && $0.contains("body 0") }, "\(lines)")
        #expect(lines.contains { $0.contains("…093000-a-very-long-integr") && $0.contains("…") }, "\(lines)")
        #expect(lines.contains { $0.contains("an-agent-with-a…") }, "\(lines)")
        RenderTests.expectAligned(MonitorView.render(model).grid)
    }

    @Test("the agent column shows meta.agent, else the run id, each agent in a stable colour")
    func agentColumn() {
        var claude = Fixture.message("from claude", run: "run-1", second: 1)
        claude.meta = ["agent": "claude"]
        let model = Fixture.model([claude, Fixture.message("from a run", run: "run-7", second: 2)])
        let lines = model.screenLines
        #expect(lines[1].contains("AGENT"))
        #expect(lines.contains { $0.contains("claude") && $0.hasSuffix("from claude") })
        #expect(lines.contains { $0.contains("run-7") && $0.hasSuffix("from a run") })
        #expect(AgentStyle.style(for: "claude") == AgentStyle.style(for: "claude"))
        #expect(AgentStyle.style(for: "claude").color != .none)
    }
}
