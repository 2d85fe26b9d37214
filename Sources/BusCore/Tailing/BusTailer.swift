#if os(Linux)
import CBusSystem
@preconcurrency import Glibc

/// Why a tailer started a file over, or what it could not read.
package enum TailReset: Sendable, Equatable, CustomStringConvertible {
    /// The file got shorter than what was read: its content was replaced in place.
    case truncated
    /// The path now names another file and the followed one is gone without having been renamed (an editor's
    /// save-by-rename, or a deletion followed by a new file).
    case replaced
    /// The file was deleted; the tailer waits for it to be created again.
    case deleted
    /// The file appeared (it did not exist, or came back after a deletion).
    case created
    /// The followed file was renamed away (by `rotate`: to `archive`, when known). It was read to its end, and
    /// so is each later archive before the new file; one of these per rotation the follower went through.
    case rotated(archive: String?)
    /// Archives of rotations the follower had not reached yet were deleted first: their messages could not be
    /// read. `bytes` is their size as the rotation log recorded it (nil when some were not in the log).
    case archivesMissing(count: Int, bytes: Int?)

    package var description: String {
        switch self {
        case .truncated: "bus file was truncated; reading it again from the start"
        case .replaced: "bus file was replaced by another file; following the new file"
        case .deleted: "bus file was deleted; waiting for it to be created again"
        case .created: "bus file was created; following it"
        case .rotated(let archive?): "bus file was rotated to \(archive); following the new file"
        case .rotated(nil): "bus file was renamed away (rotated); following the new file"
        case .archivesMissing(let count, let bytes):
            (count == 1 ? "1 rotated archive" : "\(count) rotated archives")
                + " could not be read (deleted before this reader reached "
                + (count == 1 ? "it" : "them") + (bytes.map { ", \($0) bytes" } ?? "") + "); their messages are missing"
        }
    }
}

/// What one `refresh` found.
package struct TailUpdate: Sendable {
    /// Resets noticed before `items`, in order (a rotation can bring `.rotated` then new records).
    package var resets: [TailReset] = []
    /// Messages returned before whose records grew: replace the earlier message with the same id.
    ///
    /// A Go-framed body at the end of the file, or a legacy block, may still grow. They come before `messages`.
    package var revised: [BusMessage] = []
    package var messages: [BusMessage] = []
    package var malformed: [MalformedRecord] = []

    package var isEmpty: Bool { resets.isEmpty && revised.isEmpty && messages.isEmpty && malformed.isEmpty }

    package init() {}
}

