import BusTestSupport
import Foundation
import Testing

/// Issue 11's power features on the real binary in tmux.
@Suite struct MonitorPowerTests {
    /// The list follows the prompt while typing (no Enter), a `/regex/` term filters, a bad pattern shows its
    /// error in the prompt, Enter saves the filter under `$XDG_STATE_HOME`, and a second monitor recalls it
    /// with Up.
    @Test func liveRegexFilterAndHistory() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let bodies = ["apple pie is ready", "banana split melted", "cherry tart sliced"]
            for body in bodies { try sandbox.post(bus, body) }
            let state = sandbox.io + "/state"
            let environment = ["XDG_STATE_HOME": state]
            let historyPath = state + "/run-agent/filter-history"
            do {
                let monitor = try MonitorRun(sandbox, ["bus.md"], environment: environment)
                try withExtendedLifetime(monitor) {
                    let session = monitor.session
                    try session.waitForAll(bodies)
                    try session.send("/")
                    try session.waitFor("filter:")
                    try session.send("/BAN+A/", literal: true)
                    // Still in the prompt: the list has already followed the text.
                    var screen = try session.waitFor(
                        ["filter: /BAN+A/", "banana split"],
                        without: ["apple", "cherry"]
                    )
                    #expect(statusBar(screen).contains("1/3"), "\(screen)")
                    try session.send("Left")
                    try session.send("(", literal: true)
                    screen = try session.waitFor("bad regex /BAN+A(/")
                    #expect(screen.contains("banana split") && !screen.contains("apple"), "\(screen)")
                    try session.send("BSpace")
                    try session.waitForAbsence("bad regex")
                    try session.send("Enter")
                    screen = try session.waitForScreen("the prompt to close") { screen in
                        !screen.split(separator: "\n").contains { $0.hasPrefix("filter:") }
                    }
                    #expect(statusBar(screen).contains("/BAN+A/"), "\(screen)")
                    let saved = waitUntil(deadline: .seconds(5)) {
                        (try? String(contentsOfFile: historyPath, encoding: .utf8)) == "/BAN+A/\n"
                    }
                    let written = (try? String(contentsOfFile: historyPath, encoding: .utf8)) ?? "none"
                    #expect(saved, "history file: \(written)")
                    try session.send("q")
                    _ = try monitor.waitForExit()
                }
            }
            let again = try MonitorRun(sandbox, ["bus.md"], environment: environment)
            try withExtendedLifetime(again) {
                let session = again.session
                try session.waitForAll(bodies)
                try session.send("/")
                try session.waitFor("filter:")
                try session.send("Up")
                try session.waitFor(["filter: /BAN+A/", "banana split"], without: ["apple", "cherry"])
            }
        }
    }
}
