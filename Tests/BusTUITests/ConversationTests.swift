import BusCore
import Testing

@testable import BusTUI

/// Issue 11's conversations: reply counts, the thread view, the jump history and replies.
@Suite("Conversations")
struct ConversationTests {
    /// A question, two answers (one answered in turn), noise, and a reply to the second answer.
    static let thread: [BusMessage] = [
        Fixture.message("what port?", type: "QUESTION", task: "task-20261126-090000-api", id: "Q1", second: 1),
        Fixture.message("noise", id: "N1", second: 2),
        Fixture.message("8080", type: "ANSWER", id: "A1", second: 3, parents: ["Q1"]),
        Fixture.message("9090 in prod", type: "ANSWER", id: "A2", second: 4, parents: ["Q1"]),
        Fixture.message("thanks", id: "F1", second: 5, parents: ["A2"]),
    ]

    @Test("reply counts come from the parents seen, and follow arrivals, revisions and truncation")
    func replyCounts() {
        var model = Fixture.model(Self.thread)
        #expect(model.store.replies.count(of: "Q1") == 2)
        #expect(model.store.replies.count(of: "A2") == 1)
        #expect(model.store.replies.count(of: "N1") == 0)
        model.ingest([Fixture.message("also", id: "F2", second: 6, parents: ["Q1", "Q1"])], source: 0)
        #expect(model.store.replies.count(of: "Q1") == 3, "a parent named twice by one message counts once")
        // A revision (the record grew) that names another parent moves the count.
        model.revise([Fixture.message("also", id: "F2", second: 6, parents: ["N1"])], source: 0)
        #expect(model.store.replies.count(of: "Q1") == 2)
        #expect(model.store.replies.count(of: "N1") == 1)
        model.resetSource(0)
        #expect(model.store.replies.counts.isEmpty)
    }

    @Test("a row with replies shows ↩ N before its preview")
    func replyMark() {
        let model = Fixture.model(Self.thread)
        let lines = model.screenLines
        #expect(lines.contains { $0.contains("↩ 2 what port?") }, "\(lines)")
        #expect(lines.contains { $0.contains("↩ 1 9090 in prod") })
        #expect(!lines.contains { $0.contains("↩ 0") })
        RenderTests.expectAligned(MonitorView.render(model).grid)
    }

    @Test("the thread tree: ancestors oldest first, the message, replies depth first under their parents")
    func tree() {
        let model = Fixture.model(Self.thread)
        let rootIndex = model.store.messages.firstIndex { $0.msgID == "A2" } ?? -1
        let tree = ThreadTree(store: model.store, root: rootIndex)
        let rows = tree.rows.map { (model.store.messages[$0.index].msgID, $0.depth, $0.role) }
        #expect(rows.map(\.0) == ["Q1", "A2", "F1"])
        #expect(rows.map(\.1) == [0, 1, 2])
        #expect(tree.rootRow == 1)

        let top = ThreadTree(store: model.store, root: 0)
        #expect(top.rows.map { model.store.messages[$0.index].msgID } == ["Q1", "A1", "A2", "F1"])
        #expect(top.rows.map(\.depth) == [0, 1, 1, 2])
        #expect(top.replyCount == 3 && top.ancestorCount == 0)
    }

    @Test("a cycle of parents (foreign ids pointing at each other) ends the tree instead of looping")
    func cycle() {
        let model = Fixture.model([
            Fixture.message("a", id: "X", second: 1, parents: ["Y"]),
            Fixture.message("b", id: "Y", second: 2, parents: ["X"]),
        ])
        let tree = ThreadTree(store: model.store, root: 1)
        #expect(tree.rows.count == 2)
    }

    @Test("r opens the thread view; j moves; Enter selects in the list and opens it; Esc returns")
    func threadView() {
        var model = Fixture.model(Self.thread)
        model.press(.character("g"))
        model.press(.character("r"))
        guard case .thread(let state) = model.overlay else {
            Issue.record("no thread view")
            return
        }
        #expect(state.cursor == 0)
        let lines = model.screenLines
        #expect(lines[1].contains("thread of Q1: 0 before, 3 replies"), "\(lines)")
        #expect(lines.contains { $0.contains("└ ↩ 1 9090 in prod") }, "\(lines)")
        #expect(lines.contains { $0.contains("  └ thanks") })
        #expect(!lines.contains { $0.contains("noise") }, "only the thread's messages")
        #expect(lines[23].contains("Enter open in list"))
        RenderTests.expectAligned(MonitorView.render(model).grid)
        model.press(.character("j"), .character("j"), .character("j"), .enter)
        #expect(model.overlay == nil)
        #expect(model.selectedBody == "thanks")
        #expect(model.detailOpen)
        model.press(.control("o"))
        #expect(model.selectedBody == "what port?", "Ctrl-O goes back to where the thread was opened")
        model.press(.character("r"), .escape)
        #expect(model.overlay == nil)
        #expect(model.selectedBody == "what port?")
    }

