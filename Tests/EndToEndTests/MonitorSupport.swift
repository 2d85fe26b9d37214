import BusTestSupport
import Foundation
import Testing

/// `run-agent bus monitor` in a tmux pane, started through a shell script that, once the monitor ends, writes
/// its exit status and the terminal's `stty -a` into the sandbox and then sleeps, so both can be checked.
struct MonitorRun {
    let sandbox: Sandbox
    let session: PaneSession
    let exitPath: String
    let sttyPath: String

    /// Starts `run-agent bus monitor <arguments>` in `cwd` (default: the sandbox's bus folder); `redirect` is
    /// appended to the command line as is (such as `> file`).
    init(
        _ sandbox: Sandbox,
        _ arguments: [String],
        cwd: String? = nil,
        redirect: String = "",
        environment: [String: String] = [:],
        width: Int = 120,
        height: Int = 35
    ) throws {
        self.sandbox = sandbox
        let name = "monitor-\(UUID().uuidString.prefix(8))"
        exitPath = sandbox.io + "/\(name).exit"
        sttyPath = sandbox.io + "/\(name).stty"
        let command = ([Binary.path, "bus", "monitor"] + arguments).map(shellQuoted).joined(separator: " ")
        let script = try sandbox.script(
            name + ".sh",
            """
            cd \(shellQuoted(cwd ?? sandbox.path)) || exit 1
            \(command) \(redirect)
            echo "exit=$?" > \(shellQuoted(exitPath)).tmp
            stty -a > \(shellQuoted(sttyPath)).tmp
            mv \(shellQuoted(sttyPath)).tmp \(shellQuoted(sttyPath))
            mv \(shellQuoted(exitPath)).tmp \(shellQuoted(exitPath))
            exec sleep 600

            """
        )
        session = try PaneSession(
            sandbox,
            command: "sh " + shellQuoted(script),
            width: width,
            height: height,
            environment: ["TZ": "UTC"].merging(environment) { _, new in new }
        )
    }

    /// Waits for the monitor to end; returns `exit=N` and the `stty -a` words of the terminal it left behind.
    func waitForExit(timeout: Duration = .seconds(15)) throws -> (exit: String, stty: [Substring]) {
        let ended = waitUntil(deadline: timeout) { FileManager.default.fileExists(atPath: exitPath) }
        guard ended else {
            throw TmuxError(description: "the monitor did not exit; the screen was:\n\((try? session.capture()) ?? "")")
        }
        let exit = String(decoding: readBytes(exitPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let stty = String(decoding: readBytes(sttyPath), as: UTF8.self)
        return (exit, stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }))
    }

    /// Whether the monitor has exited (the script wrote its status).
    var hasExited: Bool { FileManager.default.fileExists(atPath: exitPath) }

    /// The monitor's pid: the `run-agent` process below the pane's shell.
    func monitorPID(timeout: Duration = .seconds(10)) throws -> Int32 {
        let root = try session.panePID()
        var found: Int32?
        waitUntil(deadline: timeout) {
            found = descendant(of: root) { processName($0) == "run-agent" }
            return found != nil
        }
        guard let found else { throw TmuxError(description: "no run-agent process below pane pid \(root)") }
        return found
    }

