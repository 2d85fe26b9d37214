import ArgumentParser
import BusCore
import BusRemote

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `run-agent bus poll`: wait until there are messages after `--since`, print them, exit.
struct PollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Block until messages after --since exist, print them and exit (124 on --timeout).",
        discussion: "Without --since, waits for the next message appended after the poll starts."
    )

    @OptionGroup var location: BusLocationOptions

    @OptionGroup var serverOptions: ServerOptions

    @Option(name: .long, help: "Return the messages after this msg_id.")
    var since: String?

    // Unconditional: `--timeout -1` reaches the seconds parser and gets a clear message instead of "Missing value".
    @Option(
        name: .long,
        parsing: .unconditional,
        help: "Give up after this many seconds (decimals allowed) and exit 124."
    )
    var timeout: String?

    @Option(name: .long, help: "Only messages of this type (repeatable).")
    var type: [String] = []

    @Flag(name: .long, help: "One JSON object per line.")
    var json = false

    @Flag(name: .long, help: "Print bodies byte for byte, escape sequences included (text output only).")
    var raw = false

    func validate() throws {
        guard !(raw && json) else { throw ValidationError("--raw applies to text output; --json is exact already") }
    }

    /// The documented exit code of a poll that timed out (as timeout(1)).
    static let timedOutExitCode: Int32 = 124

    func run() throws {
        var timedOut = false
        if let remote = serverOptions.remote(ProcessEnvironment.current()) {
            var limit: Duration?
            try reportingErrors { () throws(BusError) in
                limit = try timeout.map { text throws(BusError) in try SettingParser.seconds(text, name: "--timeout") }
            }
            let query = RemoteQuery(since: since, types: type, project: location.project, task: location.task)
            try reportingRemoteErrors { () throws(RemoteError) in
                let printer = MessagePrinter(json: json, raw: raw)
                timedOut = try !RemoteReading.poll(remote, query: query, timeout: limit, printer: printer)
            }
            if timedOut { throw ExitCode(Self.timedOutExitCode) }
            return
        }
        try reportingErrors { () throws(BusError) in
            let path = try location.readPath(environment: ProcessEnvironment.current())
            let limit = try timeout.map { text throws(BusError) in try SettingParser.seconds(text, name: "--timeout") }
            try BusPresence.require(path)
            timedOut = try !poll(path, limit: limit)
        }
        if timedOut { throw ExitCode(Self.timedOutExitCode) }
    }

    /// - Returns: false when the timeout passed with nothing new.
    private func poll(_ path: String, limit: Duration?) throws(BusError) -> Bool {
        #if os(Linux)
        let filter = MessageFilter(types: Set(type), task: location.taskFilter)
        let printer = MessagePrinter(json: json, raw: raw)
        let deadline = limit.map { ContinuousClock.now.advanced(by: $0) }
        if let since, let found = try PollShortcut.answer(path, since: since, filter: filter) {
            printer.print(found)
            return true
        }
        let tailer = try BusTailer(path: path)
        // Only the newest part of the bus matters: the message named by --since and what follows it, or nothing
        // at all (without --since, only what is appended from now on is printed).
        try tailer.skipToNewest { messages in since.map { id in messages.contains { $0.msgID == id } } ?? true }
        let first = try tailer.refresh()
        reportMissing(first.resets, path: path)
        reportMalformed(first.malformed, path: path)
        if let since {
            let found = try BusReader.messages(first.messages, after: since, path: path).filter(filter.matches)
            if !found.isEmpty {
                printer.print(found)
                return true
            }
        }
        while true {
            var wait: Duration?
            if let deadline {
                let now = ContinuousClock.now
                if now >= deadline { return false }
                wait = now.duration(to: deadline)
            }
            tailer.wait(timeout: wait)
            let update = try tailer.refresh()
            reportMissing(update.resets, path: path)
            reportMalformed(update.malformed, path: path)
            let found = update.messages.filter(filter.matches)
            if !found.isEmpty {
                printer.print(found)
                return true
            }
        }
        #else
        return false
        #endif
    }

    #if os(Linux)
    /// Rotations are routine for a poller and stay quiet; messages it could not read are worth a warning.
    private func reportMissing(_ resets: [TailReset], path: String) {
        for reset in resets {
            if case .archivesMissing = reset { Terminal.warning("\(reset): \(path)") }
        }
    }
    #endif
}

/// A `poll --since` whose answer is already on the bus, read without inotify.
///
/// A process that made an inotify instance waits about 8 ms at exit while the kernel frees its watches (an SRCU
/// grace period, whether or not the watches were removed first): more than the rest of a poll. Agents poll in
/// loops and the answer is often there already, so it is looked for with a plain read first; anything unusual
/// goes the tailer's way, which reports it (rotations, malformed records).
enum PollShortcut {
    /// The messages after `since` that `filter` keeps, read from the end of the live file: nil when there are
    /// none yet, when `since` is not in the live file, or when the part read holds a malformed record or a
    /// message whose id comes from its line number (the tailer reports and numbers those).
    /// - Throws: `BusError` when the bus cannot be read.
    static func answer(_ path: String, since: String, filter: MessageFilter) throws(BusError) -> [BusMessage]? {
        let handle: FileHandle
        do {
            handle = try BusFile.open(path, flags: O_RDONLY)
        } catch .system(_, _, let code) where code == ENOENT {
            return nil  // deleted since it was checked: the tailer says what that means
        }
        let start = try BusReader.suffixStart(handle) { messages in messages.contains { $0.msgID == since } }
        var messages: [BusMessage] = []
        var plain = true
        try BusReader.stream(handle, from: start.cursor) { item in
            if item.dependsOnLineNumbers { plain = false }
            if case .message(let message, _) = item { messages.append(message) }
        }
        guard plain, let after = try? BusReader.messages(messages, after: since, path: path) else { return nil }
        let found = after.filter(filter.matches)
        return found.isEmpty ? nil : found
    }
}
