/// The compose box: a title row with the type field and the post state, then the body.
enum ComposeView {
    /// - Returns: where the cursor goes (in the type field or the body).
    static func draw(_ model: MonitorModel, band: Band, into grid: inout CellGrid) -> (row: Int, column: Int)? {
        guard band.height > 0, let state = model.compose else { return nil }
        let row = band.top
        grid.fill(row: row, columns: 0..<grid.width, style: MonitorView.chrome)
        var column = grid.write("type: ", row: row, column: 0, style: CellStyle([.reverse, .bold], color: .chrome))
        let typeStart = column
        let typeText = state.type.text
        let fieldStyle = CellStyle(state.field == .type ? [.underline, .bold] : [.bold], color: .none)
        column = grid.write(typeText, row: row, column: column, limit: grid.width, style: fieldStyle)
        var cursor: (row: Int, column: Int)?
        if state.field == .type {
            let before = state.type.characters[..<state.type.cursor].reduce(0) { $0 + DisplayWidth.of($1) }
            cursor = (row, min(typeStart + before, max(0, grid.width - 1)))
            if let suggestion = state.suggestion(seen: model.typeCounts.keys), suggestion.count > typeText.count,
                suggestion.lowercased().hasPrefix(typeText.lowercased())
            {
                let rest = String(suggestion.dropFirst(typeText.count))
                column = grid.write(rest, row: row, column: column, style: CellStyle([.reverse, .dim], color: .chrome))
            }
        }
        let status: String
        switch state.phase {
        case .posting: status = "posting..."
        case .waitingForLock: status = "waiting for lock..."
        case .editing:
            status = state.error.map { "error: " + $0 } ?? "Enter post | Ctrl-J newline | Tab field | Esc cancel"
        }
        let statusStyle = CellStyle([.reverse, .bold], color: state.error != nil && !state.isBusy ? .red : .chrome)
        grid.write(
            "  " + status,
            row: row,
            column: column,
            style: state.phase == .editing && state.error == nil ? MonitorView.chrome : statusStyle
        )

        let rows = band.height - 1
        guard rows > 0 else { return cursor }
        let (visualRows, cursorRow, cursorColumn) = layoutBody(state.body, width: grid.width)
        let first = max(0, min(cursorRow - rows + 1, visualRows.count - rows))
        for offset in 0..<rows {
            let index = first + offset
            guard index < visualRows.count else { break }
            grid.write(glyphs: visualRows[index], row: row + 1 + offset, column: 0)
        }
        if state.field == .body {
            cursor = (row + 1 + cursorRow - first, min(cursorColumn, max(0, grid.width - 1)))
        }
        if state.body.isEmpty, state.field == .body, rows > 0 {
            grid.write(" type the message; Enter posts it", row: row + 1, column: 1, style: CellStyle(.dim))
        }
        return cursor
    }

    /// The body hard-wrapped to the width, and the cursor's visual row and column.
    static func layoutBody(_ editor: LineEditor, width: Int) -> (rows: [[Glyph]], cursorRow: Int, cursorColumn: Int) {
        let width = max(1, width)
        let (lines, cursorLine, cursorIndex) = editor.lines
        var rows: [[Glyph]] = []
        var cursorRow = 0
        var cursorColumn = 0
        for (lineNumber, line) in lines.enumerated() {
            var current: [Glyph] = []
            var columns = 0
            for (index, character) in line.enumerated() {
                let glyph = TextSanitizer.glyphs(String(character)).first ?? Glyph(character: "?", width: 1)
                if columns + glyph.width > width {
                    rows.append(current)
                    current = []
                    columns = 0
                }
                if lineNumber == cursorLine, index == cursorIndex {
                    cursorRow = rows.count
                    cursorColumn = columns
                }
                current.append(glyph)
                columns += glyph.width
            }
            if lineNumber == cursorLine, cursorIndex >= line.count {
                if columns >= width {
                    rows.append(current)
                    current = []
                    columns = 0
                }
                cursorRow = rows.count
                cursorColumn = columns
            }
            rows.append(current)
        }
        return (rows, cursorRow, cursorColumn)
    }
}

/// A bordered box drawn over the screen (help, pickers); it shrinks with the terminal and drops its border
/// when there is no room for one.
struct OverlayBox {
    var top: Int
    var left: Int
    var width: Int
    var height: Int
    var bordered: Bool

    /// The inner area's first row, first column, rows and columns.
    var inner: (top: Int, left: Int, rows: Int, columns: Int) {
        bordered ? (top + 1, left + 1, max(0, height - 2), max(0, width - 2)) : (top, left, height, width)
    }

    init(contentWidth: Int, contentHeight: Int, screenWidth: Int, screenHeight: Int) {
        let bordered = screenWidth >= 8 && screenHeight >= 5
        let pad = bordered ? 2 : 0
        width = min(contentWidth + pad, screenWidth)
        height = min(contentHeight + pad, screenHeight)
        top = max(0, (screenHeight - height) / 2)
        left = max(0, (screenWidth - width) / 2)
        self.bordered = bordered
    }

