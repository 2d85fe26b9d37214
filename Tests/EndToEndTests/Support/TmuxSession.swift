import Foundation
import Testing

struct TmuxError: Error, CustomStringConvertible {
    var description: String
}

/// One tmux server on its own `-L` socket, running one command in a pane of a given size: the real binary in a
/// real terminal, read back with `capture-pane`.
final class TmuxSession {
    let sandbox: Sandbox
    let socket = "run-agent-test-\(UUID().uuidString.prefix(12))"
    static let tmux = "/usr/bin/tmux"

    /// Starts `command` (a shell command line) in a detached session; the pane stays after the program exits.
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
        try tmux([
            "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "\(width)", "-y", "\(height)",
            "env \(exports) \(command)",
        ])
        try tmux(["set-option", "-t", "t", "remain-on-exit", "on"])
    }

    deinit { _ = try? sandbox.run(Self.tmux, ["-L", socket, "kill-server"]) }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> RunResult {
        let result = try sandbox.run(Self.tmux, ["-L", socket] + arguments, timeout: .seconds(20))
        guard result.status == 0 else {
            throw TmuxError(description: "tmux \(arguments.first ?? "") failed: \(result.stderr)")
        }
        return result
    }

    /// `send-keys`: key names (`Enter`, `Escape`, `C-c`, `Tab`) or, with `literal`, text typed as is.
    func send(_ keys: String..., literal: Bool = false) throws {
        try tmux(["send-keys", "-t", "t"] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen as text (`colours` keeps the escape sequences).
    func capture(colours: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", "t"] + (colours ? ["-e"] : [])).stdout
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
            return condition(screen)
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
