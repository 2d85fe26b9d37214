import Testing

@testable import BusCLI

/// `monitor --stale`: a duration, refused (a usage error, exit 64) rather than trapping when it overflows.
@Suite struct MonitorOptionTests {
    @Test(arguments: [("90s", 90), ("10m", 600), ("2h", 7200), ("45", 45)])
    func durations(text: String, seconds: Int64) {
        #expect(MonitorCommand.staleSeconds(text) == seconds)
    }

    @Test(arguments: ["9999999999999999h", "0m", "-5m", "m", "ten", "10d"])
    func refused(text: String) {
        #expect(MonitorCommand.staleSeconds(text) == nil)
    }
}