    /// A process below `root` (breadth first, children listed by `pgrep -P`) that satisfies `condition`.
    private func descendant(of root: Int32, where condition: (Int32) -> Bool) -> Int32? {
        var queue = [root]
        var seen = Set<Int32>()
        while !queue.isEmpty {
            let pid = queue.removeFirst()
            guard seen.insert(pid).inserted else { continue }
            if pid != root, condition(pid) { return pid }
            let children =
                (try? sandbox.run("/usr/bin/pgrep", ["-P", String(pid)], timeout: .seconds(10)))?.stdout ?? ""
            queue += children.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }

    private func processName(_ pid: Int32) -> String {
        String(decoding: readBytes("/proc/\(pid)/comm"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension PaneSession {
    /// Waits until every one of `texts` is on the screen.
    @discardableResult
    func waitForAll(_ texts: [String], timeout: Duration = .seconds(15)) throws -> String {
        try waitForScreen("all of \(texts)", timeout: timeout) { screen in texts.allSatisfy { screen.contains($0) } }
    }

    /// Checks every screen for `duration` (it must keep satisfying `condition`); throws at the first that does not.
    func expectSteady(_ what: String, for duration: Duration, _ condition: (String) -> Bool) throws {
        let end = ContinuousClock.now.advanced(by: duration)
        while ContinuousClock.now < end {
            let screen = try capture()
            guard condition(screen) else {
                throw TmuxError(description: "the screen stopped showing \(what):\n\(screen)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Waits until the screen shows every one of `present` and none of `absent`.
    @discardableResult
    func waitFor(
        _ present: [String],
        without absent: [String],
        timeout: Duration = .seconds(15)
    ) throws -> String {
        try waitForScreen("\(present) without \(absent)", timeout: timeout) { screen in
            present.allSatisfy { screen.contains($0) } && !absent.contains { screen.contains($0) }
        }
    }
}

/// Holds `bus`'s flock in another process until that process is killed; returns once the lock is held.
///
/// A shell opens fd 9, `flock 9` locks it, and the shell becomes `sleep`: one process, so killing it frees the lock.
extension PaneSession {
    /// Opens the compose box, types `body` (waiting until it is on screen) and presses Enter to post it.
    func compose(_ body: String) throws {
        try send("c")
        try waitFor("type the message; Enter posts it")
        try send(body, literal: true)
        try waitFor(body)
        try send("Enter")
    }
}

func holdLock(_ sandbox: Sandbox, _ bus: String) throws -> Child {
    // Held until the test kills it (killTree), however slow the machine: a holder that let go by itself after a
    // while freed the lock early in a loaded suite run.
    let holder = try sandbox.start("/bin/sh", ["-c", "exec 9>>\"$0\" && flock 9 && exec sleep 600", bus])
    let held = waitUntil(deadline: .seconds(10)) {
        ((try? sandbox.run("/usr/bin/flock", ["-n", bus, "true"]))?.status ?? 0) != 0
    }
    if !held { holder.kill() }
    try #require(held, "the helper did not take the lock")
    return holder
}

/// `text` in single quotes for `sh`.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The first line of the screen (the status bar).
func statusBar(_ screen: String) -> String {
    String(screen.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
}

/// The id in the status bar's `posted <id>`, if shown.
func postedID(onScreen screen: String) -> String? {
    guard let range = statusBar(screen).range(of: "posted MSG-") else { return nil }
    let rest = statusBar(screen)[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
    return "MSG-" + rest
}

/// The records of a bus file as text, split at the record openers (`---` + `msg_id:`).
func busRecords(_ path: String) -> [String] {
    let text = String(decoding: readBytes(path), as: UTF8.self)
    return text.components(separatedBy: "---\nmsg_id: ").dropFirst().map { "msg_id: " + $0 }
}

/// Why a tmux command failed.
struct TmuxError: Error, CustomStringConvertible {
    var description: String
}

/// One tmux server on its own `-L` socket running one command in a pane, read with `capture-pane`.
///
/// The first tmux command, which forks the server, is a `SpawnedProcess` like every child: it is reaped with
/// `waitpid` (the server daemonizes and keeps any socket it inherits open), and the server starts with an empty
/// signal mask (the test's threads block SIGTERM and SIGHUP, which would make `kill-server` a no-op).
final class PaneSession {
    let sandbox: Sandbox
    let socket = "run-agent-mon-\(UUID().uuidString.prefix(12))"
    static let tmux = "/usr/bin/tmux"

    init(
        _ sandbox: Sandbox,
        command: String,
        width: Int = 120,
        height: Int = 35,
        environment: [String: String] = [:]
    ) throws {
        self.sandbox = sandbox
        let settings = ["LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "SWIFT_BACKTRACE": "interactive=no"]
            .merging(environment) { _, new in new }
        let exports = settings.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        try spawnDetached([
            Self.tmux, "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "\(width)", "-y",
            "\(height)", "env \(exports) \(command)",
        ])
        try tmux(["set-option", "-t", "t", "remain-on-exit", "on"])
    }

    /// Stops the server (SIGHUP for the pane's processes) and removes its socket file, which tmux leaves behind.
    deinit {
        _ = try? sandbox.run(Self.tmux, ["-L", socket, "kill-server"], timeout: .seconds(20))
        let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        unlink("\(folder)/tmux-\(getuid())/\(socket)")
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> RunResult {
        let result = try sandbox.run(Self.tmux, ["-L", socket] + arguments, timeout: .seconds(20))
        guard result.status == 0, !result.timedOut else {
            throw TmuxError(description: "tmux \(arguments.first ?? "") failed: \(result.stderr)")
        }
        return result
    }

    /// Runs `arguments` as a `SpawnedProcess` (no inherited descriptors above 2, default signal mask and
    /// dispositions, the sandbox's environment) and waits for it; throws unless it exits 0.
    private func spawnDetached(_ arguments: [String]) throws {
        let errorPath = sandbox.io + "/tmux-start-\(UUID().uuidString.prefix(8)).err"
        let child = try SpawnedProcess(
            executable: arguments[0],
            arguments: Array(arguments.dropFirst()),
            environment: sandbox.environment,
            cwd: sandbox.path,
            stdin: .file("/dev/null"),
            stdout: "/dev/null",
            stderr: errorPath
        )
        guard waitUntil(deadline: .seconds(20), { !child.isRunning }) else {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            throw TmuxError(description: "tmux new-session did not finish")
        }
        guard child.terminationStatus == 0 else {
            let errors = String(decoding: readBytes(errorPath), as: UTF8.self)
            throw TmuxError(description: "tmux new-session failed (status \(child.terminationStatus)): \(errors)")
        }
    }

    /// `send-keys`: key names (`Enter`, `Escape`, `C-c`, `Tab`) or, with `literal`, text typed as is.
    func send(_ keys: String..., literal: Bool = false) throws {
        try tmux(["send-keys", "-t", "t"] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen as text (`colours` keeps the escape sequences).
    func capture(colours: Bool = false, trailing: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", "t"] + (colours ? ["-e"] : []) + (trailing ? ["-N"] : [])).stdout
    }

    /// Waits until the screen satisfies `condition`; returns that screen or throws with the last one.
    @discardableResult
    func waitForScreen(
        _ what: String,
        timeout: Duration = .seconds(15),
        _ condition: (String) -> Bool
    ) throws -> String {
        var screen = ""
        let met = try waitUntil(deadline: timeout) {
            screen = try capture()
            if condition(screen) { return true }
            Thread.sleep(forTimeInterval: 0.02)
            return false
        }
        guard met else { throw TmuxError(description: "timed out waiting for \(what); the screen was:\n\(screen)") }
        return screen
    }

    /// Waits until the screen shows `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(15)) throws -> String {
        try waitForScreen("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Waits until the screen no longer shows `text`.
    @discardableResult
    func waitForAbsence(_ text: String, timeout: Duration = .seconds(15)) throws -> String {
        try waitForScreen("\"\(text)\" to go away", timeout: timeout) { !$0.contains(text) }
    }

    /// Copies every byte the pane's program writes from now on into `path` (`tmux pipe-pane -o`), to check what
    /// reached the terminal rather than what tmux made of it.
    func pipeOutput(to path: String) throws {
        try tmux(["pipe-pane", "-o", "-t", "t", "cat >> " + shellQuoted(path)])
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", "t", "-x", "\(width)", "-y", "\(height)"])
    }

    /// The pid of the pane's first process (the shell when the command is a shell line).
    func panePID() throws -> Int32 {
        let text = try tmux(["display-message", "-p", "-t", "t", "#{pane_pid}"]).stdout
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TmuxError(description: "no pane pid in '\(text)'")
        }
        return pid
    }
}
