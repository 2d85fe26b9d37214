import ArgumentParser
import BusCLI
import BusCore
import BusMCP
import BusServer

/// `run-agent bus mcp`: the bus as MCP tools and resources over stdio, for agents that speak MCP.
struct McpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: ServicesLauncher.mcpAbstract,
        discussion: """
            Tools: bus_post, bus_read, bus_wait, bus_thread, bus_answer. Resources: bus://current and, with \
            --root, bus://{project} and bus://{project}/{task}. Bus: --bus, else JRUN_MESSAGE_BUS, else \
            --project[/--task] under the root, else discovery from the working folder (as for post). Posts carry \
            JRUN_PROJECT_ID, JRUN_TASK_ID and JRUN_ID where the agent leaves them out. Register it with \
            `claude mcp add run-agent-bus -- run-agent bus mcp`.
            """
    )

    @OptionGroup var location: BusLocationOptions

    @Flag(name: .long, help: "Do not fsync before unlocking (also JRUN_BUS_FSYNC=0).")
    var noFsync = false

    func run() throws {
        let environment = ProcessEnvironment.current()
        var server: BusMCPServer?
        try reportingErrors { () throws(BusError) in
            let path = try location.writePath(environment: environment)
            var writer = try WriterOptions.fromEnvironment(environment)
            if noFsync { writer.fsync = false }
            // The tailer watches the bus's folder: make `--project`/`--task` folders now, as a post would.
            withExtendedLifetime(try location.location.createParentFolders(environment: environment)) {}
            let configuration = MCPConfiguration(
                path: path,
                location: location.location,
                environment: environment,
                writer: writer,
                root: location.root.flatMap { $0.isEmpty ? nil : $0 },
                version: RunAgentMain.version
            )
            server = try BusMCPServer(configuration)
        }
        guard let server else { return }
        if let failure = BlockingTask.run({ try await server.runStdio() }) {
            Terminal.error("mcp: \(failure)")
            throw ExitCode(74)
        }
        server.stop()
    }
}

/// `/mcp` on `serve`: BusMCP's HTTP sessions behind BusServer's route, each side in its own plain types.
struct MCPEndpoint: ServedEndpoint {
    let sessions: MCPHTTPSessions

    func handle(_ request: EndpointRequest) async -> EndpointResponse {
        let reply = await sessions.handle(
            MCPHTTPRequest(method: request.method, headers: request.headers, body: request.body)
        )
        let body: EndpointResponse.Body =
            switch reply.body {
            case .bytes(let bytes): .bytes(bytes)
            case .stream(let chunks): .stream(chunks)
            }
        return EndpointResponse(status: reply.status, headers: reply.headers, body: body)
    }

    func close() async { await sessions.closeAll() }
}
