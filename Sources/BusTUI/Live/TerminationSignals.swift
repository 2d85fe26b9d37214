#if os(Linux)
@preconcurrency import Glibc
import Synchronization

/// The signal that asked the monitor to stop (0: none).
///
/// A signal handler may only touch lock-free state.
private let requestedSignal = Atomic<Int32>(0)
/// Where the handler writes a byte so `poll` returns at once (-1 until installed).
private let wakeDescriptor = Atomic<Int32>(-1)

/// SIGTERM, SIGHUP and SIGINT end the monitor cleanly: the handler sets a flag and wakes the event loop,
/// which leaves its loop so the terminal is restored with `endwin` (never from the handler).
enum TerminationSignals {
    static let handled: [Int32] = [SIGTERM, SIGHUP, SIGINT]

    /// Installs the handlers (`sigaction(2)`); call before ncurses starts so it keeps its hands off them.
    static func install(wakeFD: Int32) {
        wakeDescriptor.store(wakeFD, ordering: .sequentiallyConsistent)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            requestedSignal.store(signal, ordering: .sequentiallyConsistent)
            let fd = wakeDescriptor.load(ordering: .sequentiallyConsistent)
            if fd >= 0 {
                var byte: UInt8 = 1
                _ = write(fd, &byte, 1)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for signal in handled { sigaction(signal, &action, nil) }
    }

    /// True once one of the signals arrived.
    static var requested: Bool { requestedSignal.load(ordering: .sequentiallyConsistent) != 0 }

    /// Stops waking the loop (its pipe is about to close).
    static func detach() {
        wakeDescriptor.store(-1, ordering: .sequentiallyConsistent)
    }
}
#endif
