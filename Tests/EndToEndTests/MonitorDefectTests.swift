import BusTestSupport
import Foundation
import Testing

/// The monitor defects of issue 9, reproduced on the real binary in tmux: what reaches the terminal (bytes read
/// with `pipe-pane`) and what the screen shows at 80x24 and 40 columns.
@Suite struct MonitorDefectTests {
    static let tasks = ["task-20261126-090000-api", "task-20261126-090500-tests", "task-20261126-091000-review"]
    /// The box-drawing characters tmux shows for line drawing, its own or the alternate charset's.
    static let lineDrawing: Set<Character> = ["─", "│", "┌", "┐", "└", "┘"]

    /// Posts to `bus` with a task id and a run id.
    static func post(_ sandbox: Sandbox, _ bus: String, _ body: String, task: String, type: String = "PROGRESS") throws
    {
        let result = try sandbox.bus(
            [
                "post", "--bus", bus, "--project", "demo", "--task", task, "--run", "run-1", "--type", type,
                "--no-fsync",
                "--body", body,
            ]
        )
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Defect 1: Enter opens the newest message and keeps it while others arrive; G resumes.
    @Test func openingAMessageKeepsIt() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "first")
            let opened = try sandbox.post(bus, "the one I opened")
            let monitor = try MonitorRun(sandbox, ["bus.md"], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("the one I opened")
                try session.send("Enter")
                try session.waitFor("msg_id: \(opened)")
                let later = try sandbox.post(bus, "arrived later")
                var screen = try session.waitFor("PAUSED 1 new")
                #expect(screen.contains("msg_id: \(opened)"), "\(screen)")
                #expect(!screen.contains("msg_id: \(later)"), "\(screen)")
                try session.send("G")
                screen = try session.waitFor("msg_id: \(later)")
                #expect(statusBar(screen).contains("FOLLOW"), "\(screen)")
            }
        }
    }

    /// Defect 2: at 80x24 the three demo task ids read apart; at 40 columns RUN_START and RUN_STOP do too.
    @Test(arguments: [80, 40])
    func columnsTellRowsApart(width: Int) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            for (index, task) in Self.tasks.enumerated() {
                try Self.post(sandbox, bus, "work \(index)", task: task, type: index == 0 ? "RUN_START" : "RUN_STOP")
            }
            let monitor = try MonitorRun(sandbox, ["bus.md"], width: width, height: width == 80 ? 24 : 10)
            let screen = try withExtendedLifetime(monitor) {
                try monitor.session.waitForAll(["work 0", "work 1", "work 2"])
            }
            Self.expectDistinct(screen, wide: width == 80)
        }
    }

    static func expectDistinct(_ screen: String, wide: Bool) {
        let rows = screen.split(separator: "\n").map(String.init)
        if wide {
            for (index, suffix) in ["…090000-api", "…090500-tests", "…091000-review"].enumerated() {
                #expect(rows.contains { $0.contains(suffix) && $0.contains("work \(index)") }, "\(screen)")
            }
        } else {
            let start = rows.first { $0.contains("work 0") } ?? ""
            let stop = rows.first { $0.contains("work 1") } ?? ""
            #expect(start.contains("[RUN_S…T]") && stop.contains("[RUN_S…P]"), "\(screen)")
        }
    }

    /// Defect 4: every code point of a body reaches the terminal, in the list and in the detail pane; the screen
    /// keeps working after (the raw writes leave ncurses' cursor where it believes it is).
    @Test func graphemeClustersReachTheTerminal() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "before")
            let monitor = try MonitorRun(sandbox, ["bus.md"], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("before")
                let bytesPath = sandbox.io + "/pane-bytes"
                try session.pipeOutput(to: bytesPath)
                let clusters = ["👍🏽", "👨‍👩‍👧‍👦", "🇯🇵", "e\u{301}\u{302}", "❤️", "👨‍💻"]
                try sandbox.post(bus, "🎉🚀" + clusters.joined() + " tail-marker \u{1B}[31mred\u{07}")
                try session.waitFor("tail-marker")
                try session.send("Enter")
                try session.waitFor("msg_id:")
                var bytes: [UInt8] = []
                let complete = waitUntil(deadline: .seconds(10)) {
                    bytes = readBytes(bytesPath)
                    return clusters.allSatisfy { cluster in Self.count(Array(cluster.utf8), in: bytes) >= 2 }
                }
                let missing = clusters.filter { Self.count(Array($0.utf8), in: bytes) < 2 }
                #expect(complete, "clusters not drawn whole in both the list and the detail pane: \(missing)")
                // Controls are shown the same visible way (ESC as ^[, BEL as ^G), never sent.
                let screen = try session.waitFor("^[[31mred^G")
                #expect(!bytes.contains(0x07), "BEL reached the terminal")
                // The screen still draws right after the raw writes.
                try sandbox.post(bus, "after the emoji")
                try session.send("G")
                let after = try session.waitFor("after the emoji")
                let row = after.split(separator: "\n").first { $0.contains("after the emoji") } ?? ""
                #expect(row.hasSuffix("[FACT] after the emoji") || row.contains("] after the emoji"), "\(after)")
                _ = screen
            }
        }
    }

    /// Whether a captured row (`capture-pane -e`) is in reverse video from its first cell to its last: its first
    /// SGR turns reverse on and no later one turns it off (a reset must turn it on again).
    static func reverseThroughout(_ row: String) -> Bool {
        let sequences = row.components(separatedBy: "\u{1B}[")
        guard sequences.first?.isEmpty == true, sequences.count > 1 else { return false }
        for (index, sequence) in sequences.dropFirst().enumerated() {
            let parameters = sequence.prefix { $0 != "m" }.split(separator: ";").map(String.init)
            if parameters.contains("27") { return false }
            if index == 0 || parameters.contains("0") || parameters.isEmpty {
                guard parameters.contains("7") else { return false }
            }
        }
        return true
    }

    /// Occurrences of `needle` in `haystack`.
    static func count(_ needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
        var found = 0
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle {
                found += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    /// Defect 5: at 40 columns the status bar keeps the follow state and the counts; the path gives way.
    @Test func statusBarAt40Columns() throws {
        try withSandbox { sandbox in
            let folder = sandbox.path + "/a-rather-long-folder-name/demo"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let bus = folder + "/MESSAGE-BUS.md"
            for index in 0..<3 { try sandbox.post(bus, "m\(index)") }
            let monitor = try MonitorRun(sandbox, [bus], width: 40, height: 10)
            try withExtendedLifetime(monitor) {
                let screen = try monitor.session.waitFor("m2")
                // Reverse video across the whole row: the last cell of the status bar is drawn reversed too.
                let painted = try monitor.session.capture(colours: true, trailing: true)
                let bar = statusBar(painted)
                #expect(Self.reverseThroughout(bar), "\(bar.debugDescription)")
                let status = statusBar(screen)
                #expect(status.contains("3/3") && status.contains("FOLLOW"), "\(screen)")
                #expect(status.contains("…") && status.contains("BUS.md"), "\(screen)")
            }
        }
    }

    /// Defect 5: the path of a bus under HOME shows as `~/…` in the status bar (HOME set for the monitor).
    @Test func homeIsTildeInTheStatusBar() throws {
        try withSandbox { sandbox in
            let bus = sandbox.home + "/bus.md"
            try sandbox.post(bus, "in the home folder")
            let monitor = try MonitorRun(sandbox, [bus], environment: ["HOME": sandbox.home], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let screen = try monitor.session.waitFor("in the home folder")
                #expect(statusBar(screen).hasPrefix("~/bus.md | "), "\(statusBar(screen))")
                #expect(!statusBar(screen).contains(sandbox.home), "\(statusBar(screen))")
            }
        }
    }

    /// Defect 6: Ctrl-C in compose with a draft closes the box and keeps the draft; the second Ctrl-C quits.
    @Test func ctrlCInComposeKeepsTheDraft() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "hello")
            let monitor = try MonitorRun(sandbox, ["bus.md"], width: 80, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("hello")
                try session.send("c")
                try session.waitFor("type the message; Enter posts it")
                try session.send("half a thought", literal: true)
                try session.waitFor("half a thought")
                try session.send("C-c")
                try session.waitFor("Ctrl-C again to quit")
                #expect(!monitor.hasExited)
                try session.send("c")
                try session.waitForAll(["half a thought", "Enter post"])
                try session.send("Escape")
                try session.waitForAbsence("Enter post")
                try session.send("C-c")
                let (exit, _) = try monitor.waitForExit()
                #expect(exit == "exit=0")
            }
        }
    }

    /// Defect 7: after `rotate` (and the next post) the notice says rotated, not created; a bus file's first
    /// creation is no notice at all.
    @Test func rotationNoticeSaysRotated() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "before the rotation")
            let monitor = try MonitorRun(sandbox, ["bus.md"], width: 100, height: 12)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("before the rotation")
                let rotated = try sandbox.bus(["rotate", "--bus", bus, "--max-size", "0"])
                #expect(rotated.status == 0, "\(rotated.stderr)")
                try session.waitFor("rotated")
                try sandbox.post(bus, "after the rotation")
                let screen = try session.waitFor("after the rotation")
                try session.expectSteady("the rotation notice", for: .milliseconds(600)) { screen in
                    statusBar(screen).contains("rotated") && !statusBar(screen).contains("created")
                }
                _ = screen
            }
        }
    }

    /// Defect 7: under a non-UTF-8 locale the warning stays in the status bar after keys; the picker's box and the
    /// list/detail border are drawn with `-`, `|` and `+` (not the terminal's line drawing, which tmux would show as
    /// `─`), and cuts end in `~`.
    @Test func localeWarningStays() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "one")
            try sandbox.post(bus, String(repeating: "a long body ", count: 20))
            let monitor = try MonitorRun(sandbox, ["bus.md"], environment: ["LC_ALL": "C"], width: 200, height: 20)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.waitFor("not UTF-8")
                try session.send("k", "j", "t")
                // The whole box: under load a capture can land between the lines of one frame reaching tmux.
                let picker = try session.waitForScreen("the picker's box, top and bottom in ASCII") { screen in
                    screen.contains("types: Space select")
                        && screen.split(separator: "\n").filter { $0.contains("+-") && $0.contains("-+") }.count == 2
                }
                let lines = picker.split(separator: "\n")
                let item = lines.first { $0.contains("| [ ] FACT") } ?? ""
                #expect(item.filter { $0 == "|" }.count == 2, "the box's sides in ASCII:\n\(picker)")
                #expect(!picker.contains { Self.lineDrawing.contains($0) }, "line drawing under LC_ALL=C:\n\(picker)")
                try session.send("Escape")
                var screen = try session.waitForAbsence("types: Space select")
                #expect(statusBar(screen).contains("not UTF-8"), "\(screen)")
                let row = screen.split(separator: "\n").first { $0.contains("a long body") } ?? ""
                #expect(row.hasSuffix("~"), "\(screen)")
                try session.send("Enter")
                screen = try session.waitFor("msg_id:")
                let border = screen.split(separator: "\n").first { $0.hasPrefix("-- MSG-") && $0.hasSuffix(" -") }
                #expect(border != nil, "the list/detail border in ASCII:\n\(screen)")
                #expect(!screen.contains { Self.lineDrawing.contains($0) }, "line drawing under LC_ALL=C:\n\(screen)")
            }
        }
    }

    /// Defect 7: mouse reporting is SGR 1006: a click past column 223 selects the row under it, a double click
    /// opens it.
    @Test func sgrMouse() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "row one")
            try sandbox.post(bus, "row two")
            try sandbox.post(bus, "row three")
            let bytesPath = sandbox.io + "/pane-bytes"
            let monitor = try MonitorRun(sandbox, ["bus.md"], width: 240, height: 24)
            try withExtendedLifetime(monitor) {
                let session = monitor.session
                try session.pipeOutput(to: bytesPath)
                try session.send("M")
                try session.waitFor("mouse off")
                try session.send("M")
                try session.waitForAbsence("mouse off")
                let on = waitUntil(deadline: .seconds(10)) {
                    Self.count(Array("\u{1B}[?1006h".utf8), in: readBytes(bytesPath)) > 0
                }
                #expect(on, "no SGR 1006 request in the pane's bytes")
                let screen = try session.waitFor("row one")
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                let row = try #require(lines.firstIndex { $0.contains("row one") })
                // Press and release at column 230 (1-based), twice: a double click.
                let press = "\u{1B}[<0;230;\(row + 1)M"
                let release = "\u{1B}[<0;230;\(row + 1)m"
                try session.send(press + release, literal: true)
                try session.waitFor("PAUSED")
                try session.send(press + release, literal: true)
                let detail = try session.waitFor("msg_id:")
                #expect(detail.contains("row one"))
            }
        }
    }
}
