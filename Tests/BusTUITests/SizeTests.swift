import BusCore
import Testing

@testable import BusTUI

/// A terminal size, for tests run at each of the sizes issue 9 names.
struct ScreenSize: Sendable, CustomTestStringConvertible {
    var width: Int
    var height: Int

    var testDescription: String { "\(width)x\(height)" }

    /// The default terminal, a narrow one and a wide one.
    static let all = [
        ScreenSize(width: 80, height: 24), ScreenSize(width: 40, height: 10), ScreenSize(width: 140, height: 40),
    ]
}

/// The rules of issue 9 at 80x24, 40x10 and 140x40: preview, status bar, Ctrl-C in compose, the detail pane's
/// empty ids.
@Suite("Rules at 80x24, 40x10 and 140x40")
struct SizeTests {
    @Test("the preview is the first non-blank line; a carriage return shows as ^M", arguments: ScreenSize.all)
    func preview(_ size: ScreenSize) {
        let model = Fixture.model(
            [
                Fixture.message("\n\n \t \nopened\nsecond line", type: "INFO", second: 1),
                Fixture.message("cr:\rOVER", second: 2),
            ],
            width: size.width,
            height: size.height
        )
        let lines = model.screenLines
        #expect(lines.contains { $0.hasSuffix("opened") }, "\(lines)")
        #expect(lines.contains { $0.hasSuffix("cr:^MOVER") }, "\(lines)")
        #expect(!lines.contains { $0.contains("second line") }, "only the first non-blank line: \(lines)")
        RenderTests.expectAligned(MonitorView.render(model).grid)
    }

    @Test("the status bar keeps follow state, counts and filters, full width in reverse", arguments: ScreenSize.all)
    func statusBar(_ size: ScreenSize) {
        var model = Fixture.model(Fixture.numbered(6), width: size.width, height: size.height)
        model.press(.character("t"), .character(" "), .enter)
        let grid = MonitorView.render(model).grid
        let status = grid.lines[0]
        #expect(status.contains("FOLLOW"), "\(status)")
        #expect(status.contains("2/6"), "\(status)")
        #expect(status.contains("type: DONE"), "\(status)")
        #expect((0..<size.width).allSatisfy { grid[0, $0].style.attributes.contains(.reverse) })
        model.press(.character("k"))
        model.ingest([Fixture.message("late", type: "DONE", id: "L", second: 60)], source: 0)
        #expect(model.screenLines[0].contains("PAUSED 1 new"), "\(model.screenLines[0])")
    }

    @Test("Ctrl-C in compose keeps the draft for the next c and says how to quit", arguments: ScreenSize.all)
    func ctrlCKeepsDraft(_ size: ScreenSize) {
        var model = Fixture.model(Fixture.numbered(2), width: size.width, height: size.height)
        model.press(.character("c"))
        model.type("half a thought")
        #expect(model.press(.control("c")) == .none)
        #expect(model.compose == nil)
        let status = model.screenLines[0]
        #expect(status.contains("Ctrl-C again to quit"), "\(status)")
        model.press(.character("c"))
        #expect(model.compose?.body.text == "half a thought")
        #expect(model.screenLines.contains { $0.contains("half a thought") }, "\(model.screenLines)")
        model.press(.control("c"))
        #expect(model.press(.control("c")) == .quit)
    }

    @Test("the detail pane leaves out empty task_id, run_id and issue_id, keeps set ones", arguments: ScreenSize.all)
    func detailSkipsEmptyIDs(_ size: ScreenSize) {
        var bare = Fixture.model([Fixture.message("bare", second: 1)], width: size.width, height: size.height)
        bare.press(.enter)
        var text = bare.detailTextScrolled
        #expect(text.contains("project_id: demo") && text.contains("bare"), "\(text)")
        #expect(!text.contains("task_id") && !text.contains("run_id") && !text.contains("issue_id"), "\(text)")
        var withIDs = Fixture.model(
            [Fixture.message("with ids", task: "t-1", run: "r-1", second: 1)],
            width: size.width,
            height: size.height
        )
        withIDs.press(.enter)
        text = withIDs.detailTextScrolled
        #expect(text.contains("task_id: t-1") && text.contains("run_id: r-1"), "\(text)")
        #expect(!text.contains("issue_id"), "\(text)")
    }
}

