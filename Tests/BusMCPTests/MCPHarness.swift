import BusCore
import Foundation
import MCP
import Testing

@testable import BusMCP

/// A bus in a fresh temporary folder, served by `BusMCPServer` to an SDK client over the in-memory transport.
final class MCPHarness: Sendable {
    let folder: String
    let path: String
    let server: BusMCPServer
    let client: Client
    private let mcpServer: Server

    static let project = "demo"
    static let task = "task-20261126-090000-api"

    /// - Parameters:
    ///   - root: serve `bus://{project}` resources under the folder (as `--root` does).
    ///   - environment: the agent's context (`JRUN_ID` and the like).
    /// - Throws: when the folder cannot be made or the client cannot connect.
    init(root: Bool = false, environment: [String: String] = ["JRUN_ID": "run-20261126-090000-claude"]) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bus-mcp-tests-\(UUID().uuidString)")
        folder = url.path
        let taskFolder = url.appendingPathComponent(Self.project).appendingPathComponent(Self.task)
        try FileManager.default.createDirectory(at: taskFolder, withIntermediateDirectories: true)
        path = taskFolder.appendingPathComponent("TASK-MESSAGE-BUS.md").path
        let configuration = MCPConfiguration(
            path: path,
            location: BusLocation(bus: path),
            environment: environment,
            writer: WriterOptions(fsync: false),
            root: root ? folder : nil,
            version: "test"
        )
        server = try BusMCPServer(configuration)
        mcpServer = await server.makeServer()
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await mcpServer.start(transport: serverTransport)
        client = Client(name: "bus-mcp-tests", version: "1.0")
        try await client.connect(transport: clientTransport)
    }

    /// Stops the bus's tailer and removes the folder now; the client and server connection end in the background.
    func close() {
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
        let (client, mcpServer) = (client, mcpServer)
        Task {
            await client.disconnect()
            await mcpServer.stop()
        }
    }

    /// Calls a tool and returns its JSON answer parsed, failing the test on `isError`.
    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [String: Any] {
        let (text, isError) = try await callRaw(name, arguments)
        #expect(isError == false, "\(name) failed: \(text)")
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    /// Calls a tool and returns its text and `isError`.
    func callRaw(_ name: String, _ arguments: [String: Value] = [:]) async throws -> (String, Bool) {
        let (content, isError) = try await client.callTool(name: name, arguments: arguments)
        guard case .text(text: let text, _, _)? = content.first else {
            Issue.record("no text content")
            return ("", isError ?? false)
        }
        return (text, isError ?? false)
    }

    /// Posts through the tool and returns the new msg_id.
    func post(_ body: String, type: String = "FACT", parents: [String] = []) async throws -> String {
        var arguments: [String: Value] = ["type": .string(type), "body": .string(body)]
        if !parents.isEmpty { arguments["parents"] = .array(parents.map { .string($0) }) }
        let result = try await call("bus_post", arguments)
        return try #require(result["msg_id"] as? String)
    }

    /// The messages on the bus file, read by the engine's reader.
    func fileMessages() throws -> [BusMessage] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try BusReader.read(path).messages
    }

    /// Returns once a `bus_wait` listens to the feed (or the deadline passed).
    ///
    /// A listening wait has taken its starting point, so what a test appends next is, for certain, after it. It
    /// counts every listener, resource subscriptions too: call it only while no subscription is open.
    static func untilWaiting(_ server: BusMCPServer, deadline: Duration = .seconds(60)) async throws {
        let end = ContinuousClock.now + deadline
        while server.feedListenerCount == 0 {
            guard ContinuousClock.now < end else {
                Issue.record("no bus_wait was listening within \(deadline)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Bytes of the bus file (empty when there is none).
    func fileBytes() -> Data { FileManager.default.contents(atPath: path) ?? Data() }
}

/// The `messages` of a read or wait answer.
func messages(_ result: [String: Any]) -> [[String: Any]] {
    result["messages"] as? [[String: Any]] ?? []
}

/// Bodies of the `messages` of a read or wait answer.
func bodies(_ result: [String: Any]) -> [String] {
    messages(result).compactMap { $0["body"] as? String }
}
