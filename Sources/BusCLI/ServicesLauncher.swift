import ArgumentParser
import BusCore

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `serve` and `mcp` live in a second executable, `run-agent-services`, next to `run-agent`, which execs it.
///
/// Why: the MCP SDK imports FoundationNetworking, which links libcurl and some 25 libraries that the dynamic
/// loader maps and relocates at every start of the process: about 5 ms added to every `post`, `read` and
/// `monitor` (measured: `read --tail 1` 10.9 -> 15.5 ms median in one hyperfine run). The HTTP server and its
/// NIO stack go with them. `run-agent bus serve|mcp ...` replaces itself with the other executable, same
/// arguments, so its help, errors and exit codes are that executable's, which reads them as `run-agent`.
package enum ServicesLauncher {
    /// The executable's file name, next to `run-agent`.
    package static let executableName = "run-agent-services"

    /// The commands it runs, with their one-line summaries (shared with the real commands, for `bus --help`).
    package static let serveAbstract =
        "Serve the bus over HTTP: REST routes, an SSE stream, /metrics (loopback by default)."
    package static let mcpAbstract = "Serve the bus to an agent as MCP tools and resources over stdio."

    /// Execs `run-agent-services` for `bus serve ...`, `bus mcp ...` or `help bus serve|mcp`; returns otherwise.
    ///
    /// `arguments` come after the program name. On failure prints one line naming the missing file and exits 69.
    static func execIfAsked(_ arguments: [String]) {
        var arguments = arguments
        if arguments.count == 3, arguments[0] == "help", arguments[1] == "bus" {
            arguments = ["bus", arguments[2], "--help"]
        }
        guard arguments.count >= 2, arguments[0] == "bus", arguments[1] == "serve" || arguments[1] == "mcp" else {
            return
        }
        let path = PathText.join(PathText.split(currentExecutable()).directory, executableName)
        // The same words after the program name: the other executable parses `bus serve ...` as this one would.
        let argv = ([CommandLine.arguments.first ?? "run-agent"] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        let code = errno
        Terminal.error(
            "bus \(arguments[1]) runs \(path), which could not be started (\(String(cString: strerror(code)))): "
                + "build it with `swift build --product \(executableName)` (or `swift build`, every product)"
        )
        Glibc.exit(69)
    }

    /// The running executable's path (`/proc/self/exe`), else the program name as given.
    private static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return BusPaths.absolute(CommandLine.arguments[0]) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `bus serve` in `run-agent`'s own help; never run (the launcher execs before parsing).
struct ServeStub: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: ServicesLauncher.serveAbstract)

    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() throws {
        ServicesLauncher.execIfAsked(["bus", "serve"] + arguments)
    }
}

/// `bus mcp` in `run-agent`'s own help; never run (the launcher execs before parsing).
struct McpStub: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mcp", abstract: ServicesLauncher.mcpAbstract)

    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() throws {
        ServicesLauncher.execIfAsked(["bus", "mcp"] + arguments)
    }
}
