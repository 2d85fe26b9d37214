package import BusCore

/// Every failure a tool call or a resource request reports: the engine's errors with the CLI's one-line
/// messages, and input the engine never sees (a missing or mistyped argument, an unknown tool or resource).
package enum BusMCPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine refused or failed: the same message the CLI prints (`run-agent: <message>`).
    case bus(BusError)
    /// An argument that is missing, of the wrong type, out of range, or unknown.
    case invalidArgument(name: String, reason: String)
    /// A tool name that is not one of ours.
    case unknownTool(String)
    /// A resource URI that names no bus.
    case unknownResource(String)

    package var description: String {
        switch self {
        case .bus(let error): error.description
        case .invalidArgument(let name, let reason): "invalid input: argument '\(name)' \(reason)"
        case .unknownTool(let name):
            "unknown tool '\(name)': use bus_post, bus_read, bus_wait, bus_thread or bus_answer"
        case .unknownResource(let uri):
            "unknown resource '\(uri)': use bus://current, bus://{project} or bus://{project}/{task}"
        }
    }
}
