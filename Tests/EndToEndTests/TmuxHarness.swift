import Foundation
import Testing

/// Runs a program and returns its exit status and output.
@discardableResult
func runProgram(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    stdin: String? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The built `run-agent` binary: `RUN_AGENT_BIN`, else the one next to the test bundle.
func monitorBinaryPath() throws -> String {
    if let path = ProcessInfo.processInfo.environment["RUN_AGENT_BIN"] { return path }
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let candidate = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("run-agent")
    guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
        throw HarnessError("run-agent binary not found next to the tests at \(candidate.path); run `swift build` first")
    }
    return candidate.path
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or the deadline passes: never a bare sleep.
func eventually(
    timeout: Duration = .seconds(10),
    poll interval: Duration = .milliseconds(20),
    _ condition: () throws -> Bool
) throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18)
    }
    return try condition()
}

/// A temporary folder removed at the end of a test.
final class ScratchFolder {
    let path: String

    init(_ name: String = "monitor") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "run-agent-\(name)-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// One tmux server (its own `-L` socket) running one program in a pane of a given size.
final class TmuxSession {
    let socket: String
    private let tmux = "/usr/bin/tmux"

    /// Starts `command` (a shell command line) in a detached session.
    init(command: String, width: Int = 120, height: Int = 35, environment: [String: String] = [:]) throws {
        socket = "run-agent-test-\(UUID().uuidString.prefix(12))"
        let exports = (["LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "SWIFT_BACKTRACE": "interactive=no"]
            .merging(environment) { _, new in new })
            .map { "\($0.key)='\($0.value)'" }
            .sorted()
            .joined(separator: " ")
        let result = try runProgram(
            tmux,
            ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "\(width)", "-y", "\(height)",
             "env \(exports) \(command)"]
        )
        guard result.status == 0 else { throw HarnessError("tmux new-session failed: \(result.stderr)") }
        _ = try? runProgram(tmux, ["-L", socket, "set-option", "-g", "remain-on-exit", "on"])
    }

    deinit { _ = try? runProgram(tmux, ["-L", socket, "kill-server"]) }

    /// `send-keys`: key names (`Enter`, `Escape`, `C-c`) or, with `literal`, text typed as is.
    func send(_ keys: String..., literal: Bool = false) throws {
        try runProgram(tmux, ["-L", socket, "send-keys", "-t", "t"] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen as text (`-e` keeps colours as escape sequences).
    func capture(colours: Bool = false) throws -> String {
        try runProgram(tmux, ["-L", socket, "capture-pane", "-p", "-t", "t"] + (colours ? ["-e"] : [])).stdout
    }

    /// Waits until the screen shows `text`; returns the screen.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(10)) throws -> String {
        var screen = ""
        let found = try eventually(timeout: timeout) {
            screen = try capture()
            return screen.contains(text)
        }
        guard found else { throw HarnessError("timed out waiting for \"\(text)\"; screen was:\n\(screen)") }
        return screen
    }

    /// Waits until the screen no longer shows `text`.
    func waitForAbsence(_ text: String, timeout: Duration = .seconds(10)) throws {
        var screen = ""
        let gone = try eventually(timeout: timeout) {
            screen = try capture()
            return !screen.contains(text)
        }
        guard gone else { throw HarnessError("\"\(text)\" is still on screen:\n\(screen)") }
    }

    func resize(width: Int, height: Int) throws {
        try runProgram(tmux, ["-L", socket, "resize-window", "-t", "t", "-x", "\(width)", "-y", "\(height)"])
    }

    /// True once the pane's program has exited (with `remain-on-exit`).
    func paneIsDead() throws -> Bool {
        try runProgram(tmux, ["-L", socket, "display-message", "-p", "-t", "t", "#{pane_dead}"]).stdout
            .hasPrefix("1")
    }

    /// The pid of the pane's program.
    func panePID() throws -> Int32 {
        let text = try runProgram(tmux, ["-L", socket, "display-message", "-p", "-t", "t", "#{pane_pid}"]).stdout
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessError("no pane pid in \(text)")
        }
        return pid
    }
}
