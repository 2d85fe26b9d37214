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
