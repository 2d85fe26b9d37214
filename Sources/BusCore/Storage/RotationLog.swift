#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One rotation: a bus file that `rotate` renamed to an archive.
package struct RotationEntry: Sendable, Equatable {
    /// One more than the entry before it, kept across trims, so a follower can tell entries made after it
    /// opened a file from older ones that name a since reused inode number.
    package var sequence: Int
    /// The rotated file's device and inode (what a follower holding it open sees in `fstat`).
    package var identity: FileIdentity
    /// The file's size when it was rotated: what a follower could not read if the archive is gone.
    package var size: Int
    /// The archive's file name, in the bus's folder.
    package var archiveName: String

    package init(sequence: Int, identity: FileIdentity, size: Int, archiveName: String) {
        self.sequence = sequence
        self.identity = identity
        self.size = size
        self.archiveName = archiveName
    }

    /// `<sequence> <device> <inode> <size> <archive name>\n`: the name last, since it is the one field that
    /// may contain spaces.
    var line: String { "\(sequence) \(identity.device) \(identity.inode) \(size) \(archiveName)\n" }

    init?(line: Substring) {
        let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
        guard fields.count == 5, let sequence = Int(fields[0]), let device = UInt64(fields[1]),
            let inode = UInt64(fields[2]), let size = Int(fields[3]), !fields[4].isEmpty
        else { return nil }
        self.init(
            sequence: sequence,
            identity: FileIdentity(device: device, inode: inode),
            size: size,
            archiveName: String(fields[4])
        )
    }
}

extension FileIdentity {
    package init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// `<bus>.rotations`: one line per rotation, appended by `rotate` under the bus's write lock before the rename,
/// so a follower that finds its file gone can map the inode it holds to its place in the chain of archives and
/// read the later ones in order, and can tell how much of an archive deleted before it got there it missed.
///
/// The log is bounded: once it holds `maxEntries` lines, the next rotation rewrites it (to a temporary file that
/// is renamed over it) with the newest `keptEntries`. A follower more rotations behind than that, or a bus
/// rotated by a tool that keeps no log, falls back to the archive names.
package enum RotationLog {
    package static let suffix = ".rotations"
    package static let maxEntries = 512
    package static let keptEntries = 256
    static let header = "# run-agent bus rotation log: sequence device inode size archive-name\n"

    /// The log beside `bus`.
    package static func path(for bus: String) -> String { bus + suffix }

    /// The complete entries of the log beside `bus`; empty when there is none or it cannot be read (followers
    /// then go by the archive names, so a damaged log never stops them).
    package static func entries(for bus: String) -> [RotationEntry] {
        guard let handle = try? BusFile.open(path(for: bus), flags: O_RDONLY),
            let bytes = try? BusReader.readToEnd(handle, from: 0, sizeHint: 0)
        else { return [] }
        return parse(bytes).entries
    }

    /// The entries of complete lines and the length of the bytes they span (a torn last line is not included).
    static func parse(_ bytes: [UInt8]) -> (entries: [RotationEntry], validLength: Int) {
        guard let lastNewline = bytes.lastIndex(of: 0x0A) else { return ([], 0) }
        let text = String(decoding: bytes[...lastNewline], as: UTF8.self)
        let entries = text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : RotationEntry(line: line)
        }
        return (entries, lastNewline + 1)
    }

    /// Records that `bus` (open as `info`, locked by the caller) is about to be renamed to `archiveName`.
    ///
    /// Written and fsynced before the rename, so a follower that sees the rename finds the entry. A torn last
    /// line, or a last entry for this same file whose archive does not exist (a rotate that died between this
    /// call and its rename), is dropped by rewriting the log.
    /// - Throws: `BusError` when the log cannot be written; the caller then does not rotate, and the log is left
    ///   as it was.
    static func record(bus: String, info: stat, archiveName: String) throws(BusError) {
        // A line break in the name would split the entry; such a bus is followed by its archive names alone.
        guard !archiveName.contains("\n") else { return }
        let logPath = path(for: bus)
        let handle = try BusFile.open(logPath, flags: O_RDWR | O_APPEND | O_CREAT)
        let size = Int(try handle.status().st_size)
        let (existing, validLength) = parse(try BusReader.readToEnd(handle, from: 0, sizeHint: size))
        var entries = existing
        let identity = FileIdentity(info)
        if let last = entries.last, last.identity == identity, last.size <= Int(info.st_size),
            !exists(PathText.join(PathText.split(bus).directory, last.archiveName))
        {
            entries.removeLast()
        }
        let entry = RotationEntry(
            sequence: (existing.last?.sequence ?? 0) + 1,
            identity: identity,
            size: Int(info.st_size),
            archiveName: archiveName
        )
        if entries.count == existing.count, validLength == size, entries.count < maxEntries {
            let text = (size == 0 ? header : "") + entry.line
            do {
                try handle.writeAll(Array(text.utf8))
                try Errno.retrying("fsync", path: logPath) { fsync(handle.fd) }
            } catch {
                _ = ftruncate(handle.fd, off_t(size))
                throw error
            }
        } else {
            try rewrite(logPath, entries: entries.suffix(keptEntries - 1) + [entry])
        }
    }

    /// Replaces the log by one holding `entries`: written to `<log>.tmp-<pid>`, fsynced, renamed over it, so a
    /// follower reading it sees the old or the new log, never half of one.
    private static func rewrite(_ logPath: String, entries: [RotationEntry]) throws(BusError) {
        let temporary = logPath + ".tmp-" + String(getpid())
        unlink(temporary)
        let fd = try Errno.retrying("open", path: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        }
        let handle = FileHandle(fd: fd, path: temporary)
        do {
            try handle.writeAll(Array((header + entries.map(\.line).joined()).utf8))
            try Errno.retrying("fsync", path: temporary) { fsync(handle.fd) }
            try Errno.retrying("rename", path: logPath) { rename(temporary, logPath) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
