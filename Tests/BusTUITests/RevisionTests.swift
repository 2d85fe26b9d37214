import Testing

@testable import BusCore
@testable import BusTUI

/// Issue 6, defect 4: the tailer revises a Go-written last message whose body grew; the monitor shows the new
/// content in place, in the list and in an open detail pane.
@Suite("Revised messages") struct RevisionTests {
    @Test("a revision replaces the message in place and redraws an open detail pane")
    func revisionRedrawsTheDetailPane() {
        let original = Fixture.message(
            "Go-written done",
            type: "DONE",
            task: "task-20261126-091000-review",
            id: "MSG-GO"
        )
        var model = Fixture.model([Fixture.message("first", id: "MSG-1"), original])
        _ = model.handle(.enter)
        #expect(model.screenLines.contains { $0.contains("Go-written done") })
        var revised = original
        revised.body = "Go-written done\n[2026-12-02 10:00:01] FACT: by hand"
        model.revise([revised], source: 0)
        #expect(model.store.count == 2)
        #expect(model.selected?.message.body == revised.body)
        #expect(model.screenLines.contains { $0.contains("[2026-12-02 10:00:01] FACT: by hand") })
    }
}
