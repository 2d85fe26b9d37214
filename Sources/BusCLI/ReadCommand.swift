import ArgumentParser
import BusCore
import BusRemote

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `run-agent bus read`: print the last messages, optionally following new ones.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print messages from the bus; --follow keeps printing new ones.",
        discussion: """
            Bus: --bus or --project[/--task], else JRUN_MESSAGE_BUS, else discovery. --task without --project \
            filters by task id. Text lines are "[YYYY-MM-DD HH:MM:SS] (TYPE) body" in UTC, with control \
            characters shown as ^[, ^G, ... (as less does); --raw prints bodies byte for byte.
            """
    )

    @OptionGroup var location: BusLocationOptions

    @OptionGroup var serverOptions: ServerOptions

    // Unconditional: `--tail -5` reaches validate() and gets a clear message instead of "Missing value".
    @Option(name: .long, parsing: .unconditional, help: "Print only the last N messages (0 = all).")
    var tail: Int = 20

    @Flag(name: .shortAndLong, help: "Keep printing messages as they are appended (inotify-driven).")
    var follow = false

    @Option(name: .long, help: "Only messages after the one with this msg_id.")
    var since: String?

    @Option(name: .long, help: "Only messages of this type (repeatable).")
    var type: [String] = []

    @Flag(name: .long, help: "One JSON object per line.")
    var json = false

    @Flag(name: .long, help: "Print bodies byte for byte, escape sequences included (text output only).")
    var raw = false

    func validate() throws {
        guard tail >= 0 else { throw ValidationError("--tail must be 0 (all) or a positive number, got \(tail)") }
        guard !(raw && json) else { throw ValidationError("--raw applies to text output; --json is exact already") }
    }

    func run() throws {
        if let remote = serverOptions.remote(ProcessEnvironment.current()) {
            let query = RemoteQuery(
                since: since,
                limit: tail == 0 ? nil : tail,
                types: type,
                project: location.project,
                task: location.task
            )
            return try reportingRemoteErrors { () throws(RemoteError) in
                try RemoteReading.read(
                    remote,
                    query: query,
                    follow: follow,
                    printer: MessagePrinter(json: json, raw: raw)
                )
            }
        }
        try reportingErrors { () throws(BusError) in
            let path = try location.readPath(environment: ProcessEnvironment.current())
            try BusPresence.require(path)
            let filter = MessageFilter(types: Set(type), task: location.taskFilter)
            let printer = MessagePrinter(json: json, raw: raw)
            if follow {
                try followBus(path, filter: filter, printer: printer)
            } else {
                try printSelection(path, filter: filter, printer: printer)
            }
        }
    }

    /// `--since`, then the filters, then `--tail`, read in the memory of a chunk: all of the bus front to back
    /// for `--tail 0`, else from a start found from the end (`BusReader.suffixStart`).
    private func printSelection(_ path: String, filter: MessageFilter, printer: MessagePrinter) throws(BusError) {
        let handle = try BusFile.open(path, flags: O_RDONLY)
        let question = MessageSelection(since: since, filter: filter, tail: tail)
        var start = SuffixStart.fileStart
        if tail > 0 || since != nil { start = try BusReader.suffixStart(handle, enough: question.isAnswered(by:)) }
        while true {
            var selection = question
            var output = JSONBuffer()
            var malformed: [MalformedRecord] = []
            var needsLines = false
            func visit(_ event: ScanEvent) {
                switch event {
                case .record(let record, _):
                    if !start.linesKnown && record.dependsOnLineNumbers { needsLines = true }
                    if selection.printsAtOnce {
                        // A whole-bus read: written from the file's bytes, no message built.
                        guard filter.matches(record) else { return }
                        printer.append(record, to: &output)
                    } else {
                        guard let shown = selection.take(record.message) else { return }
                        printer.append(shown, to: &output)
                    }
                    // Held back while the part read may have to be read again with true line numbers.
                    if start.linesKnown { MessagePrinter.flushIfFull(&output) }
                case .malformed(let record):
                    needsLines = needsLines || !start.linesKnown
                    malformed.append(record)
                }
            }
            let knobs = WholeReadKnobs(ProcessEnvironment.current())
            if tail == 0 && since == nil && knobs.pipelined {
                // A whole-bus read writes every record out: worth scanning on a thread of its own meanwhile.
                let chunkSize = knobs.chunkSize ?? BusReader.pipelineChunkSize
                try BusReader.streamRecordsPipelined(handle, chunkSize: chunkSize, visit)
            } else {
                let chunkSize = knobs.chunkSize ?? BusReader.streamChunkSize
                try BusReader.streamRecords(handle, from: start.cursor, chunkSize: chunkSize, visit)
            }
            if needsLines {
                // A legacy line or a malformed record in the part read: its id or report needs its line number.
                start = try start.resolvingLines(handle)
                continue
            }
            reportMalformed(malformed, path: path)
            if let since, !selection.sinceFound { throw .sinceNotFound(id: since, path: path) }
            for message in selection.kept { printer.append(message, to: &output) }
            MessagePrinter.flush(&output)
            return
        }
    }

    #if os(Linux)
    private func followBus(_ path: String, filter: MessageFilter, printer: MessagePrinter) throws(BusError) {
        let tailer = try BusTailer(path: path)
        var selection = MessageSelection(since: since, filter: filter, tail: tail)
        if tail > 0 || since != nil { try tailer.skipToNewest(enough: selection.isAnswered(by:)) }
        let first = try tailer.refresh()
        for reset in first.resets { Terminal.warning("\(reset): \(path)") }
        reportMalformed(first.malformed, path: path)
        let shown = first.messages.compactMap { selection.take($0) }
        if let since, !selection.sinceFound { throw .sinceNotFound(id: since, path: path) }
        printer.print(shown + selection.kept)
        while true {
            tailer.wait()
            let update = try tailer.refresh()
            for reset in update.resets { Terminal.warning("\(reset): \(path)") }
            reportMalformed(update.malformed, path: path)
            printer.print(update.revised.filter(filter.matches), revised: true)
            printer.print(update.messages.filter(filter.matches))
        }
    }
    #endif
}

/// Test knobs of `read`'s streaming, from the environment: with them the tests cross many chunk boundaries on a
/// small bus, and compare the whole-bus read on two threads with the one on a single thread.
///
/// `JRUN_READ_CHUNK_BYTES=N` reads in chunks of N bytes (at least 1) instead of the readers' own sizes;
/// `JRUN_READ_PIPELINE=0` reads a whole bus on one thread (`BusReader.streamRecords`).
struct WholeReadKnobs {
    var chunkSize: Int?
    var pipelined = true

    init(_ environment: [String: String]) {
        if let text = environment["JRUN_READ_CHUNK_BYTES"], let size = Int(text), size > 0 { chunkSize = size }
        if environment["JRUN_READ_PIPELINE"] == "0" { pipelined = false }
    }
}

/// Checks that a bus to read exists and may be read.
enum BusPresence {
    /// - Throws: `.busNotFound` for a missing file, `.symlink`/`.notRegularFile` for refused paths.
    static func require(_ path: String) throws(BusError) {
        do {
            _ = try BusFile.open(path, flags: 0)
        } catch .system(_, _, let code) where code == ENOENT {
            throw .busNotFound(path)
        }
    }
}
