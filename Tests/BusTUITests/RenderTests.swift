import BusCore
import Testing

@testable import BusTUI

@Suite("Rendering into the cell grid")
struct RenderTests {
    static let sizes: [(Int, Int)] = [(80, 24), (120, 35), (20, 6), (1, 1), (0, 0), (8, 3)]

    /// Every row adds up to the grid width and each wide cell is followed by its continuation.
    static func expectAligned(_ grid: CellGrid, sourceLocation: SourceLocation = #_sourceLocation) {
        for row in 0..<grid.height {
            #expect(grid.columnCount(row: row) == grid.width, "row \(row)", sourceLocation: sourceLocation)
            var column = 0
            while column < grid.width {
                let span = Int(grid[row, column].width)
                #expect(span > 0, "row \(row) column \(column) is a stray continuation", sourceLocation: sourceLocation)
                #expect(column + max(span, 1) <= grid.width, sourceLocation: sourceLocation)
                for continuation in (column + 1)..<min(grid.width, column + max(span, 1)) {
                    #expect(grid[row, continuation].width == 0, sourceLocation: sourceLocation)
                }
                column += max(span, 1)
            }
        }
    }

    static func hostileModel(width: Int, height: Int) -> MonitorModel {
        var model = Fixture.model(
            [
                Fixture.message("plain text", type: "DONE", task: "alpha", second: 1),
                Fixture.message(
                    "漢字テスト 🎉 emoji\tTAB \u{1B}[31mRED\u{1B}[0m \u{1B}]0;title\u{07}bell\u{07} end",
                    task: "タスク",
                    second: 2
                ),
                Fixture.message(
                    String(repeating: "long line ", count: 50) + "\nsecond",
                    type: "VERYLONGTYPENAME",
                    second: 3
                ),
            ],
            width: width,
            height: height
        )
        model.press(.enter)
        return model
    }

    @Test("every size renders an aligned grid of that size", arguments: [0, 1, 2, 3, 4, 5])
    func sizes(_ index: Int) {
        let (width, height) = Self.sizes[index]
        var model = Self.hostileModel(width: width, height: height)
        var screen = MonitorView.render(model)
        #expect(screen.grid.width == width && screen.grid.height == height)
        Self.expectAligned(screen.grid)
        // Every overlay and pane at this size too.
        for keys in [
            [KeyEvent.character("?")], [.character("t")], [.character("T")], [.character("c")], [.character("/")],
        ] {
            var copy = model
            for key in keys { _ = copy.handle(key) }
            copy.type("漢字")
            screen = MonitorView.render(copy)
            Self.expectAligned(screen.grid)
            if let cursor = screen.cursor {
                #expect(cursor.row < height && cursor.column < width)
            }
        }
        model.resize(width: 200, height: 50)
        Self.expectAligned(MonitorView.render(model).grid)
    }

    @Test("80x24: status bar, list rows with time, [TYPE] tag, task and first line; footer hints")
    func layout80() {
        let model = Fixture.model(
            [
                Fixture.message("first line\nsecond line", type: "DONE", task: "alpha", second: 3661),
                Fixture.message("other", type: "QUESTION", task: "beta", second: 3662),
            ]
        )
        let lines = model.screenLines
        #expect(lines.count == 24)
        #expect(lines[0] == "bus.md | 2/2 | FOLLOW")
        // A header names the columns; with fewer messages than rows the list sits at the bottom, like a chat.
        #expect(lines[1] == "TIME           TYPE       TASK  MESSAGE")
        #expect(lines[21] == "01-01 01:01:01 [DONE]     alpha first line")
        #expect(lines[22] == "01-01 01:01:02 [QUESTION] beta  other")
        #expect(lines[23].hasPrefix("? help"))
        // The selected (newest) row is reverse video across the whole width.
        let grid = MonitorView.render(model).grid
        #expect(grid[22, 79].style.attributes.contains(.reverse))
        #expect(!grid[21, 0].style.attributes.contains(.reverse))
        // Type tags are coloured and bold, and readable without colour.
        #expect(grid[21, 16].style.color == .green)
        #expect(grid[21, 16].style.attributes.contains(.bold))
    }

