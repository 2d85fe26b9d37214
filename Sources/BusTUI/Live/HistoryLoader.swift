#if os(Linux)
internal import BusCore
import Synchronization

/// Reads the older part of large buses on a thread of its own, after the monitor has shown their newest
/// messages: the first screen never waits for a whole file, and keys work while the history loads.
///
/// Each skipped part is read in chunks (`SkippedHistory.read`); progress, in bytes, is published as it goes and
/// each bus's history is handed over whole, once read, to be merged in one step (the list does not creep while
/// the user reads it).
final class HistoryLoader: Sendable {
    /// One bus's skipped part.
    struct Job: Sendable {
        var source: Int32
        var history: SkippedHistory
    }

    enum Event: Sendable {
        /// Bytes read so far, of all the jobs' bytes.
        case progress(done: Int, total: Int)
        case loaded(source: Int32, messages: [BusMessage], malformed: [MalformedRecord])
        case failed(source: Int32, BusError)
        case finished
    }

    private struct State {
        var events: [Event] = []
        var lastProgress: Event?
    }

    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    private let wakeUp: SelfPipe

    init(wakeUp: SelfPipe) {
        self.wakeUp = wakeUp
    }

    /// Starts reading the jobs in order, on a new thread.
    func start(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        let total = jobs.reduce(0) { $0 + $1.history.end }
        DetachedThread.start { [self] in
            var before = 0
            for job in jobs {
                guard !stopped.load(ordering: .relaxed) else { return }
                push(read(job, before: before, total: total))
                before += job.history.end
            }
            push(.finished)
        }
    }

    /// Asks the thread to stop at its next item (the monitor is quitting).
    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Events since the last call, in order; progress figures are merged into the latest.
    func takeEvents() -> [Event] {
        state.withLock { state in
            defer {
                state.events = []
                state.lastProgress = nil
            }
            return state.events + (state.lastProgress.map { [$0] } ?? [])
        }
    }

    private func read(_ job: Job, before: Int, total: Int) -> Event {
        var messages: [BusMessage] = []
        var malformed: [MalformedRecord] = []
        var reported = 0
        let step = max(1 << 20, total / 100)
        do throws(BusError) {
            try job.history.read { item in
                switch item {
                case .message(let message, let offset):
                    messages.append(message)
                    if offset - reported >= step, !stopped.load(ordering: .relaxed) {
                        reported = offset
                        publish(.progress(done: before + offset, total: total))
                    }
                case .revised(let message, _):
                    // A record that grew replaces the message read from it, which is the last one read.
                    if let last = messages.indices.last, messages[last].msgID == message.msgID {
                        messages[last] = message
                    }
                case .malformed(let record):
                    malformed.append(record)
                }
            }
        } catch {
            return .failed(source: job.source, error)
        }
        return .loaded(source: job.source, messages: messages, malformed: malformed)
    }

    /// Replaces the pending progress figure: the loop draws only the latest.
    private func publish(_ progress: Event) {
        state.withLock { $0.lastProgress = progress }
        wakeUp.wake()
    }

    private func push(_ event: Event) {
        state.withLock { state in
            // A figure published before this event is older than it.
            if let progress = state.lastProgress { state.events.append(progress) }
            state.lastProgress = nil
            state.events.append(event)
        }
        wakeUp.wake()
    }
}
#endif
