#if os(Linux)
@preconcurrency import Glibc
internal import BusCore
import Synchronization

/// Posts composed messages off the UI thread: `BusWriter.post` blocks while another writer holds the lock
/// (up to `JRUN_BUS_LOCK_TIMEOUT`), and the UI must keep drawing and reading keys meanwhile.
final class PostWorker: Sendable {
    enum Event: Sendable, Equatable {
        case waitingForLock
        case finished(Result<String, PostFailure>)
    }

    /// Where a post goes: the bus file through its locked writer, or a bus server.
    enum Target: Sendable {
        case file(BusWriter)
        case remote(any MonitorRemote)
    }

    private struct State {
        var events: [Event] = []
        var inFlight = false
    }

    private let state = Mutex(State())
    private let wakeUp: SelfPipe

    /// Creates a worker that reports through `wakeUp`.
    ///
    /// - Parameter wakeUp: written to whenever an event is queued, so the loop's `poll` returns.
    init(wakeUp: SelfPipe) {
        self.wakeUp = wakeUp
    }

    var isBusy: Bool { state.withLock { $0.inFlight } }

    /// Starts posting `draft` to `target` on a new thread; false when a post is still running.
    func start(_ draft: MessageDraft, to target: Target) -> Bool {
        let started = state.withLock { state in
            guard !state.inFlight else { return false }
            state.inFlight = true
            return true
        }
        guard started else { return false }
        DetachedThread.start { [self] in
            let result: Result<String, PostFailure>
            switch target {
            case .file(let writer):
                do throws(BusError) {
                    let receipt = try writer.post(draft) { self.push(.waitingForLock, done: false) }
                    result = .success(receipt.messages.first?.msgID ?? "")
                } catch {
                    result = .failure(PostFailure(error.description))
                }
            case .remote(let remote):
                result = remote.post(draft)
            }
            self.push(.finished(result), done: true)
        }
        return true
    }

    /// Events queued since the last call, in order.
    func takeEvents() -> [Event] {
        state.withLock { state in
            defer { state.events = [] }
            return state.events
        }
    }

    /// Waits (polling every 10 ms) until the running post ends or `limit` passes: quitting must not cut a
    /// record in half.
    func waitUntilIdle(limit: Duration) {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while isBusy, ContinuousClock.now < deadline { LockWait.nanosleep(.milliseconds(10)) }
    }

    private func push(_ event: Event, done: Bool) {
        state.withLock { state in
            state.events.append(event)
            if done { state.inFlight = false }
        }
        wakeUp.wake()
    }
}

/// A detached POSIX thread running one closure (`PosixThread`, detached).
enum DetachedThread {
    static func start(_ body: @escaping @Sendable () -> Void) {
        guard let thread = PosixThread.start(body) else {
            // No thread: run inline rather than drop the post (the UI stalls, but nothing is lost).
            return body()
        }
        thread.detach()
    }
}
#endif
