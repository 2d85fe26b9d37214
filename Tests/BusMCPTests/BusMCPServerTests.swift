import BusCore
import Foundation
import MCP
import Testing

@testable import BusMCP

@Suite("MCP tools over the SDK's in-memory transport")
struct BusMCPToolTests {
    @Test("tools/list names the five tools, each with an object schema and a description")
    func listsTools() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let (tools, _) = try await harness.client.listTools()
        #expect(tools.map(\.name) == ["bus_post", "bus_read", "bus_wait", "bus_thread", "bus_answer"])
        for tool in tools {
            #expect(tool.inputSchema.objectValue?["type"]?.stringValue == "object")
            #expect((tool.description ?? "").count > 40)
        }
    }

    @Test("bus_post writes through the locked writer with the agent's context; bus_read returns it as CONTRACT JSON")
    func postAndRead() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let body = "Build passed on linux-x86_64 ✅\n第二行: 日本語と中文\n\n  indented line"
        let posted = try await harness.call(
            "bus_post",
            ["type": "FACT", "body": .string(body), "meta": ["agent": "claude"]]
        )
        let id = try #require(posted["msg_id"] as? String)
        #expect(id.hasPrefix("MSG-"))
        #expect((posted["timestamp"] as? String)?.hasSuffix("Z") == true)

        let file = try harness.fileMessages()
        #expect(file.count == 1)
        #expect(file.first?.body == body)
        #expect(file.first?.projectID == MCPHarness.project)
        #expect(file.first?.taskID == MCPHarness.task)
        #expect(file.first?.runID == "run-20261126-090000-claude")
        #expect(file.first?.meta == ["agent": "claude"])

        let read = try await harness.call("bus_read")
        let message = try #require(messages(read).first)
        #expect(message["msg_id"] as? String == id)
        #expect(message["body"] as? String == body)
        #expect(message["type"] as? String == "FACT")
        #expect(message["project_id"] as? String == MCPHarness.project)
        #expect(message["task_id"] as? String == MCPHarness.task)
        #expect((message["meta"] as? [String: String]) == ["agent": "claude"])
        #expect(read["cursor"] as? String == id)
    }

    @Test("bus_read: newest `limit` oldest first, cursor paging, type, task and text filters")
    func readFilters() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        var ids: [String] = []
        for index in 1...6 {
            ids.append(try await harness.post("note \(index) 🚀", type: index % 2 == 0 ? "QUESTION" : "FACT"))
        }
        _ = try await harness.call(
            "bus_post",
            ["type": "FACT", "body": "other task", "task_id": "task-20261126-090500-tests"]
        )

        #expect(bodies(try await harness.call("bus_read", ["limit": 2])) == ["note 6 🚀", "other task"])
        let page = try await harness.call("bus_read", ["since": .string(ids[1]), "limit": 2])
        #expect(bodies(page) == ["note 3 🚀", "note 4 🚀"])
        let cursor = try #require(page["cursor"] as? String)
        #expect(cursor == ids[3])
        let next = try await harness.call("bus_read", ["since": .string(cursor)])
        #expect(bodies(next) == ["note 5 🚀", "note 6 🚀", "other task"])
        let end = try #require(next["cursor"] as? String)
        #expect(bodies(try await harness.call("bus_read", ["since": .string(end)])).isEmpty)

        #expect(
            bodies(try await harness.call("bus_read", ["types": ["QUESTION"]])) == ["note 2 🚀", "note 4 🚀", "note 6 🚀"]
        )
        #expect(bodies(try await harness.call("bus_read", ["task_id": "task-20261126-090500-tests"])) == ["other task"])
        #expect(bodies(try await harness.call("bus_read", ["text": "NOTE 5"])) == ["note 5 🚀"])
    }

    @Test("bus_wait returns a message another writer appends, woken by the tailer")
    func waitForAppend() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let (path, server) = (harness.path, harness.server)
        // Appending before the wait took its starting point made it wait for a later message (CI, under load).
        let writer = Task.detached {
            try await MCPHarness.untilWaiting(server)
            _ = try BusWriter(path: path, options: WriterOptions(fsync: false))
                .post(MessageDraft(type: "ANSWER", projectID: "demo", body: "from another writer 🌏"))
        }
        let result = try await harness.call("bus_wait", ["types": ["ANSWER"], "timeout_s": 120])
        #expect(bodies(result) == ["from another writer 🌏"])
        #expect(result["timed_out"] as? Bool == false)
        try await writer.value
    }

    /// A wait that started before the bus was replaced by a file already longer than the old one skipped the new
    /// file's first messages (its index into the cleared log was kept; review of issue 12).
    @Test("bus_wait after the bus is replaced by a longer file returns the new file's messages from its start")
    func waitAcrossAReplacement() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        for index in 0..<3 { _ = try await harness.post("before \(index)") }
        let (path, server) = (harness.path, harness.server)
        let replacement = harness.folder + "/replacement.md"
        let replacer = Task.detached {
            try await MCPHarness.untilWaiting(server)
            let writer = BusWriter(path: replacement, options: WriterOptions(fsync: false))
            for index in 0..<5 {
                _ = try writer.post(MessageDraft(type: "ANSWER", projectID: "demo", body: "replacement \(index)"))
            }
            guard rename(replacement, path) == 0 else { throw POSIXError(.EIO) }
        }
        let result = try await harness.call("bus_wait", ["types": ["ANSWER"], "timeout_s": 30])
        try await replacer.value
        #expect(bodies(result) == (0..<5).map { "replacement \($0)" })
    }

    @Test("bus_wait: since returns what is already there; a filter ignores other types; timeout gives an empty list")
    func waitSinceAndTimeout() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let first = try await harness.post("question?", type: "QUESTION")
        _ = try await harness.post("progress", type: "PROGRESS")
        let already = try await harness.call("bus_wait", ["since": .string(first), "timeout_s": 5])
        #expect(bodies(already) == ["progress"])

        let start = ContinuousClock.now
        let none = try await harness.call("bus_wait", ["types": ["ANSWER"], "timeout_s": 0.3])
        #expect(bodies(none).isEmpty)
        #expect(none["timed_out"] as? Bool == true)
        #expect(start.duration(to: .now) >= .milliseconds(250))
    }

    @Test("bus_thread gives ancestors oldest first and the replies as a tree; bus_answer sets the parent and type")
    func threadAndAnswer() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let root = try await harness.post("Which port does the API use?", type: "QUESTION")
        let answer = try await harness.call("bus_answer", ["msg_id": .string(root), "body": "14355"])
        let answerID = try #require(answer["msg_id"] as? String)
        let followUp = try await harness.call(
            "bus_answer",
            ["msg_id": .string(answerID), "body": "thanks\nsecond line"]
        )
        let followUpID = try #require(followUp["msg_id"] as? String)
        _ = try await harness.post("unrelated")

        let file = try harness.fileMessages()
        #expect(file.map(\.type) == ["QUESTION", "ANSWER", "FACT", "FACT"])
        #expect(file[1].parents.map(\.msgID) == [root])
        #expect(file[2].parents.map(\.msgID) == [answerID])

        let thread = try await harness.call("bus_thread", ["msg_id": .string(answerID)])
        #expect((thread["ancestors"] as? [[String: Any]])?.compactMap { $0["msg_id"] as? String } == [root])
        #expect((thread["message"] as? [String: Any])?["body"] as? String == "14355")
        let replies = try #require(thread["replies"] as? [[String: Any]])
        #expect(replies.count == 1)
        #expect((replies.first?["message"] as? [String: Any])?["msg_id"] as? String == followUpID)
        #expect((replies.first?["replies"] as? [Any])?.isEmpty == true)

        let top = try await harness.call("bus_thread", ["msg_id": .string(root)])
        let tree = try #require(top["replies"] as? [[String: Any]])
        let nested = try #require(tree.first?["replies"] as? [[String: Any]])
        #expect((nested.first?["message"] as? [String: Any])?["body"] as? String == "thanks\nsecond line")

        let typed = try await harness.call(
            "bus_answer",
            ["msg_id": .string(root), "body": "decided", "type": "DECISION"]
        )
        #expect(typed["msg_id"] is String)
        #expect(try harness.fileMessages().last?.type == "DECISION")
    }
}

