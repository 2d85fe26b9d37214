import BusCore
import Testing

@testable import BusTUI

/// Issue 11's find features: highlighting, `n`/`N` in the detail pane, `u`, `e`/`E`, bookmarks.
@Suite("Find")
struct FindTests {
    @Test("the finder marks plain words (any case) and regex matches, not negated or field terms")
    func finder() {
        let finder = MatchFinder(MessageQuery("Port /8[0-9]+/ !noise type:FACT"))
        let text = Array("port 8080, PORT 9090")
        #expect(finder.ranges(in: text) == [0..<4, 5..<9, 11..<15])
        #expect(MatchFinder(MessageQuery("!x type:FACT")).isEmpty)
        #expect(MatchFinder(MessageQuery("ü")).ranges(in: Array("Über ü")) == [0..<1, 5..<6])
    }

    @Test("matches are underlined, bold and yellow in the list and the detail pane; wide text stays aligned")
    func highlight() {
        var model = Fixture.model([
            Fixture.message("端口 port 8080 ready", id: "A", second: 1),
            Fixture.message("nothing here", id: "B", second: 2),
        ])
        model.setQuery("port")
        model.press(.character("g"), .enter)
        let grid = MonitorView.render(model).grid
        let lines = grid.lines
        let row = lines.firstIndex { $0.contains("端口 port") } ?? -1
        let column = grid.columnOf("port", row: row)
        #expect(column >= 0)
        for offset in 0..<4 {
            let style = grid[row, column + offset].style
            #expect(style.attributes.contains(.underline) && style.color == .yellow)
        }
        #expect(!grid[row, column + 4].style.attributes.contains(.underline))
        let detailRow = lines.lastIndex { $0.contains("端口 port") } ?? -1
        #expect(detailRow > row)
        let detailColumn = grid.columnOf("port", row: detailRow)
        #expect(grid[detailRow, detailColumn].style.attributes.contains(.underline))
        RenderTests.expectAligned(grid)
    }

    @Test("n/N in the focused detail pane move between lines of the body holding a match, wrapping")
    func detailSearch() {
        let body = (0..<60).map { $0 % 20 == 5 ? "line \($0) has the needle" : "line \($0)" }.joined(separator: "\n")
        var model = Fixture.model([Fixture.message(body, id: "LONG", second: 1)])
        model.setQuery("needle")
        model.press(.enter, .tab, .character("n"))
        let lines = model.detailCache?.lines ?? []
        func topLine() -> String { String(lines[min(model.detailScroll + 1, lines.count - 1)].glyphs.map(\.character)) }
        #expect(topLine() == "line 5 has the needle")
        model.press(.character("n"))
        #expect(topLine() == "line 25 has the needle")
        model.press(.character("N"))
        #expect(topLine() == "line 5 has the needle")
        model.press(.character("N"))
        #expect(model.notice == "search wrapped")
        #expect(model.detailMatch?.line == lines.lastIndex { String($0.glyphs.map(\.character)).contains("needle") })
    }

    @Test("u goes to the next QUESTION no message answers, e/E to the next/previous failure type")
    func jumps() {
        var model = Fixture.model([
            Fixture.message("answered?", type: "QUESTION", id: "Q1", second: 1),
            Fixture.message("yes", type: "ANSWER", id: "A1", second: 2, parents: ["Q1"]),
            Fixture.message("build broke", type: "ERROR", id: "E1", second: 3),
            Fixture.message("open one?", type: "QUESTION", id: "Q2", second: 4),
            Fixture.message("agent died", type: "RUN_CRASH", id: "C1", second: 5),
            Fixture.message("tests", type: "TEST_FAILED", id: "T1", second: 6),
            Fixture.message("last", id: "L1", second: 7),
        ])
        model.press(.character("g"), .character("u"))
        #expect(model.selected?.message.msgID == "Q2")
        model.press(.character("u"))
        #expect(model.selected?.message.msgID == "Q2", "the only one: it wraps back onto itself")
        model.press(.character("e"))
        #expect(model.selected?.message.msgID == "C1")
        model.press(.character("e"))
        #expect(model.selected?.message.msgID == "T1")
        model.press(.character("e"))
        #expect(model.selected?.message.msgID == "E1")
        #expect(model.notice == "wrapped")
        model.press(.character("E"))
        #expect(model.selected?.message.msgID == "T1")
        model.press(.control("o"))
        #expect(model.selected?.message.msgID == "E1", "jumps go into the history")
    }

