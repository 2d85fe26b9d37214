package import BusCore
import Logging

/// Which buses a server serves.
package enum ServedBuses: Sendable, Equatable {
    /// One bus file for every route; project and task routes filter it by `project_id`/`task_id`.
    case single(path: String)
    /// The `<root>/<project>/[<task>/]` layout: project and task ids select the bus file.
    case root(String)
}

/// Everything `run-agent bus serve` is told by its flags and environment.
package struct ServerConfiguration: Sendable {
    package var host = "127.0.0.1"
    package var port = 14355
    package var buses: ServedBuses
    /// `--token` / `JRUN_API_TOKEN`: when set, every route but `/healthz` needs it.
    package var token: String?
    /// Largest request body read, in bytes; a larger one gets 413 before the rest is read.
    package var maxRequestBytes = 4 << 20
    /// Interval of `event: heartbeat` on streams.
    package var heartbeat = Duration.seconds(30)
    /// Events a stream client may have waiting before it counts as stalled and is dropped.
    package var clientBuffer = 8192
    /// Batch concurrent posts into one locked write and one fsync (`--no-group-commit` turns it off, for the
    /// benchmark's baseline).
    package var groupCommit = true
    /// Largest batch of one group commit.
    package var maxBatch = 512
    package var writer = WriterOptions()
    /// Messages below this level are not logged (stderr).
    ///
    /// `--log-level`: trace, debug, info, notice, warning, error, critical.
    package var logLevel = "info"
    /// Served at `/mcp` behind the token when set: MCP's streamable HTTP transport (`run-agent bus mcp`'s tools).
    package var mcp: (any ServedEndpoint)?

    /// True for a name `--log-level` takes.
    package static func isLogLevel(_ name: String) -> Bool { Logger.Level(rawValue: name.lowercased()) != nil }

    package init(buses: ServedBuses) {
        self.buses = buses
    }

    /// True for addresses only this machine can reach.
    package var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
