package import BusCore
package import MCP

/// `run-agent bus mcp`: the bus as MCP tools and resources, over any transport of the SDK.
///
/// One instance serves one chosen bus; `makeServer()` gives an MCP `Server` per connection (stdio has one; the
/// in-memory tests and HTTP sessions may have several), all sharing the bus's feed and writer.
package final class BusMCPServer: Sendable {
    private let bus: ServedBus

    package static let name = "run-agent-bus"
    static let instructions = """
        A shared message bus for the agents working on this project. Post what others should know with \
        bus_post (FACT, PROGRESS, DECISION, QUESTION, DONE); read what they posted with bus_read, keeping its \
        cursor; block for news with bus_wait; answer a QUESTION with bus_answer; follow a conversation with \
        bus_thread.
        """

    /// - Throws: `BusError` when the bus's folder cannot be watched or its path is refused.
    package init(_ configuration: MCPConfiguration) throws(BusError) {
        bus = try ServedBus(configuration)
    }

    /// A new MCP server with the bus's tools and resources, not yet started.
    package func makeServer() async -> Server {
        await makeConnection().server
    }

    /// A new MCP server and the resource subscriptions its client will make (to end with it).
    func makeConnection() async -> MCPConnection {
        let server = Server(
            name: Self.name,
            version: bus.configuration.version,
            instructions: Self.instructions,
            capabilities: .init(resources: .init(subscribe: true, listChanged: false), tools: .init(listChanged: false))
        )
        let tools = BusTools(bus: bus)
        let resources = BusResources(bus: bus)
        let subscriptions = ResourceSubscriptions(resources)
        let reference = ServerReference(server)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: ToolCatalog.tools) }
        await server.withMethodHandler(CallTool.self) { params in
            await tools.call(params.name, arguments: params.arguments)
        }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: resources.list(), nextCursor: nil)
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: resources.templates(), nextCursor: nil)
        }
        await server.withMethodHandler(ReadResource.self) { params in
            do throws(BusMCPError) {
                let json = try resources.read(params.uri)
                return ReadResource.Result(contents: [.text(json, uri: params.uri, mimeType: "application/json")])
            } catch {
                throw MCPError.invalidParams(error.description)
            }
        }
        await server.withMethodHandler(ResourceSubscribe.self) { params in
            do throws(BusMCPError) {
                try subscriptions.subscribe(params.uri) { uri in
                    Task { await reference.notifyUpdated(uri) }
                }
            } catch {
                throw MCPError.invalidParams(error.description)
            }
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            subscriptions.unsubscribe(params.uri)
            return Empty()
        }
        return MCPConnection(server: server, subscriptions: subscriptions)
    }

    /// Serves one client over stdin and stdout until stdin closes (see `LineStdioTransport` for why not the
    /// SDK's `StdioTransport`).
    package func runStdio() async throws {
        let server = await makeServer()
        try await server.start(transport: LineStdioTransport())
        await server.waitUntilCompleted()
        await server.stop()
    }

    /// How many waits and subscriptions listen to the bus's feed (for tests).
    var feedListenerCount: Int { bus.feed.listenerCount }

    /// Stops the bus's tailing thread.
    package func stop() { bus.stop() }
}

/// One client's MCP server and its resource subscriptions.
struct MCPConnection: Sendable {
    let server: Server
    let subscriptions: ResourceSubscriptions

    /// Ends the subscriptions (their listeners leave the feeds) and the server.
    func stop() async {
        subscriptions.removeAll()
        await server.stop()
    }
}

/// The server a connection's handlers notify, held weakly: the handlers are stored in the server itself.
private final class ServerReference: Sendable {
    private weak let server: Server?

    init(_ server: Server) { self.server = server }

    func notifyUpdated(_ uri: String) async {
        try? await server?.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
    }
}
