#if os(Linux)
import CNcursesw
@preconcurrency import Glibc

/// The actions that were installed before ours, indexed by signal number.
///
/// A crash still reaches the Swift runtime's backtracer (or the default action) after the terminal is
/// restored. Written once before any
/// handler can run, then only read by the handler: `nonisolated(unsafe)` is sound here.
nonisolated(unsafe) private var previousActions: [sigaction] = Array(repeating: sigaction(), count: 65)

/// Restores the terminal when the process crashes: a handler for SIGSEGV, SIGILL, SIGABRT, SIGBUS, SIGTRAP and
/// SIGFPE calls `endwin`, puts the previous action back and re-raises, so the crash is reported on a sane
/// terminal instead of a raw, invisible-cursor one.
enum CrashRestore {
    static let signals: [Int32] = [SIGSEGV, SIGILL, SIGABRT, SIGBUS, SIGTRAP, SIGFPE]

    static func install() {
        for signal in signals {
            var old = sigaction()
            sigaction(signal, nil, &old)
            previousActions[Int(signal)] = old
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            shim_sgr_mouse(0)
            endwin()
            var previous = previousActions[Int(signal)]
            sigaction(signal, &previous, nil)
            // Blocked while this handler runs: delivered to the previous action as soon as it returns.
            raise(signal)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for signal in signals { sigaction(signal, &action, nil) }
    }
}
#endif
