package import BusCore

/// A bus the monitor reads and posts to through something other than a file (a `run-agent bus serve`).
///
/// BusTUI speaks no HTTP: the CLI implements this over its HTTP client, so the terminal UI never depends on the
/// server's or the client's modules.
package protocol MonitorRemote: Sendable {
    /// Shown first in the status bar (the server's URL and what it is asked for).
    var label: String { get }

    /// Starts following the bus in the background and returns at once.
    ///
    /// - Parameter deliver: called, from any thread and in order, for every event until `stop()`.
    func start(_ deliver: @escaping @Sendable (MonitorRemoteEvent) -> Void)

    /// Ends the follow started by `start` (the monitor is quitting).
    func stop()

    /// Posts one message, blocking the calling thread (the post worker's, never the UI's) until it is answered.
    ///
    /// - Returns: the new message's id, or the failure in the words a local post would use.
    func post(_ draft: MessageDraft) -> Result<String, PostFailure>
}

/// What a remote bus reports, in order.
package enum MonitorRemoteEvent: Sendable, Equatable {
    /// New messages, in bus order (the backlog first, then the stream's).
    case messages([BusMessage])
    /// A message sent again because its record changed (replaces the one with the same id).
    case update(BusMessage)
    /// The stream is open: what follows is live.
    case connected
    /// The stream broke and is being retried; the monitor keeps what it has.
    case reconnecting(reason: String)
    /// Something to tell once (the server reset the stream, a request failed).
    case notice(String)
}

/// Why a post failed, as the status bar tells it.
package struct PostFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}
