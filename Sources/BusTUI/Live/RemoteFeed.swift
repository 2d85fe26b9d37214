#if os(Linux)
import Synchronization

/// Hands a remote bus's events from its client's threads to the event loop: queued under a lock, then the
/// wake-up pipe is written so the loop's `poll` returns and applies them with everything else.
final class RemoteFeed: Sendable {
    private let queue = Mutex<[MonitorRemoteEvent]>([])
    private let wakeUp: SelfPipe

    init(wakeUp: SelfPipe) {
        self.wakeUp = wakeUp
    }

    func push(_ event: MonitorRemoteEvent) {
        queue.withLock { $0.append(event) }
        wakeUp.wake()
    }

    /// Events queued since the last call, in order.
    func takeEvents() -> [MonitorRemoteEvent] {
        queue.withLock { queue in
            defer { queue = [] }
            return queue
        }
    }
}
#endif
