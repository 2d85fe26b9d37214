import ArgumentParser
import BusCore

/// `run-agent bus rotate`: archive the bus when it is larger than a size.
struct RotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rename the bus to <name>.<UTC time>.archived when it is larger than --max-size.",
        discussion: "Runs under the write lock. Below the size it changes nothing, says so, and exits 0."
    )

    @OptionGroup var location: BusLocationOptions

    // Unconditional: `--max-size -1` reaches the size parser and gets a clear message instead of "Missing value".
    @Option(name: .long, parsing: .unconditional, help: "Size in bytes, or with a K, M or G suffix (1024-based).")
    var maxSize: String

    func run() throws {
        try reportingErrors { () throws(BusError) in
            let environment = ProcessEnvironment.current()
            let limit = try SettingParser.byteSize(maxSize, name: "--max-size")
            let path = try location.writePath(environment: environment)
            let options = try WriterOptions.fromEnvironment(environment)
            switch try BusRotator.rotate(path, maxSize: limit, lockWait: options.lockWait) {
            case .belowLimit(let size):
                Terminal.out("not rotated: \(path) is \(size) bytes, not over \(limit)\n")
            case .rotated(let archive, let size, let logFailure):
                if let logFailure {
                    Terminal.warning("rotation log not written (\(logFailure)); followers find the archive by its name")
                }
                Terminal.out("rotated: \(path) (\(size) bytes) -> \(archive)\n")
            }
        }
    }
}
