#if os(Linux)
internal import BusCore
import Synchronization

/// Reads the older part of large buses on a thread of its own, after the monitor has shown their newest
/// messages: the first screen never waits for a whole file, and keys work while the history loads.
///
/// Each skipped part is read in chunks (`SkippedHistory.readRecords`); progress, in bytes, is published as it goes and
/// each bus's history is handed over whole, once read, to be merged in one step (the list does not creep while
/// the user reads it). A large history is kept as its records' places (`MessageBatch`): bodies stay in the file.
final class HistoryLoader: Sendable {
    /// One bus's skipped part.
    struct Job: Sendable {
        var source: Int32
        var history: SkippedHistory
        /// Keep records' places and read messages again when shown, instead of holding them whole.
        var keepPlaces: Bool
    }

    /// A loaded batch, taken once by the loop: taking it out leaves its arrays with one owner, so the store
    /// grows them in place instead of copying the whole history.
    final class HandOff: Sendable {
        private let batch: Mutex<MessageBatch?>

        init(_ batch: consuming MessageBatch) {
            self.batch = Mutex(batch)
        }

        func take() -> MessageBatch? {
            batch.withLock { $0.take() }
        }
    }

    enum Event: Sendable {
        /// Bytes read so far, of all the jobs' bytes.
        case progress(done: Int, total: Int)
        case loaded(source: Int32, batch: HandOff, malformed: [MalformedRecord])
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
        var reported = 0
        let step = max(1 << 20, total / 100)
        do throws(BusError) {
            let (batch, malformed) = try Self.load(job) { offset in
                if offset - reported >= step, !stopped.load(ordering: .relaxed) {
                    reported = offset
                    publish(.progress(done: before + offset, total: total))
                }
            }
            return .loaded(source: job.source, batch: HandOff(batch), malformed: malformed)
        } catch {
            return .failed(source: job.source, error)
        }
    }

    /// Reads a job's part of its bus: the messages as a batch (records' places when `job.keepPlaces`), and the
    /// records skipped as malformed; `progress` is told the offset of each message read.
    /// - Throws: `BusError` for a read error.
    static func load(
        _ job: Job,
        progress: (Int) -> Void = { _ in }
    ) throws(BusError) -> (batch: MessageBatch, malformed: [MalformedRecord]) {
        // Room for the smallest records (about 64 bytes each) and the newest part that joins them: address space,
        // not memory, until written, and the store appends what it shows to this array without copying it.
        var batch =
            job.keepPlaces
            ? MessageBatch(
                records: RecordFetcher(handle: job.history.handle),
                capacity: job.history.end / 64 + 4 * MonitorApp.firstScreenMessages
            ) : MessageBatch()
        var malformed: [MalformedRecord] = []
        try job.history.readRecords { event in
            switch event {
            case .record(let record, _):
                // A record kept as its place needs no body now: it is read again when shown.
                if job.keepPlaces, let end = record.placeEnd {
                    batch.add(header: record.header, place: record.offset..<end, whole: record.message)
                } else {
                    batch.add(record.message)
                }
                progress(record.offset)
            case .malformed(let record):
                malformed.append(record)
            }
        }
        return (batch, malformed)
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
