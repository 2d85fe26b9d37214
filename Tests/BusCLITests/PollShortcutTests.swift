import BusCore
import Foundation
import Testing

@testable import BusCLI

/// `poll --since` reads an answer already on the bus without inotify (an inotify instance costs a process about
/// 8 ms at exit); anything it cannot answer exactly is left to the tailer.
@Suite struct PollShortcutTests {
    /// A bus file in a fresh folder, removed by `close`.
    private struct Bus {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("poll-shortcut-\(UUID())").path
        var path: String { folder + "/TASK-MESSAGE-BUS.md" }

        init() throws { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }

        func post(_ body: String, type: String = "FACT") throws -> String {
            try BusWriter(path: path, options: WriterOptions(fsync: false))
                .post(MessageDraft(type: type, projectID: "demo", taskID: "task-20261126-090000-api", body: body))
                .messages[0].msgID
        }

        func append(_ text: String) throws {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            let handle = try #require(FileHandle(forWritingAtPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        }

        func close() { try? FileManager.default.removeItem(atPath: folder) }
    }

    private let anything = MessageFilter(types: [], task: nil)

    @Test func anAnswerAlreadyThereIsReadAndFiltered() throws {
        let bus = try Bus()
        defer { bus.close() }
        let question = try bus.post("Which port? 🤔", type: "QUESTION")
        _ = try bus.post("still looking\nsecond line", type: "PROGRESS")
        _ = try bus.post("14355 — 端口", type: "ANSWER")
        let all = try PollShortcut.answer(bus.path, since: question, filter: anything)
        #expect(all?.map(\.body) == ["still looking\nsecond line", "14355 — 端口"])
        let answers = try PollShortcut.answer(bus.path, since: question, filter: MessageFilter(types: ["ANSWER"]))
        #expect(answers?.map(\.body) == ["14355 — 端口"])
    }

    @Test func nothingAfterTheIdOrAnUnknownIdIsLeftToTheTailer() throws {
        let bus = try Bus()
        defer { bus.close() }
        let first = try bus.post("first")
        let last = try bus.post("last", type: "PROGRESS")
        #expect(try PollShortcut.answer(bus.path, since: last, filter: anything) == nil)
        #expect(try PollShortcut.answer(bus.path, since: first, filter: MessageFilter(types: ["ANSWER"])) == nil)
        // Not in the live file (rotated away, or a typo): the tailer reports it.
        let unknown = "MSG-20261126-090000-000000000-PID00001-0001"
        #expect(try PollShortcut.answer(bus.path, since: unknown, filter: anything) == nil)
    }

    @Test func aMalformedRecordOrALegacyLineIsLeftToTheTailer() throws {
        let bus = try Bus()
        defer { bus.close() }
        let since = try bus.post("before")
        try bus.append("---\nmsg_id: [unclosed\n---\nbody of a bad header\n")
        _ = try bus.post("after")
        #expect(try PollShortcut.answer(bus.path, since: since, filter: anything) == nil)

        let other = try Bus()
        defer { other.close() }
        let id = try other.post("before")
        try other.append("[2026-02-05 12:51:53] FACT: a script's line\n")
        #expect(try PollShortcut.answer(other.path, since: id, filter: anything) == nil)
    }

    /// From the end of a 3000-message bus in both writers' layouts, what the shortcut finds after an id is what a
    /// whole read finds after it, for ids near the end and far from it.
    @Test(arguments: [false, true])
    func theAnswerIsWhatAWholeReadFinds(goLayout: Bool) throws {
        let bus = try Bus()
        defer { bus.close() }
        var bytes: [UInt8] = []
        for index in 0..<3000 {
            let id = String(format: "MSG-20261126-090000-%09d-PID04242-0001", index)
            let body = "message \(index) 🚀\n" + String(repeating: "line of about eighty characters ", count: index % 4)
            if goLayout {
                let header = "---\nmsg_id: \(id)\nts: 2026-11-26T09:00:00Z\ntype: FACT\nproject_id: demo\n---\n"
                let record = header + body + "\n\n"
                bytes += Array(record.utf8)
            } else {
                let time = BusTimestamp(seconds: 1_795_000_000 + Int64(index), nanoseconds: 0)
                bytes += RecordEncoder.encode(
                    BusMessage(msgID: id, timestamp: time, type: "FACT", projectID: "demo", body: body)
                )
            }
        }
        try bus.append(String(decoding: bytes, as: UTF8.self))
        let whole = try BusReader.read(bus.path).messages
        #expect(whole.count == 3000)
        for position in [0, 1500, 2990, 2998] {
            let found = try PollShortcut.answer(bus.path, since: whole[position].msgID, filter: anything)
            #expect(found == Array(whole[(position + 1)...]), "after message \(position)")
        }
    }
}
