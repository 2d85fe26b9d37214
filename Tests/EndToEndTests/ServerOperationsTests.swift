import BusTestSupport
import Foundation
import NIOHTTP1
import Testing

/// What `run-agent bus serve` does around the posts (issue 10): metrics, lock-wait logging, graceful shutdown,
/// truncation under a stream, the compatibility routes' limits and streams.
@Suite struct ServerOperationsTests {
    @Test func metricsCountLockWaitsFsyncsBatchesAndAMalformedRecord() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus])
            for index in 0..<3 { _ = try await postJSON(server.url, "m\(index)") }
            // A broken record appended by hand, then one more post: the tailer reads both.
            let handle = try #require(FileHandle(forWritingAtPath: bus))
            handle.seekToEndOfFile()
            handle.write(Data("---\nmsg_id: [broken\n---\nbody\n".utf8))
            try handle.close()
            _ = try await postJSON(server.url, "after the broken one")

            let metrics = try await http(.GET, server.url + "/metrics").body
            #expect(sample(metrics, "bus_appends_total") == 4, "\(metrics)")
            for histogram in ["bus_lock_wait_seconds", "bus_fsync_seconds"] {
                #expect(sample(metrics, histogram + "_count").map { $0 > 0 } == true, "\(histogram): \(metrics)")
                #expect(sample(metrics, histogram + "_sum").map { $0 > 0 } == true, "\(histogram): \(metrics)")
            }
            let batches = try #require(sample(metrics, "bus_group_commit_batch_size_count"), "\(metrics)")
            #expect(batches > 0 && batches <= 4)
            #expect(sample(metrics, "bus_group_commit_batch_size_sum") == 4)
            #expect(sample(metrics, "bus_malformed_records_total") == 1, "\(metrics)")
            #expect(server.child.stderr.contains(bus), "the malformed record is logged: \(server.child.stderr)")
        }
    }

    @Test func aLockWaitOverATenthOfASecondIsLoggedAsAWarning() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try writeBytes(bus, [])
            let server = try ServedBus(
                sandbox,
                ["--bus", bus, "--no-fsync"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "30"]
            )
            let idle = descriptors(of: server.child.pid, naming: bus)
            let holder = try holdLock(sandbox, bus)
            defer { killTree(holder) }
            let poster = try startPost(sandbox, server.url, "after a wait")
            // The writer opens the bus for each append; from then on the holder keeps it waiting until it is
            // killed, so the wait is at least this pause however slow the machine.
            let trying = waitUntil(deadline: .seconds(20)) { descriptors(of: server.child.pid, naming: bus) > idle }
            try #require(trying, "the server never opened the bus to append")
            try await Task.sleep(for: .milliseconds(300))
            #expect(poster.process.isRunning, "the post did not wait for the lock: \(poster.stdout)")
            killTree(holder)
            #expect(poster.waitForExit(timeout: .seconds(30)))
            #expect(poster.stdout.hasSuffix("\n201"), "\(poster.stdout)")

            // serve logs to stderr; the default level (info) shows warnings.
            let logged = waitUntil(deadline: .seconds(10)) {
                server.child.stderr.contains("ms for the bus lock (another writer held it): \(bus)")
            }
            #expect(logged, "\(server.child.stderr)")
            let line = try #require(
                server.child.stderr.split(separator: "\n").first { $0.contains("for the bus lock") }
            )
            let waited = line.components(separatedBy: "waited ").last.flatMap { Int($0.prefix { $0.isNumber }) }
            let milliseconds = try #require(waited, "\(line)")
            #expect(milliseconds >= 300)
            // Over 100 ms a warning, over 1 s an error (a slow machine may take that long to release).
            #expect(line.contains(milliseconds > 1000 ? " error " : " warning "), "\(line)")
            #expect(
                try await http(.GET, server.url + "/api/bus").messages.map { $0["body"] as? String } == ["after a wait"]
            )
        }
    }

    @Test func sigtermAnswersEveryPostInFlightAndExitsZero() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try writeBytes(bus, [])
            let server = try ServedBus(
                sandbox,
                ["--bus", bus, "--no-fsync"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "30"]
            )
            let port = try #require(server.url.split(separator: ":").last.flatMap { Int($0) })
            let idle = descriptors(of: server.child.pid, naming: bus)
            let holder = try holdLock(sandbox, bus)
            defer { killTree(holder) }
            let count = 5
            let posters = try (0..<count).map { try startPost(sandbox, server.url, "in flight \($0)") }
            // In flight: the first post waits for the lock, and the server has read every request.
            let trying = waitUntil(deadline: .seconds(20)) { descriptors(of: server.child.pid, naming: bus) > idle }
            try #require(trying, "the server never opened the bus to append")
            let read = waitUntil(deadline: .seconds(20)) { (try? requestsRead(sandbox, port: port)) == count }
            try #require(read, "the server did not read every request")

            kill(server.child.pid, SIGTERM)
            // Shutdown has begun once the server stops accepting connections.
            let closed = try waitUntil(deadline: .seconds(20)) {
                try sandbox.run("/usr/bin/curl", ["-s", "--max-time", "2", server.url + "/healthz"]).status == 7
            }
            #expect(closed, "the server still accepts connections after SIGTERM")
            #expect(server.child.process.isRunning, "the server exited with posts in flight")
            for poster in posters { #expect(poster.process.isRunning, "a post was answered early: \(poster.stdout)") }

            killTree(holder)
            for poster in posters {
                #expect(poster.waitForExit(timeout: .seconds(30)))
                #expect(poster.stdout.hasSuffix("\n201"), "\(poster.stdout)")
            }
            #expect(server.child.waitForExit(timeout: .seconds(20)))
            #expect(server.child.process.terminationStatus == 0, "\(server.child.stderr)")
            let bodies = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"]).jsonObjects()
                .compactMap { $0["body"] as? String }
            #expect(Set(bodies) == Set((0..<count).map { "in flight \($0)" }))
            #expect(bodies.count == count)
        }
    }

    @Test func aTruncatedBusSendsAResetThenOnlyTheNewMessages() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let reader = StreamReader(sandbox, server.url + "/api/bus/stream?limit=0")
            #expect(reader.waitConnected())
            var ids: [String] = []
            for index in 0..<3 { ids.append(try await postJSON(server.url, "before \(index)")) }
            #expect(reader.wait(messages: 3))

            let truncated = try sandbox.run("/usr/bin/truncate", ["-s", "0", bus])
            #expect(truncated.status == 0, "\(truncated.stderr)")
            #expect(
                waitUntil(deadline: .seconds(20)) { reader.events.contains { $0.name == "reset" } },
                "\(reader.raw)"
            )
            ids.append(try await postJSON(server.url, "after"))
            #expect(reader.wait(messages: 4))
            #expect(reader.messageIDs == ids)
            let names = reader.events.map(\.name).filter { $0 != "heartbeat" }
            #expect(names == ["message", "message", "message", "reset", "message"])
            // The list shows the new file only.
            #expect(try await http(.GET, server.url + "/api/bus").ids == [ids[3]])
        }
    }
}

