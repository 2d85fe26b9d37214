import BusCore
import Testing

@testable import BusTUI

@Suite("Filters")
struct FilterTests {
    let messages = [
        Fixture.message("Build passed", type: "DONE", task: "alpha", run: "r1", second: 1),
        Fixture.message("Found a BUG in parser", type: "FACT", task: "beta", run: "r2", second: 2),
        Fixture.message("still working", type: "PROGRESS", task: "alpha", second: 3),
        Fixture.message("why does it fail?", type: "QUESTION", task: "", project: "other", second: 4),
        Fixture.message("undone work", type: "UNDONE", task: "gamma", second: 5),
    ]

    @Test("substring matches body and fields, any case")
    func substring() {
        var model = Fixture.model(messages)
        model.setQuery("bug")
        #expect(model.visibleBodies == ["Found a BUG in parser"])
        model.setQuery("ALPHA")
        #expect(model.visibleBodies == ["Build passed", "still working"])
    }

    @Test("! negates a term and terms combine with AND")
    func negation() {
        var model = Fixture.model(messages)
        model.setQuery("!alpha")
        #expect(model.visibleBodies == ["Found a BUG in parser", "why does it fail?", "undone work"])
        model.setQuery("work !undone")
        #expect(model.visibleBodies == ["still working"])
    }

    @Test("field terms: type exact with commas, task/run/project contain, empty value means empty field")
    func fieldTerms() {
        var model = Fixture.model(messages)
        model.setQuery("type:done")
        #expect(model.visibleBodies == ["Build passed"])
        model.setQuery("type:DONE,fact")
        #expect(model.visibleBodies == ["Build passed", "Found a BUG in parser"])
        model.setQuery("task:alp")
        #expect(model.visibleBodies == ["Build passed", "still working"])
        model.setQuery("run:r2")
        #expect(model.visibleBodies == ["Found a BUG in parser"])
        model.setQuery("project:other")
        #expect(model.visibleBodies == ["why does it fail?"])
        model.setQuery("task:")
        #expect(model.visibleBodies == ["why does it fail?"])
        model.setQuery("!type:DONE !type:UNDONE task:a")
        #expect(model.visibleBodies == ["Found a BUG in parser", "still working"])
    }

    @Test("quoted phrases keep their spaces")
    func quoted() {
        var model = Fixture.model(messages)
        model.setQuery("\"a BUG\"")
        #expect(model.visibleBodies == ["Found a BUG in parser"])
        #expect(MessageQuery("\"a bug\" x").terms.count == 2)
    }

    @Test("non-ASCII text matches case-insensitively")
    func unicode() {
        var model = Fixture.model([Fixture.message("Ärger mit ÜBER"), Fixture.message("plain")])
        model.setQuery("über")
        #expect(model.visibleBodies == ["Ärger mit ÜBER"])
    }

    @Test("the / prompt applies on Enter; Esc clears it; Esc in the list clears the text filter")
    func promptKeys() {
        var model = Fixture.model(messages)
        model.press(.character("/"))
        model.type("alpha")
        #expect(model.visible.count == 5, "nothing changes before Enter")
        model.press(.enter)
        #expect(model.visible.count == 2)
        #expect(model.query.text == "alpha")
        model.press(.escape)
        #expect(model.visible.count == 5)
        #expect(model.query.isEmpty)

        model.press(.character("/"))
        model.type("beta")
        model.press(.enter, .character("/"), .backspace, .escape)
        #expect(model.query.isEmpty)
        #expect(model.prompt == nil)
    }

    @Test("type picker starts empty (all shown), Space selects, Enter applies, then only chosen types show")
    func typePicker() {
        var model = Fixture.model(messages)
        model.press(.character("t"))
        guard case .picker(let picker) = model.overlay else {
            Issue.record("no picker")
            return
        }
        #expect(picker.chosen.isEmpty)
        #expect(picker.items.map(\.name) == ["DONE", "FACT", "PROGRESS", "QUESTION", "UNDONE"])
        #expect(picker.items.map(\.count) == [1, 1, 1, 1, 1])
        // DONE is first: select it, then FACT.
        model.press(.character(" "), .down, .character(" "))
        #expect(model.visible.count == 5, "nothing changes before Enter")
        model.press(.enter)
        #expect(model.visibleBodies == ["Build passed", "Found a BUG in parser"])
        #expect(model.screenLines[0].contains("type: DONE,FACT"))

        // Reopened, it shows the choice; x clears it.
        model.press(.character("t"), .character("x"), .enter)
        #expect(model.visible.count == 5)
    }

    @Test("task picker lists tasks including the empty one; Esc cancels")
    func taskPicker() {
        var model = Fixture.model(messages)
        model.press(.character("T"))
        guard case .picker(let picker) = model.overlay else {
            Issue.record("no picker")
            return
        }
        #expect(picker.items.map(\.name) == ["", "alpha", "beta", "gamma"])
        #expect(picker.items.map(\.count) == [1, 2, 1, 1])
        model.press(.down, .character(" "), .escape)
        #expect(model.visible.count == 5)
        model.press(.character("T"), .down, .character(" "), .enter)
        #expect(model.visibleBodies == ["Build passed", "still working"])
        #expect(model.screenLines[0].contains("task: alpha"))
    }

    @Test("new messages are filtered incrementally as they arrive")
    func incremental() {
        var model = Fixture.model(messages)
        model.setQuery("type:DONE")
        model.ingest(
            [Fixture.message("another", type: "DONE", second: 10), Fixture.message("no", type: "INFO", second: 11)],
            source: 0
        )
        #expect(model.visibleBodies == ["Build passed", "another"])
        #expect(model.selectedBody == "another")
    }
}