/// Boxes and the list/detail border: line drawing under UTF-8, `-`, `|`, `+` under any other locale.
@Suite("Box drawing and its ASCII fallback")
struct BoxDrawingTests {
    static let lineDrawing: Set<Character> = ["─", "│", "┌", "┐", "└", "┘"]

    @Test("under UTF-8 the list/detail border and the boxes are line drawing", arguments: ScreenSize.all)
    func lineDrawingUnderUTF8(_ size: ScreenSize) throws {
        var model = Fixture.model(Fixture.numbered(4), width: size.width, height: size.height)
        model.press(.enter)
        let border = try #require(model.layout.detail).top
        let row = model.screenLines[border]
        #expect(row.hasPrefix("──") && row.hasSuffix("─"), "\(row)")
        model.press(.character("?"))
        let text = model.screenLines.joined(separator: "\n")
        #expect(text.contains("┌") && text.contains("┘") && text.contains("│"), "\(text)")
        #expect(!text.contains("+-") && !text.contains("-+"), "\(text)")
    }

    @Test("under another locale the border, the boxes and the rules are -, | and +", arguments: ScreenSize.all)
    func asciiUnderOtherLocales(_ size: ScreenSize) throws {
        var model = Fixture.model(Fixture.numbered(4), width: size.width, height: size.height)
        model.asciiBoxes = true
        model.press(.enter)
        let border = try #require(model.layout.detail).top
        let row = model.screenLines[border]
        #expect(row.hasPrefix("--") && row.hasSuffix("-"), "\(row)")
        let detail = model.detailTextScrolled.split(separator: "\n")
        #expect(detail.contains { $0.count >= 30 && $0.allSatisfy { $0 == "-" } }, "the body's rule: \(detail)")
        for overlay: Character in ["?", "t"] {
            var copy = model
            copy.press(.escape, .character(overlay))
            let grid = MonitorView.render(copy).grid
            let lines = grid.lines
            let top = try #require(lines.firstIndex { $0.contains("+-") && $0.contains("-+") }, "\(lines)")
            #expect(lines[top + 1].filter { $0 == "|" }.count >= 2, "\(lines[top + 1])")
            #expect(lines.filter { $0.contains("+-") && $0.contains("-+") }.count == 2, "top and bottom: \(lines)")
            #expect(!lines.joined().contains { Self.lineDrawing.contains($0) }, "\(lines)")
            RenderTests.expectAligned(grid)
        }
        model.press(.escape, .character("k"))
        model.ingest(Fixture.numbered(2, from: 10), source: 0)
        #expect(model.screenLines.contains { $0.contains("- 2 new -") }, "\(model.screenLines)")
    }

    @Test("the ASCII stand-ins: - for horizontals, | for verticals, + for corners, nothing else changes")
    func standIns() {
        #expect(BoxLine.ascii(BoxLine.horizontal) == "-")
        #expect(BoxLine.ascii(BoxLine.vertical) == "|")
        for corner in [BoxLine.topLeft, BoxLine.topRight, BoxLine.bottomLeft, BoxLine.bottomRight] {
            #expect(BoxLine.ascii(corner) == "+")
        }
        #expect(BoxLine.ascii("a") == nil && BoxLine.ascii("═") == nil)
    }
}

/// The status bar's room at 40 columns, and the home folder as `~`.
@Suite("Status bar priorities")
struct StatusBarTests {
    static let longPath = "/tmp/run-agent-demo-Ab12Cd/runs/demo/MESSAGE-BUS.md"