/// Posts `{"body": body, "project_id": "p"}` with curl in a child process; its stdout ends with the status.
private func startPost(_ sandbox: Sandbox, _ url: String, _ body: String) throws -> Child {
    let json = "{\"body\":" + jsonString(body) + ",\"project_id\":\"p\"}"
    return try sandbox.start(
        "/usr/bin/curl",
        ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "60", "-X", "POST", "-d", json, url + "/api/bus"]
    )
}

/// How many of a process's open descriptors name `path`.
private func descriptors(of pid: Int32, naming path: String) -> Int {
    let folder = "/proc/\(pid)/fd"
    return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { fd in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + fd)) == path
    }.count
}

/// Connections to the server's port whose request the server has read: bytes received and none left unread
/// (`ss`: Recv-Q 0, `bytes_received` > 0).
private func requestsRead(_ sandbox: Sandbox, port: Int) throws -> Int {
    let result = try sandbox.run("/usr/bin/ss", ["-tinH", "state", "established", "( sport = :\(port) )"])
    var count = 0
    var unread = true
    for line in result.stdout.split(separator: "\n") {
        if line.first?.isWhitespace == false {
            unread = line.split(separator: " ").first != "0"
        } else if !unread, let range = line.range(of: "bytes_received:") {
            if Int(line[range.upperBound...].prefix { $0.isNumber }).map({ $0 > 0 }) == true { count += 1 }
        }
    }
    return count
}

/// The value of an unlabelled sample in a Prometheus exposition.
private func sample(_ exposition: String, _ name: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(name + " ") {
        return Double(line.dropFirst(name.count + 1))
    }
    return nil
}
