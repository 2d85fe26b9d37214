import BusCore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `run-agent bus serve`: the HTTP API over the locked writer and one tailer per bus.
package enum BusHTTPServer {
    /// Runs until SIGINT or SIGTERM, then shuts down gracefully: streams are ended, in-flight posts finish
    /// and are answered, and the call returns.
    /// - Parameters:
    ///   - configuration: what to serve and how.
    ///   - onListening: called once with the server's URL (`http://127.0.0.1:PORT`), when it accepts
    ///     connections.
    /// - Throws: a bind failure, or `BusError` when the single bus cannot be followed.
    package static func run(
        _ configuration: ServerConfiguration,
        onListening: @escaping @Sendable (String) -> Void
    ) async throws {
        var logger = Logger(
            label: "run-agent.serve",
            factory: { label in StreamLogHandler.standardError(label: label) }
        )
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel.lowercased()) ?? .info
        let metrics = ServerMetrics()
        let directory = BusDirectory(configuration: configuration, metrics: metrics, logger: logger)
        if case .single = configuration.buses {
            // Follow the bus from the start: a first stream or list then costs no full read.
            _ = try directory.hub(for: BusScope(), create: false)
        }
        if !configuration.isLoopback && configuration.token == nil {
            logger.warning(
                "listening on \(configuration.host) without a token: anyone who can reach it can read and post; set --token or JRUN_API_TOKEN"
            )
        }
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        if let token = configuration.token { router.add(middleware: TokenMiddleware(token: Array(token.utf8))) }
        BusAPI(directory: directory, openAPI: OpenAPIDocument.text).register(on: router)
        if let mcp = configuration.mcp {
            EndpointRoute(path: "/mcp", endpoint: mcp, maxRequestBytes: configuration.maxRequestBytes).register(
                on: router
            )
        }

        let host = configuration.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let shown = host.contains(":") ? "[" + host + "]" : host
                onListening("http://\(shown):\(port)")
            },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                // Shut down in reverse order: streams end first, then the server stops accepting and lets
                // in-flight requests finish.
                services: [app, StreamCloser(directory: directory, endpoint: configuration.mcp)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// Ends every SSE stream when graceful shutdown begins: a stream never ends by itself, and the server waits
/// for open responses before it stops.
private struct StreamCloser: Service {
    let directory: BusDirectory
    let endpoint: (any ServedEndpoint)?

    func run() async throws {
        try? await gracefulShutdown()
        directory.closeStreams()
        await endpoint?.close()
    }
}
