import BusCore

/// Limits checked on the raw arguments before the argument parser sees them.
///
/// ArgumentParser's cost grows with the square of the options given (8k `--meta` pairs took 9.6 s, 100k never
/// finished), so input it cannot answer quickly is refused first, in time linear in the arguments.
enum ArgumentLimits {
    /// Most arguments after the program name: a post with 256 meta pairs and every other flag fits, and the
    /// parser answers this many within a fraction of a second even in a debug build.
    static let maxArguments = 640

    /// Options of `post` whose values become header fields.
    private static let headerOptions: Set<String> = [
        "--type", "--project", "--task", "--run", "--issue", "--parent", "--meta",
    ]

    /// The first limit `arguments` (without the program name) break, or nil.
    ///
    /// For `bus post`: at most `HeaderLimits.maxMetaPairs` `--meta` pairs and `HeaderLimits.maxHeaderBytes` of
    /// header-field values (65, invalid message); for every command at most `maxArguments` arguments (64, usage).
    static func violation(in arguments: [String]) -> BusError? {
        if arguments.count > 2, arguments[0] == "bus", arguments[1] == "post" {
            var metaPairs = 0
            var headerBytes = 0
            var index = 2
            while index < arguments.count {
                let argument = arguments[index]
                index += 1
                if argument == "--" { break }  // the rest are positional values, whatever they look like
                guard argument.hasPrefix("--") else { continue }
                let equals = argument.firstIndex(of: "=")
                let name = String(argument[..<(equals ?? argument.endIndex)])
                guard headerOptions.contains(name) else { continue }
                let valueBytes: Int
                if equals != nil {
                    valueBytes = argument.utf8.count - name.utf8.count - 1
                } else {
                    guard index < arguments.count else { continue }
                    valueBytes = arguments[index].utf8.count
                    index += 1
                }
                if name == "--meta" { metaPairs += 1 }
                headerBytes += valueBytes
            }
            if metaPairs > HeaderLimits.maxMetaPairs {
                return .messageOverLimit("\(metaPairs) --meta pairs, at most \(HeaderLimits.maxMetaPairs)")
            }
            if headerBytes > HeaderLimits.maxHeaderBytes {
                return .messageOverLimit(
                    "header fields take \(headerBytes) bytes, at most \(HeaderLimits.maxHeaderBytes) bytes"
                )
            }
        }
        if arguments.count > maxArguments {
            return .tooManyArguments(count: arguments.count, limit: maxArguments)
        }
        return nil
    }
}
