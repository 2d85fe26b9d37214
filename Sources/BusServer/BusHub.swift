import BusCore
import Dispatch
import Logging
import Prometheus
import Synchronization

/// One served bus: its single tailer, the messages it has read, the stream clients it fans them out to, and
/// the group-commit queue of its posts.
///
/// Every read and stream is answered from the tailer's messages (kept in a `MessageLog`), so no request parses
/// the file; a background thread wakes on inotify and pushes what was appended to every stream client.
final class BusHub: Sendable {
    let path: String
    let committer: GroupCommitter
    private let state: Mutex<State>
    private let stopped = Atomic<Bool>(false)
    private let metrics: ServerMetrics
    private let logger: Logger
    private let clientBuffer: Int

    private struct State {
        var tailer: BusTailer
        var log = MessageLog()
        var clients: [Int: StreamClient] = [:]
        var nextClient = 0
        var closed = false
    }

    /// A stream client: its filter and the stream its response body drains.
    fileprivate struct StreamClient {
        var selection: MessageSelection
        var continuation: AsyncStream<StreamEvent>.Continuation
    }

    /// - Throws: `BusError` when the bus's folder cannot be watched, or the bus path is refused.
    init(path: String, configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger) throws(BusError) {
        self.path = path
        self.metrics = metrics
        self.logger = logger
        clientBuffer = configuration.clientBuffer
        let tailer = try BusTailer(path: path)
        state = Mutex(State(tailer: tailer))
        let writer = BusWriter(path: path, options: configuration.writer)
        let batch = configuration.groupCommit ? configuration.maxBatch : 1
        // The committer calls back into the hub; `refresh` only needs `state`, which is set by now.
        let box = HubReference()
        committer = GroupCommitter(writer: writer, maxBatch: batch, metrics: metrics, logger: logger) {
            box.hub?.refresh()
        }
        box.hub = self
        refresh()
        startTailing()
    }

    /// Reads what was appended and sends it to the stream clients.
    func refresh() {
        let dropped: [AsyncStream<StreamEvent>.Continuation] = state.withLock { state in
            let update: TailUpdate
            do {
                update = try state.tailer.refresh()
            } catch {
                logger.error("reading the bus failed: \(error)")
                return []
            }
            guard !update.isEmpty else { return [] }
            return apply(update, to: &state)
        }
        finish(dropped)
    }

    /// Folds one tailer update into the log and fans it out; returns the clients to drop (finished outside the
    /// lock, since finishing runs their termination handlers, which take it again).
    private func apply(_ update: TailUpdate, to state: inout State) -> [AsyncStream<StreamEvent>.Continuation] {
        var events: [StreamEvent] = []
        for reset in update.resets {
            switch reset {
            case .rotated, .created:
                state.log.markRotation()
            case .truncated, .replaced, .deleted:
                state.log.clear()
                events.append(.reset(reason: reset.description))
            case .archivesMissing:
                logger.warning("\(reset): \(path)")
            }
        }
        for message in update.revised where state.log.revise(message) { events.append(.update(message)) }
        for message in update.messages {
            state.log.append(message)
            events.append(.message(message))
        }
        if !update.malformed.isEmpty {
            metrics.malformed.increment(by: Int64(update.malformed.count))
            for record in update.malformed { logger.warning("\(record) in \(path)") }
        }
        var dropped: [Int] = []
        for (id, client) in state.clients {
            for event in events where client.wants(event) {
                if case .dropped = client.continuation.yield(event) {
                    dropped.append(id)
                    break
                }
            }
        }
        if !dropped.isEmpty {
            metrics.droppedClients.increment(by: Int64(dropped.count))
            logger.warning("dropped \(dropped.count) stream client(s) that stopped reading: \(path)")
        }
        return dropped.compactMap { state.clients.removeValue(forKey: $0)?.continuation }
    }

    private func finish(_ continuations: [AsyncStream<StreamEvent>.Continuation]) {
        for continuation in continuations { continuation.finish() }
    }

