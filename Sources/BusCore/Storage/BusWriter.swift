#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of the locked writer.
package struct WriterOptions: Sendable {
    /// `fsync` before unlocking (durability of DONE/STOP); `JRUN_BUS_FSYNC=0` or `--no-fsync` turn it off.
    package var fsync = true
    package var lockWait = LockWait()
    /// Largest body accepted, in UTF-8 bytes (`JRUN_BUS_MAX_BODY`).
    package var maxBodyBytes = RecordFormat.defaultMaxBodyBytes

    package init(
        fsync: Bool = true,
        lockWait: LockWait = LockWait(),
        maxBodyBytes: Int = RecordFormat.defaultMaxBodyBytes
    ) {
        self.fsync = fsync
        self.lockWait = lockWait
        self.maxBodyBytes = maxBodyBytes
    }

    /// Options from `JRUN_BUS_LOCK_TIMEOUT`, `JRUN_BUS_FSYNC` and `JRUN_BUS_MAX_BODY`.
    /// - Throws: `BusError.invalidSetting` for a value that is not a number or size.
    package static func fromEnvironment(_ environment: [String: String]) throws(BusError) -> WriterOptions {
        var options = WriterOptions()
        if let timeout = environment["JRUN_BUS_LOCK_TIMEOUT"], !timeout.isEmpty {
            options.lockWait.timeout = try SettingParser.seconds(timeout, name: "JRUN_BUS_LOCK_TIMEOUT")
        }
        if let fsync = environment["JRUN_BUS_FSYNC"] {
            options.fsync = !["0", "false", "no", "off"].contains(fsync.lowercased())
        }
        if let limit = environment["JRUN_BUS_MAX_BODY"], !limit.isEmpty {
            options.maxBodyBytes = try SettingParser.byteSize(limit, name: "JRUN_BUS_MAX_BODY")
        }
        return options
    }
}

/// What an append did.
package struct AppendReceipt: Sendable, Equatable {
    /// The messages as written, with their ids and timestamps.
    package var messages: [BusMessage]
    /// Set when a torn record left by a crashed writer was cut off before appending.
    package var repair: TornTailRepair?
    /// How long opening the bus and taking the lock took (the server's metrics, the lock-wait warning).
    package var lockWait: Duration = .zero
    /// How long the `fsync` took (zero when it was off).
    package var fsyncTime: Duration = .zero
}

/// A torn tail that the writer cut off and kept in a side file.
package struct TornTailRepair: Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var byteCount: Int
    package var savedTo: String

    package var description: String {
        "cut a torn record of \(byteCount) bytes at offset \(offset) left by a crashed writer; saved to \(savedTo)"
    }
}

