import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a child could not be started.
struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

/// A child process started with `posix_spawn`: no descriptors above 2 inherited, an empty signal mask and default
/// signal dispositions, the given working folder and environment.
///
/// Why not Foundation's `Process`: on Linux (Swift 6.3.1) its `run()` intermittently crashes the test process with
/// a bad pointer dereference in `memcpy` (an over-read of `struct dirent` in `findMaximumOpenFromProcSelfFD`,
/// swift-corelibs-foundation PR 5472, not in this toolchain); a suite that starts hundreds of children hits it.
/// It also learns that a child ended from a socket the child inherits, which a daemonizing child (the tmux server)
/// keeps open. Here the child is reaped with `waitpid`.
final class SpawnedProcess: @unchecked Sendable {
    let processIdentifier: pid_t
    private let lock = NSLock()
    private var waitStatus: Int32?

    /// What the child's standard descriptors are.
    enum Input {
        case file(String)
        case descriptor(Int32)
    }

    /// Starts `executable`.
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments (without the program name).
    ///   - environment: its whole environment.
    ///   - cwd: its working folder.
    ///   - stdin: a file to read, or a descriptor to put at 0 (a pipe's read end).
    ///   - stdout: the file its stdout is appended to (created if missing).
    ///   - stderr: the same for stderr.
    /// - Throws: `SpawnError` when `posix_spawn` fails.
    init(
        executable: String,
        arguments: [String],
        environment: [String: String],
        cwd: String,
        stdin: Input,
        stdout: String,
        stderr: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        switch stdin {
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        try Self.addPathAction("posix_spawn_file_actions_addchdir_np", &actions, cwd)
        try Self.closeFrom(&actions, 3)

        // The test's threads block signals (SIGTERM, SIGHUP); a child must start with none blocked and the default
        // action for each, as a shell would start it.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, Int32(signal)) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard result == 0 else {
            throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
    }

    /// The child has not exited yet.
    var isRunning: Bool { reap(blocking: false) == nil }

    /// The exit code, or the number of the signal that ended the child (as Foundation's `Process` reports it);
    /// -1 while it runs.
    var terminationStatus: Int32 {
        guard let status = reap(blocking: false) else { return -1 }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : signal
    }

    /// Blocks until the child exits.
    func waitUntilExit() { _ = reap(blocking: true) }

    /// The raw wait status once the child has exited (reaped once, remembered after).
    private func reap(blocking: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let waitStatus { return waitStatus }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
            if reaped == processIdentifier {
                waitStatus = status
                return status
            }
            if reaped == -1 && errno == EINTR { continue }
            return nil
        }
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34), which the Glibc module does not import.
    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ first: Int32) throws {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw SpawnError(description: "posix_spawn_file_actions_addclosefrom_np is missing")
        }
        let result = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, first)
        guard result == 0 else { throw SpawnError(description: "addclosefrom: error \(result)") }
    }

    /// A glibc file action taking a path (`posix_spawn_file_actions_addchdir_np`, glibc 2.29), not imported either.
    private static func addPathAction(
        _ name: String,
        _ actions: inout posix_spawn_file_actions_t,
        _ path: String
    ) throws {
        typealias PathAction =
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>)
            -> Int32
        guard let symbol = dlsym(nil, name) else { throw SpawnError(description: "\(name) is missing") }
        let result = path.withCString { unsafeBitCast(symbol, to: PathAction.self)(&actions, $0) }
        guard result == 0 else { throw SpawnError(description: "\(name): error \(result)") }
    }
}
