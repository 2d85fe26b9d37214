import BusCore
import Testing

@testable import BusTUI

/// Issue 8 target 4: a large bus shows its newest messages first; its older part arrives later and is merged in
/// without moving what the user looks at.
@Suite("Loading history in the background")
struct HistoryTests {
    /// A model showing the newest `shown` of `total` numbered messages, expecting the rest as history.
    static func newestFirst(_ total: Int, shown: Int, height: Int = 24) -> (MonitorModel, [BusMessage]) {
        let all = Fixture.numbered(total)
        var model = Fixture.model([], height: height)
        model.expectHistory(of: [0], bytes: 1000)
        model.ingest(Array(all.suffix(shown)), source: 0)
        return (model, Array(all.prefix(total - shown)))
    }

    @Test("the history merges before the newest part, in file order, with the counts")
    func mergesInOrder() {
        var (model, history) = Self.newestFirst(50, shown: 10)
        #expect(model.store.count == 10)
        model.addHistory(history, source: 0)
        #expect(model.visibleBodies == (0..<50).map { "message \($0)" })
        #expect(model.store.typeCounts["FACT"] == 17)
        #expect(model.historyPending.isEmpty)
        // Later appends still go after everything, with keys after the history's.
        model.ingest([Fixture.message("appended", id: "M50", second: 50)], source: 0)
        #expect(model.visibleBodies.last == "appended")
        #expect(Set(model.store.keys).count == 51)
    }

    @Test("while following, the newest stays selected")
    func followingStaysOnTheNewest() {
        var (model, history) = Self.newestFirst(200, shown: 30)
        #expect(model.selectedBody == "message 199")
        model.addHistory(history, source: 0)
        #expect(model.following)
        #expect(model.selectedBody == "message 199")
        #expect(model.cursor == 199)
    }

    @Test("paused, the selection and the first row shown stay on the same messages")
    func pausedKeepsItsPlace() {
        var (model, history) = Self.newestFirst(200, shown: 60)
        model.press(.character("g"), .character("j"), .character("j"), .character("j"))
        let selected = model.selectedBody
        let top = model.visible[model.listTop]
        let topBody = model.store[top].message.body
        #expect(selected == "message 143")
        model.addHistory(history, source: 0)
        #expect(model.selectedBody == selected)
        #expect(model.store[model.visible[model.listTop]].message.body == topBody)
        #expect(!model.following)
    }

    @Test("history interleaves with another source's messages by time")
    func interleavesWithOtherSources() {
        var model = Fixture.model([])
        model.addSource(1, name: "task bus")
        model.expectHistory(of: [0], bytes: 100)
        model.ingest([Fixture.message("p9", second: 9)], source: 0)
        model.ingest([Fixture.message("t2", second: 2), Fixture.message("t6", second: 6)], source: 1)
        model.addHistory([Fixture.message("p1", second: 1), Fixture.message("p5", second: 5)], source: 0)
        #expect(model.visibleBodies == ["p1", "t2", "p5", "t6", "p9"])
    }

    @Test("a filter applies to the history as it arrives")
    func filtered() {
        var (model, history) = Self.newestFirst(30, shown: 6)
        model.setQuery("type:DONE")
        model.addHistory(history, source: 0)
        #expect(model.visibleBodies == stride(from: 1, to: 30, by: 3).map { "message \($0)" })
    }

    @Test("the history of a bus truncated meanwhile is dropped: the bus is read again whole")
    func truncatedSourceDropsItsHistory() {
        var (model, history) = Self.newestFirst(20, shown: 5)
        model.resetSource(0)
        model.ingest([Fixture.message("after truncation", second: 100)], source: 0)
        model.addHistory(history, source: 0)
        #expect(model.visibleBodies == ["after truncation"])
    }

    @Test("reply counts include the history: replies in it, and parents in it")
    func replyCountsIncludeTheHistory() {
        var model = Fixture.model([])
        model.expectHistory(of: [0], bytes: 100)
        let question = Fixture.message("question", type: "QUESTION", id: "Q", second: 1)
        let early = Fixture.message("early answer", type: "ANSWER", id: "A1", second: 2, parents: ["Q"])
        let late = Fixture.message("late answer", type: "ANSWER", id: "A2", second: 9, parents: ["Q"])
        model.ingest([late], source: 0)
        #expect(model.store.replies.count(of: "Q") == 1)
        model.addHistory([question, early], source: 0)
        #expect(model.store.replies.count(of: "Q") == 2)
        #expect(model.visibleBodies == ["question", "early answer", "late answer"])
    }

    @Test("the status bar shows the progress until the history is in")
    func statusBarProgress() {
        var (model, history) = Self.newestFirst(20, shown: 5)
        model.historyProgress = (done: 420, total: 1000)
        #expect(StatusBarView.parts(model).contains { $0.text == "loading history 42%" })
        model.addHistory(history, source: 0)
        model.historyProgress = nil
        #expect(!StatusBarView.parts(model).contains { $0.text.contains("history") })
    }
}