    @Test("120x35 shows the detail pane with every header field and the wrapped body")
    func detail120() {
        var model = Fixture.model(
            [
                Fixture.message("parent", id: "P1", second: 1),
                BusMessage(
                    msgID: "M2",
                    timestamp: BusTimestamp(seconds: 1_767_225_610, nanoseconds: 500),
                    type: "ANSWER",
                    projectID: "demo",
                    taskID: "t1",
                    runID: "r1",
                    issueID: "I-7",
                    parents: [BusParent(msgID: "P1", kind: "reply")],
                    links: [BusLink(url: "https://x.test/a", label: "spec", kind: "doc")],
                    meta: ["b": "2", "a": "1"],
                    body: String(repeating: "word ", count: 60)
                ),
            ],
            width: 120,
            height: 35
        )
        model.press(.enter)
        let lines = model.screenLines
        let detailTop = model.layout.detail?.top ?? 0
        let text = lines[detailTop...].joined(separator: "\n")
        for expected in [
            "msg_id: M2", "ts: 2026-01-01T00:00:10.0000005Z", "type: ANSWER", "project_id: demo", "task_id: t1",
            "run_id: r1", "issue_id: I-7", "parent: P1 (reply)", "link: https://x.test/a \"spec\" (doc)", "meta: a=1",
            "meta: b=2", "source: /runs/demo/PROJECT-MESSAGE-BUS.md",
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
        let bodyLines = lines[detailTop...].filter { $0.hasPrefix("word") }
        #expect(bodyLines.count == 3, "300 columns of words wrap into three lines at 119 columns")
        #expect(bodyLines.allSatisfy { $0.count <= 119 })
    }

    @Test("20x6 keeps status, a few rows and the footer")
    func tiny() {
        let model = Fixture.model(Fixture.numbered(10), width: 20, height: 6)
        let lines = model.screenLines
        #expect(lines.count == 6)
        // The follow state and the counts go before the path, which keeps what is left.
        #expect(lines[0] == "…md | 10/10 | FOLLOW", "\(lines[0])")
        #expect(lines[1] == "TYPE   MESSAGE")
        #expect(lines[2] == "[DONE] message 7")
        #expect(lines[4] == "[FACT] message 9")
        #expect(lines[5].hasPrefix("? help"))
    }

    @Test("wide characters take two columns and the columns after them line up")
    func wideCharacters() {
        var grid = CellGrid(width: 12, height: 2)
        grid.write("漢字ab", row: 0, column: 0)
        grid.write("🎉x", row: 1, column: 0)
        #expect(grid[0, 0].width == 2 && grid[0, 1].width == 0 && grid[0, 4].character == "a")
        #expect(grid[1, 0].character == "🎉" && grid[1, 2].character == "x")
        #expect(grid.lines == ["漢字ab", "🎉x"])
        // A wide character that does not fit at the edge becomes a blank.
        grid.write("abc漢", row: 0, column: 8)
        #expect(grid.text(row: 0).hasSuffix("abc "))
        Self.expectAligned(grid)
        // Overwriting half of a wide character blanks the other half.
        grid.write("Z", row: 0, column: 1)
        #expect(grid[0, 0].character == " " && grid[0, 1].character == "Z")
        Self.expectAligned(grid)
    }

    @Test("CJK and emoji rows in the list stay aligned at 80 columns")
    func wideInList() {
        let model = Fixture.model([
            Fixture.message("漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字", task: "タスク"),
            Fixture.message("👍🏽 family 👨‍👩‍👧 flag 🇯🇵 done", second: 1),
        ])
        let grid = MonitorView.render(model).grid
        Self.expectAligned(grid)
        #expect(grid.lines.contains { $0.hasPrefix("01-01 00:00:00 [FACT] タスク 漢字") }, "\(grid.lines)")
    }

    @Test("a body's escape sequences show visibly in the list and the detail pane, columns stay aligned")
    func escapesShowVisibly() {
        var model = Fixture.model([
            Fixture.message(
                "copy \u{1B}]52;c;cHduZWQ=\u{07} \u{1B}[31mred\u{1B}[0m end\nnext \u{1B}]0;title\u{07}",
                type: "FA\u{1B}[1mCT",
                task: "t\u{07}"
            ),
            Fixture.message("after", second: 1),
        ])
        model.press(.up, .enter)
        let screen = MonitorView.render(model)
        Self.expectAligned(screen.grid)
        let lines = model.screenLines
        let row = lines.first { $0.contains("copy ^[]52") } ?? ""
        #expect(row.hasPrefix("01-01 00:00:00 [FA^[[1mCT] t^G"), "\(row)")
        #expect(row.hasSuffix("copy ^[]52;c;cHduZWQ=^G ^[[31mred^[[0m end"), "\(row)")
        let detail = lines[(model.layout.detail?.top ?? 0)...].joined(separator: "\n")
        #expect(detail.contains("copy ^[]52;c;cHduZWQ=^G ^[[31mred^[[0m end\nnext ^[]0;title^G"), "\(detail)")
        #expect(detail.contains("type: FA^[[1mCT"))
        for row in 0..<screen.grid.height {
            for column in 0..<screen.grid.width {
                let scalars = screen.grid[row, column].character.unicodeScalars
                #expect(!scalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
            }
        }
        // Measuring: the caret forms take their real width, so the row is exactly as wide as the text shown.
        #expect(DisplayWidth.of(lines[1]) == lines[1].count)
    }
}

@Suite("Sanitizing untrusted text")
struct SanitizerTests {
    func text(_ input: String, start: Int = 0) -> String {
        String(TextSanitizer.glyphs(input, startColumn: start).map(\.character))
    }

