import BusTestSupport
import Foundation
import Testing

/// `monitor --server` (issue 10): the real monitor in tmux at 80x24 against a real `run-agent bus serve`.
@Suite struct MonitorServerTests {
    /// Backlog, a CLI post over HTTP, a composed post, then the server killed and restarted on the same port with
    /// a message written to the file meanwhile: shown once after the reconnection, nothing repeated.
    @Test func followsAServerAcrossARestart() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("MESSAGE-BUS.md")
            try sandbox.post(bus, "written before the monitor")
            var server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let port = try #require(server.url.split(separator: ":").last.map(String.init))
            let monitor = try MonitorRun(sandbox, ["--server", server.url], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                var screen = try session.waitFor("written before the monitor")
                #expect(statusBar(screen).contains("1/1 | FOLLOW"), "\(screen)")

                let posted = try sandbox.bus(
                    ["post", "--server", server.url, "--project", "p", "--body", "posted over http"]
                )
                #expect(posted.status == 0, "\(posted.stderr)")
                try session.waitFor("posted over http")

                let composed = "composed in the monitor"
                try session.compose(composed)
                screen = try session.waitForScreen("the posted id") { postedID(onScreen: $0) != nil }
                let id = try #require(postedID(onScreen: screen))
                var records = busRecords(bus)
                try #require(records.count == 3, "\(records)")
                #expect(records[2].hasPrefix("msg_id: \(id)\n"), "\(records[2])")
                #expect(records[2].hasSuffix("\n---\n\(composed)\n"), "\(records[2])")
                try session.waitForScreen("the composed message in the list") { $0.contains("3/3") }

                #expect(server.stop(signal: SIGKILL) != nil)
                try session.waitForScreen("reconnecting in the status bar") { statusBar($0).contains("reconnecting") }
                // Written while no server runs: the monitor must show it once it is back.
                try sandbox.post(bus, "written while the server was down")
                screen = try session.waitFor("composed in the monitor")
                #expect(!screen.contains("written while the server was down"), "\(screen)")

                server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync", "--port", port])
                screen = try session.waitForScreen(
                    "the message written while down, connected again",
                    timeout: .seconds(30)
                ) {
                    $0.contains("written while the server was down") && !statusBar($0).contains("reconnecting")
                }
                let again = try sandbox.bus(
                    ["post", "--server", server.url, "--project", "p", "--body", "posted after the restart"]
                )
                #expect(again.status == 0, "\(again.stderr)")
                screen = try session.waitFor("posted after the restart")
                records = busRecords(bus)
                #expect(records.count == 5, "\(records)")
                #expect(statusBar(screen).contains("5/5"), "nothing missed or repeated:\n\(screen)")
            }
        }
    }

    /// A lock timeout on the server (503) reads as a local one: the same notice, and the text stays in the box.
    @Test func composeLockTimeoutOnTheServer() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("MESSAGE-BUS.md")
            try sandbox.post(bus, "before the lock")
            let server = try ServedBus(
                sandbox,
                ["--bus", bus, "--no-fsync"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "0.5"]
            )
            let before = readBytes(bus)
            let holder = try holdLock(sandbox, bus)
            defer { holder.kill() }
            let monitor = try MonitorRun(sandbox, ["--server", server.url], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("before the lock")
                try session.compose("kept in the box")
                let screen = try session.waitFor("post failed: timed out after 0.5s waiting for the bus lock")
                #expect(screen.contains("error: timed out"), "\(screen)")
                #expect(screen.contains("kept in the box"), "the text must stay in the box:\n\(screen)")
                #expect(readBytes(bus) == before)
            }
        }
    }
}
