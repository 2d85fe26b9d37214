import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// A bus with legacy lines, malformed records and records of this writer, and what a reader must find in it.
struct MixedBus {
    struct Expected {
        var id: String
        var type: String
        var body: String
    }

    var bytes: [UInt8] = []
    var expected: [Expected] = []
    /// Offsets and 1-based lines of the `---` lines that open the malformed records.
    var malformed: [(offset: Int, line: Int)] = []

    private var lineNumber: Int { bytes.filter { $0 == 0x0A }.count + 1 }

    mutating func legacy(_ line: String, type: String, body: String) {
        expected.append(Expected(id: String(format: "LEGACY-LINE-%09d", lineNumber), type: type, body: body))
        bytes += Array((line + "\n").utf8)
    }

    mutating func record(_ id: String, body: String, second: Int64) {
        let message = BusMessage(
            msgID: id,
            timestamp: BusTimestamp(seconds: 1_795_704_136 + second, nanoseconds: 5),
            type: "FACT",
            projectID: "demo",
            body: body
        )
        expected.append(Expected(id: id, type: "FACT", body: withoutOneLineBreak(body)))
        bytes += RecordEncoder.encode(message)
    }

    mutating func broken(_ text: String) {
        malformed.append((bytes.count, lineNumber))
        bytes += Array(text.utf8)
    }

    mutating func raw(_ text: String) { bytes += Array(text.utf8) }

    static func make() -> MixedBus {
        var bus = MixedBus()
        bus.legacy("[2026-02-05 12:51:53] FACT: before everything", type: "FACT", body: "before everything")
        bus.raw("\n")
        bus.record("MSG-A", body: "first record\n", second: 1)
        bus.raw("\n")
        bus.legacy("[2026-02-05 12:51:54] note: between records", type: "NOTE", body: "between records")
        bus.raw("\n")
        bus.broken("---\nmsg_id: [unclosed\ntype: FACT\n---\nbody of a broken record\n")
        bus.raw("\n")
        bus.record("MSG-B", body: "after the first broken one", second: 2)
        bus.raw("\n")
        bus.broken("---\njust a plain scalar\n---\nits body\n")
        bus.raw("\n")
        bus.record("MSG-C", body: "has\n---\na dash line", second: 3)
        bus.legacy(
            "[2026-02-05T12:51:55] after a length-delimited body",
            type: "INFO",
            body: "after a length-delimited body"
        )
        bus.raw("---\n")
        bus.legacy("[2026-02-05T12:51:56Z] DONE: after a markdown rule", type: "DONE", body: "after a markdown rule")
        bus.raw("\n")
        bus.record("MSG-D", body: "last", second: 4)
        bus.legacy("[2026-02-05 12:51:57] a/b-c_D: at the end", type: "A/B-C_D", body: "at the end")
        return bus
    }
}

@Suite struct ScannerTests {
    @Test func malformedRecordsAreSkippedAndLegacyLinesKept() {
        let bus = MixedBus.make()
        let result = RecordScanner.scan(bus.bytes)
        #expect(result.messages.map(\.msgID) == bus.expected.map(\.id))
        #expect(result.messages.map(\.type) == bus.expected.map(\.type))
        #expect(result.messages.map(\.body) == bus.expected.map(\.body))
        #expect(result.malformed.map(\.offset) == bus.malformed.map(\.offset))
        #expect(result.malformed.map(\.line) == bus.malformed.map(\.line))
        #expect(result.end == bus.bytes.count)
        let legacy = result.messages.first { $0.msgID.hasPrefix("LEGACY") }
        #expect(legacy?.timestamp.rfc3339 == "2026-02-05T12:51:53Z")
    }

    /// Feeding bytes one at a time finds the same items, at the same offsets, as one scan of everything.
    @Test func incrementalScannerByteByByte() throws {
        let mixed = MixedBus.make().bytes
        var ours: [UInt8] = []
        for object in try Vectors.jsonLines("posted.jsonl") {
            var message = draft(fromJSON: object).message(id: "MSG-\(ours.count)", timestamp: .zero)
            message.body += "\n---\n"
            if !ours.isEmpty { ours.append(0x0A) }
            ours += RecordEncoder.encode(message)
        }
        for bytes in [mixed, ours, mixed + ours] {
            let whole = RecordScanner.scan(bytes)
            var scanner = IncrementalScanner()
            var items: [ScanItem] = []
            for byte in bytes { items += scanner.consume([byte]) }
            #expect(items.count == whole.items.count)
            for (index, (got, want)) in zip(items, whole.items).enumerated() where got != want {
                Issue.record("item \(index): incremental \(got), whole \(want)")
            }
            #expect(scanner.committedOffset == whole.end)
        }
    }

    /// Go's writer puts a record out in one write: fed write by write, a Go bus scans as in one pass.
    @Test func incrementalScannerOverGoWrites() throws {
        let bytes = try Vectors.bytes("go-written.md")
        let whole = RecordScanner.scan(bytes)
        var starts: [Int] = []
        for index in bytes.indices where bytes[index...].starts(with: "\n---\nmsg_id".utf8) { starts.append(index) }
        var scanner = IncrementalScanner()
        var items: [ScanItem] = []
        var from = 0
        for start in starts + [bytes.count] {
            items += scanner.consume(bytes[from..<start])
            from = start
            if start < bytes.count {
                items += scanner.consume(bytes[start...start])
                from = start + 1
            }
        }
        #expect(items == whole.items)
        #expect(whole.messages.count == 20)
    }

    @Test func incompleteRecordIsHeldBack() {
        let record = RecordEncoder.encode(
            BusMessage(msgID: "MSG-1", timestamp: .zero, type: "FACT", projectID: "p", body: "one\ntwo\nthree")
        )
        for cut in 1..<record.count {
            let result = RecordScanner.scan(Array(record[..<cut]))
            #expect(result.items.isEmpty, "cut at \(cut)")
            #expect(result.end == 0)
        }
        #expect(RecordScanner.scan(record).messages.map(\.body) == ["one\ntwo\nthree"])
    }
}
