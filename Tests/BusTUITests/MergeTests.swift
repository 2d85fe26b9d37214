import BusCore
import Testing

@testable import BusTUI

@Suite("Merging sources")
struct MergeTests {
    @Test("messages of several sources merge by time, then source, then file order")
    func mergeOrder() {
        var model = Fixture.model()
        model.addSource(1, name: "task a")
        model.addSource(2, name: "task b")
        model.ingest([Fixture.message("p1", second: 1), Fixture.message("p5", second: 5)], source: 0)
        model.ingest([Fixture.message("a3", second: 3), Fixture.message("a5", second: 5)], source: 1)
        model.ingest(
            [Fixture.message("b2", second: 2), Fixture.message("b5", second: 5), Fixture.message("b5bis", second: 5)],
            source: 2
        )
        #expect(model.visibleBodies == ["p1", "b2", "a3", "p5", "a5", "b5", "b5bis"])
    }

    @Test("a file whose timestamps go backwards is still shown in time order, ties in file order")
    func unsortedFile() {
        let model = Fixture.model([
            Fixture.message("late", second: 9), Fixture.message("early", second: 1), Fixture.message("tie", second: 9),
        ])
        #expect(model.visibleBodies == ["early", "late", "tie"])
    }

    @Test("a late arrival in the middle keeps the selection on the same message while paused")
    func lateArrival() {
        var model = Fixture.model(Fixture.numbered(10))
        model.press(.character("g"), .character("j"), .character("j"))
        #expect(model.selectedBody == "message 2")
        model.addSource(1, name: "task")
        model.ingest([Fixture.message("inserted", second: 0, nanos: 5)], source: 1)
        #expect(model.selectedBody == "message 2")
        #expect(model.visibleBodies[1] == "inserted")
        #expect(model.newCount == 1)
    }

    @Test("a truncated source is dropped and read again; other sources stay")
    func truncation() {
        var model = Fixture.model([Fixture.message("old project", second: 1)])
        model.addSource(1, name: "task")
        model.ingest([Fixture.message("task msg", second: 2)], source: 1)
        model.resetSource(0)
        #expect(model.visibleBodies == ["task msg"])
        model.ingest([Fixture.message("new project", second: 3)], source: 0)
        #expect(model.visibleBodies == ["task msg", "new project"])
        #expect(model.store.typeCounts["FACT"] == 2)
    }

    @Test("malformed records are counted in the status bar")
    func malformed() {
        var model = Fixture.model(Fixture.numbered(1))
        model.ingest([], malformed: [Fixture.malformed(at: 0), Fixture.malformed(at: 100)], source: 0)
        #expect(model.screenLines[0].contains("2 malformed"))
    }

    @Test("store appends after the newest in O(new) and reports where changes start")
    func storeAppend() {
        var store = MessageStore()
        #expect(store.append(Fixture.numbered(3), source: 0) == 0)
        #expect(store.append(Fixture.numbered(2, from: 3), source: 0) == 3)
        #expect(store.append([Fixture.message("between", second: 1, nanos: 1)], source: 1) == 2)
        #expect(
            store.messages.map(\.body) == ["message 0", "message 1", "between", "message 2", "message 3", "message 4"]
        )
    }

    @Test("100k messages load and filter quickly", .timeLimit(.minutes(1)))
    func large() {
        let messages = (0..<100_000).map { index in
            Fixture.message(
                "body \(index) lorem ipsum dolor",
                type: index % 10 == 0 ? "DONE" : "INFO",
                id: "M\(index)",
                second: Int64(index)
            )
        }
        var model = Fixture.model(messages, width: 120, height: 35)
        #expect(model.visible.count == 100_000)
        model.setQuery("type:DONE")
        #expect(model.visible.count == 10_000)
        model.setQuery("\"body 99999 \"")
        #expect(model.visibleBodies == ["body 99999 lorem ipsum dolor"])
        #expect(model.screenLines.count == 35)
    }
}