/// Follows one bus file: remembers the offset after the last complete record, reads only what was appended,
/// holds back an incomplete last record, and reports truncation, rotation, replacement and deletion.
///
/// Woken by inotify (a watch on the file and one on its folder, for creation and rotation); on filesystems
/// where inotify misses other hosts' writes it polls `stat`. Either way a 1 s `stat` check runs as a safety net.
///
/// Rotation: when the path stops naming the file it holds, the tailer reads that file to its end, then walks the
/// chain of later archives (from the rotation log `<bus>.rotations`, else by archive names) and reads each in
/// order before the file now at the path, so every message is returned once however many rotations happened
/// between two wake-ups. It keeps the last file of the chain open until the path names a new one: an open file's
/// inode cannot be reused, so the log entries that name it are its own.
package final class BusTailer {
    package let path: String
    private let directory: String
    private let fileName: String
    private var handle: FileHandle?
    private var identity: FileIdentity?
    /// Where the next scan of the held file starts, and the provisional last message it may revise.
    private var scan = ScanContinuation()
    /// The held file's size at the last scan: an unchanged size needs no new scan, even with a provisional record.
    private var scannedSize = 0
    /// Set when reading started near the end (`skipToNewest`): line numbers count from this offset as line 1
    /// until an item needs the true ones.
    private var relativeLinesFrom: Int?
    /// Where the held file stands in the rotation chain once the path no longer names it; nil while it does.
    private var position: ChainPosition?
    /// The rotation log's last sequence number just before the held file was opened: its own entry, when it is
    /// rotated, is at or after this one (older entries naming its inode number are about earlier files).
    private var logFloor = 0
    /// inotify saw the held file renamed away.
    private var movedAway = false
    /// Nil when inotify cannot be had (the per-user instance or watch limit is reached): then the tailer polls.
    private let watcher: InotifyWatcher?
    private var fileWatch: Int32?
    /// True where inotify misses writes (network filesystems) or could not be set up: `stat` every 250 ms.
    package let pollsFilesystem: Bool

    /// Where a rotated-away file stands in the chain of archives.
    private enum ChainPosition {
        /// Its entry in the rotation log.
        case logged(RotationEntry)
        /// Not in the log: later archives are those whose names sort after this one (an archive name, or
        /// `<bus>.<stamp of the file's last change>` when it was renamed somewhere else).
        case named(after: String)
    }

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
        if let live = try openLive() { hold(live, at: nil) }
    }

    /// An inotify instance watching `directory`, or nil when the system's inotify limits are reached (a monitor
    /// of a project with hundreds of tasks) or the folder may be entered but not read (mode 0711, a shared runs
    /// root: inotify needs read access): the tailer then polls `stat` instead of failing.
    private static func watchFolder(_ directory: String) throws(BusError) -> InotifyWatcher? {
        let unwatchable: Set<Int32> = [EMFILE, ENFILE, ENOSPC, ENOMEM, EACCES]
        do {
            let watcher = try InotifyWatcher()
            _ = try watcher.add(directory, mask: InotifyWatcher.directoryMask)
            return watcher
        } catch .system(_, _, let code) where unwatchable.contains(code) {
            return nil
        }
    }

    /// A file to hold: its handle, identity, and the log floor it was opened at.
    private struct Opened {
        var handle: FileHandle
        var identity: FileIdentity
        var logFloor: Int
    }

    /// Opens the file at the path, or nil when there is none.
    private func openLive() throws(BusError) -> Opened? {
        // Read before opening: an entry written after this (by a rotate that then renames) may be the file's own.
        let floor = RotationLog.entries(for: path).last?.sequence ?? 0
        do {
            let opened = try BusFile.open(path, flags: O_RDONLY)
            return Opened(handle: opened, identity: FileIdentity(try opened.status()), logFloor: floor)
        } catch .system(_, _, let code) where code == ENOENT {
            return nil
        }
    }

    /// Makes `file` the held file, read from its start; `position` nil means it is the file at the path.
    private func hold(_ file: Opened, at position: ChainPosition?) {
        handle = file.handle
        identity = file.identity
        logFloor = file.logFloor
        self.position = position
        scan = ScanContinuation()
        scannedSize = 0
        relativeLinesFrom = nil
        movedAway = false
        if let fileWatch { watcher?.remove(fileWatch) }
        // Only the live file changes; an archive is read once, to its end.
        fileWatch = position == nil ? try? watcher?.add(path, mask: InotifyWatcher.fileMask) : nil
    }

    private func release() {
        handle = nil
        identity = nil
        position = nil
        if let fileWatch { watcher?.remove(fileWatch) }
        fileWatch = nil
    }

    /// Starts the held file near its end instead of its start, where `enough` is satisfied by the messages from
    /// there on (`BusReader.suffixStart`): a follower of a large bus reads only its newest part.
    /// - Returns: the part skipped, when there is one, for a reader that wants it later (the monitor loads it in
    ///   the background); the tailer never returns its messages.
    /// - Throws: `BusError` for a read error.
    @discardableResult
    package func skipToNewest(enough: ([BusMessage]) -> Bool) throws(BusError) -> SkippedHistory? {
        guard let handle, position == nil, scan.cursor.offset == 0 else { return nil }
        let start = try BusReader.suffixStart(handle, enough: enough)
        scan = ScanContinuation(cursor: start.cursor)
        scannedSize = 0
        relativeLinesFrom = start.linesKnown ? nil : start.cursor.offset
        return start.cursor.offset > 0 ? SkippedHistory(handle: handle, end: start.cursor.offset) : nil
    }

    /// Reads what was appended since the last call and notices resets.
    ///
    /// Never blocks.
    package func refresh() throws(BusError) -> TailUpdate {
        var update = TailUpdate()
        if let watcher, watcher.drain(movesOf: fileWatch, name: fileName) { movedAway = true }
        try readAppended(into: &update)
        var current = stat()
        let atPath = lstat(path, &current) == 0 ? FileIdentity(current) : nil
        guard let held = identity else {
            if atPath != nil, let live = try openLive() {
                hold(live, at: nil)
                update.resets.append(.created)
                try readAppended(into: &update)
            }
            return update
        }
        guard atPath != held else { return update }
        // A writer may have appended to the held file between the read above and the rename: drain it again
        // now that it can no longer grow (rotations rename under the write lock).
        try readAppended(into: &update)
        if position == nil {
            guard let found = try locateHeld(held) else {
                // Gone without a rename: deleted, or replaced by another file.
                release()
                if atPath != nil, let live = try openLive() {
                    hold(live, at: nil)
                    update.resets.append(.replaced)
                    try readAppended(into: &update)
                } else {
                    update.resets.append(.deleted)
                }
                return update
            }
            position = found.position
            update.resets.append(.rotated(archive: found.archive))
        }
        try followChain(into: &update)
        return update
    }

    /// Where the held file went, now that the path no longer names it; nil when it was not renamed.
    private func locateHeld(_ held: FileIdentity) throws(BusError) -> (position: ChainPosition, archive: String?)? {
        guard let handle else { return nil }
        let info = try handle.status()
        let entries = RotationLog.entries(for: path)
        // A floor above the log's end means the log was deleted and started again.
        let floor = logFloor <= (entries.last?.sequence ?? 0) ? logFloor : 0
        if let entry = entries.last(where: {
            $0.identity == held && $0.sequence >= floor && $0.size <= Int(info.st_size)
        }) {
            return (.logged(entry), PathText.join(directory, entry.archiveName))
        }
        // Not in the log (no log, a rotation by another tool, a rename by hand): look for it by inode.
        let names = BusPaths.listDirectory(directory).filter { $0.hasPrefix(fileName + ".") }.sorted()
        let found = names.last { name in
            var status = stat()
            return lstat(PathText.join(directory, name), &status) == 0 && FileIdentity(status) == held
        }
        if let found, BusRotator.isArchiveName(found, of: fileName) {
            return (.named(after: found), PathText.join(directory, found))
        }
        guard found != nil || movedAway || info.st_nlink > 0 else { return nil }
        // Renamed to a name that is not an archive name, or renamed and then deleted: the archives made after
        // its last change came after it.
        let changed = BusTimestamp(seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int32(info.st_mtim.tv_nsec))
        let after = fileName + "." + BusRotator.archiveStamp(changed)
        return (.named(after: after), found.map { PathText.join(directory, $0) })
    }

    /// One archive after the held file in the chain.
    private struct Successor {
        var name: String
        /// From the rotation log: what the archive must be, and its size if it is gone.
        var entry: RotationEntry?
    }

    /// The held file was rotated away and read to its end: reads each later archive in order, then moves to the
    /// file at the path (or keeps holding the last archive until there is one).
    private func followChain(into update: inout TailUpdate) throws(BusError) {
        // Open the file at the path first: every rotation before it is then in the log (entries are written
        // before the rename), so walking the chain up to it misses none.
        let live = try openLive()
        var missing = 0
        var missingBytes: Int? = 0
        let chain = successors()
        for (index, successor) in chain.enumerated() {
            let archivePath = PathText.join(directory, successor.name)
            let archive = try? BusFile.open(archivePath, flags: O_RDONLY)
            let archiveIdentity = try archive.map { file throws(BusError) in FileIdentity(try file.status()) }
            // The live file was rotated after it was opened above, or (last entry, no archive) a rotate died
            // between logging it and renaming it. An earlier entry naming the live file's inode is an archive
            // deleted since, whose inode number the live file reuses: missing, not the end of the chain.
            let liveEntry =
                index == chain.count - 1 && archive == nil && successor.entry?.identity == live?.identity
                && !(live.map { bornAfterLastRotation($0.handle) } ?? false)
            if let live, archiveIdentity == live.identity || liveEntry { break }
            guard let archive, let archiveIdentity, successor.entry.map({ $0.identity == archiveIdentity }) ?? true
            else {
                missing += 1
                missingBytes = successor.entry.flatMap { entry in missingBytes.map { $0 + entry.size } }
                continue
            }
            let place = successor.entry.map(ChainPosition.logged) ?? .named(after: successor.name)
            hold(Opened(handle: archive, identity: archiveIdentity, logFloor: 0), at: place)
            try readAppended(into: &update)
            update.resets.append(.rotated(archive: archivePath))
        }
        if missing > 0 { update.resets.append(.archivesMissing(count: missing, bytes: missingBytes)) }
        if let live {
            hold(live, at: nil)
            try readAppended(into: &update)
        }
    }

    /// Whether the file at the path was created after the rotation log was last written.
    ///
    /// Then an entry naming its inode number is about an archive deleted since, whose number the new file reuses
    /// (ext4 hands a freed number to the next file at once), not about a rotate that died before renaming this
    /// file. False when the filesystem keeps no birth time.
    private func bornAfterLastRotation(_ live: FileHandle) -> Bool {
        var seconds: Int64 = 0
        var nanoseconds: UInt32 = 0
        var log = stat()
        guard bus_birth_time(live.fd, &seconds, &nanoseconds) == 0, stat(RotationLog.path(for: path), &log) == 0
        else { return false }
        let born = BusTimestamp(seconds: seconds, nanoseconds: Int32(nanoseconds))
        let logged = BusTimestamp(seconds: Int64(log.st_mtim.tv_sec), nanoseconds: Int32(log.st_mtim.tv_nsec))
        return born > logged
    }

    /// The archives after the held file, oldest first: from the rotation log when it has the held file's entry,
    /// else by name.
    private func successors() -> [Successor] {
        let after: String
        switch position {
        case .logged(let held):
            let entries = RotationLog.entries(for: path)
            if let index = entries.lastIndex(where: { $0.sequence == held.sequence && $0.identity == held.identity }) {
                return entries[(index + 1)...].map { Successor(name: $0.archiveName, entry: $0) }
            }
            // Trimmed away or the log was removed: go by the names.
            after = held.archiveName
        case .named(let name):
            after = name
        case nil:
            return []
        }
        return BusRotator.archiveNames(of: fileName, in: BusPaths.listDirectory(directory))
            .filter { $0 > after }
            .map { Successor(name: $0, entry: nil) }
    }

    /// Reads what was appended to the held file, noticing truncation.
    private func readAppended(into update: inout TailUpdate) throws(BusError) {
        guard let handle else { return }
        let size = Int(try handle.status().st_size)
        if size < scan.cursor.offset {
            update.resets.append(.truncated)
            scan = ScanContinuation()
        }
        guard size > scan.cursor.offset, size != scannedSize else { return }
        scannedSize = size
        try scanToEnd(handle, sizeHint: size, into: &update)
    }

    /// Scans the held file from the last committed item to its end: a provisional last record (one that may
    /// still grow) is read again and comes back as a revision if it changed.
    private func scanToEnd(_ handle: FileHandle, sizeHint: Int, into update: inout TailUpdate) throws(BusError) {
        let bytes = try BusReader.readToEnd(handle, from: scan.cursor.offset, sizeHint: sizeHint)
        let before = scan
        var items = scan.advance(bytes)
        if let lineBase = relativeLinesFrom, items.contains(where: \.dependsOnLineNumbers) {
            // Started near the end: count the lines before the start once, and read these bytes again with them.
            var cursor = before.cursor
            cursor.line += try BusReader.lineFeeds(handle, before: lineBase)
            scan = ScanContinuation(cursor: cursor, provisional: before.provisional)
            items = scan.advance(bytes)
            relativeLinesFrom = nil
        }
        for item in items {
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

/// The start of a file that a tailer skipped (`skipToNewest`): the open file, which stays readable even if the
/// path is rotated or deleted meanwhile, and the record boundary where the tailer's reading starts.
package struct SkippedHistory: Sendable {
    package let handle: FileHandle
    package let end: Int

    /// The first `end` bytes of the open file `handle` (a tailer makes these; tests and tools may too).
    package init(handle: FileHandle, end: Int) {
        self.handle = handle
        self.end = end
    }

    /// Reads the skipped part from its start, in chunks, handing each item to `body`: exactly the items a
    /// whole read of the file finds before `end`.
    /// - Throws: `BusError` for a read error.
    package func read(_ body: (ScanItem) -> Void) throws(BusError) {
        try BusReader.stream(handle, until: end, body)
    }

    /// `read`, handing out records as the scanner found them (valid only during the call).
    /// - Throws: `BusError` for a read error.
    package func readRecords(_ body: (ScanEvent) -> Void) throws(BusError) {
        try BusReader.streamRecords(handle, until: end, body)
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

    /// `path` with a leading `prefix` replaced by `replacement` (unchanged when it does not start with it).
    package static func replacingPrefix(_ prefix: String, of path: String, with replacement: String) -> String {
        path.hasPrefix(prefix) ? replacement + path.dropFirst(prefix.count) : path
    }
}
