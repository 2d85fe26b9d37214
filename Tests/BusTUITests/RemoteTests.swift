import BusCore
import Testing

@testable import BusTUI

/// Issue 10: `monitor --server` feeds the model with a server's events instead of a tailer's updates.
@Suite("Remote bus events")
struct RemoteTests {
    @Test("messages, updates and the stream's state reach the list and the status bar")
    func remoteEvents() {
        var model = Fixture.model()
        model.apply(.connected)
        model.apply(.messages([Fixture.message("first", id: "MSG-1"), Fixture.message("second", id: "MSG-2")]))
        #expect(model.store.count == 2)
        #expect(!model.screenLines[0].contains("reconnecting"))

        model.apply(.reconnecting(reason: "connection refused"))
        #expect(model.screenLines[0].contains("reconnecting"))
        #expect(model.screenLines.contains { $0.contains("second") }, "what is on screen stays")

        model.apply(.connected)
        #expect(!model.screenLines[0].contains("reconnecting"))

        var revised = Fixture.message("second, revised", id: "MSG-2")
        revised.timestamp = model.store.messages[1].timestamp
        model.apply(.update(revised))
        #expect(model.store.count == 2)
        #expect(model.store.messages[1].body == "second, revised")
    }

    @Test("reconnecting keeps its place in a 40-column status bar")
    func reconnectingAtForty() {
        var model = Fixture.model([Fixture.message("one", id: "MSG-1")], width: 40, height: 10)
        model.apply(.reconnecting(reason: "refused"))
        #expect(model.screenLines[0].contains("reconnecting"))
    }

    @Test("a server's failed post reads as a local one and keeps the text")
    func remotePostFailure() {
        var model = Fixture.model()
        model.press(.character("c"))
        model.type("keep me")
        model.press(.enter)
        let local = BusError.lockTimeout(path: "/b", seconds: 1).description
        model.postEnded(.failure(PostFailure(local)))
        #expect(model.compose?.body.text == "keep me")
        #expect(model.postResult == "post failed: " + local)
    }
}
