import Foundation
import Synchronization
import Testing

@testable import BusCore

/// A fake monotonic clock: `sleep` advances it instead of sleeping.
final class FakeClock: Sendable {
    private let base = ContinuousClock.now
    private let state = Mutex<(elapsed: Duration, sleeps: [Duration])>((.zero, []))
    private let onSleep: @Sendable (Int) -> Void

    init(onSleep: @escaping @Sendable (Int) -> Void = { _ in }) { self.onSleep = onSleep }

    var elapsed: Duration { state.withLock { $0.elapsed } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func lockWait(timeout: Duration) -> LockWait {
        LockWait(
            timeout: timeout,
            now: { self.base.advanced(by: self.elapsed) },
            sleep: { duration in
                let count = self.state.withLock { value in
                    value.elapsed += duration
                    value.sleeps.append(duration)
                    return value.sleeps.count
                }
                self.onSleep(count)
            }
        )
    }
}

@Suite struct LockWaitTests {
    /// Holds the BSD lock on `path` through another open file description, as another process would.
    private func holdLock(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        try #require(fd >= 0)
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd
    }

    @Test func timesOutOnTheInjectedClockWithoutSleeping() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let holder = try holdLock(path)
            defer { close(holder) }
            let clock = FakeClock()
            let handle = try BusFile.open(path, flags: O_RDWR)
            let started = ContinuousClock.now
            var busyCalls = 0
            #expect(throws: BusError.lockTimeout(path: path, seconds: 10)) {
                try clock.lockWait(timeout: .seconds(10)).acquire(handle) { busyCalls += 1 }
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(busyCalls == 1)
            #expect(clock.elapsed == .seconds(10))
            // Backs off from 0.5 ms, doubling to at most 20 ms, and never oversleeps the deadline.
            let sleeps = clock.sleeps
            #expect(sleeps.first == .microseconds(500))
            #expect(sleeps.allSatisfy { $0 <= .milliseconds(20) && $0 > .zero })
            #expect(sleeps.contains(.milliseconds(20)))
            #expect(sleeps.count > 400 && sleeps.count < 600)
        }
    }

    @Test func zeroTimeoutFailsAtOnce() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let holder = try holdLock(path)
            defer { close(holder) }
            let clock = FakeClock()
            let handle = try BusFile.open(path, flags: O_RDWR)
            #expect(throws: BusError.lockTimeout(path: path, seconds: 0)) {
                try clock.lockWait(timeout: .zero).acquire(handle, onBusy: nil)
            }
            #expect(clock.sleeps.isEmpty)
        }
    }

    @Test func acquiresOnceTheHolderLets() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let holder = try holdLock(path)
            let released = Mutex(false)
            let clock = FakeClock { count in
                if count == 5 {
                    flock(holder, LOCK_UN)
                    released.withLock { $0 = true }
                }
            }
            defer { close(holder) }
            let handle = try BusFile.open(path, flags: O_RDWR)
            try clock.lockWait(timeout: .seconds(10)).acquire(handle, onBusy: nil)
            #expect(released.withLock { $0 })
            #expect(clock.sleeps.count == 5)
            // We hold it now: another description cannot take it.
            let other = open(path, O_RDWR)
            defer { close(other) }
            #expect(flock(other, LOCK_EX | LOCK_NB) == -1)
        }
    }

    @Test func writerReportsLockTimeoutAndLeavesTheFile() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false))
            _ = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: "before"))
            let before = try readBytes(path)
            let holder = try holdLock(path)
            defer { close(holder) }
            let clock = FakeClock()
            let blocked = BusWriter(
                path: path,
                options: WriterOptions(fsync: false, lockWait: clock.lockWait(timeout: .seconds(3)))
            )
            #expect(throws: BusError.lockTimeout(path: path, seconds: 3)) {
                try blocked.post(MessageDraft(type: "FACT", projectID: "p", body: "blocked"))
            }
            #expect(try readBytes(path) == before)
            #expect(BusError.lockTimeout(path: path, seconds: 3).exitCode == 75)
        }
    }
}

