import BusTestSupport
import Foundation
import Testing

@testable import BusCore

#if canImport(Glibc)
import Glibc
#endif

/// Issue 8, targets 2 and 3: a streaming read equals a whole read, and the newest messages read from the end of
/// the file equal the last messages of a whole read, for every count, on random buses of every shape.
@Suite struct SuffixReadTests {
    /// Messages and malformed records of a whole read of `bytes`.
    static func whole(_ bytes: [UInt8]) -> (messages: [BusMessage], offsets: [Int], malformed: [MalformedRecord]) {
        let result = RecordScanner.scan(bytes)
        return (result.messages, result.offsets, result.malformed)
    }

    /// Everything from `start` to the end (or to `end`), streamed in chunks of `chunkSize`, with true line numbers.
    static func streamed(
        _ handle: BusCore.FileHandle,
        from start: SuffixStart,
        chunkSize: Int = BusReader.streamChunkSize,
        until end: Int = .max
    ) throws -> (messages: [BusMessage], offsets: [Int], malformed: [MalformedRecord]) {
        let start = try start.resolvingLines(handle)
        var out: (messages: [BusMessage], offsets: [Int], malformed: [MalformedRecord]) = ([], [], [])
        try BusReader.stream(handle, from: start.cursor, chunkSize: chunkSize, until: end) { item in
            switch item {
            case .message(let message, let offset), .revised(let message, let offset):
                out.messages.append(message)
                out.offsets.append(offset)
            case .malformed(let record): out.malformed.append(record)
            }
        }
        return out
    }

    /// A random bus in a temporary file.
    static func withRandomBus(seed: Int, pieces: Int, _ body: ([UInt8], BusCore.FileHandle) throws -> Void) throws {
        try withTempDirectory { directory in
            let bus = RandomBus(seed: UInt64(seed), pieces: pieces)
            let path = directory.file("MESSAGE-BUS.md")
            try writeBytes(path, bus.bytes)
            try body(bus.bytes, try BusFile.open(path, flags: O_RDONLY))
        }
    }

    /// `count` records in one writer's layout: realistic ids, bodies with emoji, CJK and a `---` line.
    static func realisticBus(count: Int, goLayout: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<count {
            let body = "line one of message \(index) 🎉 日本語\n---\nstill the body of \(index)"
            if goLayout {
                bytes += Array(
                    """
                    ---
                    msg_id: MSG-20261126-090000-000000001-PID00042-\(index)
                    ts: 2026-11-26T09:00:00Z
                    type: FACT
                    project_id: p
                    task_id: task-20261126-090000-api
                    ---
                    \(body)

                    """.utf8
                )
            } else {
                let message = BusMessage(
                    msgID: "MSG-20261126-090000-000000001-PID00042-\(index)",
                    timestamp: BusTimestamp(seconds: 1_795_704_136, nanoseconds: 0),
                    type: "FACT",
                    projectID: "p",
                    taskID: "task-20261126-090000-api",
                    body: body
                )
                if !bytes.isEmpty { bytes.append(0x0A) }
                bytes += RecordEncoder.encode(message)
            }
        }
        return bytes
    }

    @Test(arguments: 0..<30)
    func streamingInSmallChunksEqualsAWholeRead(seed: Int) throws {
        try Self.withRandomBus(seed: seed, pieces: 40) { bytes, handle in
            let expected = Self.whole(bytes)
            for chunkSize in [1, 7, 64, 500, 1 << 20] {
                let got = try Self.streamed(handle, from: .fileStart, chunkSize: chunkSize)
                #expect(got.messages == expected.messages, "seed \(seed), chunks of \(chunkSize)")
                #expect(got.offsets == expected.offsets, "seed \(seed), chunks of \(chunkSize)")
                #expect(got.malformed == expected.malformed, "seed \(seed), chunks of \(chunkSize)")
            }
        }
    }

