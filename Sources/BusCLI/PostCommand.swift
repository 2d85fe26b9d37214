import ArgumentParser
import BusCore
import BusRemote
import BusServer

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `run-agent bus post`: append one message through the locked writer.
struct PostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Append a message to the bus; prints its msg_id.",
        discussion: """
            Bus: --bus, else JRUN_MESSAGE_BUS, else --project[/--task] under the root, else discovery from \
            the working folder. Context: flags, then the bus path, then JRUN_PROJECT_ID, JRUN_TASK_ID, JRUN_ID.
            """
    )

    @OptionGroup var location: BusLocationOptions

    @OptionGroup var serverOptions: ServerOptions

    @Option(name: .long, help: "Message type (FACT, PROGRESS, DECISION, QUESTION, DONE, ...).")
    var type: String = "INFO"

    @Option(name: .long, help: "Message body (default: read from stdin).")
    var body: String?

    @Option(name: .customLong("run"), help: "Run id (default: JRUN_ID).")
    var runID: String?

    @Option(name: .long, help: "Issue id.")
    var issue: String?

    @Option(name: .long, help: "Parent message id (repeatable).")
    var parent: [String] = []

    @Option(name: .long, help: "Metadata entry key=value (repeatable).")
    var meta: [String] = []

    @Flag(name: .long, help: "Do not fsync before unlocking (also JRUN_BUS_FSYNC=0).")
    var noFsync = false

    func validate() throws {
        for entry in meta where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("--meta expects key=value, got '\(entry)'")
        }
    }

    func run() throws {
        let environment = ProcessEnvironment.current()
        if let remote = serverOptions.remote(environment) { return try postRemotely(remote, environment: environment) }
        try reportingErrors { () throws(BusError) in
            let path = try location.writePath(environment: environment)
            let context = location.location.context(ofBus: path, environment: environment)
            try Self.requireUTF8Arguments()
            let text: String
            if let body { text = body } else { text = try Self.readStandardInput() }
            var options = try WriterOptions.fromEnvironment(environment)
            if noFsync { options.fsync = false }
            let draft = MessageDraft(
                type: type,
                projectID: context.projectID,
                taskID: context.taskID,
                runID: runID ?? context.runID,
                issueID: issue ?? "",
                parents: parent.map { BusParent(msgID: $0) },
                meta: metadata,
                body: text
            )
            let receipt = try LocalPost(path: path, location: location.location, options: options)
                .post(draft, environment: environment)
            if let slow = LockWaitReport.message(receipt.lockWait, path: path) { Terminal.warning(slow) }
            if let repair = receipt.repair { Terminal.warning("\(repair) (\(path))") }
            for message in receipt.messages { Terminal.out("msg_id: \(message.msgID)\n") }
        }
    }

    /// `post --server`: the same message through `POST /api/bus`; the server fills in what the bus implies.
    private func postRemotely(_ remote: RemoteBus, environment: [String: String]) throws {
        var text = ""
        try reportingErrors { () throws(BusError) in
            try Self.requireUTF8Arguments()
            if let body { text = body } else { text = try Self.readStandardInput() }
        }
        let draft = MessageDraft(
            type: type,
            projectID: location.project ?? environment["JRUN_PROJECT_ID"] ?? "",
            taskID: location.task ?? environment["JRUN_TASK_ID"] ?? "",
            runID: runID ?? environment["JRUN_ID"] ?? "",
            issueID: issue ?? "",
            parents: parent.map { BusParent(msgID: $0) },
            meta: metadata,
            body: text
        )
        try reportingRemoteErrors { () throws(RemoteError) in
            let id = try BlockingTask.value { () throws(RemoteError) in try await remote.post(RemotePost(draft: draft))
            }
            Terminal.out("msg_id: \(id)\n")
        }
    }

    /// `--meta k=v` entries as a map.
    private var metadata: [String: String] {
        var metadata: [String: String] = [:]
        for entry in meta {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            metadata[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return metadata
    }

    /// Checks the raw arguments: the argument parser would quietly replace invalid UTF-8 with U+FFFD.
    static func requireUTF8Arguments() throws(BusError) {
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            if String(validatingCString: argument) == nil {
                throw .invalidUTF8(source: "command-line argument \(index)")
            }
        }
    }

    /// Reads all of stdin and checks it is UTF-8.
    static func readStandardInput() throws(BusError) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in read(0, raw.baseAddress, raw.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw .system(call: "read", path: "(stdin)", errno: errno)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(source: "stdin") }
        return text
    }
}
