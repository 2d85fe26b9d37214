package import BusCore
import Dispatch

/// What `run-agent bus mcp` serves: the chosen bus, how posts to it are made, and the runs root whose project
/// and task buses are resources too (`--root`).
package struct MCPConfiguration: Sendable {
    /// The chosen bus as the user named it.
    package var path: String
    /// How the bus was chosen (`--bus`, `--project`, `--task`, `--root`), for creating folders on post.
    package var location: BusLocation
    package var environment: [String: String]
    package var writer: WriterOptions
    /// The runs root, when `--root` was given: `bus://{project}` and `bus://{project}/{task}` are served.
    package var root: String?
    /// The server's version in `initialize`.
    package var version: String

    package init(
        path: String,
        location: BusLocation,
        environment: [String: String],
        writer: WriterOptions,
        root: String?,
        version: String
    ) {
        self.path = path
        self.location = location
        self.environment = environment
        self.writer = writer
        self.root = root
        self.version = version
    }

    /// The project, task and run a post carries when the agent leaves them out.
    var context: PostContext { location.context(ofBus: path, environment: environment) }
}

/// The chosen bus while the server runs: its feed, and the writer posts go through.
///
/// Appends run on one serial queue of their own: the locked writer may sleep waiting for the lock (up to
/// `JRUN_BUS_LOCK_TIMEOUT`), and the concurrency pool's few threads must stay free for other calls meanwhile.
final class ServedBus: Sendable {
    let configuration: MCPConfiguration
    let feed: BusFeed
    private let poster: LocalPost
    private let writerQueue = DispatchQueue(label: "bus-mcp-writer")

    /// - Throws: `BusError` when the bus's folder cannot be watched or the path is refused.
    init(_ configuration: MCPConfiguration) throws(BusError) {
        self.configuration = configuration
        feed = try BusFeed(path: configuration.path)
        poster = LocalPost(path: configuration.path, location: configuration.location, options: configuration.writer)
    }

    var path: String { configuration.path }

    /// Appends `draft` through the locked writer, off the concurrency pool.
    func post(_ draft: MessageDraft) async throws(BusMCPError) -> BusMessage {
        let poster = poster
        let environment = configuration.environment
        let outcome: Result<AppendReceipt, BusError> = await withCheckedContinuation { continuation in
            writerQueue.async {
                continuation.resume(
                    returning: Result { () throws(BusError) in try poster.post(draft, environment: environment) }
                )
            }
        }
        let receipt: AppendReceipt
        do { receipt = try outcome.get() } catch { throw .bus(error) }
        guard let message = receipt.messages.first else {
            throw .bus(.invalidMessage("the writer returned no message", path: path))
        }
        // Read it back now, so the next bus_read sees it without waiting for inotify.
        _ = try? feed.refresh()
        return message
    }

    func stop() { feed.stop() }
}