    func draw(title: String, into grid: inout CellGrid) {
        for row in top..<(top + height) { grid.fill(row: row, columns: left..<(left + width)) }
        guard bordered else { return }
        let horizontal = "+" + String(repeating: "-", count: max(0, width - 2)) + "+"
        grid.write(horizontal, row: top, column: left, limit: left + width, style: CellStyle(.bold))
        grid.write(horizontal, row: top + height - 1, column: left, limit: left + width, style: CellStyle(.bold))
        for row in (top + 1)..<(top + height - 1) {
            grid.write("|", row: row, column: left, style: CellStyle(.bold))
            grid.write("|", row: row, column: left + width - 1, style: CellStyle(.bold))
        }
        grid.write(" " + title + " ", row: top, column: left + 2, limit: left + width - 2, style: CellStyle(.bold))
    }
}

/// Every key, in an overlay opened with `?`.
enum HelpView {
    static let lines: [String] = [
        "j / k, Down / Up    move the selection (moving up pauses FOLLOW)",
        "PgDn / PgUp         move a page",
        "g / Home            first message",
        "G / End             newest message, resume FOLLOW",
        "F                   toggle FOLLOW / PAUSED",
        "Enter               open the detail pane",
        "Esc                 close the detail pane, clear the text filter",
        "Tab                 switch focus between list and detail",
        "/                   text filter: words, !negate, type:A,B task: run: project:",
        "                    Enter applies, Esc clears",
        "n / N               next / previous match of the last filter text",
        "t                   type picker (Space toggles, Enter applies, x clears)",
        "T                   task picker (same keys)",
        "p                   jump to the parent of the selected message",
        "c                   compose: Enter posts, Ctrl-J or Alt-Enter newline,",
        "                    Tab type field (Tab completes), Up/Down types, Esc cancels",
        "m                   mouse capture on/off (off lets the terminal select text)",
        "mouse               wheel scrolls, click selects, double click opens",
        "?                   this help",
        "q                   close the open view, or quit",
        "Ctrl-C              quit",
    ]

    static func draw(scroll: Int, into grid: inout CellGrid) {
        let contentWidth = lines.map { DisplayWidth.of($0) }.max() ?? 0
        let box = OverlayBox(
            contentWidth: contentWidth + 2,
            contentHeight: lines.count,
            screenWidth: grid.width,
            screenHeight: grid.height
        )
        box.draw(title: "keys (q closes)", into: &grid)
        let inner = box.inner
        for offset in 0..<inner.rows {
            let index = scroll + offset
            guard index < lines.count else { break }
            grid.write(lines[index], row: inner.top + offset, column: inner.left + 1, limit: inner.left + inner.columns)
        }
    }
}

/// The type or task picker overlay.
enum PickerView {
    /// Item rows the picker shows on a screen of `height` rows.
    static func visibleRows(height: Int, items: Int) -> Int {
        let bordered = height >= 5
        return max(1, min(max(items, 1), height - (bordered ? 2 : 0)))
    }

    static func draw(_ picker: PickerState, into grid: inout CellGrid) {
        // Names padded to one column so the counts line up (names sanitized first: they come from the bus).
        let names = picker.items.map {
            String(TextSanitizer.glyphs(PickerState.label($0.name, kind: picker.kind)).map(\.character))
        }
        let nameWidth = min(40, names.map { DisplayWidth.of($0) }.max() ?? 0)
        let labels = zip(picker.items, names).map { item, name in
            let padding = String(repeating: " ", count: max(0, nameWidth - DisplayWidth.of(name)))
            return (picker.chosen.contains(item.name) ? "[x] " : "[ ] ") + name + padding + "  " + String(item.count)
        }
        let title = picker.kind == .type ? "types: Space select, Enter apply" : "tasks: Space select, Enter apply"
        let contentWidth = max((labels.map { DisplayWidth.of($0) }.max() ?? 0) + 2, DisplayWidth.of(title) + 4)
        let box = OverlayBox(
            contentWidth: contentWidth,
            contentHeight: max(labels.count, 1),
            screenWidth: grid.width,
            screenHeight: grid.height
        )
        box.draw(title: title, into: &grid)
        let inner = box.inner
        guard !labels.isEmpty else {
            grid.write("(none seen yet)", row: inner.top, column: inner.left + 1, limit: inner.left + inner.columns)
            return
        }
        for offset in 0..<inner.rows {
            let index = picker.top + offset
            guard index < labels.count else { break }
            let row = inner.top + offset
            let name = picker.items[index].name
            let style = CellStyle(
                picker.chosen.contains(name) ? .bold : [],
                color: picker.kind == .type ? TypeStyle.color(for: name) : .none
            )
            grid.write(labels[index], row: row, column: inner.left + 1, limit: inner.left + inner.columns, style: style)
            if index == picker.cursor {
                grid.restyle(row: row, columns: inner.left..<(inner.left + inner.columns)) {
                    $0.attributes.insert(.reverse)
                }
            }
        }
    }
}
