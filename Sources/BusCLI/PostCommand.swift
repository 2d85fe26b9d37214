import ArgumentParser
import BusCore
import BusRemote

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
        if let entry = arguments.malformedMeta { throw ValidationError("--meta expects key=value, got '\(entry)'") }
    }

    func run() throws { try arguments.run() }

    /// What was parsed, as plain values.
    var arguments: PostArguments {
        PostArguments(
            location: location.location,
            server: serverOptions.server,
            token: serverOptions.token,
            type: type,
            body: body,
            runID: runID,
            issue: issue,
            parents: parent,
            meta: meta,
            noFsync: noFsync
        )
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