    @Test("a reply arriving while the thread view is open shows up in it, the cursor staying on its message")
    func liveThread() {
        var model = Fixture.model(Self.thread)
        model.press(.character("g"), .character("r"), .character("j"))
        model.ingest([Fixture.message("late", id: "L1", second: 0, parents: ["Q1"])], source: 1)
        guard case .thread(let state) = model.overlay else {
            Issue.record("no thread view")
            return
        }
        #expect(state.tree.replyCount == 4)
        #expect(model.store.messages[state.tree.rows[state.cursor].index].msgID == "A1")
    }

    @Test("p then Ctrl-O / Backspace walk the jump history back; with none left it says so")
    func jumpHistory() {
        var model = Fixture.model(Self.thread)
        model.press(.character("p"))
        #expect(model.selectedBody == "9090 in prod")
        model.press(.character("p"))
        #expect(model.selectedBody == "what port?")
        model.press(.backspace)
        #expect(model.selectedBody == "9090 in prod")
        model.press(.control("o"))
        #expect(model.selectedBody == "thanks")
        model.press(.control("o"))
        #expect(model.notice == "no earlier jump")
    }

    @Test("the jump history keeps the last 100 places and no place twice in a row")
    func historyLimit() {
        var history = JumpHistory()
        for order in 0..<150 {
            history.record(MessageKey(source: 0, order: Int32(order)))
            history.record(MessageKey(source: 0, order: Int32(order)))
        }
        #expect(history.entries.count == 100)
        #expect(history.back() == MessageKey(source: 0, order: 149))
    }

    @Test("a on a QUESTION composes an ANSWER with the question as parent, in its task")
    func replyToQuestion() {
        var model = Fixture.model(Self.thread)
        model.press(.character("g"), .character("a"))
        #expect(model.compose?.type.text == "ANSWER")
        #expect(model.screenLines.contains { $0.contains("reply to Q1") })
        model.type("use 8080")
        let action = model.press(.enter)
        #expect(
            action
                == .post(
                    MessageDraft(
                        type: "ANSWER",
                        projectID: "demo",
                        taskID: "task-20261126-090000-api",
                        parents: [BusParent(msgID: "Q1")],
                        body: "use 8080"
                    )
                )
        )
    }

    /// `a` dropped a draft put aside with Ctrl-C (review of issue 11): the reply starts from its text.
    @Test("a draft put aside with Ctrl-C becomes the reply's text")
    func replyKeepsASavedDraft() {
        var model = Fixture.model(Self.thread)
        model.press(.character("c"))
        model.type("half a thought")
        model.press(.control("c"))
        #expect(model.compose == nil)
        model.press(.character("g"), .character("a"))
        #expect(model.compose?.reply?.msgID == "Q1")
        #expect(model.compose?.body.text == "half a thought")
    }

    @Test("a on another type composes a FACT; a message without a task or project keeps the monitor's own")
    func replyToFact() {
        var model = MonitorModel(sourceLabel: "x", postContext: PostContext(projectID: "p", taskID: "mine"))
        model.ingest(
            Array(Self.thread.dropLast()) + [Fixture.message("thanks", project: "", id: "F1", second: 5)],
            source: 0
        )
        model.press(.enter, .tab, .character("a"))
        #expect(model.compose?.type.text == "FACT")
        model.type("ok")
        #expect(
            model.press(.enter)
                == .post(
                    MessageDraft(
                        type: "FACT",
                        projectID: "p",
                        taskID: "mine",
                        parents: [BusParent(msgID: "F1")],
                        body: "ok"
                    )
                )
        )
    }
}

@Suite("Thread view details")
struct ThreadViewDetailTests {
    @Test("the thread view marks the search's matches and bookmarks as the list does")
    func marks() {
        var model = Fixture.model(ConversationTests.thread)
        model.setQuery("port")
        model.press(.escape, .character("g"), .character("m"), .character("r"))
        let grid = MonitorView.render(model).grid
        let row = grid.lines.firstIndex { $0.contains("what port?") } ?? -1
        #expect(grid.lines[row].contains("*[QUESTION]"))
        let column = grid.columnOf("port", row: row)
        #expect(grid[row, column].style.attributes.contains(.underline))
    }
}