@Suite("MCP errors: isError results with the CLI's messages, nothing written")
struct BusMCPErrorTests {
    /// Calls that must be refused: missing or mistyped arguments, values out of range, unknown ids and tools.
    static let refusedCalls: [(String, [String: Value])] = [
        ("bus_post", [:]),
        ("bus_post", ["type": "FACT", "body": .int(42)]),
        ("bus_post", ["body": "no type"]),
        ("bus_post", ["body": "x", "type": ""]),
        ("bus_post", ["body": "x", "type": "TWO\nLINES"]),
        ("bus_post", ["type": "FACT", "body": "x", "meta": .object(["k": .int(1)])]),
        ("bus_post", ["type": "FACT", "body": "x", "parents": .array([.int(1)])]),
        ("bus_read", ["limit": .int(0)]),
        ("bus_read", ["limit": .int(501)]),
        ("bus_read", ["since": "MSG-20261126-090000-000000000-PID00001-0001"]),
        ("bus_wait", ["timeout_s": .int(301)]),
        ("bus_wait", ["timeout_s": "soon"]),
        ("bus_thread", ["msg_id": "MSG-20261126-090000-000000000-PID00001-0001"]),
        ("bus_answer", ["msg_id": "MSG-20261126-090000-000000000-PID00001-0001", "body": "x"]),
        ("bus_nope", [:]),
    ]

