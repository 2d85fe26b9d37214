import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Tests 3 and 4: writers racing for the lock, and a lock held by someone else.
@Suite(.serialized) struct ConcurrencyTests {
    /// 8 processes x 500 posts of the real binary on one bus.
    @Test(.timeLimit(.minutes(5))) func eightWritersRace() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let writers = 8
            let posts = 500
            var children: [Child] = []
            for writer in 1...writers {
                let script = """
                    for i in $(seq \(posts)); do
                      "$BIN" bus post --bus "$BUS" --project p --body "w\(writer)-$i" --no-fsync >/dev/null || exit 1
                    done
                    """
                children.append(
                    try sandbox.start("/bin/sh", ["-c", script], environment: ["BIN": Binary.path, "BUS": bus])
                )
            }
            for child in children {
                let finished = child.waitForExit(timeout: .seconds(240))
                if !finished { child.kill() }
                #expect(finished)
                #expect(child.process.terminationStatus == 0, "writer failed: \(child.stderr)")
            }
            let snapshot = try BusReader.read(bus)
            #expect(snapshot.malformed.isEmpty)
            #expect(snapshot.messages.count == writers * posts)
            #expect(Set(snapshot.messages.map(\.msgID)).count == writers * posts)
            var expected = Set<String>()
            for writer in 1...writers {
                for post in 1...posts { expected.insert("w\(writer)-\(post)") }
            }
            #expect(Set(snapshot.messages.map(\.body)) == expected)
            // Each writer's posts appear in its own order.
            for writer in 1...writers {
                let mine = snapshot.messages.map(\.body).filter { $0.hasPrefix("w\(writer)-") }
                #expect(mine == (1...posts).map { "w\(writer)-\($0)" })
            }
            #expect(snapshot.end == readBytes(bus).count)
            let goRecords = GoRulesReader.parse(readBytes(bus))
            #expect(goRecords.count == writers * posts)
            #expect(goRecords.map(\.msgID) == snapshot.messages.map(\.msgID))
        }
    }

    /// A process holding the lock makes `post` fail with 75 after JRUN_BUS_LOCK_TIMEOUT, file untouched.
    @Test func lockTimeout() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "before")
            let before = readBytes(bus)
            let holder = try sandbox.start("/usr/bin/flock", [bus, "sleep", "600"])
            defer { killTree(holder) }
            // The lock is really held once a non-blocking flock fails.
            let held = try waitUntil(deadline: .seconds(10)) {
                try sandbox.run("/usr/bin/flock", ["-n", bus, "true"]).status != 0
            }
            try #require(held, "flock never took the lock")

            let started = ContinuousClock.now
            let result = try sandbox.bus(
                ["post", "--bus", bus, "--project", "p", "--body", "blocked"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "0.3"],
                timeout: .seconds(20)
            )
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 75, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains(bus))
            #expect(result.stderr.contains("lock"))
            #expect(elapsed >= .milliseconds(300))
            #expect(readBytes(bus) == before)
            #expect(listing(sandbox.path) == ["bus.md"])

            // Once the holder is gone the same post goes through.
            killTree(holder)
            let after = try sandbox.bus(
                ["post", "--bus", bus, "--project", "p", "--body", "unblocked"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "5"]
            )
            #expect(after.status == 0, "\(after.stderr)")
            #expect(try BusReader.read(bus).messages.map(\.body) == ["before", "unblocked"])
        }
    }

    /// Issue 10: a `post` that waited over 100 ms for the lock says so on stderr (and still posts).
    @Test func aLongLockWaitIsReported() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "before")
            let holder = try sandbox.start("/usr/bin/flock", [bus, "sleep", "600"])
            defer { killTree(holder) }
            let held = try waitUntil(deadline: .seconds(10)) {
                try sandbox.run("/usr/bin/flock", ["-n", bus, "true"]).status != 0
            }
            try #require(held, "flock never took the lock")
            let poster = try sandbox.start(
                Binary.path,
                ["bus", "post", "--bus", bus, "--project", "p", "--body", "after a wait"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "600"]
            )
            // The post has the bus open once it is trying for the lock; from then on the holder keeps it waiting
            // until it is killed, so the wait is at least this pause however slow the machine.
            let trying = waitUntil(deadline: .seconds(20)) { holdsOpen(poster.pid, bus) }
            try #require(trying, "the post never opened the bus")
            Thread.sleep(forTimeInterval: 0.3)
            #expect(poster.process.isRunning, "the post did not wait for the lock: \(poster.stderr)")
            killTree(holder)
            #expect(poster.waitForExit(timeout: .seconds(30)))
            #expect(poster.process.terminationStatus == 0, "\(poster.stderr)")
            #expect(poster.stderr.contains("ms for the bus lock (another writer held it)"), "\(poster.stderr)")
            #expect(poster.stderr.contains(bus))
            #expect(try BusReader.read(bus).messages.map(\.body) == ["before", "after a wait"])
        }
    }
}

/// Kills a child and the children it started (by pid, from /proc), so that no lock holder outlives the test.
func killTree(_ child: Child) {
    let pid = child.pid
    let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
    for item in children.split(separator: " ") {
        if let grandchild = Int32(item.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(grandchild, SIGKILL) }
    }
    child.kill()
}
