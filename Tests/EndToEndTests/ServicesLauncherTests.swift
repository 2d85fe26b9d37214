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
