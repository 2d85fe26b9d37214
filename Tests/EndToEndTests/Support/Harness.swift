import BusTestSupport
import Foundation
import Testing

/// The `run-agent` binary under test: `RUN_AGENT_BIN`, else the `run-agent` next to this test bundle
/// (`swift test` builds both into the same `.build/<config>` folder).
enum Binary {
    static let path: String = {
        if let fromEnvironment = ProcessInfo.processInfo.environment["RUN_AGENT_BIN"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("run-agent").path
    }()
}

/// What a finished child did.
struct RunResult {
    var status: Int32
    var stdoutBytes: [UInt8]
    var stderr: String
    var timedOut: Bool

    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// Non-empty lines of stderr.
    var stderrLines: [Substring] { stderr.split(separator: "\n") }

    /// The id a successful `post` printed (`msg_id: <id>`).
    var postedID: String? {
        let line = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return line.hasPrefix("msg_id: ") ? String(line.dropFirst(8)) : nil
    }

    /// `read --json` output as objects.
    func jsonObjects() throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }
}

/// A test's own folders: `path` for buses, `io` for the children's output files, `home` as their HOME.
final class Sandbox: Sendable {
    let base: String
    let path: String
    let io: String
    let home: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bus-e2e-\(UUID().uuidString)")
        base = url.path
        path = base + "/work"
        io = base + "/io"
        home = base + "/home"
        for folder in [path, io, home] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: base) }

    /// A clean environment: no JRUN_* variables from the caller, HOME inside the sandbox.
    var environment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        return [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
        ]
    }

    /// Starts a child with stdout and stderr going to files in `io`.
    func start(
        _ executable: String,
        _ arguments: [String],
        environment extra: [String: String] = [:],
        stdin: [UInt8]? = nil,
        pipeStdin: Bool = false,
        cwd: String? = nil
    ) throws -> Child {
        try Child(
            sandbox: self,
            executable: executable,
            arguments: arguments,
            environment: environment.merging(extra) { _, new in new },
            stdin: stdin,
            pipeStdin: pipeStdin,
            cwd: cwd ?? path
        )
    }

    /// Runs a child to completion (killed after `timeout`).
    func run(
        _ executable: String,
        _ arguments: [String],
        environment extra: [String: String] = [:],
        stdin: [UInt8]? = nil,
        cwd: String? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> RunResult {
        let child = try start(executable, arguments, environment: extra, stdin: stdin, cwd: cwd)
        let finished = child.waitForExit(timeout: timeout)
        if !finished { child.kill() }
        return RunResult(
            status: child.process.terminationStatus,
            stdoutBytes: child.stdoutBytes,
            stderr: child.stderr,
            timedOut: !finished
        )
    }

    /// Runs `run-agent bus <arguments>`.
    func bus(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        stdin: [UInt8]? = nil,
        cwd: String? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> RunResult {
        try run(Binary.path, ["bus"] + arguments, environment: extra, stdin: stdin, cwd: cwd, timeout: timeout)
    }

    /// Posts a message with `--no-fsync` and returns its id; records an issue when the post fails.
    @discardableResult
    func post(
        _ bus: String,
        _ body: String,
        type: String = "FACT",
        project: String = "p",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let result = try self.bus(
            ["post", "--bus", bus, "--project", project, "--type", type, "--no-fsync"] + bodyArguments(body)
        )
        #expect(result.status == 0, "post failed: \(result.stderr)", sourceLocation: sourceLocation)
        return try #require(result.postedID, sourceLocation: sourceLocation)
    }

    /// Writes a helper script into `io` and returns its path.
    func script(_ name: String, _ text: String) throws -> String {
        let scriptPath = io + "/" + name
        try text.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        return scriptPath
    }
}

/// Runs `body` with a fresh sandbox and removes it afterwards.
func withSandbox<T>(_ body: (Sandbox) throws -> T) throws -> T {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    return try body(sandbox)
}

/// A running child process whose output goes to files that tests can poll.
final class Child {
    let process: SpawnedProcess
    let stdoutPath: String
    let stderrPath: String
    /// The write end of the child's stdin pipe (started with `pipeStdin: true`).
    private let input: Foundation.FileHandle?

    init(
        sandbox: Sandbox,
        executable: String,
        arguments: [String],
        environment: [String: String],
        stdin: [UInt8]?,
        pipeStdin: Bool,
        cwd: String
    ) throws {
        let name = UUID().uuidString
        stdoutPath = sandbox.io + "/\(name).out"
        stderrPath = sandbox.io + "/\(name).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        var source = SpawnedProcess.Input.file("/dev/null")
        var readEnd: Int32 = -1
        if pipeStdin {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: errno \(errno)") }
            // Close-on-exec, so other children started meanwhile do not hold this stdin open.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            readEnd = fds[0]
            source = .descriptor(fds[0])
            input = Foundation.FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        } else if let stdin {
            let inputPath = sandbox.io + "/\(name).in"
            _ = FileManager.default.createFile(atPath: inputPath, contents: Data(stdin))
            source = .file(inputPath)
            input = nil
        } else {
            input = nil
        }
        defer { if readEnd >= 0 { close(readEnd) } }
        process = try SpawnedProcess(
            executable: executable,
            arguments: arguments,
            environment: environment,
            cwd: cwd,
            stdin: source,
            stdout: stdoutPath,
            stderr: stderrPath
        )
    }

    var pid: Int32 { process.processIdentifier }
    var stdoutBytes: [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: stdoutPath)))) ?? [] }
    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Writes to the child's stdin (started with `pipeStdin: true`).
    func send(_ text: String) throws {
        try input?.write(contentsOf: Data(text.utf8))
    }

    /// Waits for the child to exit; false when `timeout` passed first.
    func waitForExit(timeout: Duration) -> Bool {
        waitUntil(deadline: timeout) { !process.isRunning }
    }

    /// SIGKILL, then reap.
    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// The bytes of a file (empty when it cannot be read).
func readBytes(_ path: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
}

/// Replaces a file's content.
func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Names in a folder, sorted.
func listing(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// True once process `pid` holds an inotify descriptor (it is watching).
func watching(_ pid: Int32) -> Bool {
    listing("/proc/\(pid)/fd").contains { name in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)"))?.contains("inotify")
            ?? false
    }
}

/// True when process `pid` has `path` open (a tailer or a writer past its start-up, not only its inotify instance).
func holdsOpen(_ pid: Int32, _ path: String) -> Bool {
    listing("/proc/\(pid)/fd").contains { name in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)")) == path
    }
}

/// Drops one trailing line break (`\r\n`, `\n` or `\r`), which the bus format does not keep.
func withoutOneLineBreak(_ body: String) -> String {
    var bytes = Array(body.utf8)[...]
    if bytes.last == 0x0A { bytes = bytes.dropLast() }
    if bytes.last == 0x0D { bytes = bytes.dropLast() }
    return String(decoding: bytes, as: UTF8.self)
}

/// `--body` and its value; `--body=<value>` when the value starts with `-` (ArgumentParser would take it for an
/// option), which cannot be used for an empty value.
func bodyArguments(_ body: String) -> [String] {
    body.hasPrefix("-") ? ["--body=" + body] : ["--body", body]
}
