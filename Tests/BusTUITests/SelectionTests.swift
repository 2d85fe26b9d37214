import BusCore
import Testing

@testable import BusTUI

@Suite("Selection, follow and search")
struct SelectionTests {
    @Test("following selects the newest message as messages arrive")
    func following() {
        var model = Fixture.model(Fixture.numbered(5))
        #expect(model.following)
        #expect(model.selectedBody == "message 4")
        model.ingest(Fixture.numbered(2, from: 5), source: 0)
        #expect(model.selectedBody == "message 6")
        #expect(model.newCount == 0)
    }

    @Test("moving up pauses; arrivals then count as new; G resumes and clears the count")
    func pauseAndNew() {
        var model = Fixture.model(Fixture.numbered(5))
        model.press(.character("k"))
        #expect(!model.following)
        #expect(model.selectedBody == "message 3")
        model.ingest(Fixture.numbered(3, from: 5), source: 0)
        #expect(model.selectedBody == "message 3", "selection stays put while paused")
        #expect(model.newCount == 3)
        #expect(model.screenLines[0].contains("PAUSED 3 new"))
        model.press(.character("G"))
        #expect(model.following)
        #expect(model.newCount == 0)
        #expect(model.selectedBody == "message 7")
        #expect(model.screenLines[0].contains("FOLLOW"))
    }

    @Test("F toggles follow; End resumes too")
    func toggleFollow() {
        var model = Fixture.model(Fixture.numbered(5))
        model.press(.character("F"))
        #expect(!model.following)
        model.ingest(Fixture.numbered(1, from: 5), source: 0)
        #expect(model.selectedBody == "message 4")
        model.press(.character("F"))
        #expect(model.following)
        #expect(model.selectedBody == "message 5")
        model.press(.up, .end)
        #expect(model.following)
    }

    @Test("j/k, arrows, pages, g/G and Home/End move within bounds")
    func movement() {
        var model = Fixture.model(Fixture.numbered(100), height: 12)
        model.press(.character("g"))
        #expect(model.selectedBody == "message 0")
        model.press(.character("k"), .up)
        #expect(model.selectedBody == "message 0")
        model.press(.character("j"), .down)
        #expect(model.selectedBody == "message 2")
        let page = model.layout.listRows - 1
        model.press(.pageDown)
        #expect(model.selectedBody == "message \(2 + page)")
        model.press(.pageUp, .pageUp)
        #expect(model.selectedBody == "message 0")
        model.press(.end)
        #expect(model.selectedBody == "message 99")
        model.press(.home)
        #expect(model.selectedBody == "message 0")
        // The selection is always on screen.
        model.press(.pageDown, .pageDown, .pageDown)
        let cursor = model.cursor ?? -1
        #expect(cursor >= model.listTop && cursor < model.listTop + model.layout.listRows)
    }

    @Test("n/N find the next/previous match of the last query, also after Esc cleared the filter")
    func search() {
        var model = Fixture.model(Fixture.numbered(12))
        model.press(.character("/"))
        model.type("type:DONE")
        model.press(.enter)
        #expect(model.visibleBodies == ["message 1", "message 4", "message 7", "message 10"])
        model.press(.escape)
        #expect(model.visible.count == 12)
        model.press(.character("g"), .character("n"))
        #expect(model.selectedBody == "message 1")
        model.press(.character("n"))
        #expect(model.selectedBody == "message 4")
        model.press(.character("N"), .character("N"))
        #expect(model.selectedBody == "message 10", "wraps around")
        #expect(model.notice == "search wrapped")
    }

    @Test("n without a query says so")
    func searchWithoutQuery() {
        var model = Fixture.model(Fixture.numbered(3))
        model.press(.character("n"))
        #expect(model.notice?.contains("no search") == true)
    }

    @Test("p jumps to the parent, clearing filters that hide it")
    func parentJump() {
        var model = Fixture.model([
            Fixture.message("root question", type: "QUESTION", id: "Q1", second: 1),
            Fixture.message("noise", id: "N1", second: 2),
            Fixture.message("the answer", type: "ANSWER", id: "A1", second: 3, parents: ["Q1"]),
        ])
        model.press(.character("p"))
        #expect(model.selectedBody == "root question")
        #expect(!model.following)
        model.press(.character("p"))
        #expect(model.notice == "this message has no parent")

        model.setQuery("type:ANSWER")
        model.press(.character("G"), .character("p"))
        #expect(model.selectedBody == "root question")
        #expect(model.query.isEmpty)
    }

    @Test("p names a parent that is not on the buses")
    func missingParent() {
        var model = Fixture.model([Fixture.message("orphan", id: "A", second: 1, parents: ["GONE"])])
        model.press(.character("p"))
        #expect(model.notice == "parent GONE is not on these buses")
    }

    @Test("Enter opens the detail pane, Tab focuses it, j scrolls it, Esc closes it, q closes before quitting")
    func detailPane() {
        let body = (0..<60).map { "line \($0)" }.joined(separator: "\n")
        var model = Fixture.model([Fixture.message("first", second: 1), Fixture.message(body, second: 2)], height: 24)
        model.press(.enter)
        #expect(model.detailOpen)
        model.press(.tab)
        #expect(model.focus == .detail)
        model.press(.character("j"), .character("j"))
        #expect(model.detailScroll == 2)
        #expect(model.selectedBody == body, "j scrolls the pane, not the list")
        model.press(.character("G"))
        let total = model.detailCache?.lines.count ?? 0
        #expect(model.detailScroll == total - model.layout.detailRows)
        model.press(.tab)
        #expect(model.focus == .list)
        model.press(.character("k"))
        #expect(model.selectedBody == "first")
        #expect(model.detailScroll == 0)
        #expect(model.press(.character("q")) == .none)
        #expect(!model.detailOpen)
        #expect(model.press(.character("q")) == .quit)
    }

    @Test("Ctrl-C quits from anywhere; M toggles the mouse")
    func quitAndMouse() {
        var model = Fixture.model(Fixture.numbered(2))
        model.press(.character("c"))
        #expect(model.press(.control("c")) == .quit)
        var other = Fixture.model()
        #expect(other.press(.character("M")) == .setMouse(false))
        #expect(other.press(.character("M")) == .setMouse(true))
    }

    @Test("mouse: wheel moves and pauses, click selects a row")
    func mouse() {
        var model = Fixture.model(Fixture.numbered(30), height: 12)
        model.press(.mouse(MouseEvent(.wheelUp, row: 3, column: 0)))
        #expect(!model.following)
        #expect(model.selectedBody == "message 26")
        let top = model.layout.list.top
        model.press(.mouse(MouseEvent(.press, row: top, column: 5)))
        #expect(model.selectedBody == "message \(model.listTop)")
        model.press(.mouse(MouseEvent(.doubleClick, row: top + 1, column: 5)))
        #expect(model.detailOpen)
    }

    @Test("help overlay opens with ? and closes with q")
    func help() {
        var model = Fixture.model()
        model.press(.character("?"))
        #expect(model.overlay == .help(scroll: 0))
        #expect(model.press(.character("q")) == .none)
        #expect(model.overlay == nil)
    }
}
