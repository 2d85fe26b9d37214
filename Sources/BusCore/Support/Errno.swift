#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin helpers around raw syscalls: one place that reads `errno`, retries EINTR and builds `BusError`s.
package enum Errno {
    /// The current thread's `errno`.
    package static var current: Int32 { errno }

    /// `strerror(code)` as a Swift string.
    package static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Runs a syscall that returns -1 on failure, retrying while it fails with EINTR.
    /// - Throws: `BusError.system` naming `call` and `path`.
    @discardableResult
    package static func retrying<Result: FixedWidthInteger>(
        _ call: String,
        path: String,
        _ body: () -> Result
    ) throws(BusError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw BusError.system(call: call, path: path, errno: code)
        }
    }
}

/// An open file descriptor that closes itself.
///
/// `close` is never retried on EINTR (the descriptor is gone either way on Linux). Sendable: its state never
/// changes, and `pread` does not move the file offset, so threads may read one handle at once (the monitor's
/// history loader reads the file its tailer holds).
package final class FileHandle: Sendable {
    package let fd: Int32
    package let path: String

    package init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// `fstat(2)` of the open file.
    func status() throws(BusError) -> stat {
        var info = stat()
        try Errno.retrying("fstat", path: path) { fstat(fd, &info) }
        return info
    }

    /// Reads `[offset, offset + count)` with `pread(2)`, fewer bytes at end of file.
    package func read(at offset: Int, count: Int) throws(BusError) -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: BusError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            do throws(BusError) {
                initialized = try preadFully(into: base, at: offset, count: count)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads `[offset, offset + count)` with `pread(2)` onto the end of `bytes`, reusing its spare capacity (a
    /// streaming read's buffer: no new array, and no new pages to fault in, per chunk).
    /// - Returns: how many bytes were read: fewer than `count` at end of file.
    @discardableResult
    package func read(at offset: Int, count: Int, appendingTo bytes: inout [UInt8]) throws(BusError) -> Int {
        guard count > 0 else { return 0 }
        let start = bytes.count
        // Array has no way to append uninitialized elements: zero the new room, read into it, drop the rest.
        bytes.append(contentsOf: repeatElement(0, count: count))
        var done = 0
        var failure: BusError?
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            do throws(BusError) {
                done = try preadFully(into: base + start, at: offset, count: count)
            } catch {
                failure = error
            }
        }
        bytes.removeLast(count - done)
        if let failure { throw failure }
        return done
    }

    /// `pread(2)` until `count` bytes or end of file, retrying EINTR.
    /// - Returns: the bytes read.
    private func preadFully(
        into base: UnsafeMutablePointer<UInt8>,
        at offset: Int,
        count: Int
    ) throws(BusError)
        -> Int
    {
        var done = 0
        while done < count {
            let result = pread(fd, base + done, count - done, off_t(offset + done))
            if result > 0 {
                done += result
            } else if result == 0 {
                break
            } else if errno != EINTR {
                throw .system(call: "pread", path: path, errno: errno)
            }
        }
        return done
    }

    /// Writes all of `bytes` with `write(2)`, looping over short writes and EINTR.
    package func writeAll(_ bytes: [UInt8]) throws(BusError) {
        var failure: BusError?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let result = write(fd, raw.baseAddress.map { $0 + done }, raw.count - done)
                if result >= 0 {
                    done += result
                } else if errno != EINTR {
                    failure = .system(call: "write", path: path, errno: errno)
                    return
                }
            }
        }
        if let failure { throw failure }
    }
}

extension stat {
    /// A readable name for the file type in `st_mode`, for error messages.
    var kindName: String {
        switch st_mode & S_IFMT {
        case S_IFREG: "regular file"
        case S_IFDIR: "directory"
        case S_IFIFO: "FIFO"
        case S_IFLNK: "symlink"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }

    var isRegularFile: Bool { st_mode & S_IFMT == S_IFREG }
}