    @Test("invalid input is refused before anything is written", arguments: refusedCalls)
    func refused(tool: String, arguments: [String: Value]) async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let (text, isError) = try await harness.callRaw(tool, arguments)
        #expect(isError, "\(tool) \(arguments) gave \(text)")
        #expect(!text.isEmpty && !text.contains("\n"))
        #expect(harness.fileBytes().isEmpty)
    }

    @Test("the messages are the CLI's: unknown since, invalid type, body over the limit, unknown argument")
    func messagesMatchTheCLI() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let missing = "MSG-20261126-090000-000000000-PID00001-0001"
        let (since, _) = try await harness.callRaw("bus_read", ["since": .string(missing)])
        #expect(since == BusError.sinceNotFound(id: missing, path: harness.path).description)
        let (type, _) = try await harness.callRaw("bus_post", ["body": "x", "type": ""])
        #expect(type == BusError.invalidMessage("type is empty", path: harness.path).description)
        let big = String(repeating: "a", count: RecordFormat.defaultMaxBodyBytes + 1)
        let (size, _) = try await harness.callRaw("bus_post", ["type": "FACT", "body": .string(big)])
        #expect(size.hasPrefix("invalid message for \(harness.path): body is"))
        let (unknown, _) = try await harness.callRaw("bus_read", ["sinse": "x"])
        #expect(unknown.hasPrefix("invalid input: argument 'sinse' is not known"))
        #expect(harness.fileBytes().isEmpty)
    }

    @Test("a symlinked bus is refused with the CLI's message and its target is left alone")
    func refusedPath() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        let target = harness.folder + "/target.md"
        try Data().write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: harness.path, withDestinationPath: target)
        let (text, isError) = try await harness.callRaw("bus_post", ["type": "FACT", "body": "x"])
        #expect(isError)
        #expect(text == BusError.symlink(path: harness.path).description)
        #expect(FileManager.default.contents(atPath: target)?.isEmpty == true)
    }

    @Test("a lock held past JRUN_BUS_LOCK_TIMEOUT is a lock-timeout result, and the bus is unchanged")
    func lockTimeout() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        _ = try await harness.post("before the lock")
        let before = harness.fileBytes()
        let holder = open(harness.path, O_RDONLY)
        #expect(holder >= 0)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        let timed = try BusMCPServer(
            MCPConfiguration(
                path: harness.path,
                location: BusLocation(bus: harness.path),
                environment: [:],
                writer: WriterOptions(fsync: false, lockWait: LockWait(timeout: .milliseconds(200))),
                root: nil,
                version: "test"
            )
        )
        defer { timed.stop() }
        let server = await timed.makeServer()
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        let client = Client(name: "lock-test", version: "1.0")
        try await client.connect(transport: clientTransport)
        let (content, isError) = try await client.callTool(name: "bus_post", arguments: ["type": "FACT", "body": "x"])
        #expect(isError == true)
        guard case .text(let text, _, _)? = content.first else { throw CancellationError() }
        #expect(text == BusError.lockTimeout(path: harness.path, seconds: 0.2).description)
        #expect(harness.fileBytes() == before)
        await client.disconnect()
        await server.stop()
    }

    @Test("malformed JSON-RPC gets an error response and the server keeps serving")
    func malformedRequest() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bus-mcp-raw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("MESSAGE-BUS.md").path
        let bus = try BusMCPServer(
            MCPConfiguration(
                path: path,
                location: BusLocation(bus: path),
                environment: [:],
                writer: WriterOptions(fsync: false),
                root: nil,
                version: "test"
            )
        )
        defer { bus.stop() }
        let server = await bus.makeServer()
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        try await clientTransport.connect()
        let replies = await clientTransport.receive()
        var iterator = replies.makeAsyncIterator()
        for garbage in ["{not json", "[]", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":5}"] {
            try await clientTransport.send(Data(garbage.utf8))
            let reply = try #require(try await iterator.next())
            #expect(String(decoding: reply, as: UTF8.self).contains("\"error\""))
        }
        let call = #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"bus_read","arguments":{}}}"#
        try await clientTransport.send(Data(call.utf8))
        let reply = String(decoding: try #require(try await iterator.next()), as: UTF8.self)
        #expect(reply.contains("\"id\":8"))
        #expect(reply.contains("\"isError\":false"))
        await server.stop()
    }
}

