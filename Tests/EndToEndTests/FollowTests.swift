import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Test 12: `read --follow` and `poll`.
@Suite struct FollowTests {
    /// utime + stime of a process, in clock ticks (`/proc/PID/stat` fields 14 and 15).
    private func cpuTicks(_ pid: Int32) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let afterName = try #require(text.range(of: ")", options: .backwards)).upperBound
        let fields = text[afterName...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    /// Issue 6, defect 4: a line appended by hand after a Go-written record belongs to its body, live too:
    /// `read --follow` prints the message again, marked revised, as a fresh read returns it.
    @Test(arguments: [false, true])
    func followPrintsARevisedGoRecord(json: Bool) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let goRecord =
                "---\nmsg_id: MSG-GO\nts: 2026-12-02T10:00:00Z\ntype: FACT\nproject_id: p\ntask_id: \"\"\nrun_id: \"\"\n---\n"
                + "go body\n"
            try Data(goRecord.utf8).write(to: URL(fileURLWithPath: bus))
            let follower = try sandbox.start(
                Binary.path,
                ["bus", "read", "--bus", bus, "--follow"] + (json ? ["--json"] : [])
            )
            defer { follower.kill() }
            try #require(waitUntil(deadline: .seconds(10)) { follower.stdout.contains("go body") })
            try #require(waitUntil(deadline: .seconds(10)) { watching(follower.pid) })
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: bus))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("[2026-12-02 10:00:01] FACT: by hand\n".utf8))
            try handle.close()
            let marker = json ? "\"revised\":true" : "(FACT, revised) go body"
            #expect(waitUntil(deadline: .seconds(5)) { follower.stdout.contains(marker) }, "\(follower.stdout)")
            #expect(follower.stdout.contains("by hand"))
            let fresh = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"])
            #expect(
                try fresh.jsonObjects().compactMap { $0["body"] as? String } == [
                    "go body\n[2026-12-02 10:00:01] FACT: by hand"
                ]
            )
        }
    }

    @Test func followPrintsAppendsAndIdlesQuietly() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "already there")
            let follower = try sandbox.start(Binary.path, ["bus", "read", "--bus", bus, "--follow"])
            defer { follower.kill() }
            try #require(waitUntil(deadline: .seconds(10)) { follower.stdout.contains("already there") })
            try #require(waitUntil(deadline: .seconds(10)) { watching(follower.pid) })

            // Idle: almost no CPU over a second.
            let idleStart = try cpuTicks(follower.pid)
            Thread.sleep(forTimeInterval: 1.0)
            let idleTicks = try cpuTicks(follower.pid) - idleStart
            print("read --follow used \(idleTicks) clock ticks in 1 s idle")
            #expect(idleTicks <= 5)

            // An append shows up promptly.
            let posted = ContinuousClock.now
            try sandbox.post(bus, "fresh news")
            let shown = waitUntil(deadline: .seconds(5)) { follower.stdout.contains("fresh news") }
            let latency = ContinuousClock.now - posted
            print("read --follow latency (post started to line printed): \(latency)")
            #expect(shown)
            #expect(latency <= .seconds(2))

            // Truncation, then a post: the follower says so and prints the new message.
            #expect(try sandbox.run("/usr/bin/truncate", ["-s", "0", bus]).status == 0)
            #expect(waitUntil(deadline: .seconds(5)) { follower.stderr.contains("truncated") })
            try sandbox.post(bus, "after truncation")
            #expect(waitUntil(deadline: .seconds(5)) { follower.stdout.contains("after truncation") })

            // Rotation, then a post to the new file.
            let rotated = try sandbox.bus(["rotate", "--bus", bus, "--max-size", "1"])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect(rotated.stdout.hasPrefix("rotated: "))
            try sandbox.post(bus, "after rotation")
            #expect(waitUntil(deadline: .seconds(5)) { follower.stdout.contains("after rotation") })
            #expect(listing(sandbox.path).contains { $0.hasPrefix("bus.md.") && $0.hasSuffix(".archived") })

            let lines = follower.stdout.split(separator: "\n").map {
                $0.split(separator: ") ", maxSplits: 1).last ?? ""
            }
            #expect(lines == ["already there", "fresh news", "after truncation", "after rotation"])
            #expect(follower.process.isRunning)
        }
    }

    @Test func rotateBelowTheLimitChangesNothing() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "x")
            let before = readBytes(bus)
            let result = try sandbox.bus(["rotate", "--bus", bus, "--max-size", "1M"])
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("not rotated"))
            #expect(readBytes(bus) == before)
            #expect(listing(sandbox.path) == ["bus.md"])
        }
    }

    @Test func pollReturnsWhenAMessageArrives() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let last = try sandbox.post(bus, "old")
            let poller = try sandbox.start(Binary.path, ["bus", "poll", "--bus", bus, "--since", last])
            defer { poller.kill() }
            try #require(waitUntil(deadline: .seconds(10)) { watching(poller.pid) })
            #expect(poller.process.isRunning)
            try sandbox.post(bus, "new")
            #expect(poller.waitForExit(timeout: .seconds(10)))
            #expect(poller.process.terminationStatus == 0)
            #expect(poller.stdout.hasSuffix("(FACT) new\n"))
            #expect(poller.stdout.split(separator: "\n").count == 1)

            // Already there: returns at once.
            let quick = try sandbox.bus(["poll", "--bus", bus, "--since", last, "--json"], timeout: .seconds(10))
            #expect(quick.status == 0)
            #expect(try quick.jsonObjects().compactMap { $0["body"] as? String } == ["new"])
        }
    }

    @Test func pollTimesOutWithNothingNew() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let last = try sandbox.post(bus, "only")
            let started = ContinuousClock.now
            let result = try sandbox.bus(
                ["poll", "--bus", bus, "--since", last, "--timeout", "0.3"],
                timeout: .seconds(10)
            )
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 124)
            #expect(result.stdout.isEmpty)
            #expect(elapsed >= .milliseconds(300))
            let plain = try sandbox.bus(["poll", "--bus", bus, "--timeout", "0.3"], timeout: .seconds(10))
            #expect(plain.status == 124)
            #expect(plain.stdout.isEmpty)
        }
    }

    /// A bus in a folder its reader may enter but not list (0711, as a shared runs root may be).
    ///
    /// inotify refuses to watch such a folder (EACCES), and `poll` failed with exit 74 whenever it had to wait
    /// (found in review: it succeeded only when the answer was already there). The tailer polls `stat` there
    /// instead, as it does when inotify's limits are used up. Run as an unprivileged user when the tests run as
    /// root (root may watch anything).
    @Test func pollWaitsInAFolderItMayEnterButNotList() throws {
        try withSandbox { sandbox in
            let folder = sandbox.path + "/entry-only"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            let bus = folder + "/bus.md"
            let last = try sandbox.post(bus, "only")
            for path in [sandbox.base, sandbox.path, folder] { #expect(chmod(path, 0o711) == 0) }
            let asOther = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            if !asOther { print("note: not root, the folder's owner polls it (inotify may watch it)") }
            let command = asOther ? "/usr/bin/setpriv" : Binary.path
            let prefix = asOther ? ["--reuid=65534", "--regid=65534", "--clear-groups", Binary.path, "bus"] : ["bus"]

            let timedOut = try sandbox.run(
                command,
                prefix + ["poll", "--bus", bus, "--since", last, "--timeout", "0.5"],
                timeout: .seconds(30)
            )
            #expect(timedOut.status == 124, "\(timedOut.stderr)")
            #expect(timedOut.stderr.isEmpty)

            let poller = try sandbox.start(command, prefix + ["poll", "--bus", bus, "--since", last])
            defer { poller.kill() }
            try #require(
                waitUntil(deadline: .seconds(20)) { poller.process.isRunning && holdsOpen(poller.pid, bus) },
                "the poller never opened the bus: \(poller.stderr)"
            )
            try sandbox.post(bus, "answer ✅")
            #expect(poller.waitForExit(timeout: .seconds(20)))
            #expect(poller.process.terminationStatus == 0, "\(poller.stderr)")
            #expect(poller.stdout.hasSuffix("(FACT) answer ✅\n"))
        }
    }

    @Test func unknownSinceIsAnError() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "only")
            for command in ["read", "poll"] {
                let result = try sandbox.bus(
                    [command, "--bus", bus, "--since", "MSG-NOT-THERE"],
                    timeout: .seconds(10)
                )
                #expect(result.status == 65, "\(command): \(result.stderr)")
                #expect(result.stderr.contains("MSG-NOT-THERE"))
                #expect(result.stderrLines.count == 1)
                #expect(result.stdout.isEmpty)
            }
        }
    }
}
