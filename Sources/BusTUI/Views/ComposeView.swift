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
            let before = state.type.characters[..<state.type.cursor].reduce(0) { $0 + TextSanitizer.width(String($1)) }
            cursor = (row, min(typeStart + before, max(0, grid.width - 1)))
            if let suggestion = state.suggestion(seen: model.typeCounts.keys), suggestion.count > typeText.count,
                suggestion.lowercased().hasPrefix(typeText.lowercased())
            {
                let rest = String(suggestion.dropFirst(typeText.count))
                column = grid.write(rest, row: row, column: column, style: CellStyle([.reverse, .dim], color: .chrome))
            }
        }
        if let reply = state.reply {
            column = grid.write("  reply to " + reply.msgID, row: row, column: column, style: MonitorView.chrome)
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
