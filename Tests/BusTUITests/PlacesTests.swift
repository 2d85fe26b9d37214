#if os(Linux)
import BusCore
import BusTestSupport
import Glibc
import Testing

@testable import BusTUI

/// Issue 8 target 4: a large bus's history kept as its records' places, read again when shown or searched.
///
/// The monitor keeps 64 bytes a message instead of the message; everything the user sees must be what holding
/// them gave.
@Suite("A large bus's history kept as records' places")
struct PlacesTests {
    /// Records `RandomBus` does not write: parents and meta in YAML, an id spelled with YAML escapes, no time,
    /// no type, backslashes and ill-formed UTF-8 in bodies, a realistic task id.
    static let extras: [UInt8] =
        Array(
            """
            ---
            msg_id: "MSG-ESC-\\x41\\x42-9"
            ts: 2026-11-26T09:00:05Z
            type: QUESTION
            project_id: p
            task_id: task-20261126-090000-api
            ---
            which build? C:\\path\\to\\thing

            ---
            msg_id: MSG-20261126-090006-000000001-PID00042-A1
            ts: 2026-11-26T09:00:06Z
            type: ANSWER
            project_id: p
            task_id: task-20261126-090000-api
            parents:
              - msg_id: MSG-ESC-AB-9
                kind: reply
            meta:
              agent: claude
            ---
            the answer: two lines
            and a second one 日本語

            ---
            msg_id: custom-no-time-3
            type: PROGRESS
            project_id: p
            ---
            a time taken from the record before

            ---
            msg_id: MSG-20261126-090007-000000001-PID00042-U1
            ts: 2026-11-26T09:00:07Z
            project_id: p
            ---
            no type: read as UNKNOWN

            """.utf8
        )
        + Array(
            "---\nmsg_id: MSG-20261126-090008-000000001-PID00042-B1\nts: 2026-11-26T09:00:08Z\ntype: FACT\n---\n".utf8
        )
        + [0x62, 0x61, 0x64, 0x20, 0xFF, 0x20, 0x63, 0x61, 0x66, 0xC3, 0xA9, 0x0A]

    /// A random bus with the extra records in the middle.
    static func bus(seed: Int) -> [UInt8] {
        RandomBus(seed: UInt64(seed), pieces: 40).bytes + [0x0A] + extras + [0x0A]
            + RandomBus(seed: UInt64(seed) + 1000, pieces: 40).bytes
    }

    /// `body` with a temporary file holding `bytes`.
    static func withFile(_ bytes: [UInt8], _ body: (String) throws -> Void) throws {
        let folder = SourcesTests.temporaryFolder()
        defer { _ = system("rm -rf '\(folder)'") }
        let path = folder + "/MESSAGE-BUS.md"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try body(path)
    }

    /// A model that read the whole file at `path` as history, as places or held.
    static func model(_ path: String, places: Bool) throws -> MonitorModel {
        let handle = try BusFile.open(path, flags: O_RDONLY)
        var size = stat()
        fstat(handle.fd, &size)
        let job = HistoryLoader.Job(
            source: 0,
            history: SkippedHistory(handle: handle, end: Int(size.st_size)),
            keepPlaces: places
        )
        var (batch, malformed) = try HistoryLoader.load(job)
        var model = Fixture.model([], width: 100, height: 30)
        model.expectHistory(of: [0], bytes: Int(size.st_size))
        model.addHistory(&batch, malformed: malformed, source: 0)
        return model
    }

