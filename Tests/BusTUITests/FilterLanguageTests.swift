#if os(Linux)
import BusCore
import Glibc
import Testing

@testable import BusTUI

@Suite("Filter language, live filtering, history and line editing")
struct FilterLanguageTests {
    let messages = [
        Fixture.message("Build passed", type: "DONE", task: "alpha", second: 1),
        Fixture.message("Found a BUUUG in parser", type: "FACT", task: "beta", second: 2),
        Fixture.message("still working", type: "PROGRESS", task: "alpha", second: 3),
        Fixture.message("why does it fail?", type: "QUESTION", second: 4),
    ]

    @Test("/re/ and re: are case-insensitive regexes; ! negates them; terms combine with AND")
    func regexTerms() {
        var model = Fixture.model(messages)
        model.setQuery("/bu+g/")
        #expect(model.visibleBodies == ["Found a BUUUG in parser"])
        model.setQuery("re:^STILL")
        #expect(model.visibleBodies == ["still working"])
        model.setQuery("!/pass|fail/")
        #expect(model.visibleBodies == ["Found a BUUUG in parser", "still working"])
        model.setQuery("task:alpha !/^build/")
        #expect(model.visibleBodies == ["still working"])
        model.setQuery("/^question$/")
        #expect(model.visibleBodies == ["why does it fail?"])
        // Spaces inside a pattern: quote the term.
        model.setQuery("\"/a buu+g in/\"")
        #expect(model.visibleBodies == ["Found a BUUUG in parser"])
    }

    @Test("an invalid pattern is an error naming it, never a crash; the other terms still apply")
    func invalidPattern() {
        let query = MessageQuery("alpha /[unclosed/")
        #expect(query.error?.hasPrefix("bad regex /[unclosed/") == true)
        #expect(query.terms.count == 1)
        #expect(MessageQuery("re:(").error != nil)
        #expect(MessageQuery("/ok/").error == nil)
    }

    @Test("the list follows the prompt as it is typed, once per batch of keys")
    func liveFilter() {
        var model = Fixture.model(messages)
        _ = model.handle(.character("/"))
        for character in "work" { _ = model.handle(.character(character)) }
        #expect(model.visible.count == 4, "nothing is refiltered until the batch is applied")
        model.applyLiveFilter()
        #expect(model.prompt != nil)
        #expect(model.visibleBodies == ["still working"])
        _ = model.handle(.control("w"))
        model.applyLiveFilter()
        #expect(model.visible.count == 4)
    }

    @Test("a bad regex while typing shows its error, keeps the last valid list, and Enter keeps the prompt open")
    func invalidWhileTyping() {
        var model = Fixture.model(messages)
        _ = model.handle(.character("/"))
        for character in "/bu+g/" { _ = model.handle(.character(character)) }
        model.applyLiveFilter()
        #expect(model.visibleBodies == ["Found a BUUUG in parser"])
        _ = model.handle(.left)
        _ = model.handle(.character("("))
        model.applyLiveFilter()
        #expect(model.promptError?.contains("bad regex") == true)
        #expect(model.visibleBodies == ["Found a BUUUG in parser"])
        #expect(model.handle(.enter) == .none)
        #expect(model.prompt?.text == "/bu+g(/")
        let grid = MonitorView.render(model).grid
        #expect(grid.text(row: 23).contains("bad regex /bu+g(/"))
        _ = model.handle(.backspace)
        model.applyLiveFilter()
        #expect(model.promptError == nil)
    }

    @Test("Enter records the filter in the history; Up/Down walk it and give back the typed text")
    func history() {
        var model = Fixture.model(messages)
        for text in ["alpha", "beta", "alpha"] {
            _ = model.handle(.character("/"))
            _ = model.handle(.control("u"))
            for character in text { _ = model.handle(.character(character)) }
            _ = model.handle(.enter)
        }
        #expect(model.filterHistory.entries == ["beta", "alpha"])
        _ = model.handle(.character("/"))
        _ = model.handle(.control("u"))
        for character in "dra" { _ = model.handle(.character(character)) }
        _ = model.handle(.up)
        #expect(model.prompt?.text == "alpha")
        _ = model.handle(.up)
        #expect(model.prompt?.text == "beta")
        _ = model.handle(.up)
        #expect(model.prompt?.text == "beta")
        _ = model.handle(.down)
        #expect(model.prompt?.text == "alpha")
        _ = model.handle(.down)
        #expect(model.prompt?.text == "dra")
        _ = model.handle(.control("u"))
        for character in "gamma" { _ = model.handle(.character(character)) }
        #expect(model.handle(.enter) == .saveFilterHistory(["beta", "alpha", "gamma"]))
    }

    @Test("the history keeps the newest 100 entries without repeats")
    func historyLimit() {
        var history = FilterHistory((0..<150).map { "q\($0)" })
        #expect(history.entries.count == 100)
        #expect(history.entries.first == "q50")
        let moved = history.add("q60")
        #expect(moved)
        #expect(history.entries.last == "q60")
        #expect(history.entries.count == 100)
        let repeated = history.add("q60")
        let blank = history.add("   ")
        #expect(!repeated && !blank)
        let added = history.add("new")
        #expect(added)
        #expect(history.entries.count == 100)
        #expect(history.entries.first == "q51")
    }

    @Test("the history file lives under XDG_STATE_HOME and reads back what was saved")
    func historyFile() throws {
        let root = SourcesTests.temporaryFolder()
        defer { _ = system("rm -rf '\(root)'") }
        let file = try #require(FilterHistoryFile.fromEnvironment(["XDG_STATE_HOME": root + "/state", "HOME": "/x"]))
        #expect(file.path == root + "/state/run-agent/filter-history")
        #expect(try file.load() == [])
        try file.save(["type:DONE", "/bu+g/ !alpha"])
        #expect(try file.load() == ["type:DONE", "/bu+g/ !alpha"])
        let fallback = FilterHistoryFile.fromEnvironment(["HOME": "/home/u"])
        #expect(fallback?.path == "/home/u/.local/state/run-agent/filter-history")
        // A folder where the file should be: the error names the path and errno.
        let blocked = FilterHistoryFile(path: root + "/state/run-agent")
        #expect(throws: BusError.system(call: "rename", path: root + "/state/run-agent", errno: EISDIR)) {
            try blocked.save(["x"])
        }
    }

    @Test("Ctrl-W deletes a word, Ctrl-A/E go to the ends, Alt-B/F move by words")
    func lineEditing() {
        var editor = LineEditor("type:DONE  /bu+g/ alpha")
        editor.edit(.control("w"))
        #expect(editor.text == "type:DONE  /bu+g/ ")
        editor.edit(.alt("b"))
        #expect(editor.cursor == 11)
        editor.edit(.alt("b"))
        #expect(editor.cursor == 0)
        editor.edit(.alt("f"))
        #expect(editor.cursor == 9)
        editor.edit(.control("e"))
        #expect(editor.cursor == editor.text.count)
        editor.edit(.control("a"))
        #expect(editor.cursor == 0)
        let keys = KeyEvent.combiningEscapes([.escape, .character("b"), .escape, .character("f")])
        #expect(keys == [.alt("b"), .alt("f")])
        #expect(KeyEvent.combiningEscapes([.escape, .character("j")]) == [.escape, .character("j")])
    }
}
#endif
