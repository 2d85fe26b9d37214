package import ArgumentParser
package import BusCore
import Dispatch

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs a command body, printing a `BusError` as one line on stderr and exiting with its documented code.
package func reportingErrors(_ body: () throws(BusError) -> Void) throws {
    do {
        try body()
    } catch {
        Terminal.error(error.description)
        throw ExitCode(error.exitCode)
    }
}

/// Direct writes to stdout and stderr: unbuffered where a follower needs each line out at once, and no
/// Foundation on the start-up path.
package enum Terminal {
    /// Writes text to stdout now.
    package static func out(_ text: String) {
        write(fd: 1, text)
    }

    /// `run-agent: <message>` on stderr, as one line with every control made visible (messages quote paths
    /// and ids, which may carry anything).
    package static func error(_ message: String) {
        write(fd: 2, "run-agent: " + oneLine(message) + "\n")
    }

    /// `run-agent: warning: <message>` on stderr, as one inert line.
    package static func warning(_ message: String) {
        write(fd: 2, "run-agent: warning: " + oneLine(message) + "\n")
    }

    private static func oneLine(_ message: String) -> String {
        TerminalText.escaped(message, keepTabs: false, keepLineBreaks: false)
    }

    /// Writes bytes to stdout now, all of them unless the reader went away.
    static func out(_ bytes: UnsafeBufferPointer<UInt8>) {
        write(fd: 1, bytes)
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { write(fd: fd, $0) }
    }

    private static func write(fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
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

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}

/// `--bus`, `--project`, `--task`, `--run`, `--root`: where the bus is and what context a post carries.
package struct BusLocationOptions: ParsableArguments {
    package init() {}

    @Option(name: .long, help: "Bus file to use (overrides JRUN_MESSAGE_BUS and discovery).")
    package var bus: String?

    @Option(name: .long, help: "Project id: selects <root>/<project>/PROJECT-MESSAGE-BUS.md.")
    package var project: String?

    @Option(name: .long, help: "Task id: with --project selects <root>/<project>/<task>/TASK-MESSAGE-BUS.md.")
    package var task: String?

    @Option(name: .long, help: "Runs root (default: JRUN_RUNS_DIR, else ~/.run-agent/runs).")
    package var root: String?

    /// The choice these flags make, in the engine's terms (shared with `mcp`).
    package var location: BusLocation { BusLocation(bus: bus, project: project, task: task, root: root) }

    /// The bus named by `--bus` or `--project`[/`--task`], if any.
    func pathFromFlags(environment: [String: String], includeTask: Bool = true) throws(BusError) -> String? {
        try location.pathFromFlags(environment: environment, includeTask: includeTask)
    }

    /// Path order of `post` (and `rotate`): `--bus`, `JRUN_MESSAGE_BUS`, `--project`[/`--task`], discovery.
    package func writePath(environment: [String: String]) throws(BusError) -> String {
        try location.writePath(environment: environment)
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
        try BusLocation.environmentOrDiscovered(environment)
    }

    /// The task id to filter by when `--task` is given without `--project`.
    var taskFilter: String? {
        (project?.isEmpty ?? true) ? task.flatMap { $0.isEmpty ? nil : $0 } : nil
    }
}

/// How `read`, `poll` and `read --follow` print messages.
///
/// Text output goes to terminals, so what agents wrote is made inert there (`TerminalText`, as `less` shows
/// it): an OSC 52 in a body would otherwise write the reader's clipboard. `--raw` asks for bodies byte for byte.
struct MessagePrinter {
    var json: Bool
    var raw = false

    /// Output is written in chunks of about this size: few `write` calls on a whole-bus read, bounded memory.
    static let chunkSize = 1 << 20

    /// Appends `[YYYY-MM-DD HH:MM:SS] (TYPE) body`, or the JSON object, and a line feed.
    /// - Parameters:
    ///   - message: the message.
    ///   - revised: it was printed before and its record grew: `(TYPE, revised)`, or `"revised":true` in JSON.
    ///   - output: the bytes to append to (text lines go into the same buffer as JSON).
    func append(_ message: BusMessage, revised: Bool = false, to output: inout JSONBuffer) {
        if json {
            MessageJSON.encode(message, revised: revised, into: &output)
            output.append(raw: "\n")
        } else {
            var type = message.type
            var body = message.body
            type.withUTF8 { type in
                body.withUTF8 { body in
                    appendLine(message.timestamp, type: type, body: body, revised: revised, to: &output)
                }
            }
        }
    }

    /// `append` for a message as the scanner found it: its fields are copied from the file's bytes when they
    /// can be (`ScannedRecord.plain`), else the message is built.
    func append(_ record: ScannedRecord, to output: inout JSONBuffer) {
        guard let plain = record.plain else { return append(record.message, to: &output) }
        if json {
            guard MessageJSON.encode(plain, into: &output) else { return append(record.message, to: &output) }
            output.append(raw: "\n")
        } else {
            guard plain.isValidUTF8 else { return append(record.message, to: &output) }
            appendLine(plain.timestamp, type: plain.type, body: plain.body, revised: false, to: &output)
        }
    }

    /// Appends the text line `[YYYY-MM-DD HH:MM:SS] (TYPE) body` of well-formed UTF-8 fields, and a line feed.
    private func appendLine(
        _ timestamp: BusTimestamp,
        type: UnsafeBufferPointer<UInt8>,
        body: UnsafeBufferPointer<UInt8>,
        revised: Bool,
        to output: inout JSONBuffer
    ) {
        output.append(raw: "[")
        timestamp.appendHumanReadable(to: &output)
        output.append(raw: "] (")
        // The type is one line by the writer's rules; a foreign writer's line breaks in it are shown, not kept.
        TerminalText.append(utf8: type, keepTabs: false, keepLineBreaks: false, to: &output)
        if revised { output.append(raw: ", revised") }
        output.append(raw: ") ")
        if raw {
            output.append(raw: body)
        } else {
            TerminalText.append(utf8: body, to: &output)
        }
        output.append(raw: "\n")
    }

    /// Writes the output out once it has grown to a chunk.
    static func flushIfFull(_ output: inout JSONBuffer) {
        if output.count >= chunkSize { flush(&output) }
    }

    /// Writes the output out now and empties it.
    static func flush(_ output: inout JSONBuffer) {
        guard !output.isEmpty else { return }
        output.withUnsafeBytes { Terminal.out($0) }
        output.removeAll()
    }

    /// Prints `messages` now, in chunks.
    func print(_ messages: some Sequence<BusMessage>, revised: Bool = false) {
        var output = JSONBuffer()
        for message in messages {
            append(message, revised: revised, to: &output)
            Self.flushIfFull(&output)
        }
        Self.flush(&output)
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

    /// `matches` for a message not built yet.
    func matches(_ record: ScannedRecord) -> Bool {
        (types.isEmpty || types.contains(record.type)) && (task == nil || record.taskID == task)
    }
}

/// Prints the malformed records a scan skipped, each with its offset and the path.
func reportMalformed(_ records: [MalformedRecord], path: String) {
    for record in records { Terminal.warning("\(record) in \(path)") }
}

/// `--since`, then the `--type`/`--task` filters, then `--tail`, applied to messages as they are read, so a
/// whole-bus read keeps at most `--tail` messages in memory.
struct MessageSelection {
    let since: String?
    let filter: MessageFilter
    let tail: Int
    /// The message named by `since` was seen: what follows it is selected.
    private(set) var sinceFound = false
    /// The newest `tail` selected messages, oldest first from `ringStart`.
    private var ring: [BusMessage] = []
    private var ringStart = 0
    private var matched = 0

    init(since: String?, filter: MessageFilter, tail: Int) {
        self.since = since
        self.filter = filter
        self.tail = tail
        sinceFound = since == nil
    }

    /// Takes the next message in file order.
    /// - Returns: the message when it is selected and can be printed at once (`--tail 0`); nil when it is not
    ///   selected or is kept for `kept`.
    mutating func take(_ message: BusMessage) -> BusMessage? {
        guard sinceFound else {
            sinceFound = message.msgID == since
            return nil
        }
        guard filter.isEmpty || filter.matches(message) else { return nil }
        matched += 1
        guard tail > 0 else { return message }
        if ring.count < tail {
            ring.append(message)
        } else {
            ring[ringStart] = message
            ringStart = (ringStart + 1) % tail
        }
        return nil
    }

    /// Messages taken from now on are selected by `filter` alone and printed at once.
    ///
    /// That is when `since` was seen and no `--tail` keeps them back (`take` would count nothing that matters).
    var printsAtOnce: Bool { sinceFound && tail == 0 }

    /// The kept messages (the last `tail` selected ones), oldest first.
    var kept: [BusMessage] { Array(ring[ringStart...] + ring[..<ringStart]) }

    /// What was taken answers the question: the `since` message was seen, or `tail` messages were selected.
    var isAnswered: Bool { since != nil ? sinceFound : tail > 0 && matched >= tail }

    /// Whether `messages`, taken from the start, answer the question (`BusReader.suffixStart`'s test of a start).
    func isAnswered(by messages: [BusMessage]) -> Bool {
        var trial = MessageSelection(since: since, filter: filter, tail: tail)
        for message in messages { _ = trial.take(message) }
        return trial.isAnswered
    }
}

/// Runs async work from a synchronous command (the CLI's commands are synchronous: most never leave the
/// calling thread) and waits for it; the main thread only waits, the work runs on the concurrency pool.
package enum BlockingTask {
    /// - Returns: the error the work threw, or nil.
    package static func run(_ work: @escaping @Sendable () async throws -> Void) -> (any Error)? {
        let done = DispatchSemaphore(value: 0)
        let box = ErrorBox()
        Task {
            do { try await work() } catch { box.error = error }
            done.signal()
        }
        done.wait()
        return box.error
    }

    private final class ErrorBox: @unchecked Sendable {
        // Written by the task before it signals, read by the waiter after: the semaphore orders them.
        var error: (any Error)?
    }
}
