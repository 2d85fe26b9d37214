/// The lock-wait thresholds of the bus's design review: a wait over 100 ms is a warning, over 1 s an error.
///
/// `post` prints the warning on stderr, `serve` and `mcp` log it.
package enum LockWaitReport {
    package static let warningThreshold = Duration.milliseconds(100)
    package static let errorThreshold = Duration.seconds(1)

    /// The one-line text of a long wait, or nil for a short one.
    package static func message(_ wait: Duration, path: String) -> String? {
        guard wait > warningThreshold else { return nil }
        let milliseconds = Int(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        return "waited \(milliseconds) ms for the bus lock (another writer held it): \(path)"
    }
}
