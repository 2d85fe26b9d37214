import BusTestSupport
import Foundation
import Testing

@testable import BusCore

#if canImport(Glibc)
import Glibc
#endif

/// Issue 8, target 1: the whole-bus read on two threads (`BusReader.streamRecordsPipelined`) hands out exactly
/// the events of the single-thread stream: none reordered, dropped or repeated across chunk boundaries, and each
/// record's bytes read from the chunk the caller holds.
@Suite struct PipelinedStreamTests {
    /// One event as the caller sees it: the built message, the offset, and the bytes a writer copies out.
    enum Seen: Equatable {
        case record(BusMessage, offset: Int, plain: [[UInt8]]?)
        case malformed(MalformedRecord)
    }

    static func seen(_ event: ScanEvent) -> Seen {
        switch event {
        case .record(let record, _):
            let plain = record.plain.map { plain in
                [plain.msgID, plain.type, plain.projectID, plain.taskID, plain.runID, plain.issueID, plain.body]
                    .map { Array($0) }
            }
            return .record(record.message, offset: record.offset, plain: plain)
        case .malformed(let record):
            return .malformed(record)
        }
    }

    @Test(arguments: 0..<40)
    func twoThreadsHandOutTheSingleThreadEvents(seed: Int) throws {
        try SuffixReadTests.withRandomBus(seed: seed, pieces: 60) { _, handle in
            var expected: [Seen] = []
            try BusReader.streamRecords(handle) { expected.append(Self.seen($0)) }
            for chunkSize in [1, 7, 64, 500, 4096, 1 << 20] {
                var got: [Seen] = []
                try BusReader.streamRecordsPipelined(handle, chunkSize: chunkSize) { got.append(Self.seen($0)) }
                #expect(got == expected, "seed \(seed), chunks of \(chunkSize)")
            }
        }
    }

    /// Many more chunks than buffers in the pool: each buffer is filled, handed over and given back many times.
    @Test(arguments: [false, true])
    func manyChunksCycleThroughThePool(goLayout: Bool) throws {
        try withTempDirectory { directory in
            let path = directory.file("MESSAGE-BUS.md")
            try writeBytes(path, SuffixReadTests.realisticBus(count: 2_000, goLayout: goLayout))
            let handle = try BusFile.open(path, flags: O_RDONLY)
            var expected: [Seen] = []
            try BusReader.streamRecords(handle) { expected.append(Self.seen($0)) }
            #expect(expected.count == 2_000)
            for chunkSize in [300, 4096, 65_536] {
                var got: [Seen] = []
                try BusReader.streamRecordsPipelined(handle, chunkSize: chunkSize) { got.append(Self.seen($0)) }
                #expect(got == expected, "chunks of \(chunkSize)")
            }
        }
    }

    @Test func anEmptyFileHandsOutNothing() throws {
        try withTempDirectory { directory in
            let path = directory.file("MESSAGE-BUS.md")
            try writeBytes(path, [])
            var count = 0
            try BusReader.streamRecordsPipelined(try BusFile.open(path, flags: O_RDONLY)) { _ in count += 1 }
            #expect(count == 0)
        }
    }
}
