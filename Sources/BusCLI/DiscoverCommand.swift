import ArgumentParser
import BusCore

/// `run-agent bus discover`: print the nearest bus file.
struct DiscoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Print the absolute path of the nearest bus (TASK-, PROJECT-, then MESSAGE-BUS.md, upward)."
    )

    @Option(name: .long, help: "Folder to start from (default: the working folder).")
    var from: String = "."

    func run() throws {
        try reportingErrors { () throws(BusError) in
            let start = BusPaths.absolute(from)
            guard let found = BusPaths.discover(from: start) else {
                throw .busNotFound("no TASK-, PROJECT- or MESSAGE-BUS.md from \(start) upward")
            }
            Terminal.out(found + "\n")
        }
    }
}