    static func model(width: Int = 40, height: Int = 10) -> MonitorModel {
        var model = MonitorModel(
            sourceLabel: longPath,
            postContext: PostContext(projectID: "demo"),
            width: width,
            height: height
        )
        model.ingest(Fixture.numbered(6), source: 0)
        return model
    }

    @Test("40x10: an active filter and the last post result stay ahead of the path")
    func filtersAndPostAheadOfPath() {
        var model = Self.model()
        model.press(.character("t"), .character(" "), .enter)
        model.postResult = "posted MSG-1"
        let status = model.screenLines[0]
        #expect(status.contains("FOLLOW"), "\(status)")
        #expect(status.contains("2/6"), "\(status)")
        #expect(status.contains("type: DONE"), "\(status)")
        #expect(status.contains("posted MSG-1"), "\(status)")
        #expect(!status.contains("BUS.md"), "the path gave its room: \(status)")
        // Nothing is left for the path: the parts, in their order on the bar, fill the 40 columns.
        let fields = status.split(separator: " | ").map(String.init)
        #expect(fields == ["2/6", "FOLLOW", "type: DONE", "posted MSG-1"], "\(status)")
    }

    @Test("40x10: a text filter and a type filter both stay; the post result is cut with … before the path wins")
    func textFilterAndCut() {
        var model = Self.model()
        model.press(.character("t"), .character(" "), .enter)
        model.press(.character("/"))
        model.type("mess")
        model.press(.enter)
        model.postResult = "posted MSG-20261126-090000-123456789-PID4242-0001"
        let status = model.screenLines[0]
        #expect(status.contains("FOLLOW") && status.contains("type: DONE") && status.contains("/mess"), "\(status)")
        #expect(TextSanitizer.width(status) <= 40)
    }

    @Test("40x10: with room to spare the path keeps its end, shortened in the middle")
    func pathKeepsItsEnd() {
        let status = Self.model().screenLines[0]
        #expect(status.contains("FOLLOW") && status.contains("6/6"), "\(status)")
        #expect(status.contains("…") && status.contains("BUS.md"), "\(status)")
    }

    @Test("140x40: everything shows, the whole path first")
    func wideShowsAll() {
        var model = Self.model(width: 140, height: 40)
        model.press(.character("t"), .character(" "), .enter)
        model.postResult = "posted MSG-1"
        let status = model.screenLines[0]
        #expect(status.hasPrefix(Self.longPath), "\(status)")
        #expect(status.hasSuffix(" | 2/6 | FOLLOW | type: DONE | posted MSG-1"), "\(status)")
    }

    @Test(
        "the home folder is written ~",
        arguments: [
            ("/home/al/runs/bus.md", "/home/al", "~/runs/bus.md"),
            ("/home/al/runs/bus.md", "/home/al/", "~/runs/bus.md"),
            ("/home/alice/bus.md", "/home/al", "/home/alice/bus.md"),
            ("/home/al", "/home/al", "~"),
            ("/srv/bus.md", "/", "/srv/bus.md"),
            ("bus.md", "/home/al", "bus.md"),
        ]
    )
    func homeIsTilde(path: String, home: String, expected: String) {
        #expect(homeShortened(path, home: home) == expected)
        #expect(homeShortened(path, home: nil) == path)
    }
}

extension MonitorModel {
    /// Every line the detail pane shows as it is scrolled from top to end (Tab focuses it, j scrolls), as text.
    var detailTextScrolled: String {
        var copy = self
        guard copy.layout.detail != nil else { return "" }
        copy.press(.tab)
        var lines: [String] = []
        for _ in 0...(copy.detailCache?.lines.count ?? 0) {
            guard let band = copy.layout.detail else { break }
            let shown = copy.screenLines[(band.top + 1)..<(band.top + band.height)]
            if copy.detailScroll == 0 { lines += shown } else if let last = shown.last { lines.append(last) }
            let before = copy.detailScroll
            copy.press(.character("j"))
            if copy.detailScroll == before { break }
        }
        return lines.joined(separator: "\n")
    }
}
