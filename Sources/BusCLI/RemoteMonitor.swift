import BusCore
import BusRemote
import BusTUI
import Synchronization

/// `monitor --server`: the monitor's remote bus over `RemoteBus` (BusTUI speaks no HTTP itself).
///
/// Reads the whole backlog with `GET /api/bus`, then follows the stream from its last id; `RemoteBus.follow`
/// reconnects with backoff and resumes with `Last-Event-ID`, so nothing is missed. Ids already delivered are
/// dropped, so a stream that was reset (the server lost the id) repeats nothing either.
final class RemoteMonitorSource: MonitorRemote {
    private let remote: RemoteBus
    private let query: RemoteQuery
    private let task = Mutex<Task<Void, Never>?>(nil)
    let label: String

    init(remote: RemoteBus, query: RemoteQuery) {
        self.remote = remote
        self.query = query
        var label = remote.base
        if let project = query.project, !project.isEmpty { label += " project " + project }
        if let task = query.task, !task.isEmpty { label += " task " + task }
        self.label = label
    }

    func start(_ deliver: @escaping @Sendable (MonitorRemoteEvent) -> Void) {
        let remote = remote
        let query = query
        let running = Task {
            var seen = Set<String>()
            guard let backlog = await Self.backlog(remote, query: query, deliver: deliver) else { return }
            for message in backlog { seen.insert(message.msgID) }
            if !backlog.isEmpty { deliver(.messages(backlog)) }
            var streamQuery = query
            // After the backlog; with none, the stream's own backlog brings what arrived in between.
            streamQuery.since = backlog.last?.msgID
            streamQuery.limit = nil
            do throws(RemoteError) {
                try await remote.follow(streamQuery) { event in
                    switch event {
                    case .message(let message):
                        if seen.insert(message.msgID).inserted { deliver(.messages([message])) }
                    case .update(let message):
                        deliver(.update(message))
                    case .reset(let reason):
                        deliver(.notice("stream reset by the server: \(reason)"))
                    case .reconnecting(let reason, _):
                        deliver(.reconnecting(reason: reason))
                    case .connected:
                        deliver(.connected)
                    }
                    return !Task.isCancelled
                }
            } catch {
                // Retrying cannot fix it (a wrong token, a bad id): say so and keep what is on screen.
                deliver(.reconnecting(reason: error.description))
                deliver(.notice(error.description))
            }
        }
        task.withLock { $0 = running }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    func post(_ draft: MessageDraft) -> Result<String, PostFailure> {
        let remote = remote
        do throws(RemoteError) {
            // The server's error message is the CLI's own text (a 503 lock timeout reads as a local one).
            let id = try BlockingTask.value { () throws(RemoteError) in
                try await remote.post(RemotePost(draft: draft))
            }
            return .success(id)
        } catch {
            return .failure(PostFailure(error.description))
        }
    }

    /// Every message the query selects, retried with backoff (shown as reconnecting) until the server answers.
    /// - Returns: nil when the task was cancelled or the server refused the request for good.
    private static func backlog(
        _ remote: RemoteBus,
        query: RemoteQuery,
        deliver: @Sendable (MonitorRemoteEvent) -> Void
    ) async -> [BusMessage]? {
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            do throws(RemoteError) {
                let messages = try await remote.list(query)
                deliver(.connected)
                return messages
            } catch {
                guard case .unreachable = error else {
                    deliver(.notice(error.description))
                    return nil
                }
                deliver(.reconnecting(reason: error.description))
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
        return nil
    }
}
