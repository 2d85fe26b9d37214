import Foundation
import Testing

/// The terminal UI (`run-agent bus monitor`) driven through tmux: what it shows, its filters and pickers, the
/// compose box (also against a held lock), resizing, and how it leaves the terminal.
@Suite struct MonitorTests {
    /// Three messages with distinct bodies on a bus, shown at once; a post by another process appears live;
    /// moving up pauses following and counts what arrives meanwhile.
    @Test func showsMessagesAndLiveAppends() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let first = try sandbox.post(bus, "apple pie is ready")
            try sandbox.post(bus, "banana split melted", type: "DONE")
            try sandbox.post(bus, "cherry tart sliced", type: "QUESTION")
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                var screen = try session.waitForAll(["apple pie is ready", "banana split melted", "cherry tart sliced"])
                #expect(statusBar(screen).contains("bus.md | 3/3 | FOLLOW"), "\(screen)")
                // With TZ=UTC the row shows the UTC month, day and clock of the id's own time.
                let stamp = first.split(separator: "-")
                let date = stamp[1]
                let time = stamp[2]
                let clock =
                    "\(date.dropFirst(4).prefix(2))-\(date.suffix(2)) "
                    + "\(time.prefix(2)):\(time.dropFirst(2).prefix(2)):\(time.suffix(2))"
                let row = screen.split(separator: "\n").first { $0.hasSuffix("apple pie is ready") } ?? ""
                #expect(row.hasPrefix(clock + " [FACT] "), "no row starting \(clock) [FACT] in:\n\(screen)")

                try sandbox.post(bus, "durian smells live")
                screen = try session.waitFor("durian smells live")
                #expect(statusBar(screen).contains("4/4 | FOLLOW"), "\(screen)")

