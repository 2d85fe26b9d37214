#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `rotate` did.
package enum RotateOutcome: Sendable, Equatable {
    /// The bus is not larger than the limit: nothing changed.
    case belowLimit(size: Int)
    /// The bus was renamed to `archive`; the next writer creates a new one. `logFailure` says why the rotation
    /// log could not be written (a full disk): the rename needs no space, so it went ahead, and followers find
    /// the archive by its name instead.
    case rotated(archive: String, size: Int, logFailure: BusError? = nil)
}

/// Archives a bus that grew too large, under the write lock so no append is split across the two files.
package enum BusRotator {
    /// Renames `path` to `<path>.<YYYYMMDD-HHMMSS-nanoseconds UTC>.archived` when it is larger than `maxSize`.
    ///
    /// Writers that were waiting for the lock notice that the path now names another file and reopen it;
    /// tailers drain the archived file, read any later archives, and then follow the new one. Each rotation is
    /// recorded in `<path>.rotations` (see `RotationLog`) before the rename.
    /// - Throws: `BusError` (missing bus, refused path, lock timeout, rename failure).
    package static func rotate(_ path: String, maxSize: Int, lockWait: LockWait) throws(BusError) -> RotateOutcome {
        // Another rotate may rename the file while this one waits for the lock; then measure the new one.
        for _ in 0..<16 {
            let handle: FileHandle
            do {
                handle = try BusFile.open(path, flags: O_WRONLY | O_APPEND)
            } catch .system(_, _, let code) where code == ENOENT {
                throw .busNotFound(path)
            }
            try lockWait.acquire(handle, onBusy: nil)
            let info = try handle.status()
            var current = stat()
            guard lstat(path, &current) == 0, current.st_ino == info.st_ino, current.st_dev == info.st_dev else {
                continue
            }
            let size = Int(info.st_size)
            guard size > maxSize else { return .belowLimit(size: size) }
            let archive = path + "." + archiveStamp(BusTimestamp.now()) + ".archived"
            // Logged (and fsynced) before the rename, so a follower that sees the rename finds the entry. On a
            // full disk the log cannot grow but the rename still works: rotate without the entry.
            var logFailure: BusError?
            do {
                try RotationLog.record(bus: path, info: info, archiveName: PathText.split(archive).name)
            } catch .system(let call, let logPath, let code) where code == ENOSPC || code == EDQUOT {
                logFailure = .system(call: call, path: logPath, errno: code)
            }
            try Errno.retrying("rename", path: path) { Glibc.rename(path, archive) }
            return .rotated(archive: archive, size: size, logFailure: logFailure)
        }
        throw .system(call: "open", path: path, errno: ESTALE)
    }

    /// `YYYYMMDD-HHMMSS-nnnnnnnnn` (UTC): fixed width, so archive names sort in rotation order.
    package static func archiveStamp(_ time: BusTimestamp) -> String {
        time.civil.compact + "-" + BusTimestamp.padded(Int(time.nanoseconds), width: 9)
    }

    /// The archives of the bus `fileName` among `names` (a folder listing), oldest first.
    package static func archiveNames(of fileName: String, in names: [String]) -> [String] {
        names.filter { isArchiveName($0, of: fileName) }.sorted()
    }

    /// `<fileName>.<YYYYMMDD-HHMMSS-nnnnnnnnn>.archived`.
    static func isArchiveName(_ name: String, of fileName: String) -> Bool {
        let prefix = fileName + "."
        let suffix = ".archived"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return false }
        let stamp = Array(name.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count))
        guard stamp.count == 25 else { return false }
        return stamp.enumerated().allSatisfy { index, byte in
            index == 8 || index == 15
                ? byte == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
