#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long and how to wait for the write lock.
///
/// The clock and the sleep are injected so that timeout tests
/// never really sleep.
package struct LockWait: Sendable {
    package var timeout: Duration
    package var now: @Sendable () -> ContinuousClock.Instant
    package var sleep: @Sendable (Duration) -> Void

    package static let defaultTimeout = Duration.seconds(10)

    package init(
        timeout: Duration = LockWait.defaultTimeout,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        sleep: @escaping @Sendable (Duration) -> Void = LockWait.nanosleep
    ) {
        self.timeout = timeout
        self.now = now
        self.sleep = sleep
    }

    /// Sleeps the calling thread (`nanosleep(2)`).
    package static func nanosleep(_ duration: Duration) {
        let parts = duration.components
        var request = timespec(tv_sec: Int(parts.seconds), tv_nsec: Int(parts.attoseconds / 1_000_000_000))
        var remaining = timespec()
        while Glibc.nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }

    /// Takes the exclusive BSD lock (`flock(2)`, which Go's writers also use; fcntl locks would not exclude
    /// them), polling with `LOCK_NB` until the timeout.
    /// - Parameters:
    ///   - handle: the open bus file.
    ///   - onBusy: called once, the first time the lock is found held by someone else.
    /// - Throws: `BusError.lockTimeout`, or `BusError.system` for an unexpected `flock` failure.
    func acquire(_ handle: FileHandle, onBusy: (() -> Void)?) throws(BusError) {
        let deadline = now().advanced(by: timeout)
        var interval = Duration.microseconds(500)
        var reported = false
        while true {
            if flock(handle.fd, LOCK_EX | LOCK_NB) == 0 { return }
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else { throw .system(call: "flock", path: handle.path, errno: code) }
            if !reported {
                reported = true
                onBusy?()
            }
            let current = now()
            guard current < deadline else { throw .lockTimeout(path: handle.path, seconds: timeout.secondsValue) }
            sleep(min(interval, current.duration(to: deadline)))
            interval = min(interval * 2, .milliseconds(20))
        }
    }
}
