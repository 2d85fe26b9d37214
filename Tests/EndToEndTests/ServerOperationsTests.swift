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
            let (bus, server) = try ServedBus.onEmptyBus(sandbox, lockTimeout: "600")
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
            #expect(poster.waitForExit(timeout: .seconds(120)))
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
            let (bus, server) = try ServedBus.onEmptyBus(sandbox, lockTimeout: "600")
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
                #expect(poster.waitForExit(timeout: .seconds(120)))
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

    @Test func compatibilityRoutesCapTheLimitAt5000() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let total = 5003
            var text = ""
            for index in 1...total {
                text +=
                    "---\nmsg_id: MSG-CAP-\(index)\nts: 2026-11-26T14:42:16Z\ntype: FACT\nproject_id: p\n"
                    + "task_id: \"\"\nrun_id: \"\"\n---\nm\(index)\n"
            }
            try writeBytes(bus, Array(text.utf8))
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let newest = (4...total).map { "MSG-CAP-\($0)" }
            for route in ["/api/v1/messages", "/api/projects/p/messages"] {
                let reply = try await http(.GET, server.url + route + "?limit=99999")
                #expect(reply.status == 200, "\(route): \(reply.body.prefix(200))")
                #expect(reply.ids == newest, "\(route): \(reply.ids.count) messages")
            }
            // Without a limit too: at most 5000.
            #expect(try await http(.GET, server.url + "/api/v1/messages").ids.count == 5000)
            // With a cursor: the first 5000 after it.
            let paged = try await http(.GET, server.url + "/api/projects/p/messages?since=MSG-CAP-1&limit=99999")
            #expect(paged.ids == (2...5001).map { "MSG-CAP-\($0)" })
        }
    }

    @Test func projectAndTaskStreamsDeliverTheirPosts() async throws {
        try await withServerSandbox { sandbox in
            let root = sandbox.file("runs")
            let server = try ServedBus(sandbox, ["--root", root, "--no-fsync"])
            // A stream of a bus that does not exist yet is 404, as a list is; the first post creates the bus.
            let missing = try curl(sandbox, ["--max-time", "5", server.url + "/api/projects/demo/messages/stream"])
            #expect(missing.status == 404, "\(missing.body)")
            for path in [
                "/api/projects/demo/messages", "/api/projects/demo/tasks/build/messages",
                "/api/projects/demo/tasks/lint/messages",
            ] {
                let created = try await http(.POST, server.url + path, body: #"{"body":"first"}"#)
                #expect(created.status == 201, "\(path): \(created.body)")
            }
            let project = StreamReader(sandbox, server.url + "/api/projects/demo/messages/stream?limit=0")
            let task = StreamReader(sandbox, server.url + "/api/projects/demo/tasks/build/messages/stream?limit=0")
            let other = StreamReader(sandbox, server.url + "/api/projects/demo/tasks/lint/messages/stream?limit=0")
            for reader in [project, task, other] { #expect(reader.waitConnected(), "\(reader.raw)") }

            let onProject = try await http(.POST, server.url + "/api/projects/demo/messages", body: #"{"body":"p"}"#)
            #expect(onProject.status == 201, "\(onProject.body)")
            let onTask = try await http(
                .POST,
                server.url + "/api/projects/demo/tasks/build/messages",
                body: #"{"body":"t"}"#
            )
            #expect(onTask.status == 201, "\(onTask.body)")
            let projectID = try #require(onProject.json?["msg_id"] as? String)
            let taskID = try #require(onTask.json?["msg_id"] as? String)

            #expect(project.wait(messages: 1), "\(project.raw)")
            #expect(project.messageIDs == [projectID])
            #expect(task.wait(messages: 1), "\(task.raw)")
            #expect(task.messageIDs == [taskID])
            let event = try #require(task.events.first { $0.name == "message" })
            let decoded = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
            #expect(decoded?["task_id"] as? String == "build" && decoded?["body"] as? String == "t")
            // Another task's stream (its own bus) gets neither.
            #expect(project.messageIDs == [projectID] && other.messageIDs.isEmpty)
        }
    }
}

/// Posts `{"body": body, "project_id": "p"}` with curl in a child process; its stdout ends with the status.
private func startPost(_ sandbox: Sandbox, _ url: String, _ body: String) throws -> Child {
    let json = "{\"body\":" + jsonString(body) + ",\"project_id\":\"p\"}"
    return try sandbox.start(
        "/usr/bin/curl",
        ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "600", "-X", "POST", "-d", json, url + "/api/bus"]
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
