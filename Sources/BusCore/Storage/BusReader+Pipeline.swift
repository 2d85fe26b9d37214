#if canImport(Glibc)
@preconcurrency import Glibc

/// A whole-bus read on two threads: one reads and scans chunk N while the caller's writes out chunk N - 1.
extension BusReader {
    /// Chunk buffers in existence at once: the one being read and scanned, one waiting, and the one whose items
    /// the caller is writing out; so memory stays that of three chunks (and the longest record).
    static let pipelineBuffers = 3

    /// Bytes read per step of a pipelined read: smaller than `streamChunkSize`, since three chunk buffers are
    /// in use (each one's pages faulted in once), and the first chunk's scan and the last chunk's writing are
    /// not overlapped with anything.
    package static let pipelineChunkSize = 1 << 20

    /// `streamRecords` of the whole file, from its start, with the reading and scanning on a thread of its own.
    ///
    /// `body` runs on the calling thread with the same events, in the same order, as `streamRecords` hands
    /// them out: the scanning thread runs the same steps (the same reads, the same scans, the provisional last
    /// record read again with the next chunk) and passes each step's chunk and the events it kept to the caller,
    /// which visits them with the records pointing into the chunk it now owns. Worth it where the caller's work
    /// per record is about the scanner's (`read --tail 0` writing every record out); a record is valid only
    /// during the call, as with `streamRecords`.
    ///
    /// - Parameters:
    ///   - handle: the open bus.
    ///   - chunkSize: bytes read per step, as for `streamRecords` (tests use small ones to cross many chunks).
    ///   - body: called on the calling thread with each message and malformed record, in file order.
    /// - Throws: `BusError` for a read error, after `body` has seen every event found before it (as
    ///   `streamRecords` throws it).
    package static func streamRecordsPipelined(
        _ handle: FileHandle,
        chunkSize: Int = pipelineChunkSize,
        _ body: (ScanEvent) -> Void
    ) throws(BusError) {
        let handoff = ChunkHandoff(buffers: pipelineBuffers)
        guard let scanner = PosixThread.start({ scanChunks(handle, chunkSize: chunkSize, into: handoff) }) else {
            // No thread to be had: the same events from this one.
            try streamRecords(handle, chunkSize: chunkSize, body)
            return
        }
        defer { scanner.join() }
        while true {
            switch handoff.take() {
            case .chunk(let chunk):
                chunk.bytes.withUnsafeBufferPointer { buffer in
                    for event in chunk.events { body(event.rebased(to: buffer)) }
                }
                handoff.recycle(chunk)
            case .failed(let error):
                throw error
            case .end:
                return
            }
        }
    }

    /// The scanning thread's loop: `streamRecords`' steps from the start of the file to its end, each step's kept
    /// events handed over with the bytes they point into.
    private static func scanChunks(_ handle: FileHandle, chunkSize: Int, into handoff: ChunkHandoff) {
        do throws(BusError) {
            var cursor = ScanCursor()
            var pending = handoff.spare()
            var step = chunkSize
            var knownEnd = Int(try handle.status().st_size)
            while true {
                let readAt = cursor.offset + pending.bytes.count
                let wanted = max(1, min(step - pending.bytes.count, max(knownEnd - readAt, 0) + 4096))
                let got = try handle.read(at: readAt, count: wanted, appendingTo: &pending.bytes)
                knownEnd = max(knownEnd, readAt + got)
                let atEnd = got == 0
                // Kept in a local while scanning (swapped, so the chunk's array keeps its storage): a class
                // property is checked for exclusive access at each append.
                var events: [ScanEvent] = []
                swap(&events, &pending.events)
                let next = pending.bytes.withUnsafeBufferPointer { buffer in
                    RecordScanner.scan(buffer, from: cursor) { event in
                        // As `streamRecords` keeps them: a provisional last record waits for the next chunk.
                        if case .record(_, let provisional) = event, provisional && !atEnd { return }
                        events.append(event)
                    }
                }
                swap(&events, &pending.events)
                if atEnd {
                    handoff.put(.chunk(pending))
                    handoff.put(.end)
                    return
                }
                let committed = next.offset - cursor.offset
                if committed == 0 {
                    // The record goes on past the chunk: its buffer grows, so what was kept (nothing, in
                    // practice) goes over in a copy.
                    if !pending.events.isEmpty {
                        let copy = ScannedChunk(bytes: pending.bytes, events: pending.events, pooled: false)
                        handoff.put(.chunk(copy))
                        pending.events.removeAll(keepingCapacity: true)
                    }
                    step = max(step, pending.bytes.count) * 2
                    continue
                }
                // The part not committed (the record still being read) starts the next chunk's buffer.
                let fresh = handoff.spare()
                fresh.bytes.append(contentsOf: pending.bytes[committed...])
                handoff.put(.chunk(pending))
                pending = fresh
                cursor = next
                step = chunkSize
            }
        } catch {
            handoff.put(.failed(error))
        }
    }
}