    @Test("every message read back from its place is the message held, with its time, counts and replies")
    func placesReadBackAsHeld() throws {
        for seed in 0..<20 {
            try Self.withFile(Self.bus(seed: seed)) { path in
                let places = try Self.model(path, places: true)
                let held = try Self.model(path, places: false)
                let placeCount = places.store.entries.filter { $0.heldIndex == nil }.count
                #expect(placeCount > 0, "seed \(seed): nothing was kept as a place")
                #expect(held.store.entries.allSatisfy { $0.heldIndex != nil })
                let (read, kept) = (places.store.messages, held.store.messages)
                if let first = zip(read, kept).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    Issue.record("seed \(seed), index \(first): \(read[first]) is not \(kept[first])")
                }
                #expect(read.count == kept.count)
                #expect(places.store.keys == held.store.keys)
                #expect(places.store.typeCounts == held.store.typeCounts)
                #expect(places.store.taskCounts == held.store.taskCounts)
                #expect(places.agentsSeen == held.agentsSeen)
                for index in 0..<held.store.count {
                    #expect(places.store.replyCount(at: index) == held.store.replyCount(at: index))
                    #expect(places.store.parents(at: index) == held.store.parents(at: index))
                }
                #expect(SwarmSummary(store: places.store) == SwarmSummary(store: held.store))
                #expect(places.malformedTotal == held.malformedTotal)
            }
        }
    }

    @Test("the answer in a place names its question, whose id was spelled with YAML escapes")
    func repliesAcrossPlaces() throws {
        try Self.withFile(Self.bus(seed: 3)) { path in
            let model = try Self.model(path, places: true)
            guard let question = model.store.index(ofMessageID: "MSG-ESC-AB-9", before: model.store.count) else {
                Issue.record("the question is not found by its id")
                return
            }
            #expect(model.store.replyCount(at: question) == 1)
            let tree = ThreadTree(store: model.store, root: question)
            #expect(
                tree.rows.map { model.store.message(at: $0.index).msgID } == [
                    "MSG-ESC-AB-9", "MSG-20261126-090006-000000001-PID00042-A1",
                ]
            )
            #expect(model.agentsSeen["claude"] == 1)
        }
    }

    /// Filters whose words are decided on a record's bytes, on its stored body and id, or on the built message.
    static let queries = [
        "plain", "PLAIN", "two", "!two", "\"two lines\"", "lines !two", "emoji", "🎉", "日本語", "---", "\\---",
        "msg_id", "inside", "body", "legacy", "x", "a", "!a", "qa-1", "esc-ab", "unknown", "type:unknown", "time",
        "c:\\path", "path", "caf", "café", "bad", "/l+ines/", "re:^a$", "task:", "task:api", "type:FACT,DONE",
        "project:p", "run:", "0900", "pid00042-a1", "MSG-2026", "claude", "quoted header", "\\", "\"", "'",
        "doubled", "old dialect", "dialect",
    ]

    @Test("a filter over places shows exactly what it shows over held messages", arguments: queries)
    func filtersAgree(query: String) throws {
        for seed in [0, 5, 11] {
            try Self.withFile(Self.bus(seed: seed)) { path in
                var places = try Self.model(path, places: true)
                var held = try Self.model(path, places: false)
                places.setQuery(query)
                held.setQuery(query)
                #expect(places.visible == held.visible, "seed \(seed), query \(query)")
                #expect(places.store.count == held.store.count)
            }
        }
    }

    @Test("the pickers, search and jumps work on places as on held messages")
    func pickersAndJumps() throws {
        try Self.withFile(Self.bus(seed: 7)) { path in
            var places = try Self.model(path, places: true)
            var held = try Self.model(path, places: false)
            places.setChosen(.type, ["FACT", "ANSWER"])
            held.setChosen(.type, ["FACT", "ANSWER"])
            #expect(places.visible == held.visible)
            places.setChosen(.task, ["task-20261126-090000-api"])
            held.setChosen(.task, ["task-20261126-090000-api"])
            #expect(places.visible == held.visible)
            #expect(!places.visible.isEmpty)
            places.clearFilters()
            held.clearFilters()
            places.setQuery("two")
            held.setQuery("two")
            places.clearFilters()
            held.clearFilters()
            for _ in 0..<4 {
                places.findNext(step: -1)
                held.findNext(step: -1)
                #expect(places.selection == held.selection)
            }
            places.nextUnansweredQuestion()
            held.nextUnansweredQuestion()
            #expect(places.selection == held.selection)
            places.nextFailure(step: 1)
            held.nextFailure(step: 1)
            #expect(places.selection == held.selection)
        }
    }

    @Test("a record changed in place after it was read shows why it cannot be shown, naming the file")
    func changedRecord() throws {
        let bytes = Self.bus(seed: 2)
        try Self.withFile(bytes) { path in
            let model = try Self.model(path, places: true)
            // Rewrite the file with other bytes of the same length: the places now point into text.
            let fd = open(path, O_WRONLY | O_TRUNC)
            let filler = [UInt8](repeating: 0x7A, count: bytes.count)
            _ = filler.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard let index = model.store.entries.firstIndex(where: { $0.heldIndex == nil }) else {
                Issue.record("no place")
                return
            }
            let message = model.store.message(at: index)
            #expect(message.body.contains("could not be read again"), "\(message.body)")
            #expect(message.body.contains(path), "\(message.body)")
            #expect(message.timestamp == model.store.entries[index].timestamp)
            _ = MonitorView.render(model)
        }
    }

    @Test("an entry stays 64 bytes: a 1 GB bus of 2.6 million messages in 170 MB")
    func entrySize() {
        #expect(MemoryLayout<StoredEntry>.stride == 64)
    }

    @Test("the monitor's way: the newest part from the tailer, the rest as places, merged in file order")
    func tailerThenPlaces() throws {
        for goLayout in [false, true] {
            var bytes: [UInt8] = []
            for index in 0..<3000 {
                let id = "MSG-20261126-090000-000000001-PID00042-\(index)"
                let body = "message \(index) 🎉 日本語\n---\nstill the body of \(index)"
                if goLayout {
                    bytes += Array(
                        "---\nmsg_id: \(id)\nts: 2026-11-26T09:00:00Z\ntype: FACT\nproject_id: p\ntask_id: task-20261126-090000-api\n---\n\(body)\n\n"
                            .utf8
                    )
                } else {
                    bytes +=
                        RecordEncoder.encode(
                            BusMessage(
                                msgID: id,
                                timestamp: BusTimestamp(seconds: 1_795_683_600, nanoseconds: 0),
                                type: "FACT",
                                projectID: "p",
                                taskID: "task-20261126-090000-api",
                                body: body
                            )
                        ) + [0x0A]
                }
            }
            try Self.withFile(bytes) { path in
                let tailer = try BusTailer(path: path)
                guard let history = try tailer.skipToNewest(enough: { $0.count >= 100 }) else {
                    Issue.record("the bus was not skipped to its newest part")
                    return
                }
                var model = Fixture.model([], width: 100, height: 30)
                model.expectHistory(of: [0], bytes: history.end)
                let newest = try tailer.refresh()
                model.ingest(newest.messages, source: 0)
                #expect(model.store.count < 3000)
                var (batch, malformed) = try HistoryLoader.load(
                    HistoryLoader.Job(source: 0, history: history, keepPlaces: true)
                )
                model.addHistory(&batch, malformed: malformed, source: 0)
                let expected = (0..<3000).map { "message \($0) 🎉 日本語\n---\nstill the body of \($0)" }
                #expect(model.visibleBodies == expected, "go layout: \(goLayout)")
                #expect(model.store.entries.filter { $0.heldIndex == nil }.count == 3000 - newest.messages.count)
                #expect(model.selectedBody == expected.last)
                model.setQuery("\"body of 12\"")
                #expect(model.visibleBodies.count == 111)
            }
        }
    }

    /// Composed and decomposed spellings (`café`, `cafe` + U+0301): one string to Swift, different bytes.
    ///
    /// Found by the review of issue 8's change. Filters compare bytes, as they did on each message's own strings;
    /// ids and parents match as strings, as they always have; places and held messages agree.
    @Test("canonically equivalent spellings: fields filtered by their bytes, parents matched as strings")
    func canonicalEquivalence() throws {
        func record(_ id: String, type: String = "FACT", task: String = "", parent: String? = nil) -> String {
            let parents = parent.map { "parents:\n  - msg_id: \($0)\n" } ?? ""
            return "---\nmsg_id: \(id)\nts: 2026-11-26T09:00:00Z\ntype: \(type)\nproject_id: p\ntask_id: \(task)\n"
                + parents + "---\nbody of \(id.utf8.count)\n\n"
        }
        let decomposed = "cafe\u{301}"
        let composed = "caf\u{E9}"
        let text =
            record("MSG-A-1", task: decomposed) + record("MSG-B-2", task: composed)
            + record("MSG-\(composed)-3", type: "QUESTION") + record("MSG-R-4", parent: "MSG-\(decomposed)-3")
        try Self.withFile(Array(text.utf8)) { path in
            for places in [true, false] {
                var model = try Self.model(path, places: places)
                func shown(_ query: String) -> [String] {
                    model.setQuery(query)
                    return model.visible.map { String(model.store.message(at: $0).msgID.prefix(5)) }
                }
                #expect(shown("task:cafe") == ["MSG-A"], "places: \(places)")
                #expect(shown("task:\(composed)") == ["MSG-B"], "places: \(places)")
                #expect(shown("cafe") == ["MSG-A"], "places: \(places)")
                #expect(shown("!cafe") == ["MSG-B", "MSG-c", "MSG-R"], "places: \(places)")
                model.setQuery("")
                let question = try #require(model.store.index(ofMessageID: "MSG-\(composed)-3", before: 4))
                #expect(model.store.replyCount(at: question) == 1, "places: \(places)")
                #expect(ThreadTree(store: model.store, root: 3).ancestorCount == 1, "places: \(places)")
                #expect(model.store.taskCounts[composed] == 2, "places: \(places)")
            }
        }
    }
}
#endif
