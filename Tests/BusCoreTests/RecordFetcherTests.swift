import BusTestSupport
import Testing

@testable import BusCore

#if canImport(Glibc)
import Glibc
#endif

/// Issue 8 target 4: a record that reads alone as it did in the file (`ScannedRecord.placeEnd`) is read
/// back from its place (`RecordFetcher`) as the message a whole read gives; the records that do not are the ones
/// a reader must keep.
@Suite struct RecordFetcherTests {
    @Test(arguments: 0..<30)
    func aRecordReadAloneIsTheMessageOfTheWholeRead(seed: Int) throws {
        try SuffixReadTests.withRandomBus(seed: seed, pieces: 80) { _, handle in
            let fetcher = RecordFetcher(handle: handle)
            var places: [(offset: Int, length: Int, message: BusMessage)] = []
            var kept = 0
            try BusReader.streamRecords(handle, chunkSize: 512) { event in
                guard case .record(let record, _) = event else { return }
                var header = record.message
                header.body = ""
                #expect(record.header == header)
                if let end = record.placeEnd {
                    places.append((record.offset, end - record.offset, record.message))
                } else {
                    kept += 1
                }
            }
            #expect(!places.isEmpty)
            // Read back in another order than the file's, so the window moves both ways.
            for place in places.reversed() + places {
                var message = try fetcher.message(at: place.offset, length: place.length)
                // The time may have come from the record before: the reader keeps it, not the record.
                message.timestamp = place.message.timestamp
                message.timestampInferred = place.message.timestampInferred
                #expect(message == place.message, "seed \(seed), offset \(place.offset)")
            }
        }
    }

    /// What each record shape reads as alone (`ScannedRecord.placeEnd`): most records have a place, an empty
    /// body one byte longer than its record; records framed by their neighbours and legacy lines have none.
    @Test func placesOfEachShape() {
        let go = "---\nmsg_id: MSG-20261126-090000-000000001-PID00042-1\nts: 2026-11-26T09:00:00Z\ntype: FACT\n---\n"
        let cases: [(text: String, id: String, place: Int?)] = [
            (
                go + "x\n\n---\nmsg_id: M-2\ntype: FACT\n---\ny\n", "MSG-20261126-090000-000000001-PID00042-1",
                go.utf8.count + 2
            ),
            (
                go + "\n\n---\nmsg_id: M-2\ntype: FACT\n---\ny\n", "MSG-20261126-090000-000000001-PID00042-1",
                go.utf8.count + 1
            ),
            (go + "\n", "MSG-20261126-090000-000000001-PID00042-1", go.utf8.count + 1),
            (
                go + "ends with rule\n\n---\n\n---\nmsg_id: M-2\ntype: FACT\n---\ny\n",
                "MSG-20261126-090000-000000001-PID00042-1", 114
            ),
            ("---\r\nmsg_id: M-1\r\ntype: FACT\r\n---\r\n\r\n\n---\nmsg_id: M-2\ntype: FACT\n---\ny\n", "M-1", 37),
            // Ids made from line numbers: a header without one, a legacy line.
            ("---\ntype: FACT\nts: 2026-11-26T09:00:00Z\n---\nno id\n", "NOID-000000001", nil),
            (
                "---\nmessageId: MSG-OLD-1\ntype: PROGRESS\ntimestamp: 2026-02-02T22:32:12Z\n---\nold dialect\n---\n[2026-02-05 12:51:53] FACT: x\n",
                "MSG-OLD-1", 88
            ),
            ("[2026-02-05 12:51:53] FACT: a legacy line\n", "LEGACY-LINE-000000001", nil),
        ]
        for (text, id, place) in cases {
            var found: [String: Int?] = [:]
            Array(text.utf8).withUnsafeBufferPointer { buffer in
                _ = RecordScanner.scan(buffer, final: true) { event in
                    if case .record(let record, _) = event { found[record.message.msgID] = record.placeEnd }
                }
            }
            #expect(found[id] == .some(place), "\(text.debugDescription): \(found)")
        }
    }
}
