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
