import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 6, defect 4: one answer, live or at once.
///
/// Reading a file as appends arrive (split anywhere) gives the
/// same messages, at the same offsets, as reading it at once; a record that grows is revised, never repeated.
@Suite struct LiveEqualsWholeTests {
    /// What a reader has shown after applying every item: messages by offset, and malformed offsets.
    struct Shown: Equatable {
        var messages: [Int: BusMessage] = [:]
        var malformed: [Int] = []

        mutating func apply(_ items: [ScanItem]) {
            for item in items {
                switch item {
                case .message(let message, let offset):
                    #expect(messages[offset] == nil, "message at \(offset) returned twice")
                    messages[offset] = message
                case .revised(let message, let offset):
                    #expect(messages[offset]?.msgID == message.msgID, "revision of an unknown message at \(offset)")
                    messages[offset] = message
                case .malformed(let record):
                    malformed.append(record.offset)
                }
            }
        }

        static func whole(_ bytes: ArraySlice<UInt8>) -> Shown {
            var shown = Shown()
            shown.apply(RecordScanner.scan(Array(bytes)).items)
            return shown
        }
    }

    /// Random buses cut at every boundary and at random offsets: after each append, the live state equals a
    /// whole read of the bytes so far.
    @Test(arguments: 0..<40)
    func randomBusesReadTheSameLiveAndAtOnce(seed: Int) {
        var bus = RandomBus(seed: UInt64(seed), pieces: 14)
        let splits = bus.splits(random: 12)
        var continuation = ScanContinuation()
        var live = Shown()
        for end in splits {
            let buffer = Array(bus.bytes[continuation.cursor.offset..<end])
            live.apply(continuation.advance(buffer))
            let whole = Shown.whole(bus.bytes[..<end])
            #expect(live.messages == whole.messages, "seed \(seed), after \(end) bytes")
            #expect(live.malformed == whole.malformed, "seed \(seed), after \(end) bytes")
            if live != whole {
                if ProcessInfo.processInfo.environment["BUS_DEBUG"] != nil {
                    let keys = Set(live.messages.keys).union(whole.messages.keys).sorted()
                    for key in keys where live.messages[key] != whole.messages[key] {
                        print(
                            "DEBUG offset \(key): live \(String(describing: live.messages[key]))\n  whole \(String(describing: whole.messages[key]))"
                        )
                    }
                    print("DEBUG malformed live \(live.malformed) whole \(whole.malformed)")
                    print(
                        "DEBUG bytes: \(String(decoding: bus.bytes[max(0, end - 400)..<end], as: UTF8.self).debugDescription)"
                    )
                }
                return
            }
        }
    }

    /// Byte by byte, the hardest split, on fewer buses.
    @Test(arguments: 100..<106)
    func randomBusesByteByByte(seed: Int) {
        let bus = RandomBus(seed: UInt64(seed), pieces: 8)
        var scanner = IncrementalScanner()
        var live = Shown()
        for byte in bus.bytes { live.apply(scanner.consume([byte])) }
        #expect(live == Shown.whole(bus.bytes[...]), "seed \(seed)")
    }

    /// The example: a legacy line appended by hand after a Go record belongs to its body (as Go's reader
    /// reads it), live too: the tailer revises the Go message instead of showing the line as its own.
    @Test func legacyLineAfterGoRecordRevisesIt() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let record =
                "---\nmsg_id: MSG-GO\nts: 2026-12-02T10:00:00Z\ntype: FACT\nproject_id: p\ntask_id: \"\"\nrun_id: \"\"\n---\nbody\n"
            try writeBytes(path, Array(record.utf8))
            let tailer = try BusTailer(path: path, useInotify: false)
            #expect(try tailer.refresh().messages.map(\.body) == ["body"])
            try appendBytes(path, Array("[2026-12-02 10:00:01] FACT: by hand\n".utf8))
            let update = try tailer.refresh()
            #expect(update.messages.isEmpty)
            #expect(update.revised.map(\.body) == ["body\n[2026-12-02 10:00:01] FACT: by hand"])
            #expect(try BusReader.read(path).messages.map(\.body) == update.revised.map(\.body))
            #expect(
                GoRulesReader.parse(try readBytes(path)).map(\.body) == ["body\n[2026-12-02 10:00:01] FACT: by hand"]
            )
        }
    }
}
