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

    /// Posts a QUESTION on `task` and two replies naming it, one replied to in turn; returns the question's id.
    static func postThread(_ sandbox: Sandbox, _ bus: String) throws -> (question: String, answer: String) {
        let question = try #require(
            try sandbox.bus([
                "post", "--bus", bus, "--project", "p", "--task", "task-20261126-090000-api", "--type", "QUESTION",
                "--no-fsync", "--body", "which port does the api listen on?",
            ]).postedID
        )
        try sandbox.post(bus, "unrelated progress note", type: "PROGRESS")
        let answer = try #require(
            try sandbox.bus([
                "post", "--bus", bus, "--project", "p", "--type", "ANSWER", "--parent", question, "--no-fsync",
                "--body", "8080 in dev",
            ]).postedID
        )
        _ = try sandbox.bus([
            "post", "--bus", bus, "--project", "p", "--type", "FACT", "--parent", answer, "--no-fsync", "--body",
            "confirmed on staging",
        ])
        return (question, answer)
    }

    /// Rows show their reply counts; `r` on the question shows the thread as an indented tree without the
    /// unrelated message; Enter opens a reply in the list and Ctrl-O comes back.
    @Test func threadView() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let ids = try Self.postThread(sandbox, bus)
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(["↩ 1 which port", "↩ 1 8080 in dev", "confirmed on staging"])
                try session.send("g")
                try session.send("r")
                let screen = try session.waitFor(
                    [
                        "thread of \(ids.question): 0 before, 2 replies", "└ ↩ 1 8080 in dev",
                        "  └ confirmed on staging",
                    ],
                    without: ["unrelated progress note"]
                )
                #expect(screen.contains("Enter open in list"), "\(screen)")
                try session.send("G")
                try session.send("Enter")
                try session.waitFor(["unrelated progress note", "confirmed on staging"], without: ["thread of"])
                try session.send("C-o")
                try session.waitForScreen("the question selected in the detail pane") {
                    $0.contains(" \(ids.question) ")
                }
            }
        }
    }

    /// `a` on the question opens a reply (ANSWER, its parent named in the box); Enter posts it, and the record in
    /// the file names the question as its parent and carries the question's task.
    @Test func replyPostsWithParent() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let ids = try Self.postThread(sandbox, bus)
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("which port does the api listen on?")
                try session.send("g")
                try session.send("a")
                try session.waitForAll(["type: ANSWER", "reply to \(ids.question)"])
                try session.send("port 8443 with tls", literal: true)
                try session.waitFor("port 8443 with tls")
                try session.send("Enter")
                let screen = try session.waitFor("posted MSG-")
                let posted = try #require(postedID(onScreen: screen))
                let record = try #require(busRecords(bus).first { $0.hasPrefix("msg_id: \(posted)") })
                #expect(record.contains("type: ANSWER"), "\(record)")
                #expect(record.contains("task_id: task-20261126-090000-api"), "\(record)")
                #expect(record.contains("parents:\n    - msg_id: \(ids.question)"), "\(record)")
            }
        }
    }
}