    @Test("escape sequences are shown, not obeyed: ESC as ^[ and the rest of the sequence as plain text")
    func escapes() {
        #expect(text("a\u{1B}[1;31mred\u{1B}[0mb") == "a^[[1;31mred^[[0mb")
        #expect(text("x\u{1B}]0;evil title\u{07}y") == "x^[]0;evil title^Gy")
        #expect(text("x\u{1B}]52;c;cHduZWQ=\u{07}y") == "x^[]52;c;cHduZWQ=^Gy")
        #expect(text("x\u{1B}]8;;http://e\u{1B}\\link\u{1B}]8;;\u{1B}\\y") == "x^[]8;;http://e^[\\link^[]8;;^[\\y")
        #expect(text("a\u{1B}7b\u{1B}(Bc") == "a^[7b^[(Bc")
        #expect(text("a\u{9B}2Jb") == "a<U+009B>2Jb")
        #expect(text("\u{1B}P1$r\u{1B}\\ok") == "^[P1$r^[\\ok")
        #expect(text("unterminated \u{1B}[") == "unterminated ^[[")
    }

    @Test("controls as in read: caret notation for C0 and DEL, <U+XXXX> for C1 and bidi controls")
    func controls() {
        #expect(text("bell\u{07}nul\u{00}del\u{7F}") == "bell^Gnul^@del^?")
        #expect(text("a\u{85}b\u{8D}c") == "a<U+0085>b<U+008D>c")
        #expect(text("x\u{202E}abc\u{202C}y") == "x<U+202E>abc<U+202C>y")
        #expect(text("cr\r\n") == "cr^M^J")
    }

    @Test("the visible forms are TerminalText's, the rule read uses")
    func sameRuleAsRead() {
        let hostile = "a\u{1B}]52;c;cHduZWQ=\u{07}b\u{9B}c\u{202E}d\u{7F}\u{01}"
        #expect(text(hostile) == TerminalText.escaped(hostile))
    }

    @Test("tabs expand to the next multiple of 8 from the start column")
    func tabs() {
        #expect(text("a\tb") == "a       b")
        #expect(text("\tx", start: 5) == "   x")
        let glyphs = TextSanitizer.glyphs("ab\tc")
        #expect(glyphs.reduce(0) { $0 + $1.width } == 9)
    }

    @Test("widths: CJK and emoji 2, combining marks ride along, ASCII 1")
    func widths() {
        #expect(DisplayWidth.of("漢" as Character) == 2)
        #expect(DisplayWidth.of("🎉" as Character) == 2)
        #expect(DisplayWidth.of("e\u{301}" as Character) == 1)
        #expect(DisplayWidth.of("a" as Character) == 1)
        // Two regional indicators of one column each, as tmux and xterm place them.
        #expect(DisplayWidth.of("🇯🇵" as Character) == 2)
        #expect(DisplayWidth.of("ｱ" as Character) == 1)
        #expect(DisplayWidth.of("Ａ" as Character) == 2)
        #expect(DisplayWidth.of("漢字ab") == 6)
    }

    @Test("maxColumns clips a huge line without reading all of it")
    func clipping() {
        let huge = String(repeating: "x", count: 1_000_000)
        let glyphs = TextSanitizer.glyphs(huge, maxColumns: 10)
        #expect(glyphs.count == 10)
        let wide = TextSanitizer.glyphs("漢字漢字", maxColumns: 5)
        #expect(wide.count == 2)
    }

    @Test("wrapping breaks at spaces, hard-breaks long words, never exceeds the width")
    func wrapping() {
        let lines = TextWrap.wrap(TextSanitizer.glyphs("hello wide 漢字漢字 world abcdefghijkl"), width: 8)
        let texts = lines.map { String($0.map(\.character)) }
        #expect(texts == ["hello", "wide", "漢字漢字", "world", "abcdefgh", "ijkl"])
        #expect(lines.allSatisfy { $0.reduce(0) { $0 + $1.width } <= 8 })
        #expect(TextWrap.wrap([], width: 5) == [[]])
    }
}