@Suite("MCP resources")
struct BusMCPResourceTests {
    @Test("bus://current reads the newest 50 messages; a subscription is told of an append")
    func currentResource() async throws {
        let harness = try await MCPHarness()
        defer { harness.close() }
        for index in 1...55 { _ = try await harness.post("message \(index)") }
        let contents = try await harness.client.readResource(uri: "bus://current")
        let text = try #require(contents.first?.text)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let listed = bodies(object)
        #expect(listed.count == 50)
        #expect(listed.first == "message 6")
        #expect(listed.last == "message 55")

        let (updates, continuation) = AsyncStream<String>.makeStream()
        await harness.client.onNotification(ResourceUpdatedNotification.self) { message in
            continuation.yield(message.params.uri)
        }
        try await harness.client.subscribeToResource(uri: "bus://current")
        _ = try BusWriter(path: harness.path, options: WriterOptions(fsync: false))
            .post(MessageDraft(type: "FACT", projectID: "demo", body: "appended by another writer"))
        var iterator = updates.makeAsyncIterator()
        let uri = await iterator.next()
        #expect(uri == "bus://current")
    }

    @Test("with --root: project and task buses are listed and read; a bad id or unknown URI is refused")
    func rootResources() async throws {
        let harness = try await MCPHarness(root: true)
        defer { harness.close() }
        _ = try await harness.post("on the task bus")
        let (resources, _) = try await harness.client.listResources()
        #expect(resources.map(\.uri) == ["bus://current", "bus://demo/task-20261126-090000-api"])
        let contents = try await harness.client.readResource(uri: "bus://demo/task-20261126-090000-api")
        #expect(contents.first?.text?.contains("on the task bus") == true)
        await #expect(throws: (any Error).self) { _ = try await harness.client.readResource(uri: "bus://../etc") }
        await #expect(throws: (any Error).self) { _ = try await harness.client.readResource(uri: "file:///etc/passwd") }
    }
}
