#if os(Linux)
@preconcurrency import Glibc

/// Why a tailer started a file over.
package enum TailReset: Sendable, Equatable, CustomStringConvertible {
    /// The file got shorter than what was read: its content was replaced in place.
    case truncated
    /// The path now names another file (rotation, or an editor's save-by-rename).
    case replaced
    /// The file was deleted; the tailer waits for it to come back.
    case deleted
    /// The file appeared (it did not exist, or came back after a deletion).
    case created

    package var description: String {
        switch self {
        case .truncated: "bus file was truncated; reading it again from the start"
        case .replaced: "bus file was replaced (rotated); following the new file"
        case .deleted: "bus file was deleted; waiting for it to be created again"
        case .created: "bus file was created; following it"
        }
    }
}

/// What one `refresh` found.
package struct TailUpdate: Sendable {
    /// Resets noticed before `items`, in order (a rotation can bring `.replaced` then new records).
    package var resets: [TailReset] = []
    /// Messages returned before whose records grew: replace the earlier message with the same id.
    ///
    /// A Go-framed body at the end of the file, or a legacy block, may still grow. They come before `messages` in the file.
    package var revised: [BusMessage] = []
    package var messages: [BusMessage] = []
    package var malformed: [MalformedRecord] = []

    package var isEmpty: Bool { resets.isEmpty && revised.isEmpty && messages.isEmpty && malformed.isEmpty }
}

/// Follows one bus file: remembers the offset after the last complete record, reads only what was appended,
/// holds back an incomplete last record, and reports truncation, replacement and deletion.
///
/// Woken by inotify (a watch on the file and one on its folder, for creation and rotation); on filesystems
/// where inotify misses other hosts' writes it polls `stat`. Either way a 1 s `stat` check runs as a safety net.
package final class BusTailer {
    package let path: String
    private let directory: String
    private let fileName: String
    private var handle: FileHandle?
    private var identity: FileIdentity?
    /// Where the next scan starts, and the provisional last message it may revise.
    private var scan = ScanContinuation()
    /// The file size the last scan saw: an unchanged size needs no new scan, even with a provisional record.
    private var scannedSize = 0
    /// Nil when inotify cannot be had (the per-user instance or watch limit is reached): then the tailer polls.
    private let watcher: InotifyWatcher?
    private var fileWatch: Int32?
    /// True where inotify misses writes (network filesystems) or could not be set up: `stat` every 250 ms.
    package let pollsFilesystem: Bool

    /// The safety-net interval, shorter where inotify cannot be trusted.
    package var recheckInterval: Duration { pollsFilesystem ? .milliseconds(250) : .seconds(1) }

    /// Offset just past the last complete record returned.
    package var committedOffset: Int { scan.cursor.offset }

    /// The descriptor to `poll()` for readability, then call `refresh()`; -1 (which `poll` skips) when polling.
    package var descriptor: Int32 { watcher?.fd ?? -1 }

    /// - Parameters:
    ///   - path: the bus file; it may not exist yet, but its folder must.
    ///   - useInotify: false forces `stat` polling (what happens anyway when inotify's limits are reached).
    /// - Throws: `BusError` when the folder cannot be watched, or the path is refused (symlink, not a file).
    package init(path: String, useInotify: Bool = true) throws(BusError) {
        self.path = path
        let split = PathText.split(path)
        directory = split.directory
        fileName = split.name
        watcher = useInotify ? try Self.watchFolder(directory) : nil
        pollsFilesystem = watcher == nil || FilesystemKind.isRemote(directory)
        try open()
    }

    /// An inotify instance watching `directory`, or nil when the system's inotify limits are reached (a monitor
    /// of a project with hundreds of tasks): the tailer then polls `stat` instead of failing.
    private static func watchFolder(_ directory: String) throws(BusError) -> InotifyWatcher? {
        let exhausted: Set<Int32> = [EMFILE, ENFILE, ENOSPC, ENOMEM]
        do {
            let watcher = try InotifyWatcher()
            _ = try watcher.add(directory, mask: InotifyWatcher.directoryMask)
            return watcher
        } catch .system(_, _, let code) where exhausted.contains(code) {
            return nil
        }
    }

    private func open() throws(BusError) {
        do {
            let opened = try BusFile.open(path, flags: O_RDONLY)
            let info = try opened.status()
            handle = opened
            identity = FileIdentity(info)
            scan = ScanContinuation()
            scannedSize = 0
            if let fileWatch { watcher?.remove(fileWatch) }
            fileWatch = try? watcher?.add(path, mask: InotifyWatcher.fileMask)
        } catch .system(_, _, let code) where code == ENOENT {
            handle = nil
            identity = nil
        }
    }

    /// Reads what was appended since the last call and notices resets.
    ///
    /// Never blocks.
    package func refresh() throws(BusError) -> TailUpdate {
        var update = TailUpdate()
        watcher?.drain()
        try readAppended(into: &update)
        // The path may name another file now (rotation, deletion).
        var current = stat()
        let exists = lstat(path, &current) == 0
        let switching = handle != nil && (!exists || identity.map { $0 != FileIdentity(current) } ?? true)
        // A writer may have appended to the old file between the read above and the rename: drain it again
        // now that it can no longer grow (the rename happened under the write lock).
        if switching { try readAppended(into: &update) }
        if handle != nil, !exists {
            update.resets.append(.deleted)
            handle = nil
            identity = nil
        } else if exists, identity.map({ $0 != FileIdentity(current) }) ?? true {
            let hadFile = handle != nil
            try open()
            if handle != nil {
                update.resets.append(hadFile ? .replaced : .created)
                try readAppended(into: &update)
            }
        }
        return update
    }

    private func readAppended(into update: inout TailUpdate) throws(BusError) {
        guard let handle else { return }
        let size = Int(try handle.status().st_size)
        if size < scan.cursor.offset {
            update.resets.append(.truncated)
            scan = ScanContinuation()
        }
        guard size > scan.cursor.offset, size != scannedSize else { return }
        scannedSize = size
        // From the last committed item: a provisional last record is read again and revised if it grew.
        let bytes = try BusReader.readToEnd(handle, from: scan.cursor.offset, sizeHint: size)
        for item in scan.advance(bytes) {
            switch item {
            case .message(let message, _): update.messages.append(message)
            case .revised(let message, _): update.revised.append(message)
            case .malformed(let record): update.malformed.append(record)
            }
        }
    }

    /// Blocks until the bus may have changed or `timeout` passes (nil: the recheck interval).
    /// - Returns: true when inotify reported something.
    @discardableResult
    package func wait(timeout: Duration? = nil) -> Bool {
        let limit = min(timeout ?? recheckInterval, recheckInterval)
        return Self.waitReadable(watcher.map { [$0.fd] } ?? [], timeout: limit)
    }

    /// `poll(2)` on descriptors for reading, up to `timeout`; EINTR counts as a wake-up.
    package static func waitReadable(_ descriptors: [Int32], timeout: Duration) -> Bool {
        var fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let milliseconds = Int32(
            clamping: max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        )
        let ready = poll(&fds, nfds_t(fds.count), milliseconds)
        return ready > 0
    }
}
#endif

/// Path text helpers (no Foundation).
package enum PathText {
    /// Folder and last component of a path; a bare name lives in ".".
    package static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Joins path components with `/`.
    package static func join(_ parts: String...) -> String {
        parts.dropFirst().reduce(parts.first ?? "") { base, part in
            base.hasSuffix("/") ? base + part : base + "/" + part
        }
    }
}
