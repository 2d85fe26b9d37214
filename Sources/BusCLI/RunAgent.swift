package import ArgumentParser
import BusCore

/// The entry point the `run-agent` executable calls.
package enum RunAgentMain {
    /// Parses and runs; a usage error is one line on stderr (exit 64), help and version print in full.
    package static func main() -> Never {
        // Before parsing: the parser's cost grows with the square of the options (see ArgumentLimits).
        if let violation = ArgumentLimits.violation(in: Array(CommandLine.arguments.dropFirst())) {
            Terminal.error(violation.description)
            RunAgentCommand.exit(withError: ExitCode(violation.exitCode))
        }
        runDirectly()
        ServicesLauncher.execIfAsked(Array(CommandLine.arguments.dropFirst()))
        run(RunAgentCommand.self)
    }

    /// The version both executables print.
    package static let version = "0.1.0"

    /// Parses the process's arguments with `Root`, runs the command and exits with its code: a usage error is
    /// one line on stderr (exit 64), help and version print in full.
    package static func run<Root: ParsableCommand>(_ root: Root.Type) -> Never {
        do {
            var command = try Root.parseAsRoot()
            try command.run()
            Root.exit()
        } catch {
            exit(after: error, root: root)
        }
    }

    /// Exits with the code of `error`, its message as one line on stderr (help and version print in full).
    private static func exit<Root: ParsableCommand>(
        after error: any Error,
        root: Root.Type = RunAgentCommand.self
    ) -> Never {
        let code = Root.exitCode(for: error)
        guard code != .success else { Root.exit(withError: error) }
        let message = Root.message(for: error)
        if let first = message.split(whereSeparator: \.isNewline).first, !first.isEmpty {
            Terminal.error(first + " (see --help)")
        }
        Root.exit(withError: ExitCode(code.rawValue))
    }

    /// Runs `run-agent bus post|read|poll ...` parsed as that command alone, and exits; returns when it must go
    /// the usual way.
    ///
    /// Agents run `post` once per message and `read`/`poll` in loops. ArgumentParser reflects every option of the
    /// commands it parses from the root, and each new type it inspects costs a scan of all the binary's protocol
    /// conformances: most of a short command's start-up. The usual `post` shapes are parsed by hand
    /// (`PostArguments.parseCommon`); other `post`s, `read` and `poll` by their command alone (not from the root);
    /// help, and anything that does not parse, go the usual way, so usage and errors read the same.
    private static func runDirectly() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2, arguments[0] == "bus",
            !arguments.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "help" })
        else { return }
        let rest = Array(arguments.dropFirst(2))
        do {
            switch arguments[1] {
            case "post":
                if let parsed = PostArguments.parseCommon(rest) {
                    try parsed.run()
                } else {
                    guard let command = try? PostCommand.parse(rest) else { return }
                    try command.run()
                }
            case "read":
                guard let command = try? ReadCommand.parse(rest) else { return }
                try command.run()
            case "poll":
                guard let command = try? PollCommand.parse(rest) else { return }
                try command.run()
            default:
                return
            }
            PostCommand.exit()
        } catch {
            exit(after: error)
        }
    }
}

/// The root command, `run-agent`.
///
/// Only `bus` lives here; conductor-loop's other commands are not ours.
struct RunAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-agent",
        abstract: "Watch and talk to a swarm of agents through a shared message-bus file.",
        version: RunAgentMain.version,
        subcommands: [BusCommand.self]
    )

}

/// `run-agent bus ...`.
struct BusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Post to, read, follow and monitor message-bus files.",
        discussion: """
            Exit codes: 0 ok, 64 usage, 65 invalid message or input, 66 bus not found, 73 path refused \
            (symlink, symlinked folder, hard link, not a regular file, escapes the root), 74 I/O error, \
            75 lock timeout (retry later), \
            124 poll timed out; with --server also 69 server unreachable, 76 malformed answer, 77 token refused; \
            69 also when serve or mcp finds no run-agent-services beside run-agent.
            """,
        subcommands: [
            PostCommand.self, ReadCommand.self, PollCommand.self, DiscoverCommand.self, RotateCommand.self,
            MonitorCommand.self, ServeStub.self, McpStub.self, DemoAgentCommand.self,
        ]
    )
}
