import BusCore

@testable import BusTUI

/// Builders for messages and models, so each test states only what it is about.
enum Fixture {
    /// A message at `second` seconds past 2026-01-01T00:00:00Z (plus `nanos`).
    static func message(
        _ body: String,
        type: String = "FACT",
        task: String = "",
        run: String = "",
        project: String = "demo",
        id: String? = nil,
        second: Int64 = 0,
        nanos: Int32 = 0,
        parents: [String] = []
    ) -> BusMessage {
        BusMessage(
            msgID: id ?? "MSG-\(second)-\(nanos)-\(body.hashValue & 0xFFFF)",
            timestamp: BusTimestamp(seconds: 1_767_225_600 + second, nanoseconds: nanos),
            type: type,
            projectID: project,
            taskID: task,
            runID: run,
            parents: parents.map { BusParent(msgID: $0) },
            body: body
        )
    }

    /// A model of `width` x `height` holding `messages` from source 0.
    static func model(_ messages: [BusMessage] = [], width: Int = 80, height: Int = 24) -> MonitorModel {
        var model = MonitorModel(
            sourceLabel: "bus.md",
            postContext: PostContext(projectID: "demo"),
            width: width,
            height: height
        )
        model.addSource(0, name: "/runs/demo/PROJECT-MESSAGE-BUS.md")
        model.ingest(messages, source: 0)
        return model
    }

    /// The bytes of a record whose header is not YAML, between good records of a real bus.
    static let brokenRecord = "---\nmsg_id: [broken\n---\nbody\n"

    /// A malformed record as the scanner reports it: `bytes` (a broken record) at byte `offset`, line `line`.
    static func malformed(at offset: Int, line: Int = 1, bytes: String = brokenRecord) -> MalformedRecord {
        let result = RecordScanner.scan(Array(bytes.utf8), from: ScanCursor(offset: offset, line: line), final: true)
        guard let record = result.malformed.first else { preconditionFailure("no malformed record in \(bytes)") }
        return record
    }

    /// `count` numbered messages one second apart, types cycling FACT, DONE, INFO.
    static func numbered(_ count: Int, from start: Int = 0) -> [BusMessage] {
        let types = ["FACT", "DONE", "INFO"]
        return (start..<(start + count)).map { index in
            message(
                "message \(index)",
                type: types[index % 3],
                task: "task-\(index % 2)",
                id: "M\(index)",
                second: Int64(index)
            )
        }
    }
}

extension MonitorModel {
    /// Bodies of the visible messages, in order.
    var visibleBodies: [String] { visible.map { store[$0].message.body } }

    /// Body of the selected message.
    var selectedBody: String? { selected?.message.body }

    /// Sends keys, returning the last action.
    @discardableResult
    mutating func press(_ keys: KeyEvent...) -> MonitorAction {
        var action = MonitorAction.none
        for key in keys { action = handle(key) }
        return action
    }

    /// Types text as character keys.
    mutating func type(_ text: String) {
        for character in text { _ = handle(.character(character)) }
    }
}

extension MonitorModel {
    /// Renders to text lines.
    var screenLines: [String] { MonitorView.render(self).grid.lines }
}

extension MonitorModel {
    /// The list row (from the list's top) that shows visible position `position`.
    func listRowOffset(ofPosition position: Int) -> Int {
        (0..<layout.listRows).first { self.position(atListRow: $0) == position } ?? -1
    }
}

extension MessageStore {
    /// Every stored message, whole, in store order (tests read the store as a list).
    var messages: [BusMessage] { (0..<count).map { message(at: $0) } }

    /// Every entry's key, in store order.
    var keys: [MessageKey] { entries.map(\.key) }
}