    /// The property of target 3: for every N, the last N messages read from a start found from the end equal
    /// the last N of a whole read; and everything read from that start (messages, offsets, malformed records
    /// with their line numbers) is exactly the whole read's tail.
    @Test(arguments: 0..<25)
    func theNewestMessagesFromTheEndEqualTheTailOfAWholeRead(seed: Int) throws {
        try Self.withRandomBus(seed: seed, pieces: 50) { bytes, handle in
            let expected = Self.whole(bytes)
            for window in [24, 100, 400] {
                for count in 1...max(expected.messages.count, 1) {
                    let start = try BusReader.suffixStart(handle, initialWindow: window) { $0.count >= count }
                    let got = try Self.streamed(handle, from: start)
                    let context = "seed \(seed), window \(window), N \(count), start \(start.cursor.offset)"
                    #expect(Array(got.messages.suffix(count)) == Array(expected.messages.suffix(count)), "\(context)")
                    #expect(got.messages == Array(expected.messages.suffix(got.messages.count)), "\(context)")
                    #expect(got.offsets == Array(expected.offsets.suffix(got.offsets.count)), "\(context)")
                    let malformedAfter = expected.malformed.filter { $0.offset >= start.cursor.offset }
                    #expect(got.malformed == malformedAfter, "\(context)")
                }
            }
        }
    }

    /// Target 4: the monitor shows the newest messages first and reads the older part later.
    ///
    /// Read up to the start found from the end, that part and the newest together are exactly a whole read, for
    /// every N and chunk size.
    @Test(arguments: 0..<25)
    func theHistoryBeforeTheStartAndTheNewestTogetherAreAWholeRead(seed: Int) throws {
        try Self.withRandomBus(seed: seed, pieces: 50) { bytes, handle in
            let expected = Self.whole(bytes)
            for count in 1...max(expected.messages.count, 1) {
                let start = try BusReader.suffixStart(handle, initialWindow: 24) { $0.count >= count }
                let newest = try Self.streamed(handle, from: start)
                for chunkSize in [7, 1 << 20] {
                    let history = try Self.streamed(
                        handle,
                        from: .fileStart,
                        chunkSize: chunkSize,
                        until: start.cursor.offset
                    )
                    let context = "seed \(seed), N \(count), start \(start.cursor.offset), chunks of \(chunkSize)"
                    #expect(history.messages + newest.messages == expected.messages, "\(context)")
                    #expect(history.offsets + newest.offsets == expected.offsets, "\(context)")
                    #expect(history.malformed + newest.malformed == expected.malformed, "\(context)")
                }
            }
        }
    }

    /// The tailer hands over what it skipped: its history read and its own first refresh are the whole bus.
    @Test(arguments: [false, true])
    func aTailerThatSkipsToTheNewestHandsOverTheRest(goLayout: Bool) throws {
        try withTempDirectory { directory in
            let path = directory.file("MESSAGE-BUS.md")
            try writeBytes(path, Self.realisticBus(count: 5000, goLayout: goLayout))
            let expected = try BusReader.read(path).messages
            let tailer = try BusTailer(path: path, useInotify: false)
            let skipped = try #require(try tailer.skipToNewest { $0.count >= 100 })
            let newest = try tailer.refresh().messages
            var history: [BusMessage] = []
            try skipped.read { item in
                if case .message(let message, _) = item { history.append(message) }
            }
            #expect(newest.count >= 100 && newest.count < expected.count)
            #expect(history + newest == expected)
            // A bus whose newest part is all of it has nothing to hand over.
            let small = try BusTailer(path: path, useInotify: false)
            #expect(try small.skipToNewest { $0.count >= expected.count + 1 } == nil)
        }
    }

    /// Both writers' layouts at a realistic size: the start found for the last 20 is near the end (the read costs
    /// what is asked), and the answer is the whole read's.
    @Test(arguments: [false, true])
    func aLargeBusIsReadFromNearItsEnd(goLayout: Bool) throws {
        try withTempDirectory { directory in
            let bytes = Self.realisticBus(count: 20_000, goLayout: goLayout)
            let path = directory.file("MESSAGE-BUS.md")
            try writeBytes(path, bytes)
            let handle = try BusFile.open(path, flags: O_RDONLY)
            let start = try BusReader.suffixStart(handle) { $0.count >= 20 }
            #expect(start.cursor.offset > bytes.count - (1 << 17))
            let got = try Self.streamed(handle, from: start)
            #expect(Array(got.messages.suffix(20)) == Array(Self.whole(bytes).messages.suffix(20)))
        }
    }
}