    /// The messages of a list request.
    /// - Parameters:
    ///   - since: the cursor: messages after the first one with this id (nil: the newest `limit`).
    ///   - limit: at most this many (nil: all).
    ///   - selection: the type, project and task filters.
    /// - Returns: the messages, oldest first.
    /// - Throws: `BusError.sinceNotFound` for an id that is not on the bus.
    func list(since: String?, limit: Int?, selection: MessageSelection) throws(BusError) -> [BusMessage] {
        refresh()
        return try state.withLock { state throws(BusError) in
            let live = state.log.live
            guard let since else {
                return limit.map { selection.last($0, of: live) } ?? selection.first(nil, of: live)
            }
            guard let start = state.log.index(after: since, liveOnly: true) else {
                throw .sinceNotFound(id: since, path: path)
            }
            return selection.first(limit, of: state.log.messages[start...])
        }
    }

    /// Opens a stream: the backlog (after `resume`, or the last `backlog` messages; an unknown `resume` id
    /// sends `event: reset` and the last `backlog`), then every new message, atomically with respect to the
    /// tailer so nothing is missed or sent twice.
    func subscribe(
        resume: String?,
        backlog: Int,
        selection: MessageSelection
    ) -> StreamSubscription {
        refresh()
        let (stream, continuation) = AsyncStream<StreamEvent>.makeStream(
            bufferingPolicy: .bufferingOldest(clientBuffer + max(backlog, 0))
        )
        let registered: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            var events: [StreamEvent] = []
            if let resume, let start = state.log.index(after: resume, liveOnly: false) {
                events = selection.first(nil, of: state.log.messages[start...]).map(StreamEvent.message)
            } else {
                if let resume { events.append(.reset(reason: "unknown Last-Event-ID \(resume); last messages follow")) }
                events += selection.last(backlog, of: state.log.live).map(StreamEvent.message)
            }
            let id = state.nextClient
            state.nextClient += 1
            let client = StreamClient(selection: selection, continuation: continuation)
            for event in events where client.wants(event) {
                if case .dropped = continuation.yield(event) { return nil }
            }
            state.clients[id] = client
            return id
        }
        guard let registered else {
            continuation.finish()
            return StreamSubscription(events: stream, continuation: continuation)
        }
        metrics.streamClients.increment()
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(registered) }
        return StreamSubscription(events: stream, continuation: continuation)
    }

    private func unsubscribe(_ id: Int) {
        metrics.streamClients.decrement()
        let removed = state.withLock { $0.clients.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    /// Ends every stream and refuses new ones (graceful shutdown).
    func close() {
        stopped.store(true, ordering: .relaxed)
        let all = state.withLock { state in
            state.closed = true
            defer { state.clients = [:] }
            return state.clients.values.map(\.continuation)
        }
        finish(all)
    }

    /// The tailing thread: sleeps in `poll` on the tailer's inotify descriptor (or its recheck interval).
    private func startTailing() {
        let (descriptor, interval) = state.withLock { ($0.tailer.descriptor, $0.tailer.recheckInterval) }
        DispatchQueue(label: "bus-tailer " + path).async { [weak self] in
            while let hub = self, !hub.stopped.load(ordering: .relaxed) {
                _ = BusTailer.waitReadable(descriptor >= 0 ? [descriptor] : [], timeout: interval)
                hub.refresh()
            }
        }
    }
}

/// An open stream: the events to send, and the way in for the response's own heartbeats.
///
/// Finishing the
/// continuation unsubscribes the client.
struct StreamSubscription: Sendable {
    var events: AsyncStream<StreamEvent>
    var continuation: AsyncStream<StreamEvent>.Continuation
}

extension BusHub.StreamClient {
    func wants(_ event: StreamEvent) -> Bool {
        switch event {
        case .message(let message), .update(let message): selection.matches(message)
        case .reset, .heartbeat: true
        }
    }
}

/// Lets the committer call back into the hub that owns it without a retain cycle.
private final class HubReference: @unchecked Sendable {
    // Set once in the hub's init, before any post can run; read only from the writer thread afterwards.
    weak var hub: BusHub?
}
