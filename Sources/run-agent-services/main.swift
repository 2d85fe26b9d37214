import ArgumentParser
import BusCLI

/// `run-agent-services`: `run-agent bus serve` and `run-agent bus mcp`.
///
/// `run-agent` execs it (see `ServicesLauncher` for why they live apart). It parses the same words, so usage reads
/// `run-agent bus serve`.
struct ServicesRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-agent",
        version: RunAgentMain.version,
        subcommands: [ServicesBus.self]
    )
}

struct ServicesBus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        subcommands: [ServeCommand.self, McpCommand.self]
    )
}

RunAgentMain.run(ServicesRoot.self)