    @Test("u finds a hidden question by clearing the filters, and says when there is none")
    func hiddenQuestion() {
        var model = Fixture.model([
            Fixture.message("open one?", type: "QUESTION", id: "Q2", second: 1),
            Fixture.message("fact", id: "F", second: 2),
        ])
        model.setQuery("fact")
        model.press(.character("u"))
        #expect(model.selected?.message.msgID == "Q2")
        #expect(model.query.isEmpty)
        var none = Fixture.model(Fixture.numbered(3))
        none.press(.character("u"))
        #expect(none.notice == "no unanswered QUESTION")
    }

    @Test("m marks a message (* on its row), ' cycles through the marks in time order; M toggles the mouse")
    func bookmarks() {
        var model = Fixture.model(Fixture.numbered(10))
        model.press(.character("'"))
        #expect(model.notice == "no bookmarks: m marks a message")
        model.press(.character("g"), .character("j"), .character("m"))
        model.press(.character("j"), .character("j"), .character("j"), .character("m"))
        #expect(model.bookmarks.count == 2)
        #expect(model.screenLines.contains { $0.contains("*[DONE] ") && $0.hasSuffix("message 1") })
        model.press(.character("G"), .character("'"))
        #expect(model.selectedBody == "message 1")
        model.press(.character("'"))
        #expect(model.selectedBody == "message 4")
        model.press(.character("m"))
        #expect(model.bookmarks.count == 1)
        #expect(model.press(.character("M")) == .setMouse(false))
    }
}

extension CellGrid {
    /// The column where `text` starts on `row` (by cells), or -1.
    func columnOf(_ text: String, row: Int) -> Int {
        guard row >= 0, row < height else { return -1 }
        let wanted = Array(text)
        for column in 0..<width {
            var index = 0
            var position = column
            while index < wanted.count, position < width {
                let cell = self[row, position]
                if cell.width == 0 {
                    position += 1
                    continue
                }
                guard cell.character == wanted[index] else { break }
                index += 1
                position += 1
            }
            if index == wanted.count { return column }
        }
        return -1
    }
}

@Suite("Substring matching")
struct TextMatchTests {
    @Test("case-insensitive containment at every position of long and short texts, chunk edges included")
    func everyPosition() {
        let filler = "abcdefghijklmnopqrstuvwxyz0123456789 [](){}@`"
        for length in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            let text = String(String(repeating: filler, count: 3).prefix(length))
            for start in 0..<max(1, length) {
                for size in [1, 2, 5, 17] where start + size <= length {
                    let piece = Array(text)[start..<(start + size)]
                    let needle = Array(String(piece).lowercased().utf8)
                    #expect(TextMatch.contains(text.uppercased(), needle), "\(piece) in \(text.uppercased())")
                    #expect(TextMatch.contains(text, needle))
                }
            }
            #expect(!TextMatch.contains(text, Array("#".utf8)))
            #expect(!TextMatch.contains(text + "ZZ", Array("zzz".utf8)))
        }
        #expect(TextMatch.contains("@", Array("@".utf8)) && !TextMatch.contains("`", Array("@".utf8)))
        #expect(!TextMatch.contains(String(repeating: "`", count: 40), Array("@".utf8)))
        #expect(TextMatch.contains(String(repeating: "x", count: 40) + "PORT", Array("port".utf8)))
    }
}
