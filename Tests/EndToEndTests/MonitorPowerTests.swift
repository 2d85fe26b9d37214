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
                try session.waitFor(
                    [
                        "thread of \(ids.question): 0 before, 2 replies", "└ ↩ 1 8080 in dev",
                        "  └ confirmed on staging",
                        // The overlay's key line, on its last row: waited for with the rest, since under load a
                        // capture can land between the rows of one frame reaching tmux.
                        "Enter open in list",
                    ],
                    without: ["unrelated progress note"]
                )
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

    /// Matches of the filter are drawn underlined (the highlight attribute tmux reports in `capture-pane -e`),
    /// in the list and in the detail pane.
    @Test func highlightVisibleInCapture() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "the api port is 8080")
            try sandbox.post(bus, "nothing to see")
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(["the api port is 8080", "nothing to see"])
                try session.send("/")
                try session.send("PORT", literal: true)
                try session.send("Enter")
                try session.waitFor("1/2")
                try session.send("Enter")
                try session.waitFor("msg_id:")
                let underlinedPort = try NSRegularExpression(
                    pattern: "\u{1B}\\[[0-9;]*\\b4[0-9;]*m(\u{1B}\\[[0-9;]*m)*port"
                )
                let rows = try session.capture(colours: true).split(separator: "\n").map(String.init).filter {
                    $0.contains("port")
                }
                let marked = rows.filter { row in
                    underlinedPort.firstMatch(in: row, range: NSRange(row.startIndex..., in: row)) != nil
                }
                #expect(marked.count >= 2, "list row and detail body underlined:\n\(rows.joined(separator: "\n"))")
            }
        }
    }

    /// `y` writes an OSC 52 sequence carrying the selected id in base64 to the terminal, `Y` the whole record,
    /// and the status bar says copied.
    @Test func copyEmitsOSC52() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let id = try sandbox.post(bus, "copy me")
            let bytesPath = sandbox.io + "/pane-bytes"
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("copy me")
                try session.pipeOutput(to: bytesPath)
                try session.send("y")
                try session.waitFor("copied \(id)")
                let expected = "\u{1B}]52;c;" + Data(id.utf8).base64EncodedString() + "\u{07}"
                let sent = waitUntil(deadline: .seconds(10)) {
                    String(decoding: readBytes(bytesPath), as: UTF8.self).contains(expected)
                }
                #expect(sent, "no OSC 52 with the id in:\n\(String(decoding: readBytes(bytesPath), as: UTF8.self))")
                try session.send("Y")
                try session.waitFor("(whole message)")
                let whole = waitUntil(deadline: .seconds(10)) {
                    let text = String(decoding: readBytes(bytesPath), as: UTF8.self)
                    guard let start = text.range(of: "\u{1B}]52;c;", options: .backwards),
                        let end = text[start.upperBound...].firstIndex(of: "\u{07}"),
                        let data = Data(base64Encoded: String(text[start.upperBound..<end]))
                    else { return false }
                    let record = String(decoding: data, as: UTF8.self)
                    return record.hasPrefix("---\nmsg_id: \(id)\n") && record.contains("\ncopy me\n")
                }
                #expect(whole)
            }
        }
    }

    /// `o` runs `$PAGER` with the message on its stdin (a stub records it and exits); the monitor comes back
    /// drawn in full and keeps taking keys, and quits leaving the terminal sane.
    @Test func pagerStubAndResume() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let id = try sandbox.post(bus, "page me\nsecond line")
            try sandbox.post(bus, "another message")
            let recorded = sandbox.io + "/paged"
            let stub = try sandbox.script(
                "pager.sh",
                "cat > \(shellQuoted(recorded)).tmp\nmv \(shellQuoted(recorded)).tmp \(shellQuoted(recorded))\n"
            )
            let monitor = try MonitorRun(sandbox, ["bus.md"], environment: ["PAGER": "sh " + stub])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(["page me", "another message"])
                try session.send("g")
                try session.send("o")
                let paged = waitUntil(deadline: .seconds(15)) { FileManager.default.fileExists(atPath: recorded) }
                #expect(paged, "the pager stub did not run")
                let text = String(decoding: readBytes(recorded), as: UTF8.self)
                #expect(text.hasPrefix("---\nmsg_id: \(id)\n") && text.contains("\npage me\nsecond line\n"), "\(text)")
                try session.waitForAll(["page me", "another message", "| PAUSED"])
                try session.send("G")
                try session.waitFor("| FOLLOW")
                try session.send("q")
                let (exit, stty) = try monitor.waitForExit()
                #expect(exit == "exit=0")
                #expect(stty.contains("echo") && stty.contains("icanon"), "\(stty)")
            }
        }
    }

    /// `w` writes the shown messages (the filter applied) to the named file: `.md` reads back with `read --json`
    /// to the same messages, `.jsonl` is exactly what `read --json` prints for them.
    @Test func exportShownMessages() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "keep: api up", type: "PROGRESS")
            try sandbox.post(bus, "drop this one")
            try sandbox.post(bus, "keep: tests green 端口 👍🏽", type: "DONE")
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("keep: tests green")
                try session.send("/")
                try session.send("keep:", literal: true)
                try session.send("Enter")
                try session.waitFor("2/3")
                for name in ["out.md", "out.jsonl"] {
                    try session.send("w")
                    try session.waitFor("write shown messages to:")
                    try session.send(name, literal: true)
                    try session.send("Enter")
                    try session.waitFor("wrote 2 messages to \(name)")
                }
            }
            let original = try sandbox.bus(["read", "--bus", bus, "--json"])
            let kept = original.stdout.split(separator: "\n").filter { $0.contains("keep:") }.map { $0 + "\n" }.joined()
            let exported = try sandbox.bus(["read", "--bus", sandbox.file("out.md"), "--json"])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdout == kept)
            #expect(String(decoding: readBytes(sandbox.file("out.jsonl")), as: UTF8.self) == kept)
        }
    }

    /// The swarm panel lists one row per task; with `--stale 2s` a task that went quiet is marked STALE while
    /// one that just spoke is not; Enter filters the list to the chosen task.
    @Test func swarmPanelWithStaleTask() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            func post(_ task: String, _ body: String, type: String = "PROGRESS") throws {
                let result = try sandbox.bus([
                    "post", "--bus", bus, "--project", "p", "--task", task, "--type", type, "--no-fsync", "--body",
                    body,
                ])
                #expect(result.status == 0, "\(result.stderr)")
            }
            try post("task-20261126-090000-api", "api went quiet")
            try post("task-20261126-090500-tests", "which fixture?", type: "QUESTION")
            let monitor = try MonitorRun(sandbox, ["bus.md", "--stale", "2s"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("which fixture?")
                try session.send("s")
                try session.waitForAll(["TASK", "OPEN?", "│ …090000-api", "│ …090500-tests"])
                try session.waitForScreen("both tasks stale") { screen in
                    screen.split(separator: "\n").filter { $0.contains("STALE") }.count == 2
                }
                try post("task-20261126-090500-tests", "fixture found")
                let screen = try session.waitForScreen("the tests task fresh again") { screen in
                    let rows = screen.split(separator: "\n")
                    return rows.contains { $0.contains("090000-api") && $0.contains("STALE") }
                        && rows.contains {
                            $0.contains("090500-tests") && $0.contains("fixture found") && !$0.contains("STALE")
                        }
                }
                let testsRow = screen.split(separator: "\n").first { $0.contains("090500-tests") } ?? ""
                #expect(testsRow.contains("PROGRESS"), "\(screen)")
                try session.send("Enter")
                try session.waitFor(
                    ["task: task-20261126-090500-tests", "fixture found"],
                    without: ["api went quiet", "OPEN?"]
                )
            }
        }
    }

    /// Ctrl-X Ctrl-E in the compose box hands the draft to `$EDITOR` (a stub that appends a line) and brings the
    /// edited text back into the box; Enter posts it.
    @Test func editorEditsDraft() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "first")
            let stub = try sandbox.script("editor.sh", "printf '\\nadded by the editor' >> \"$1\"\n")
            let monitor = try MonitorRun(
                sandbox,
                ["bus.md"],
                environment: ["EDITOR": "sh " + stub, "JRUN_PROJECT_ID": "p"]
            )
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("first")
                try session.send("c")
                try session.waitFor("type the message; Enter posts it")
                try session.send("typed in the box", literal: true)
                try session.waitFor("typed in the box")
                try session.send("C-x")
                try session.send("C-e")
                try session.waitForAll(["typed in the box", "added by the editor"])
                try session.send("Enter")
                let screen = try session.waitFor("posted MSG-")
                let posted = try #require(postedID(onScreen: screen))
                let record = try #require(busRecords(bus).first { $0.hasPrefix("msg_id: \(posted)") })
                #expect(record.hasSuffix("\ntyped in the box\nadded by the editor\n"), "\(record)")
            }
        }
    }

    /// `@` with `-1h` selects the first message at or after that time (here the oldest): Enter then opens it;
    /// a text that is no time is refused in the prompt.
    @Test func goToTime() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let first = try sandbox.post(bus, "alpha")
            for body in ["bravo", "charlie"] { try sandbox.post(bus, body) }
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("charlie")
                try session.send("@")
                try session.waitFor("go to time:")
                // `--`: a text starting with `-` would be read as a flag of send-keys.
                try session.send("--", "-1h", literal: true)
                try session.send("Enter")
                let screen = try session.waitFor("| at ")
                #expect(statusBar(screen).contains("PAUSED"), "\(screen)")
                try session.send("Enter")
                try session.waitFor(" \(first) ")
                try session.send("@")
                try session.send("soon", literal: true)
                try session.send("Enter")
                try session.waitFor("not a time: soon")
            }
        }
    }
}