                try session.send("k")
                try session.waitFor("| PAUSED")
                try sandbox.post(bus, "elderberry while paused")
                screen = try session.waitFor("PAUSED 1 new")
                #expect(screen.contains("elderberry while paused"))
                try session.send("G")
                screen = try session.waitFor("5/5 | FOLLOW")
                #expect(!screen.contains("PAUSED"))
            }
        }
    }

    /// `/` filters by a substring, Esc clears it, `!` negates.
    @Test func textFilter() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let bodies = ["apple pie is ready", "banana split melted", "cherry tart sliced"]
            for body in bodies { try sandbox.post(bus, body) }
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(bodies)

                try session.send("/")
                try session.waitForScreen("the filter prompt") {
                    $0.split(separator: "\n").contains { $0.hasPrefix("filter:") }
                }
                try session.send("BANANA", literal: true)
                try session.waitFor("filter: BANANA")
                try session.send("Enter")
                var screen = try session.waitFor(["banana split melted"], without: ["apple pie", "cherry tart"])
                #expect(statusBar(screen).contains("1/3"), "\(screen)")
                #expect(statusBar(screen).contains("/BANANA"), "\(screen)")

                try session.send("Escape")
                screen = try session.waitForAll(bodies)
                #expect(statusBar(screen).contains("3/3"), "\(screen)")
                #expect(!statusBar(screen).contains("/BANANA"), "\(screen)")

                try session.send("/")
                try session.waitForScreen("the filter prompt") {
                    $0.split(separator: "\n").contains { $0.hasPrefix("filter:") }
                }
                try session.send("!banana", literal: true)
                try session.waitFor("filter: !banana")
                try session.send("Enter")
                screen = try session.waitFor(["apple pie is ready", "cherry tart sliced"], without: ["banana split"])
                #expect(statusBar(screen).contains("2/3 | FOLLOW | /!banana"), "\(screen)")
            }
        }
    }

    /// `t`: the type picker starts with nothing chosen; Space chooses, Enter applies, the status bar names them.
    @Test func typePicker() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "a fact body")
            try sandbox.post(bus, "a done body", type: "DONE")
            try sandbox.post(bus, "a question body", type: "QUESTION")
            try sandbox.post(bus, "another fact body")
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(["a fact body", "a done body", "a question body", "another fact body"])

                try session.send("t")
                var screen = try session.waitFor("types: Space select, Enter apply")
                #expect(screen.contains("[ ] DONE"), "\(screen)")
                #expect(screen.contains("[ ] FACT"), "\(screen)")
                #expect(screen.contains("[ ] QUESTION"), "\(screen)")
                #expect(!screen.contains("[x]"), "the picker must start with nothing chosen:\n\(screen)")
                // Sorted by name: DONE, FACT, QUESTION. Down to QUESTION, choose it, up to DONE, choose it.
                try session.send("j")
                try session.send("j")
                try session.send("Space")
                try session.waitFor("[x] QUESTION")
                try session.send("k")
                try session.send("k")
                try session.send("Space")
                screen = try session.waitForAll(["[x] DONE", "[x] QUESTION"])
                #expect(screen.contains("[ ] FACT"), "\(screen)")
                try session.send("Enter")
                screen = try session.waitFor(
                    ["a done body", "a question body"],
                    without: ["types: Space select", "a fact body", "another fact body"]
                )
                #expect(statusBar(screen).contains("2/4"), "\(screen)")
                #expect(statusBar(screen).contains("type: DONE,QUESTION"), "\(screen)")

                // Reopened, the picker shows the choice; unchoosing everything shows everything again.
                // Waits for the whole overlay: a capture can land between the title's row and the items' rows.
                try session.send("t")
                screen = try session.waitForAll(["types: Space select", "[x] DONE", "[x] QUESTION"])
                #expect(screen.contains("[ ] FACT"), "\(screen)")
                try session.send("x")
                try session.waitForAbsence("[x]")
                try session.send("Enter")
                screen = try session.waitForAll(["a fact body", "a done body", "a question body", "another fact body"])
                #expect(!statusBar(screen).contains("type:"), "\(screen)")
            }
        }
    }

    /// `--project` merges the project bus with every task bus under the root; `T` picks tasks.
    @Test func projectModeAndTaskPicker() throws {
        try withSandbox { sandbox in
            let root = sandbox.path + "/runs"
            let projectBus = root + "/proj/PROJECT-MESSAGE-BUS.md"
            let busA = root + "/proj/task-a/TASK-MESSAGE-BUS.md"
            let busB = root + "/proj/task-b/TASK-MESSAGE-BUS.md"
            for folder in [root + "/proj/task-a", root + "/proj/task-b"] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            try sandbox.post(projectBus, "project kickoff note", project: "proj")
            try sandbox.post(busA, "alpha task first", project: "proj")
            try sandbox.post(busB, "bravo task first", project: "proj")
            try sandbox.post(busA, "alpha task second", type: "DONE", project: "proj")
            let all = ["project kickoff note", "alpha task first", "bravo task first", "alpha task second"]
            let monitor = try MonitorRun(sandbox, ["--project", "proj", "--root", root])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                var screen = try session.waitForAll(all)
                #expect(statusBar(screen).contains("project proj | 4/4"), "\(screen)")
                // Merged in time order (the posts above ran one after another).
                let positions = all.compactMap { screen.range(of: $0)?.lowerBound }
                #expect(positions.count == 4 && positions == positions.sorted(), "\(screen)")

                // A post to a task bus while the monitor runs shows up too.
                try sandbox.post(busB, "bravo task live", project: "proj")
                try session.waitFor("bravo task live")

                try session.send("T")
                screen = try session.waitFor("tasks: Space select, Enter apply")
                #expect(screen.contains("[ ] (no task)"), "\(screen)")
                #expect(screen.contains("[ ] task-a"), "\(screen)")
                #expect(screen.contains("[ ] task-b"), "\(screen)")
                #expect(!screen.contains("[x]"), "\(screen)")
                // Sorted: (no task), task-a, task-b.
                try session.send("j")
                try session.send("j")
                try session.send("Space")
                try session.waitFor("[x] task-b")
                try session.send("Enter")
                screen = try session.waitFor(
                    ["bravo task first", "bravo task live"],
                    without: ["tasks: Space select", "alpha task", "project kickoff"]
                )
                #expect(statusBar(screen).contains("2/5"), "\(screen)")
                #expect(statusBar(screen).contains("task: task-b"), "\(screen)")
            }
        }
    }

    /// `c` posts through the shared writer: the record has type FACT, the ids from the bus path, the exact body.
    @Test func composePostsARecord() throws {
        try withSandbox { sandbox in
            let folder = sandbox.path + "/proj/task-1"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let bus = folder + "/TASK-MESSAGE-BUS.md"
            try sandbox.post(bus, "earlier message", project: "proj")
            let body = "typed by hand: caf\u{E9} #1 'quoted' -- done"
            let monitor = try MonitorRun(sandbox, ["TASK-MESSAGE-BUS.md"], cwd: folder)
            let id = try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("earlier message")
                try session.compose(body)
                let screen = try session.waitForScreen("the posted id") { postedID(onScreen: $0) != nil }
                let id = try #require(postedID(onScreen: screen))
                // The box closes and the new row is in the list.
                try session.waitFor(["\(body)", "2/2"], without: ["type the message", "posting"])
                return id
            }

            let records = busRecords(bus)
            try #require(records.count == 2, "\(records)")
            let record = records[1]
            #expect(record.hasPrefix("msg_id: \(id)\n"), "\(record)")
            #expect(record.contains("\ntype: FACT\nproject_id: proj\ntask_id: task-1\n"), "\(record)")
            #expect(record.hasSuffix("\n---\n\(body)\n"), "\(record)")

            let read = try sandbox.bus(["read", "--json", "--tail", "0", "--bus", bus])
            #expect(read.status == 0, "\(read.stderr)")
            let objects = try read.jsonObjects()
            try #require(objects.count == 2)
            #expect(objects[1]["msg_id"] as? String == id)
            #expect(objects[1]["type"] as? String == "FACT")
            #expect(objects[1]["project_id"] as? String == "proj")
            #expect(objects[1]["task_id"] as? String == "task-1")
            #expect(objects[1]["body"] as? String == body)
        }
    }

    /// While another process holds the bus's flock the compose box says "waiting for lock" (and keeps waiting,
    /// with `JRUN_BUS_LOCK_TIMEOUT=20`); once the holder dies the post completes.
    @Test func composeWaitsForAHeldLock() throws {
        try withSandbox { sandbox in
            let folder = sandbox.path + "/proj"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let bus = folder + "/PROJECT-MESSAGE-BUS.md"
            try sandbox.post(bus, "before the lock", project: "proj")
            let holder = try holdLock(sandbox, bus)
            defer { holder.kill() }

            let body = "posted after the wait"
            let monitor = try MonitorRun(
                sandbox,
                ["PROJECT-MESSAGE-BUS.md"],
                cwd: folder,
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "20"]
            )
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("before the lock")
                try session.compose(body)
                try session.waitFor("waiting for lock")
                try session.expectSteady("still waiting for lock", for: .seconds(1)) {
                    $0.contains("waiting for lock") && !$0.contains("post failed")
                }
                #expect(!String(decoding: readBytes(bus), as: UTF8.self).contains(body))

                holder.kill()
                let screen = try session.waitForScreen("the posted id") { postedID(onScreen: $0) != nil }
                let id = try #require(postedID(onScreen: screen))
                try session.waitFor(["2/2"], without: ["waiting for lock"])
                let records = busRecords(bus)
                try #require(records.count == 2, "\(records)")
                #expect(records[1].hasPrefix("msg_id: \(id)\n"), "\(records[1])")
                #expect(records[1].contains("\ntype: FACT\nproject_id: proj\n"), "\(records[1])")
                #expect(records[1].hasSuffix("\n---\n\(body)\n"), "\(records[1])")
            }
        }
    }

    /// With `JRUN_BUS_LOCK_TIMEOUT=0.5` a held lock makes the post fail with the lock-timeout error; the text
    /// stays in the box and Enter posts it once the lock is free.
    @Test func composeLockTimeoutKeepsTheText() throws {
        try withSandbox { sandbox in
            let folder = sandbox.path + "/proj"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let bus = folder + "/PROJECT-MESSAGE-BUS.md"
            try sandbox.post(bus, "before the lock", project: "proj")
            let before = readBytes(bus)
            let holder = try holdLock(sandbox, bus)
            defer { holder.kill() }

            let body = "second try works"
            let monitor = try MonitorRun(
                sandbox,
                ["PROJECT-MESSAGE-BUS.md"],
                cwd: folder,
                environment: ["JRUN_BUS_LOCK_TIMEOUT": "0.5"]
            )
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("before the lock")
                try session.compose(body)
                var screen = try session.waitFor("post failed: timed out after 0.5s waiting for the bus lock")
                #expect(screen.contains("error: timed out"), "\(screen)")
                #expect(screen.contains(body), "the text must stay in the box:\n\(screen)")
                #expect(readBytes(bus) == before)

                holder.kill()
                try session.send("Enter")
                screen = try session.waitForScreen("the posted id") { postedID(onScreen: $0) != nil }
                let id = try #require(postedID(onScreen: screen))
                let records = busRecords(bus)
                try #require(records.count == 2, "\(records)")
                #expect(records[1].hasPrefix("msg_id: \(id)\n"), "\(records[1])")
                #expect(records[1].hasSuffix("\n---\n\(body)\n"), "\(records[1])")
            }
        }
    }

    /// Shrinking to 20x6 and growing back to 120x35 keeps the monitor running and redraws the rows.
    @Test func resize() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let bodies = ["one first", "two second", "three third", "four fourth", "five fifth", "six sixth"]
            for body in bodies { try sandbox.post(bus, body) }
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(bodies)

                try session.resize(width: 20, height: 6)
                // Narrow rows drop the clock: the newest row starts with its type.
                var screen = try session.waitForScreen("the narrow layout") { screen in
                    screen.split(separator: "\n").contains { $0.hasPrefix("[FACT] six sixth") }
                }
                #expect(!screen.contains("one first"), "\(screen)")
                #expect(screen.split(separator: "\n").allSatisfy { $0.count <= 20 }, "\(screen)")

                try session.resize(width: 120, height: 35)
                screen = try session.waitForScreen("the wide layout again") { screen in
                    bodies.allSatisfy { screen.contains($0) }
                        && !screen.split(separator: "\n").contains { $0.hasPrefix("[FACT]") }
                }
                #expect(statusBar(screen).contains("6/6 | FOLLOW"), "\(screen)")
                #expect(!monitor.hasExited)
            }
        }
    }

    /// Every way out (q, Ctrl-C, SIGTERM, SIGHUP) exits 0 and leaves the terminal in cooked mode with echo.
    @Test(arguments: ["q", "C-c", "SIGTERM", "SIGHUP"])
    func exitRestoresTheTerminal(way: String) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "still here")
            let monitor = try MonitorRun(sandbox, ["bus.md"])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("still here")
                switch way {
                case "SIGTERM", "SIGHUP":
                    let pid = try monitor.monitorPID()
                    #expect(kill(pid, way == "SIGTERM" ? SIGTERM : SIGHUP) == 0)
                default:
                    try session.send(way)
                }
                let (exit, stty) = try monitor.waitForExit()
                #expect(exit == "exit=0")
                #expect(stty.contains("icanon"), "\(stty)")
                #expect(stty.contains("echo"), "\(stty)")
                #expect(!stty.contains("-icanon"), "\(stty)")
                #expect(!stty.contains("-echo"), "\(stty)")
                #expect(stty.contains("isig"), "\(stty)")
                #expect(stty.contains("icrnl"), "\(stty)")
                // The monitor's screen is gone.
                try session.waitForAbsence("still here", timeout: .seconds(5))
            }
        }
    }

    /// A broken record between two good ones: counted in the status bar with its key, `!` lists it with the byte
    /// offset and reason that `read` reports, Enter shows its raw bytes, Esc closes the list.
    @Test func listsMalformedRecords() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "first good record")
            var bytes = readBytes(bus)
            bytes += Array("---\nmsg_id: [broken\n---\nbody\n".utf8)
            try writeBytes(bus, bytes)
            try sandbox.post(bus, "second good record")
            let read = try sandbox.bus(["read", "--bus", bus, "--tail", "0"])
            let warning = try #require(read.stderrLines.first { $0.contains("malformed record at byte ") })
            // `... malformed record at byte N (line L): reason`: the monitor must show the same N, L and reason.
            let detail = try #require(warning.range(of: "malformed record at byte ")).upperBound
            let rest = warning[detail...]
            let offset = rest.prefix { $0.isNumber }
            let line = rest.drop { $0 != "e" }.dropFirst(2).prefix { $0.isNumber }
            let reason = try #require(rest.range(of: "): ")).upperBound
            #expect(!offset.isEmpty && !line.isEmpty, "\(warning)")

            let monitor = try MonitorRun(sandbox, ["bus.md"], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitForAll(["first good record", "second good record", "1 malformed (!)"])
                try session.send("!", literal: true)
                var screen = try session.waitForAll([
                    "malformed records: 1", "byte \(offset)  line \(line)  bus.md  " + rest[reason...].prefix(20),
                ])
                try session.send("Enter")
                screen = try session.waitForAll(["raw bytes", "msg_id: [broken", "at: byte \(offset), line \(line)"])
                #expect(screen.split(separator: "\n").count == 24, "\(screen)")
                try session.send("Escape")
                try session.waitFor(
                    ["first good record", "1 malformed (!)"],
                    without: ["malformed records:", "[broken"]
                )
            }
        }
    }

    /// With stdout not a terminal the monitor refuses with exit 64 and points to `read --follow`.
    @Test func notATerminal() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "hello")
            let result = try sandbox.bus(["monitor", bus], timeout: .seconds(20))
            #expect(!result.timedOut)
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("read --follow"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)

            // Only stdout redirected, in a real terminal otherwise.
            let output = sandbox.io + "/monitor.out"
            let errors = sandbox.io + "/monitor.err"
            let monitor = try MonitorRun(
                sandbox,
                ["bus.md"],
                redirect: "> \(shellQuoted(output)) 2> \(shellQuoted(errors))"
            )
            let (exit, _) = try withExtendedLifetime(monitor) { try monitor.waitForExit() }
            #expect(exit == "exit=64")
            #expect(String(decoding: readBytes(errors), as: UTF8.self).contains("read --follow"))
            #expect(readBytes(output).isEmpty)
        }
    }

    /// Colour follows the terminal: none for `TERM=vt100` and `NO_COLOR`, the 8 basic colours for `TERM=xterm`, the
    /// 256-colour mid-tone palette (`38;5;N`) for `TERM=xterm-256color`.
    ///
    /// Types stay readable as `[TYPE]` either way, and an escape sequence in a body never reaches the terminal.
    @Test(arguments: [
        ("TERM", "vt100", 0), ("NO_COLOR", "1", 0), ("TERM", "xterm", 8), ("TERM", "xterm-256color", 256),
    ])
    func coloursFollowTheTerminal(variable: String, value: String, colours: Int) throws {
        let coloured = colours > 0
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "plain fact line")
            try sandbox.post(bus, "\u{1B}[31mred text\u{1B}[0m and 日本語 🚀\ttab", type: "DONE")
            let monitor = try MonitorRun(sandbox, ["bus.md"], environment: [variable: value])
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                let screen = try session.waitForAll(["[FACT]", "[DONE]", "plain fact line", "red text"])
                #expect(screen.contains("日本語 🚀"), "\(screen)")
                let painted = try session.capture(colours: true)
                // SGR foreground colours: 30-37, 90-97, or 38;5;N.
                let colourCodes = painted.components(separatedBy: "\u{1B}[").dropFirst().filter { sequence in
                    let parameters = sequence.prefix { $0 != "m" }.split(separator: ";")
                    return parameters.contains { ["30", "31", "32", "33", "34", "35", "36", "37", "38"].contains($0) }
                        || parameters.contains { $0.count == 2 && $0.hasPrefix("9") }
                }
                #expect(colourCodes.isEmpty != coloured, "colour sequences: \(colourCodes.count)")
                // The palette of TerminalScreen: red 160, green 28, yellow 136, blue 32, magenta 127, cyan 30.
                let palette = Set(["160", "28", "136", "32", "127", "30"])
                let indexed = colourCodes.compactMap { sequence -> String? in
                    let parameters = sequence.prefix { $0 != "m" }.split(separator: ";").map(String.init)
                    guard let at = parameters.firstIndex(of: "38"), at + 2 < parameters.count, parameters[at + 1] == "5"
                    else { return nil }
                    return parameters[at + 2]
                }
                if colours == 256 {
                    #expect(Set(indexed).isSubset(of: palette) && indexed.count >= 2, "256-colour codes: \(indexed)")
                    #expect(Set(indexed).count >= 2, "more than one role's colour: \(indexed)")
                } else {
                    #expect(indexed.isEmpty, "\(value): no 256-colour codes, found \(indexed)")
                }
                if !coloured { #expect(!painted.contains("\u{1B}[31mred"), "the body's escape reached the terminal") }
                try session.send("q")
                #expect(try monitor.waitForExit().exit == "exit=0")
            }
        }
    }
}
