import BusCore
import Dispatch
import Logging
import Prometheus
import Synchronization

/// One bus's queue of posts, written in batches (group commit).
///
/// Whatever arrives while an append is in progress is written by the next append, in one locked write and one
/// fsync (`BusWriter.post([drafts])`); every request is answered after its bytes are durable. File order is arrival order. The writes run on a thread of their own, so a slow disk stalls only
/// the posts waiting for it, never the event loops, reads or streams.
final class GroupCommitter: Sendable {
    typealias Outcome = Result<BusMessage, BusError>

    private struct Pending {
        var draft: MessageDraft
        var reply: CheckedContinuation<Outcome, Never>
    }

    private struct Queue {
        var pending: [Pending] = []
        var draining = false
    }

    private let writer: BusWriter
    private let maxBatch: Int
    private let queue: Mutex<Queue> = Mutex(Queue())
    private let thread: DispatchQueue
    private let metrics: ServerMetrics
    private let logger: Logger
    /// Called after each append, before its posts are answered (the hub reads the new records for its streams).
    private let afterAppend: @Sendable () -> Void

    init(
        writer: BusWriter,
        maxBatch: Int,
        metrics: ServerMetrics,
        logger: Logger,
        afterAppend: @escaping @Sendable () -> Void
    ) {
        self.writer = writer
        self.maxBatch = max(1, maxBatch)
        self.metrics = metrics
        self.logger = logger
        self.afterAppend = afterAppend
        thread = DispatchQueue(label: "bus-writer " + writer.path)
    }

    /// Queues a validated draft and waits until it is durable (or failed).
    func post(_ draft: MessageDraft) async -> Outcome {
        await withCheckedContinuation { reply in
            let start = queue.withLock { state in
                state.pending.append(Pending(draft: draft, reply: reply))
                defer { state.draining = true }
                return !state.draining
            }
            if start { thread.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch = queue.withLock { state in
                let count = min(state.pending.count, maxBatch)
                let taken = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            write(batch)
        }
    }

    private func write(_ batch: [Pending]) {
        let outcomes: [Outcome]
        do throws(BusError) {
            let receipt = try writer.post(batch.map(\.draft))
            metrics.appends.increment(by: Int64(receipt.messages.count))
            metrics.batchSize.record(Double(batch.count))
            metrics.lockWait.record(receipt.lockWait)
            if writer.options.fsync { metrics.fsync.record(receipt.fsyncTime) }
            LockWaitReport.log(receipt.lockWait, path: writer.path, logger: logger)
            if let repair = receipt.repair { logger.warning("\(repair) (\(writer.path))") }
            outcomes = receipt.messages.map { .success($0) }
        } catch {
            metrics.appendFailures.increment(by: Int64(batch.count))
            if case .lockTimeout = error {
                metrics.lockTimeouts.increment(by: Int64(batch.count))
                logger.error("\(error)")
            } else {
                logger.error("append of \(batch.count) message(s) failed: \(error)")
            }
            outcomes = Array(repeating: .failure(error), count: batch.count)
        }
        afterAppend()
        for (pending, outcome) in zip(batch, outcomes) { pending.reply.resume(returning: outcome) }
    }
}

extension LockWaitReport {
    /// Logs a long wait: a warning over 100 ms, an error over 1 s.
    static func log(_ wait: Duration, path: String, logger: Logger) {
        guard let text = message(wait, path: path) else { return }
        if wait > errorThreshold { logger.error("\(text)") } else { logger.warning("\(text)") }
    }
}
