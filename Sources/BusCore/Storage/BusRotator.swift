#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `rotate` did.
package enum RotateOutcome: Sendable, Equatable {
    /// The bus is not larger than the limit: nothing changed.
    case belowLimit(size: Int)
    /// The bus was renamed to `archive`; the next writer creates a new one.
    case rotated(archive: String, size: Int)
}

/// Archives a bus that grew too large, under the write lock so no append is split across the two files.
package enum BusRotator {
    /// Renames `path` to `<path>.<YYYYMMDD-HHMMSS-nanoseconds UTC>.archived` when it is larger than `maxSize`.
    ///
    /// Writers that were waiting for the lock notice that the path now names another file and reopen it;
    /// tailers drain the archived file and then follow the new one.
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
            let now = BusTimestamp.now()
            let archive =
                path + "." + now.civil.compact + "-" + BusTimestamp.padded(Int(now.nanoseconds), width: 9)
                + ".archived"
            try Errno.retrying("rename", path: path) { Glibc.rename(path, archive) }
            return .rotated(archive: archive, size: size)
        }
        throw .system(call: "open", path: path, errno: ESTALE)
    }
}
