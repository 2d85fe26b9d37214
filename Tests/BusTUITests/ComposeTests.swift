import BusCore
import Testing

@testable import BusTUI

@Suite("Compose box")
struct ComposeTests {
    @Test("c opens compose on the body with type FACT; Enter posts a draft with the context")
    func post() {
        var model = MonitorModel(sourceLabel: "x", postContext: PostContext(projectID: "p", taskID: "t", runID: "r"))
        model.press(.character("c"))
        #expect(model.compose?.field == .body)
        #expect(model.compose?.type.text == "FACT")
        model.type("hello")
        model.press(.control("j"))
        model.type("world")
        model.press(.altEnter)
        model.type("!")
        let action = model.press(.enter)
        #expect(
            action
                == .post(MessageDraft(type: "FACT", projectID: "p", taskID: "t", runID: "r", body: "hello\nworld\n!"))
        )
        #expect(model.compose?.phase == .posting)
        #expect(model.press(.character("x")) == .none)
        #expect(model.compose?.body.text == "hello\nworld\n!", "text is frozen while posting")
    }

    @Test("waiting for the lock is shown in the box; success closes it and reports the id")
    func postSuccess() {
        var model = Fixture.model()
        model.press(.character("c"))
        model.type("note")
        model.press(.enter)
        model.postWaitingForLock()
        #expect(model.screenLines.contains { $0.contains("waiting for lock") })
        model.postFinished(.success("MSG-1"))
        #expect(model.compose == nil)
        #expect(model.screenLines[0].contains("posted MSG-1"))
    }

    @Test("a failed post keeps the text and shows the error")
    func postFailure() {
        var model = Fixture.model()
        model.press(.character("c"))
        model.type("keep me")
        model.press(.enter)
        model.postFinished(.failure(.lockTimeout(path: "/b", seconds: 1)))
        #expect(model.compose?.body.text == "keep me")
        #expect(model.compose?.phase == .editing)
        #expect(model.screenLines[0].contains("post failed"))
        #expect(model.press(.enter) != .none, "can try again")
    }

    @Test("an empty body is not posted")
    func emptyBody() {
        var model = Fixture.model()
        model.press(.character("c"), .character(" "))
        #expect(model.press(.enter) == .none)
        #expect(model.compose?.error?.contains("empty") == true)
    }

    @Test("Tab goes to the type field; Tab completes from types seen and the standard ones; Esc cancels")
    func typeCompletion() {
        var model = Fixture.model([Fixture.message("x", type: "REVIEW")])
        model.press(.character("c"), .tab)
        #expect(model.compose?.field == .type)
        model.press(.backspace, .backspace, .backspace, .backspace)
        model.type("re")
        model.press(.tab)
        #expect(model.compose?.type.text == "REVIEW")
        model.press(.tab)
        #expect(model.compose?.field == .body, "nothing more to complete: back to the body")
        model.press(.tab, .backspace, .backspace, .backspace, .backspace, .backspace, .backspace)
        model.type("d")
        model.press(.down)
        #expect(model.compose?.type.text == "DONE")
        model.press(.down)
        #expect(model.compose?.type.text == "DECISION")
        model.press(.escape)
        #expect(model.compose == nil)
    }

    @Test("completion candidates: standard types in order, then seen ones sorted")
    func candidates() {
        #expect(ComposeState.candidates(prefix: "", seen: ["ZED", "FACT"]) == ComposeState.standardTypes + ["ZED"])
        #expect(ComposeState.candidates(prefix: "q", seen: ["QA"]) == ["QUESTION", "QA"])
    }

    @Test("line editor: cursor moves, backspace, delete, up/down keep the column")
    func editor() {
        var editor = LineEditor("abc\nde")
        editor.up()
        #expect(editor.cursor == 2)
        editor.end()
        editor.backspace()
        #expect(editor.text == "ab\nde")
        editor.down()
        editor.home()
        editor.deleteForward()
        #expect(editor.text == "ab\ne")
        editor.insert("X")
        #expect(editor.text == "ab\nXe")
        editor.deleteToLineStart()
        #expect(editor.text == "ab\ne")
    }

    @Test("a pasted Enter followed by text becomes a newline, a final Enter still posts")
    func paste() {
        let keys: [KeyEvent] = [.character("a"), .enter, .character("b"), .enter]
        #expect(KeyEvent.pastedEntersAsNewlines(keys) == [.character("a"), .control("j"), .character("b"), .enter])
    }

    @Test("ESC then Enter in one read is Alt-Enter; ESC before a key stays Escape")
    func escapes() {
        #expect(KeyEvent.combiningEscapes([.escape, .enter]) == [.altEnter])
        #expect(KeyEvent.combiningEscapes([.escape, .character("c")]) == [.escape, .character("c")])
        #expect(KeyEvent.combiningEscapes([.escape]) == [.escape])
    }
}