@Suite struct MessageIDTests {
    static var pattern: Regex<Substring> { #/^MSG-\d{8}-\d{6}-\d{9}-PID\d{5,}-\d{4}$/# }

    @Test func formatAndUniqueness() {
        let generator = MessageIDGenerator()
        var seen = Set<String>()
        seen.reserveCapacity(100_000)
        var previous = BusTimestamp.zero
        var ordered = true
        let pattern = Self.pattern
        for _ in 0..<100_000 {
            let (id, timestamp) = generator.next()
            if (try? pattern.wholeMatch(in: id)) == nil { Issue.record("bad id \(id)") }
            seen.insert(id)
            if timestamp < previous { ordered = false }
            previous = timestamp
        }
        #expect(seen.count == 100_000)
        #expect(ordered)
    }

    @Test func largePidIsWrittenInFull() throws {
        let fixed = BusTimestamp(seconds: 1_795_704_136, nanoseconds: 67_875_014)
        let generator = MessageIDGenerator(pid: 4_194_304) { fixed }
        let (id, timestamp) = generator.next()
        #expect(id == "MSG-20261126-144216-067875014-PID4194304-0001")
        #expect(timestamp == fixed)
        #expect(generator.next().id == "MSG-20261126-144216-067875014-PID4194304-0002")
        #expect(MessageIDGenerator(pid: 42) { fixed }.next().id == "MSG-20261126-144216-067875014-PID00042-0001")
        #expect(try Self.pattern.wholeMatch(in: id) != nil)
    }

    /// The id and `ts` come from one clock reading: the clock is called once per message.
    @Test func idAndTimestampShareOneClockReading() throws {
        let calls = Mutex(0)
        let generator = MessageIDGenerator(pid: 4_194_304) {
            let count = calls.withLock { value in
                value += 1
                return value
            }
            return BusTimestamp(seconds: 1_795_704_136 + Int64(count), nanoseconds: Int32(count) * 1_000_001)
        }
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false), ids: generator)
            let receipt = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: "x"))
            let message = try #require(receipt.messages.first)
            #expect(calls.withLock { $0 } == 1)
            #expect(message.msgID == "MSG-20261126-144217-001000001-PID4194304-0001")
            #expect(message.timestamp == BusTimestamp(seconds: 1_795_704_137, nanoseconds: 1_000_001))
            let text = String(decoding: try readBytes(path), as: UTF8.self)
            #expect(text.contains("\nts: 2026-11-26T14:42:17.001000001Z\n"))
            #expect(try BusReader.read(path).messages == [message])
        }
    }

    @Test func sequenceWrapsAfter9999() {
        let generator = MessageIDGenerator(pid: 1) { .zero }
        var last = ""
        for _ in 0..<10_000 { last = generator.next().id }
        #expect(last.hasSuffix("-9999") == false)
        #expect(last.hasSuffix("-0001"))
    }
}

@Suite struct ValidatorTests {
    @Test(arguments: [
        ("", "p", "x"), ("A\nB", "p", "x"), ("A\u{01}B", "p", "x"), ("A\tB", "p", "x"), ("A\u{7F}", "p", "x"),
        ("FACT", "", "x"), ("FACT", "p\nq", "x"),
    ])
    func rejects(type: String, project: String, body: String) throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false))
            #expect(throws: BusError.self) {
                try writer.post(MessageDraft(type: type, projectID: project, body: body))
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func bodyLimit() throws {
        try withTempDirectory { directory in
            let path = directory.file("bus.md")
            let writer = BusWriter(path: path, options: WriterOptions(fsync: false, maxBodyBytes: 1024))
            #expect(throws: BusError.bodyTooLarge(bytes: 1025, limit: 1024, path: path)) {
                try writer.post(MessageDraft(type: "FACT", projectID: "p", body: String(repeating: "x", count: 1025)))
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            _ = try writer.post(MessageDraft(type: "FACT", projectID: "p", body: String(repeating: "x", count: 1024)))
            #expect(try BusReader.read(path).messages.count == 1)
        }
    }

    @Test func settingsFromEnvironment() throws {
        let options = try WriterOptions.fromEnvironment([
            "JRUN_BUS_LOCK_TIMEOUT": "0.25", "JRUN_BUS_FSYNC": "0", "JRUN_BUS_MAX_BODY": "2K",
        ])
        #expect(options.lockWait.timeout == .milliseconds(250))
        #expect(!options.fsync)
        #expect(options.maxBodyBytes == 2048)
        #expect(try WriterOptions.fromEnvironment([:]).fsync)
        #expect(try SettingParser.byteSize("10M", name: "x") == 10 << 20)
        #expect(try SettingParser.byteSize("1g", name: "x") == 1 << 30)
        #expect(throws: BusError.self) { try WriterOptions.fromEnvironment(["JRUN_BUS_LOCK_TIMEOUT": "soon"]) }
        #expect(throws: BusError.self) { try WriterOptions.fromEnvironment(["JRUN_BUS_MAX_BODY": "-1"]) }
    }
}
