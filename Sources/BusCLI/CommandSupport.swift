import ArgumentParser
import BusCore

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs a command body, printing a `BusError` as one line on stderr and exiting with its documented code.
func reportingErrors(_ body: () throws(BusError) -> Void) throws {
    do {
        try body()
    } catch {
        Terminal.error(error.description)
        throw ExitCode(error.exitCode)
    }
}

/// Direct writes to stdout and stderr: unbuffered where a follower needs each line out at once, and no
/// Foundation on the start-up path.
enum Terminal {
    /// Writes text to stdout now.
    static func out(_ text: String) {
        write(fd: 1, text)
    }

    /// `run-agent: <message>` on stderr, as one line with every control made visible (messages quote paths
    /// and ids, which may carry anything).
    static func error(_ message: String) {
        write(fd: 2, "run-agent: " + oneLine(message) + "\n")
    }

    /// `run-agent: warning: <message>` on stderr, as one inert line.
    static func warning(_ message: String) {
        write(fd: 2, "run-agent: warning: " + oneLine(message) + "\n")
    }

    private static func oneLine(_ message: String) -> String {
        TerminalText.escaped(message, keepTabs: false, keepLineBreaks: false)
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var done = 0
            while done < buffer.count {
                let result = Glibc.write(fd, buffer.baseAddress.map { $0 + done }, buffer.count - done)
                if result > 0 {
                    done += result
                } else if result < 0 && errno == EINTR {
                    continue
                } else {
                    return  // EPIPE and friends: the reader went away; nothing useful left to do
                }
            }
        }
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}

/// `--bus`, `--project`, `--task`, `--run`, `--root`: where the bus is and what context a post carries.
struct BusLocationOptions: ParsableArguments {
    @Option(name: .long, help: "Bus file to use (overrides JRUN_MESSAGE_BUS and discovery).")
    var bus: String?

    @Option(name: .long, help: "Project id: selects <root>/<project>/PROJECT-MESSAGE-BUS.md.")
    var project: String?

    @Option(name: .long, help: "Task id: with --project selects <root>/<project>/<task>/TASK-MESSAGE-BUS.md.")
    var task: String?

    @Option(name: .long, help: "Runs root (default: JRUN_RUNS_DIR, else ~/.run-agent/runs).")
    var root: String?

    /// The bus named by `--bus` or `--project`[/`--task`], if any.
    func pathFromFlags(environment: [String: String], includeTask: Bool = true) throws(BusError) -> String? {
        if let bus, !bus.isEmpty { return bus }
        guard let project, !project.isEmpty else { return nil }
        let root = BusPaths.root(flag: root, environment: environment)
        if includeTask, let task, !task.isEmpty {
            return try BusPaths.taskBus(root: root, project: project, task: task)
        }
        return try BusPaths.projectBus(root: root, project: project)
    }

    /// Path order of `post` (and `rotate`): `--bus`, `JRUN_MESSAGE_BUS`, `--project`[/`--task`], discovery.
    func writePath(environment: [String: String]) throws(BusError) -> String {
        if let bus, !bus.isEmpty { return bus }
        if let fromEnvironment = environment["JRUN_MESSAGE_BUS"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let path = try pathFromFlags(environment: environment) { return path }
        return try Self.discovered()
    }

    /// Path order of `read` and `poll` (as in Go): flags, `JRUN_MESSAGE_BUS`, discovery.
    ///
    /// `--task` alone is a filter, not a path.
    func readPath(environment: [String: String]) throws(BusError) -> String {
        if let path = try pathFromFlags(environment: environment) { return path }
        return try Self.environmentOrDiscovered(environment)
    }

    /// `JRUN_MESSAGE_BUS`, else the bus discovered from the working folder.
    static func environmentOrDiscovered(_ environment: [String: String]) throws(BusError) -> String {
        if let fromEnvironment = environment["JRUN_MESSAGE_BUS"], !fromEnvironment.isEmpty { return fromEnvironment }
        return try discovered()
    }

    /// The task id to filter by when `--task` is given without `--project`.
    var taskFilter: String? {
        (project?.isEmpty ?? true) ? task.flatMap { $0.isEmpty ? nil : $0 } : nil
    }

    private static func discovered() throws(BusError) -> String {
        let here = BusPaths.absolute(".")
        guard let found = BusPaths.discover(from: here) else {
            throw .busNotFound(
                "no TASK-, PROJECT- or MESSAGE-BUS.md from \(here) upward; pass --project or set JRUN_MESSAGE_BUS"
            )
        }
        return found
    }
}

/// How `read`, `poll` and `read --follow` print messages.
///
/// Text output goes to terminals, so what agents wrote is made inert there (`TerminalText`, as `less` shows
/// it): an OSC 52 in a body would otherwise write the reader's clipboard. `--raw` asks for bodies byte for byte.
struct MessagePrinter {
    var json: Bool
    var raw = false

    /// `[YYYY-MM-DD HH:MM:SS] (TYPE) body`, or one JSON object per line.
    /// - Parameters:
    ///   - message: the message.
    ///   - revised: it was printed before and its record grew: `(TYPE, revised)`, or `"revised":true` in JSON.
    /// - Returns: the line, with its `\n`.
    func line(_ message: BusMessage, revised: Bool = false) -> String {
        guard !json else {
            let object = MessageJSON.encode(message)
            return (revised ? object.dropLast() + ",\"revised\":true}" : object) + "\n"
        }
        // The type is one line by the writer's rules; a foreign writer's line breaks in it are shown, not kept.
        let type = TerminalText.escaped(message.type, keepTabs: false, keepLineBreaks: false)
        let body = raw ? message.body : TerminalText.escaped(message.body)
        return "[" + message.timestamp.humanReadable + "] (" + type + (revised ? ", revised" : "") + ") " + body + "\n"
    }

    func print(_ messages: some Sequence<BusMessage>, revised: Bool = false) {
        var text = ""
        for message in messages { text += line(message, revised: revised) }
        if !text.isEmpty { Terminal.out(text) }
    }
}

/// `--type` and `--task` filters shared by `read` and `poll`.
struct MessageFilter {
    var types: Set<String>
    var task: String?

    var isEmpty: Bool { types.isEmpty && task == nil }

    func matches(_ message: BusMessage) -> Bool {
        (types.isEmpty || types.contains(message.type)) && (task == nil || message.taskID == task)
    }
}

/// Prints the malformed records a scan skipped, each with its offset and the path.
func reportMalformed(_ records: [MalformedRecord], path: String) {
    for record in records { Terminal.warning("\(record) in \(path)") }
}
