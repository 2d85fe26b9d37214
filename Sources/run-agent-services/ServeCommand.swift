import ArgumentParser
import BusCLI
import BusCore
import BusMCP
import BusServer

/// `run-agent bus serve`: the HTTP API (CONTRACT section 7) over the same writer and tailer.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: ServicesLauncher.serveAbstract,
        discussion: """
            Bus: --bus PATH serves one file; --root (else JRUN_MESSAGE_BUS as one file, else the runs root) \
            serves <root>/<project>[/<task>] buses selected by project_id/task_id. With --token or \
            JRUN_API_TOKEN every route but /healthz needs Authorization: Bearer <token> or X-API-Key. \
            --port 0 picks a free port; the URL is always the first line on stdout. SIGINT/SIGTERM shut \
            down gracefully (exit 0). A single bus is also served to MCP clients at /mcp (streamable HTTP; \
            the tools of `run-agent bus mcp`).
            """
    )

    @Option(name: .long, help: "Address to listen on (a non-loopback one without a token is warned about).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port (0: any free port).")
    var port = 14355

    @Option(name: .long, help: "Serve this one bus file.")
    var bus: String?

    @Option(name: .long, help: "Serve the project and task buses under this runs root.")
    var root: String?

    @Option(name: .long, help: "Require this token (default: JRUN_API_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Seconds between SSE heartbeats (decimals allowed).")
    var heartbeat = "30"

    @Option(name: .long, help: "Largest request body (bytes, or with K/M/G).")
    var maxRequest = "4M"

    @Option(name: .long, help: "Events a stream client may fall behind by before it is dropped.")
    var clientBuffer = 8192

    @Flag(name: .long, help: "One locked write and fsync per post (the benchmark's baseline).")
    var noGroupCommit = false

    @Flag(name: .long, help: "Do not fsync appends (also JRUN_BUS_FSYNC=0).")
    var noFsync = false

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard clientBuffer > 0 else { throw ValidationError("--client-buffer must be positive, got \(clientBuffer)") }
        guard ServerConfiguration.isLogLevel(logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard bus == nil || root == nil else { throw ValidationError("--bus and --root exclude each other") }
    }

    func run() throws {
        var serverConfiguration: ServerConfiguration?
        try reportingErrors { () throws(BusError) in
            serverConfiguration = try makeConfiguration(ProcessEnvironment.current())
        }
        guard let serverConfiguration else { return }
        let outcome = BlockingTask.run {
            try await BusHTTPServer.run(serverConfiguration) { url in Terminal.out(url + "\n") }
        }
        if let failure = outcome {
            if let busError = failure as? BusError {
                Terminal.error(busError.description)
                throw ExitCode(busError.exitCode)
            }
            Terminal.error("serve: \(failure)")
            throw ExitCode(74)
        }
    }

    private func makeConfiguration(_ environment: [String: String]) throws(BusError) -> ServerConfiguration {
        let buses: ServedBuses
        if let bus, !bus.isEmpty {
            buses = .single(path: BusPaths.absolute(bus))
        } else if let root, !root.isEmpty {
            buses = .root(BusPaths.absolute(root))
        } else if let fromEnvironment = environment["JRUN_MESSAGE_BUS"], !fromEnvironment.isEmpty {
            buses = .single(path: BusPaths.absolute(fromEnvironment))
        } else {
            buses = .root(BusPaths.absolute(BusPaths.root(flag: nil, environment: environment)))
        }
        var configuration = ServerConfiguration(buses: buses)
        configuration.host = host
        configuration.port = port
        configuration.token = token ?? environment["JRUN_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.heartbeat = try SettingParser.seconds(heartbeat, name: "--heartbeat")
        guard configuration.heartbeat > .zero else {
            throw .invalidSetting(name: "--heartbeat", value: heartbeat, expected: "a positive number of seconds")
        }
        configuration.maxRequestBytes = try SettingParser.byteSize(maxRequest, name: "--max-request")
        configuration.clientBuffer = clientBuffer
        configuration.groupCommit = !noGroupCommit
        configuration.writer = try WriterOptions.fromEnvironment(environment)
        if noFsync { configuration.writer.fsync = false }
        configuration.logLevel = logLevel
        if case .single(let path) = buses {
            // The MCP tools over streamable HTTP at /mcp, on the same bus (one bus: a root has no current one).
            let mcp = MCPConfiguration(
                path: path,
                location: BusLocation(bus: path),
                environment: environment,
                writer: configuration.writer,
                root: nil,
                version: RunAgentMain.version
            )
            configuration.mcp = MCPEndpoint(sessions: MCPHTTPSessions(mcp))
        }
        return configuration
    }
}
