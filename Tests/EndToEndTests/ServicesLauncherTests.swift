import BusTestSupport
import Foundation
import Testing

/// `serve` and `mcp` run in `run-agent-services`, which `run-agent` execs, so that the MCP SDK's libcurl (and the
/// HTTP server) stay out of every other command's start-up.
@Suite struct ServicesLauncherTests {
    /// The purpose, checked where it can regress: adding a dependency to the CLI that pulls in
    /// FoundationNetworking puts libcurl back in `run-agent`'s start-up.
    @Test func runAgentDoesNotLinkLibcurl() throws {
        try withSandbox { sandbox in
            let libraries = try sandbox.run("/usr/bin/ldd", [Binary.path])
            #expect(libraries.status == 0, "\(libraries.stderr)")
            #expect(!libraries.stdout.contains("libcurl"), "\(libraries.stdout)")
            #expect(!libraries.stdout.contains("FoundationNetworking"), "\(libraries.stdout)")
        }
    }

    /// Issue 8, target 5: a `post` starts quickly.
    ///
    /// Agents start `run-agent bus post` once per message. A symbol table exported whole (27k symbols of the static
    /// runtime) made every symbol lookup of the loader and the runtime's own `dladdr` slow; Package.swift links `run-agent` with `--no-export-dynamic` (and scripts/test.sh checks that the release
    /// build is `-no-pie`: half of the rest was relocating the runtime). A post took 5.9-6.1 ms before, 3.2-3.3 ms
    /// with both, 4.5-4.8 ms with this one alone.
    @Test func runAgentExportsNoSymbolsOfItsOwn() throws {
        try withSandbox { sandbox in
            let symbols = try sandbox.run("/usr/bin/readelf", ["--dyn-syms", "-W", Binary.path])
            #expect(symbols.status == 0, "\(symbols.stderr)")
            let count = symbols.stdout.split(separator: "\n").count
            #expect(count < 3000, "\(count) lines of dynamic symbols: the executable exports its own again")
        }
    }

    @Test func serveAndMcpHelpComeFromTheServicesExecutable() throws {
        try withSandbox { sandbox in
            for (words, expected) in [
                (["bus", "serve", "--help"], "USAGE: run-agent bus serve"),
                (["help", "bus", "mcp"], "USAGE: run-agent bus mcp"),
            ] {
                let help = try sandbox.run(Binary.path, words)
                #expect(help.status == 0, "\(words): \(help.stderr)")
                #expect(help.stdout.contains(expected), "\(words): \(help.stdout)")
            }
            let wrong = try sandbox.bus(["serve", "--port", "70000"])
            #expect(wrong.status == 64, "\(wrong.stderr)")
            #expect(wrong.stderr.hasPrefix("run-agent: ") && wrong.stderr.contains("--port"), "\(wrong.stderr)")
        }
    }

    /// A `run-agent` copied alone: one line naming the file it needs and how to build it, exit 69.
    @Test func aMissingServicesExecutableIsNamed() throws {
        try withSandbox { sandbox in
            let lonely = sandbox.file("bin")
            try FileManager.default.createDirectory(atPath: lonely, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Binary.path, toPath: lonely + "/run-agent")
            for command in ["serve", "mcp"] {
                let result = try sandbox.run(lonely + "/run-agent", ["bus", command, "--bus", sandbox.file("bus.md")])
                #expect(result.status == 69, "\(result.stderr)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(result.stderr)")
                #expect(result.stderr.contains(lonely + "/run-agent-services"), "\(result.stderr)")
                #expect(result.stderr.contains("swift build --product run-agent-services"), "\(result.stderr)")
            }
        }
    }
}