/// The one writer of bus records, shared by the CLI, the monitor's compose box and the server.
///
/// Each append opens the bus with `O_APPEND|O_NOFOLLOW`, takes the BSD `flock`, repairs a torn tail, writes the
/// separator and the records in one write loop, truncates back on any failure, fsyncs, and unlocks.
package struct BusWriter: Sendable {
    package let path: String
    package let options: WriterOptions
    package let ids: MessageIDGenerator

    package init(path: String, options: WriterOptions = WriterOptions(), ids: MessageIDGenerator = .shared) {
        self.path = path
        self.options = options
        self.ids = ids
    }

    /// Appends one message.
    package func post(_ draft: MessageDraft, onLockBusy: (() -> Void)? = nil) throws(BusError) -> AppendReceipt {
        try post([draft], onLockBusy: onLockBusy)
    }

    /// Appends several messages under one lock, one write and one fsync (group commit).
    /// - Parameters:
    ///   - drafts: the messages to post, in order.
    ///   - onLockBusy: called once if the lock is held by another writer, before waiting for it.
    /// - Returns: the messages as written and any torn-tail repair.
    /// - Throws: `BusError`: invalid drafts (nothing is opened), refused paths, lock timeout, I/O errors
    ///   (the file is left byte-identical).
    package func post(_ drafts: [MessageDraft], onLockBusy: (() -> Void)? = nil) throws(BusError) -> AppendReceipt {
        for draft in drafts { try MessageValidator.validate(draft, maxBodyBytes: options.maxBodyBytes, path: path) }
        guard !drafts.isEmpty else { return AppendReceipt(messages: [], repair: nil) }

        let lockStart = ContinuousClock.now
        let (handle, created) = try openLocked(onLockBusy: onLockBusy)
        let lockWait = lockStart.duration(to: .now)
        let messages = drafts.map { draft in
            let (id, timestamp) = ids.next()
            var message = draft.message(id: id, timestamp: timestamp)
            // As Go's writer does: an ISSUE message without an issue id opens the issue it names.
            if message.type == "ISSUE" && message.issueID.isEmpty { message.issueID = id }
            return message
        }
        let originalSize = Int(try handle.status().st_size)
        let tail = try TailInspector.inspect(handle, size: originalSize)
        var repair: TornTailRepair?
        var cutBytes: [UInt8] = []
        var size = originalSize
        if case .torn(let cut) = tail {
            cutBytes = try handle.read(at: cut, count: originalSize - cut)
            repair = try saveAndCut(handle, cut: cut, bytes: cutBytes)
            size = cut
        }

        var bytes: [UInt8] = []
        if case .unterminatedLine = tail { bytes.append(0x0A) }
        for message in messages {
            if size > 0 || !bytes.isEmpty { bytes.append(0x0A) }
            bytes.append(contentsOf: RecordEncoder.encode(message))
        }

        var fsyncTime = Duration.zero
        do {
            try handle.writeAll(bytes)
            if options.fsync {
                let fsyncStart = ContinuousClock.now
                try Errno.retrying("fsync", path: path) { fsync(handle.fd) }
                fsyncTime = fsyncStart.duration(to: .now)
            }
        } catch {
            restore(handle, size: size, cutBytes: cutBytes, repair: repair)
            // A bus this post created (the first after a rotation, say) and could not fill is removed, not
            // left as an empty file; under the lock the path still names it, and waiting writers reopen.
            if created && size == 0 { unlink(path) }
            throw error
        }
        return AppendReceipt(messages: messages, repair: repair, lockWait: lockWait, fsyncTime: fsyncTime)
    }

    /// Opens the bus for appending and takes the lock, reopening if the path was replaced (rotated) while
    /// this writer waited, so no record ever lands in an archived file.
    private func openLocked(onLockBusy: (() -> Void)?) throws(BusError) -> (handle: FileHandle, created: Bool) {
        var busyReported = false
        for _ in 0..<16 {
            var before = stat()
            let existed = lstat(path, &before) == 0
            // Read access too: the torn-tail check reads the end of the file under the lock.
            let handle = try BusFile.open(path, flags: O_RDWR | O_APPEND | O_CREAT)
            try options.lockWait.acquire(handle) {
                if !busyReported { onLockBusy?() }
                busyReported = true
            }
            let opened = try handle.status()
            var current = stat()
            if lstat(path, &current) == 0, current.st_ino == opened.st_ino, current.st_dev == opened.st_dev {
                return (handle, !existed)
            }
        }
        throw .system(call: "open", path: path, errno: ESTALE)
    }

    /// Keeps the torn bytes in `<bus>.torn-<time>-<pid>` (written and synced first), then cuts them off.
    private func saveAndCut(_ handle: FileHandle, cut: Int, bytes: [UInt8]) throws(BusError) -> TornTailRepair {
        let sidePath = path + ".torn-" + BusTimestamp.now().civil.compact + "-" + String(getpid())
        let sideFD = try Errno.retrying("open", path: sidePath) {
            open(sidePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        }
        let side = FileHandle(fd: sideFD, path: sidePath)
        do {
            try side.writeAll(bytes)
            try Errno.retrying("fsync", path: sidePath) { fsync(side.fd) }
            try Errno.retrying("ftruncate", path: path) { ftruncate(handle.fd, off_t(cut)) }
        } catch {
            unlink(sidePath)  // the bus keeps its torn tail; an empty or partial copy would only mislead
            throw error
        }
        return TornTailRepair(offset: cut, byteCount: bytes.count, savedTo: sidePath)
    }

    /// After a failed append: truncate back and put a cut torn tail back, so the file is as it was.
    private func restore(_ handle: FileHandle, size: Int, cutBytes: [UInt8], repair: TornTailRepair?) {
        _ = try? Errno.retrying("ftruncate", path: path) { ftruncate(handle.fd, off_t(size)) }
        guard let repair, !cutBytes.isEmpty else { return }
        let restored = cutBytes.withUnsafeBytes { raw in pwrite(handle.fd, raw.baseAddress, raw.count, off_t(size)) }
        if restored == cutBytes.count { unlink(repair.savedTo) }
    }
}

/// Opening bus files safely: no symlinks, regular files only, never blocking on a FIFO.
package enum BusFile {
    /// Opens `path` with `O_CLOEXEC|O_NOFOLLOW|O_NONBLOCK` plus `flags` and checks it is a regular file.
    /// - Throws: `.symlink`, `.notRegularFile`, or `.system` (ENOENT for a missing file).
    package static func open(_ path: String, flags: Int32) throws(BusError) -> FileHandle {
        let fd: Int32
        do {
            fd = try Errno.retrying("open", path: path) {
                Glibc.open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
            }
        } catch .system(_, _, let code) where code == ELOOP {
            throw .symlink(path: path)
        } catch .system(_, _, let code) where code == EISDIR {
            throw .notRegularFile(path: path, kind: "directory")
        } catch .system(_, _, let code) where code == ENXIO {
            throw .notRegularFile(path: path, kind: "FIFO")
        } catch {
            throw error
        }
        let handle = FileHandle(fd: fd, path: path)
        let info = try handle.status()
        guard info.isRegularFile else { throw .notRegularFile(path: path, kind: info.kindName) }
        try BusFileChecks.requireOrdinary(fd: fd, info: info, path: path)
        // O_NONBLOCK only guarded the open against FIFOs; regular-file I/O ignores it, but clear it anyway.
        let current = fcntl(fd, F_GETFL)
        if current >= 0 { _ = fcntl(fd, F_SETFL, current & ~O_NONBLOCK) }
        return handle
    }
}

extension BusFile {
    /// Opens a kernel pseudo-file (`/proc/...`), which `fstat` reports as a regular file of size 0.
    static func openProc(_ path: String) throws(BusError) -> FileHandle {
        let fd = try Errno.retrying("open", path: path) { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
        return FileHandle(fd: fd, path: path)
    }
}

/// The checks of CONTRACT section 4, step 1.
package enum MessageValidator {
    package static func validate(_ draft: MessageDraft, maxBodyBytes: Int, path: String) throws(BusError) {
        guard !draft.type.isEmpty else { throw .invalidMessage("type is empty", path: path) }
        guard !draft.type.unicodeScalars.contains(where: isControl) else {
            throw .invalidMessage("type must be one line without control characters", path: path)
        }
        guard !draft.projectID.isEmpty else { throw .invalidMessage("project_id is empty", path: path) }
        let ids = [
            ("project_id", draft.projectID), ("task_id", draft.taskID), ("run_id", draft.runID),
            ("issue_id", draft.issueID),
        ]
        for (name, value) in ids + draft.parents.map({ ("parent id", $0.msgID) })
        where value.unicodeScalars.contains(where: isControl) {
            throw .invalidMessage("\(name) must be one line without control characters", path: path)
        }
        for parent in draft.parents where parent.msgID.isEmpty {
            throw .invalidMessage("a parent id is empty", path: path)
        }
        for key in draft.meta.keys where key.isEmpty || key.unicodeScalars.contains(where: isControl) {
            throw .invalidMessage("meta keys must be non-empty and one line", path: path)
        }
        // YAML readers refuse implicit keys over 1024 characters.
        for key in draft.meta.keys where key.utf8.count > 1024 {
            throw .invalidMessage("meta key longer than 1024 bytes", path: path)
        }
        let size = draft.body.utf8.count
        guard size <= maxBodyBytes else { throw .bodyTooLarge(bytes: size, limit: maxBodyBytes, path: path) }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