extension ScanEvent {
    /// The same event with its record's bytes in `buffer`, which holds the bytes of the buffer it was scanned
    /// in at the same indices.
    func rebased(to buffer: UnsafeBufferPointer<UInt8>) -> ScanEvent {
        guard case .record(let record, let provisional) = self else { return self }
        return .record(record.rebased(to: buffer), provisional: provisional)
    }
}

extension ScannedRecord {
    /// The same record read from `buffer`: its ranges are buffer indices, so only the pointer changes.
    func rebased(to buffer: UnsafeBufferPointer<UInt8>) -> ScannedRecord {
        ScannedRecord(buffer: buffer, content: content, offset: offset, base: base, timestamp: timestamp)
    }
}

/// A chunk's bytes and the events found in them; the events' pointers are the scanning thread's, to be rebased
/// to the bytes (`ScanEvent.rebased(to:)`).
///
/// A class, so that its arrays go from thread to thread and back to the pool without a second reference: an
/// array emptied with its storage kept must be the only one holding that storage, or it is allocated anew (a
/// chunk's worth of page faults).
final class ScannedChunk {
    var bytes: [UInt8]
    var events: [ScanEvent]
    /// One of the pool's buffers, given back after its events are visited (not a one-off copy).
    let pooled: Bool

    init(bytes: [UInt8] = [], events: [ScanEvent] = [], pooled: Bool = true) {
        self.bytes = bytes
        self.events = events
        self.pooled = pooled
    }
}

/// A step of the scanning thread, as the reading thread receives it.
enum ChunkStep {
    case chunk(ScannedChunk)
    case failed(BusError)
    case end
}

/// The bounded handoff between the scanning thread and the reading one: at most one step waiting, and chunk
/// buffers passed back to be filled again, so no chunk is copied and memory stays that of `buffers` chunks.
///
/// A pthread mutex and condition: the standard library's `Mutex` has no condition to wait on, and BusCore does
/// not use Dispatch.
final class ChunkHandoff: @unchecked Sendable {
    // Guarded by `lock`.
    private var waiting: ChunkStep?
    private var spares: [ScannedChunk] = []
    private var made = 0
    private let limit: Int
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(buffers: Int) {
        limit = buffers
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        changed.deallocate()
    }

    /// Hands `step` over, once the step before it has been taken.
    func put(_ step: ChunkStep) {
        pthread_mutex_lock(lock)
        while waiting != nil { pthread_cond_wait(changed, lock) }
        waiting = step
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// The next step, once it is there.
    func take() -> ChunkStep {
        pthread_mutex_lock(lock)
        while waiting == nil { pthread_cond_wait(changed, lock) }
        let step = waiting.take()
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
        // Only `put` leaves `waiting` set, and the loop above waits for it.
        guard let step else { return .end }
        return step
    }

    /// An empty chunk to fill: one passed back, else a new one while fewer than the limit exist, else the next
    /// one passed back.
    func spare() -> ScannedChunk {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while spares.isEmpty {
            if made < limit {
                made += 1
                return ScannedChunk()
            }
            pthread_cond_wait(changed, lock)
        }
        return spares.removeLast()
    }

    /// Passes a chunk whose events were visited back to be filled again (its storage kept).
    func recycle(_ chunk: ScannedChunk) {
        guard chunk.pooled else { return }
        chunk.bytes.removeAll(keepingCapacity: true)
        chunk.events.removeAll(keepingCapacity: true)
        pthread_mutex_lock(lock)
        spares.append(chunk)
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }
}

/// A POSIX thread running one closure, to be joined or detached (`pthread_create`; no Foundation, no Dispatch).
package struct PosixThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let thread: pthread_t

    /// Starts `body` on a new thread; nil (and `body` not run) when none could be made.
    package static func start(_ body: @escaping @Sendable () -> Void) -> PosixThread? {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread,
            nil,
            { argument in
                guard let argument else { return nil }
                Unmanaged<Box>.fromOpaque(argument).takeRetainedValue().body()
                return nil
            },
            box
        )
        guard created == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return PosixThread(thread: thread)
    }

    /// Waits for the thread to end.
    package func join() {
        pthread_join(thread, nil)
    }

    /// Lets the thread end on its own: nobody waits for it.
    package func detach() {
        pthread_detach(thread)
    }
}
#endif
