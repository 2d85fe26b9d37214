import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Followers across rotations (issue 7, defect 1 and the "rotated" wording of defect 5): every message exactly
/// once, archives deleted before a follower reached them reported with a count.
@Suite struct RotationTests {
    /// The bodies of `read` text lines, in order.
    private func bodies(_ output: String) -> [Substring] {
        output.split(separator: "\n").map { $0.split(separator: ") ", maxSplits: 1).last ?? "" }
    }

    /// Rotates `bus` (any size) and returns the archive's path.
    private func rotate(_ sandbox: Sandbox, _ bus: String) throws -> String {
        let result = try sandbox.bus(["rotate", "--bus", bus, "--max-size", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return String(try #require(line.components(separatedBy: " -> ").last))
    }

    /// A follower that `read --follow` started, stopped with SIGSTOP until `body` is done, then continued.
    private func withStoppedFollower(
        _ sandbox: Sandbox,
        _ arguments: [String],
        ready: (Child) -> Bool,
        _ body: () throws -> Void
    ) throws -> Child {
        let follower = try sandbox.start(Binary.path, ["bus"] + arguments)
        try #require(waitUntil(deadline: .seconds(10)) { ready(follower) && watching(follower.pid) })
        #expect(kill(follower.pid, SIGSTOP) == 0)
        // A stopped process shows state T in /proc/PID/stat: only then are the changes really "between wake-ups".
        try #require(
            waitUntil(deadline: .seconds(10)) {
                ((try? String(contentsOfFile: "/proc/\(follower.pid)/stat", encoding: .utf8)) ?? "").contains(") T ")
            }
        )
        do {
            try body()
        } catch {
            kill(follower.pid, SIGCONT)
            follower.kill()
            throw error
        }
        #expect(kill(follower.pid, SIGCONT) == 0)
        return follower
    }

    /// The issue's repro (A; stop the follower; rotate, B, rotate, C; continue) prints A, B and C.
    @Test func stoppedFollowerReadsEveryArchive() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "A")
            let follower = try withStoppedFollower(
                sandbox,
                ["read", "--bus", bus, "--follow"],
                ready: { $0.stdout.contains("A") }
            ) {
                _ = try rotate(sandbox, bus)
                try sandbox.post(bus, "B")
                _ = try rotate(sandbox, bus)
                try sandbox.post(bus, "C")
            }
            defer { follower.kill() }
            #expect(waitUntil(deadline: .seconds(10)) { follower.stdout.contains("(FACT) C") })
            #expect(bodies(follower.stdout) == ["A", "B", "C"])
            #expect(follower.stderr.contains("rotated to"), "\(follower.stderr)")
            #expect(!follower.stderr.contains("deleted"), "\(follower.stderr)")
        }
    }

    /// A plain rotation while the follower runs says "rotated", not "deleted" and then "created".
    @Test func rotationIsReportedAsRotation() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "before")
            let follower = try sandbox.start(Binary.path, ["bus", "read", "--bus", bus, "--follow"])
            defer { follower.kill() }
            try #require(
                waitUntil(deadline: .seconds(10)) { follower.stdout.contains("before") && watching(follower.pid) }
            )
            let archive = try rotate(sandbox, bus)
            #expect(waitUntil(deadline: .seconds(10)) { follower.stderr.contains("rotated to \(archive)") })
            try sandbox.post(bus, "after")
            #expect(waitUntil(deadline: .seconds(10)) { follower.stdout.contains("after") })
            #expect(bodies(follower.stdout) == ["before", "after"])
            #expect(!follower.stderr.contains("deleted"), "\(follower.stderr)")
            #expect(!follower.stderr.contains("created"), "\(follower.stderr)")
            #expect(follower.stderr.split(separator: "\n").count == 1, "\(follower.stderr)")
        }
    }

    /// Archives deleted before the stopped follower reached them: the one it held is still read to its end, the
    /// one it never opened is reported on stderr with a count (and its size, from the rotation log).
    @Test func deletedArchiveIsReported() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "A")
            var lostBytes = 0
            let follower = try withStoppedFollower(
                sandbox,
                ["read", "--bus", bus, "--follow"],
                ready: { $0.stdout.contains("A") }
            ) {
                let first = try rotate(sandbox, bus)
                try sandbox.post(bus, "B")
                let second = try rotate(sandbox, bus)
                try sandbox.post(bus, "C")
                lostBytes = readBytes(second).count
                for archive in [first, second] { #expect(unlink(archive) == 0) }
            }
            defer { follower.kill() }
            #expect(waitUntil(deadline: .seconds(10)) { follower.stdout.contains("(FACT) C") })
            #expect(bodies(follower.stdout) == ["A", "C"])
            #expect(
                waitUntil(deadline: .seconds(5)) {
                    follower.stderr.contains("1 rotated archive") && follower.stderr.contains("\(lostBytes) bytes")
                },
                "\(follower.stderr)"
            )
        }
    }

    /// `poll` that slept through two rotations finds the message and reports the archive it could not read.
    @Test func pollReportsADeletedArchive() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let last = try sandbox.post(bus, "A")
            let poller = try withStoppedFollower(
                sandbox,
                ["poll", "--bus", bus, "--since", last],
                ready: { holdsOpen($0.pid, bus) }
            ) {
                _ = try rotate(sandbox, bus)
                try sandbox.post(bus, "B")
                #expect(unlink(try rotate(sandbox, bus)) == 0)
                try sandbox.post(bus, "C")
            }
            defer { poller.kill() }
            #expect(poller.waitForExit(timeout: .seconds(10)))
            #expect(poller.process.terminationStatus == 0)
            #expect(bodies(poller.stdout) == ["C"])
            #expect(poller.stderr.contains("1 rotated archive"), "\(poller.stderr)")
        }
    }

    /// Several writer processes and a `rotate --max-size 1K` loop, with a follower that is stopped now and then:
    /// it prints every message of the archives and the live file exactly once.
    @Test(.timeLimit(.minutes(2))) func rotationUnderLoad() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let first = try sandbox.post(bus, "first")
            let follower = try sandbox.start(
                Binary.path,
                ["bus", "read", "--bus", bus, "--follow", "--tail", "0", "--json"]
            )
            defer { follower.kill() }
            try #require(
                waitUntil(deadline: .seconds(10)) { follower.stdout.contains(first) && watching(follower.pid) }
            )

            let environment = [
                "BIN": Binary.path, "BUS": bus, "STOP": sandbox.io + "/stop", "FOLLOWER": "\(follower.pid)",
            ]
            // A slow follower: stopped for a moment now and then, so files come and go between its wake-ups.
            let staller = try sandbox.start(
                "/bin/sh",
                [
                    "-c",
                    #"while [ ! -e "$STOP" ]; do kill -STOP "$FOLLOWER"; sleep 0.2; kill -CONT "$FOLLOWER"; sleep 0.05; done"#,
                ],
                environment: environment
            )
            let rotator = try sandbox.start(
                "/bin/sh",
                [
                    "-c",
                    #"n=0; while [ ! -e "$STOP" ]; do "$BIN" bus rotate --bus "$BUS" --max-size 1K >/dev/null 2>&1; n=$((n+1)); sleep 0.02; done; echo $n"#,
                ],
                environment: environment
            )
            let writers = 4
            let posts = 100
            let writerChildren = try (1...writers).map { writer in
                try sandbox.start(
                    "/bin/sh",
                    [
                        "-c",
                        """
                        for i in $(seq \(posts)); do
                          "$BIN" bus post --bus "$BUS" --project p --body "w\(writer)-$i" --no-fsync >/dev/null || exit 1
                        done
                        """,
                    ],
                    environment: environment
                )
            }
            for child in writerChildren {
                #expect(child.waitForExit(timeout: .seconds(90)))
                #expect(child.process.terminationStatus == 0, "writer failed: \(child.stderr)")
            }
            #expect(FileManager.default.createFile(atPath: sandbox.io + "/stop", contents: nil))
            #expect(rotator.waitForExit(timeout: .seconds(20)))
            #expect(staller.waitForExit(timeout: .seconds(20)))
            kill(follower.pid, SIGCONT)
            let last = try sandbox.post(bus, "last")
            #expect(waitUntil(deadline: .seconds(20)) { follower.stdout.contains(last) })

            var onDisk: [String] = []
            for name in listing(sandbox.path) where name == "bus.md" || name.hasSuffix(".archived") {
                onDisk += try BusReader.read(sandbox.file(name)).messages.map(\.msgID)
            }
            let shown = follower.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["msg_id"] as? String
            }
            let rotations = rotator.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            print(
                "rotation under load: \(onDisk.count) messages on disk, \(shown.count) shown, \(rotations) rotate runs"
            )
            #expect(onDisk.count == writers * posts + 2)
            #expect(Set(onDisk).count == onDisk.count)
            #expect(shown.count == onDisk.count, "missing: \(Set(onDisk).subtracting(shown).sorted().prefix(5))")
            #expect(Set(shown) == Set(onDisk))
            #expect(follower.stderr.contains("rotated to"))
            #expect(!follower.stderr.contains("could not be read"), "\(follower.stderr)")
        }
    }
}
