import AsyncHTTPClient
import BusTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `run-agent bus serve` (issue 10): the real binary on a free loopback port, real HTTP clients.
@Suite struct ServerTests {
    @Test func postAndListGiveTheContractShapes() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let health = try await http(.GET, server.url + "/healthz")
            #expect(health.status == 200)

            let full = """
                {"type":"FACT","body":"line one\\nline two","project_id":"p","task_id":"t","run_id":"r",
                 "parents":[{"msg_id":"MSG-A","kind":"reply","meta":{"k":"v"}},"MSG-B"],
                 "links":[{"url":"https://example.com/x","label":"x","kind":"doc"}],"meta":{"b":"2","a":"1"}}
                """
            let created = try await http(.POST, server.url + "/api/bus", body: full)
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json?["msg_id"] as? String)
            #expect(created.json?["timestamp"] is String)
            #expect(created.headers["Content-Type"].first == "application/json")

            // The list's JSON is the CLI's `read --json` line, byte for byte: one encoder.
            let list = try await http(.GET, server.url + "/api/bus")
            let cli = try sandbox.bus(["read", "--bus", bus, "--json"])
            #expect(list.body == "{\"messages\":[" + cli.stdout.dropLast() + "]}\n")
            let message = try #require(list.messages.first)
            #expect(message["msg_id"] as? String == id)
            #expect((message["parents"] as? [[String: Any]])?.count == 2)
            #expect(((message["parents"] as? [[String: Any]])?.first?["kind"]) as? String == "reply")
            #expect(((message["links"] as? [[String: Any]])?.first?["url"]) as? String == "https://example.com/x")
            #expect(message["meta"] as? [String: String] == ["a": "1", "b": "2"])
            #expect(message["body"] as? String == "line one\nline two")

            // Defaults: INFO on /api/bus, USER on conductor-loop's /api/v1/messages.
            let info = try await http(.POST, server.url + "/api/bus", body: #"{"body":"x","project_id":"p"}"#)
            let user = try await http(.POST, server.url + "/api/v1/messages", body: #"{"body":"y","project_id":"p"}"#)
            #expect(info.status == 201 && user.status == 201)
            let types = try await http(.GET, server.url + "/api/bus?limit=2").messages.map { $0["type"] as? String }
            #expect(types == ["INFO", "USER"])
            #expect(server.stop() == 0)
        }
    }

    @Test func sinceAndLimitPageForwardAndCompatibilityRoutesFilter() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            var ids: [String] = []
            for index in 0..<6 { ids.append(try await postJSON(server.url, "m\(index)")) }
            // since + limit: the first `limit` after the cursor (not the newest, Go's defect 7).
            #expect(try await http(.GET, server.url + "/api/bus?since=\(ids[1])&limit=2").ids == [ids[2], ids[3]])
            // limit alone: the newest, oldest first.
            #expect(try await http(.GET, server.url + "/api/bus?limit=2").ids == [ids[4], ids[5]])
            #expect(try await http(.GET, server.url + "/api/v1/messages?after=\(ids[4])").ids == [ids[5]])
            let unknown = try await http(.GET, server.url + "/api/bus?since=MSG-NOPE")
            #expect(unknown.status == 404 && unknown.errorCode == "NOT_FOUND")
            #expect(unknown.errorMessage.contains("MSG-NOPE"))

            // Project and task routes on one bus: posts carry the path's ids, lists filter by them.
            let onTask = try await http(
                .POST,
                server.url + "/api/projects/q/tasks/t1/messages",
                body: #"{"body":"task message","type":"FACT"}"#
            )
            #expect(onTask.status == 201, "\(onTask.body)")
            let taskList = try await http(.GET, server.url + "/api/projects/q/tasks/t1/messages")
            #expect(taskList.messages.map { $0["body"] as? String } == ["task message"])
            #expect(taskList.messages.first?["task_id"] as? String == "t1")
            #expect(try await http(.GET, server.url + "/api/projects/q/messages").ids.count == 1)
            #expect(try await http(.GET, server.url + "/api/projects/p/messages").ids == ids)
            #expect(try await http(.GET, server.url + "/api/bus?type=FACT").ids.count == 1)
            let conflict = try await http(
                .POST,
                server.url + "/api/projects/q/messages",
                body: #"{"body":"x","project_id":"other"}"#
            )
            #expect(conflict.status == 400 && conflict.errorMessage.contains("project_id"))
        }
    }

    @Test func rootLayoutSelectsTheProjectAndTaskBuses() async throws {
        try await withServerSandbox { sandbox in
            let root = sandbox.file("runs")
            let server = try ServedBus(sandbox, ["--root", root, "--no-fsync"])
            let posted = try await http(
                .POST,
                server.url + "/api/projects/demo/tasks/build/messages",
                body: #"{"body":"on the task bus"}"#
            )
            #expect(posted.status == 201, "\(posted.body)")
            let taskBus = root + "/demo/build/TASK-MESSAGE-BUS.md"
            let read = try sandbox.bus(["read", "--bus", taskBus])
            #expect(read.stdout.hasSuffix("(INFO) on the task bus\n"))
            let viaV1 = try await http(.GET, server.url + "/api/v1/messages?project_id=demo&task_id=build")
            #expect(viaV1.messages.map { $0["body"] as? String } == ["on the task bus"])
            let noProject = try await http(.POST, server.url + "/api/bus", body: #"{"body":"x"}"#)
            #expect(noProject.status == 400 && noProject.errorMessage.contains("project_id"))
            let missing = try await http(.GET, server.url + "/api/projects/nothing/messages")
            #expect(missing.status == 404)
        }
    }

    @Test func refusalsGiveTheirCodesAndLeaveTheFileUnchanged() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync", "--max-request", "64K"])
            _ = try await postJSON(server.url, "keep me")
            let before = readBytes(bus)
            let url = server.url + "/api/bus"

            let malformed = try await http(.POST, url, body: #"{"body":"x""#)
            #expect(malformed.status == 400 && malformed.errorCode == "BAD_REQUEST")
            #expect(malformed.errorMessage.contains("malformed JSON"))
            let unknown = try await http(.POST, url, body: #"{"body":"x","project_id":"p","parent":"MSG-1"}"#)
            #expect(unknown.status == 400 && unknown.errorMessage.contains("'parent'"))
            let wrongType = try await http(.POST, url, body: #"{"body":"x","project_id":"p","meta":{"k":1}}"#)
            #expect(wrongType.status == 400 && wrongType.errorMessage.contains("'meta.k'"))
            let nested = try await http(.POST, url, body: #"{"body":"x","project_id":"p","parents":[{"kind":"a"}]}"#)
            #expect(nested.status == 400 && nested.errorMessage.contains("'parents[0].msg_id'"))
            let controls = try await http(.POST, url, body: #"{"body":"x","project_id":"p","type":"A\nB"}"#)
            #expect(controls.status == 400)

            // Over the limit: 413 from the declared length, and from a chunked body as it arrives.
            let big = "{\"body\":\"" + String(repeating: "x", count: 200_000) + "\",\"project_id\":\"p\"}"
            let oversize = try await http(.POST, url, body: big)
            #expect(oversize.status == 413 && oversize.errorCode == "PAYLOAD_TOO_LARGE")
            let bigFile = sandbox.io + "/big.json"
            try big.write(toFile: bigFile, atomically: true, encoding: .utf8)
            let chunked = try curl(
                sandbox,
                ["-X", "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + bigFile, url]
            )
            #expect(chunked.status == 413, "\(chunked.body)")

            let wrongMethod = try await http(.DELETE, url)
            #expect(wrongMethod.status == 405 && wrongMethod.errorCode == "METHOD_NOT_ALLOWED")
            #expect(wrongMethod.headers["Allow"].first == "GET, POST")
            #expect(try await http(.POST, url + "/stream").status == 405)

            for id in ["..", "%2e%2e", "%2E%2E", "a%2Fb", "a%00b", "a%0Ab", "%5C"] {
                let reply = try curl(
                    sandbox,
                    ["--path-as-is", "-X", "POST", "-d", #"{"body":"x"}"#, server.url + "/api/projects/\(id)/messages"]
                )
                #expect(reply.status == 400, "\(id): \(reply.body)")
                let listed = try curl(sandbox, ["--path-as-is", server.url + "/api/projects/p/tasks/\(id)/messages"])
                #expect(listed.status == 400, "\(id): \(listed.body)")
            }
            #expect(readBytes(bus) == before)
            #expect(server.stop() == 0)
        }
    }

    @Test func tokenGuardsEveryRouteButHealthz() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(
                sandbox,
                ["--bus", bus, "--no-fsync"],
                environment: ["JRUN_API_TOKEN": "s3cret"]
            )
            let body = #"{"body":"x","project_id":"p"}"#
            #expect(try await http(.GET, server.url + "/healthz").status == 200)
            let missing = try await http(.POST, server.url + "/api/bus", body: body)
            #expect(missing.status == 401 && missing.errorCode == "UNAUTHORIZED")
            let wrong = try await http(.GET, server.url + "/api/bus", headers: [("Authorization", "Bearer s3cre")])
            #expect(wrong.status == 401)
            #expect(try await http(.GET, server.url + "/metrics").status == 401)
            #expect(!FileManager.default.fileExists(atPath: bus) || readBytes(bus).isEmpty)
            let bearer = try await http(
                .POST,
                server.url + "/api/bus",
                body: body,
                headers: [("Authorization", "Bearer s3cret")]
            )
            #expect(bearer.status == 201)
            let apiKey = try await http(.GET, server.url + "/api/bus", headers: [("X-API-Key", "s3cret")])
            #expect(apiKey.status == 200 && apiKey.ids.count == 1)
        }
    }

    @Test func nonLoopbackWithoutTokenWarns() async throws {
        try await withServerSandbox { sandbox in
            let server = try ServedBus(sandbox, ["--bus", sandbox.file("bus.md"), "--host", "0.0.0.0"])
            #expect(waitUntil(deadline: .seconds(10)) { server.child.stderr.contains("without a token") })
            #expect(server.stop(signal: SIGINT) == 0)
        }
    }

    @Test func lockTimeoutIs503WithRetryAfterAndExit75OnTheClient() async throws {
        try await withServerSandbox { sandbox in
            let (bus, server) = try ServedBus.onEmptyBus(sandbox, lockTimeout: "0.3")
            let holder = try sandbox.start("/usr/bin/flock", ["-x", "-o", bus, "sleep", "300"])
            defer { holder.kill() }
            // flock(1) has the lock once a local post times out.
            #expect(
                waitUntil(deadline: .seconds(10)) {
                    (try? sandbox.bus(
                        ["post", "--bus", bus, "--project", "p", "--body", "x"],
                        environment: ["JRUN_BUS_LOCK_TIMEOUT": "0.05"]
                    ).status) == 75
                }
            )
            let reply = try await http(.POST, server.url + "/api/bus", body: #"{"body":"x","project_id":"p"}"#)
            #expect(reply.status == 503 && reply.errorCode == "SERVICE_UNAVAILABLE")
            #expect(reply.headers["Retry-After"].first == "1")
            let client = try sandbox.bus(["post", "--server", server.url, "--project", "p", "--body", "x"])
            #expect(client.status == 75, "\(client.stderr)")
            #expect(client.stderr.contains("timed out"))
            holder.kill()
            #expect(readBytes(bus).isEmpty)
        }
    }

    @Test func concurrentClientsAndCLIWritersEachLandOnceInOrder() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let writers = try (0..<4).map { writer in
                try sandbox.start(
                    "/bin/sh",
                    [
                        "-c",
                        "for i in $(seq 0 24); do \(Binary.path) bus post --bus \(bus) --project p --no-fsync --body cli-\(writer)-$i || exit 1; done",
                    ]
                )
            }
            let url = server.url
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<16 {
                    group.addTask {
                        for index in 0..<200 {
                            let body = "client-\(client)-\(index) \u{2603}\n\ttabbed"
                            _ = try await postJSON(url, body)
                        }
                    }
                }
                try await group.waitForAll()
            }
            for writer in writers { #expect(writer.waitForExit(timeout: .seconds(120))) }
            let messages = try sandbox.bus(["read", "--bus", bus, "--tail", "0", "--json"]).jsonObjects()
            let bodies = messages.compactMap { $0["body"] as? String }
            let expectedCount = 3300
            #expect(bodies.count == expectedCount)
            #expect(Set(bodies).count == bodies.count)
            for client in 0..<16 {
                let own = bodies.filter { $0.hasPrefix("client-\(client)-") }
                #expect(own == (0..<200).map { "client-\(client)-\($0) \u{2603}\n\ttabbed" })
            }
            for writer in 0..<4 {
                #expect(bodies.filter { $0.hasPrefix("cli-\(writer)-") } == (0..<25).map { "cli-\(writer)-\($0)" })
            }
            // Group commit batched some posts (the histogram counts batches, fewer than posts).
            let metrics = try await http(.GET, server.url + "/metrics").body
            #expect(metrics.contains("bus_appends_total 3200"))
        }
    }
}
