#if os(Linux)
@preconcurrency import Glibc
internal import BusCore

/// A pipe the event loop polls so other threads and signal handlers can wake it (`pipe(2)`, both ends
/// non-blocking and close-on-exec).
final class SelfPipe: Sendable {
    let readFD: Int32
    let writeFD: Int32

    /// - Throws: `BusError.system` when no descriptors are left.
    init() throws(BusError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system(call: "pipe", path: "(self-pipe)", errno: errno) }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Wakes the loop; a full pipe already will, so a failed write is fine.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe after a wake-up.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(readFD, $0.baseAddress, $0.count) }) > 0 {}
    }
}
#endif
