internal import BusCore

/// The swarm panel (`s`): a box with one row per task, the most recently active first.
enum SwarmView {
    static let title = "swarm: Enter shows the task, Esc closes"

    /// Task rows the panel shows on a screen of `height` rows (its header row and border taken off).
    static func visibleRows(height: Int, items: Int) -> Int {
        let bordered = height >= 5
        return max(1, min(max(items, 1), height - (bordered ? 2 : 0) - 1))
    }

    static func draw(_ state: SwarmState, model: MonitorModel, into grid: inout CellGrid) {
        let rows = state.summary.rows
        let box = OverlayBox(
            contentWidth: max(0, grid.width - 2),
            contentHeight: min(rows.count, max(1, grid.height)) + 1,
            screenWidth: grid.width,
            screenHeight: grid.height
        )
        box.draw(title: title, into: &grid)
        let inner = box.inner
        guard inner.rows > 0 else { return }
        let left = inner.left + 1
        let limit = inner.left + inner.columns
        // Task ids lose the prefix they all share, as in the list, so a narrow panel still tells them apart.
        let named = rows.map(\.task).filter { !$0.isEmpty }
        let prefix = named.count >= 2 ? ListColumns.sharedPrefixLength(named) : 0
        let tasks = rows.map { row in
            row.task.isEmpty || prefix == 0
                ? PickerState.label(row.task, kind: .task) : "…" + row.task.dropFirst(prefix)
        }
        let taskWidth = min(max(4, tasks.map { TextSanitizer.width($0) }.max() ?? 4), max(8, inner.columns / 3))
        let typeWidth = min(
            10,
            max(4, rows.map { TextSanitizer.width(model.store.symbols[model.store.entries[$0.last].type]) }.max() ?? 4)
        )
        // Fixed columns after the task: age 8, state 5, type, messages 5, open questions 5.
        let header =
            pad("TASK", taskWidth) + " " + pad("LAST", 8) + " " + pad("", 5) + " " + pad("TYPE", typeWidth)
            + " " + pad("MSGS", 5) + " " + pad("OPEN?", 5) + " SAYS"
        grid.write(header, row: inner.top, column: left, limit: limit, style: CellStyle([.bold, .underline]))
        guard !rows.isEmpty else {
            grid.write("(no messages yet)", row: inner.top + 1, column: left, limit: limit)
            return
        }
        let now = model.referenceTime
        for offset in 0..<max(0, inner.rows - 1) {
            let index = state.top + offset
            guard index < rows.count else { break }
            let row = inner.top + 1 + offset
            let entry = rows[index]
            let message = model.store.message(at: entry.last)
            let stale = SwarmSummary.isStale(message.timestamp, now: now, staleAfter: model.staleAfter)
            var column = grid.writeFitted(tasks[index], row: row, column: left, columns: taskWidth)
            column = left + taskWidth + 1
            grid.write(pad(RelativeTime.text(message.timestamp, now: now), 8), row: row, column: column, limit: limit)
            column += 9
            if stale {
                grid.write("STALE", row: row, column: column, limit: limit, style: CellStyle(.bold, color: .red))
            }
            column += 6
            let typeStyle = CellStyle(.bold, color: TypeStyle.color(for: message.type))
            grid.writeFitted(
                message.type,
                row: row,
                column: column,
                columns: min(typeWidth, max(0, limit - column)),
                style: typeStyle
            )
            column += typeWidth + 1
            grid.write(pad(String(entry.count), 5), row: row, column: column, limit: limit)
            column += 6
            let open = entry.openQuestions > 0 ? String(entry.openQuestions) : "-"
            grid.write(
                pad(open, 5),
                row: row,
                column: column,
                limit: limit,
                style: entry.openQuestions > 0 ? CellStyle(.bold, color: .yellow) : .plain
            )
            column += 6
            if column < limit {
                grid.writeFitted(MessagePreview.line(message.body), row: row, column: column, columns: limit - column)
            }
            if index == state.cursor {
                grid.restyle(row: row, columns: inner.left..<limit) { $0.attributes.insert(.reverse) }
            }
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - TextSanitizer.width(text)))
    }
}
