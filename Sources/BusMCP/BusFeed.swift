import BusCore
import Dispatch
import Synchronization

/// One bus as the MCP tools see it: a single tailer, the messages it has read, and the listeners that want to
/// hear about appends (waiting `bus_wait` calls, resource subscriptions).
///
/// A background thread sleeps in `poll` on the tailer's inotify descriptor and reads what was appended, so a
/// waiter is woken by the append itself, never by a timer; reads refresh first, so a post is seen at once.
final class BusFeed: Sendable {
    let path: String
    private let state: Mutex<State>
    private let stopped = Atomic<Bool>(false)

    private struct State {
        var tailer: BusTailer
        var log = MessageLog()
        var listeners: [Int: @Sendable () -> Void] = [:]
        var nextListener = 0
    }

    /// - Throws: `BusError` when the bus's folder cannot be watched or the path is refused.
    init(path: String) throws(BusError) {
        self.path = path
        state = Mutex(State(tailer: try BusTailer(path: path)))
        _ = try refresh()
        startTailing()
    }

    /// Reads what was appended and tells the listeners when anything arrived.
    /// - Throws: `BusError` when the bus cannot be read (it became a symlink, an I/O error).
    @discardableResult
    func refresh() throws(BusError) -> Bool {
        let listeners: [@Sendable () -> Void] = try state.withLock { state throws(BusError) in
            let update = try state.tailer.refresh()
            guard !update.isEmpty else { return [] }
            for reset in update.resets {
                switch reset {
                case .rotated, .created: state.log.markRotation()
                case .truncated, .replaced, .deleted: state.log.clear()
                case .archivesMissing: break
                }
            }
            for message in update.revised { _ = state.log.revise(message) }
            for message in update.messages { state.log.append(message) }
            return update.messages.isEmpty && update.revised.isEmpty ? [] : Array(state.listeners.values)
        }
        // Outside the lock: a listener may read the feed again.
        for listener in listeners { listener() }
        return !listeners.isEmpty
    }

    /// Runs `body` on the messages read so far, after reading what was appended.
    func read<Result>(_ body: (MessageLog) throws(BusMCPError) -> Result) throws(BusMCPError) -> Result {
        do { try refresh() } catch { throw .bus(error) }
        return try state.withLock { state throws(BusMCPError) in try body(state.log) }
    }

    /// Calls `listener` (on the tailing thread) after each refresh that read new or revised messages.
    /// - Returns: the id to pass to `removeListener`.
    func addListener(_ listener: @escaping @Sendable () -> Void) -> Int {
        state.withLock { state in
            let id = state.nextListener
            state.nextListener += 1
            state.listeners[id] = listener
            return id
        }
    }

    /// How many listeners are registered (tests wait for a `bus_wait` to be listening before they append).
    var listenerCount: Int { state.withLock { $0.listeners.count } }

    func removeListener(_ id: Int) {
        _ = state.withLock { $0.listeners.removeValue(forKey: id) }
    }

    /// Ends the tailing thread (within the tailer's recheck interval).
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// The tailing thread: sleeps in `poll` on the tailer's inotify descriptor (or its recheck interval).
    private func startTailing() {
        let (descriptor, interval) = state.withLock { ($0.tailer.descriptor, $0.tailer.recheckInterval) }
        DispatchQueue(label: "bus-mcp-tailer " + path).async { [weak self] in
            while let feed = self, !feed.stopped.load(ordering: .relaxed) {
                _ = BusTailer.waitReadable(descriptor >= 0 ? [descriptor] : [], timeout: interval)
                // A read error is reported to the next tool call that reads; the thread keeps watching.
                _ = try? feed.refresh()
            }
        }
    }
}
