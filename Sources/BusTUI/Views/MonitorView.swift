internal import BusCore

/// A rendered frame: the cells, and where the terminal cursor goes (nil hides it).
struct RenderedScreen: Sendable {
    var grid: CellGrid
    var cursor: (row: Int, column: Int)?
}

/// Renders the whole screen from the model: status bar, list, detail pane, compose box, footer, overlays.
enum MonitorView {
    static let chrome = CellStyle(.reverse, color: .chrome)

    static func render(_ model: MonitorModel) -> RenderedScreen {
        let layout = model.layout
        var grid = CellGrid(width: layout.width, height: layout.height)
        var cursor: (row: Int, column: Int)?
        StatusBarView.draw(model, row: layout.status, into: &grid)
        ListView.draw(model, band: layout.list, into: &grid)
        if let band = layout.detail { DetailView.draw(model, band: band, into: &grid) }
        if let band = layout.compose { cursor = ComposeView.draw(model, band: band, into: &grid) }
        if let prompt = model.prompt {
            cursor = FooterView.drawPrompt(prompt, band: layout.footer, into: &grid)
        } else {
            FooterView.drawHints(model, band: layout.footer, into: &grid)
        }
        switch model.overlay {
        case .help(let scroll):
            HelpView.draw(scroll: scroll, into: &grid)
            cursor = nil
        case .picker(let picker):
            PickerView.draw(picker, into: &grid)
            cursor = nil
        case .malformed(let state):
            MalformedListView.draw(state, model: model, into: &grid)
            cursor = nil
        case nil:
            break
        }
        return RenderedScreen(grid: grid, cursor: cursor)
    }
}

/// The top line: source, counts, follow state, filters, malformed records, last post, notice.
enum StatusBarView {
    static func draw(_ model: MonitorModel, row band: Band, into grid: inout CellGrid) {
        guard band.height > 0 else { return }
        let row = band.top
        let style = MonitorView.chrome
        grid.fill(row: row, columns: 0..<grid.width, style: style)
        var parts: [(String, CellStyle)] = [
            (model.sourceLabel, CellStyle([.reverse, .bold], color: .chrome)),
            ("\(model.visible.count)/\(model.store.count)", style),
        ]
        if model.following {
            parts.append(("FOLLOW", CellStyle([.reverse, .bold], color: .chrome)))
        } else {
            let paused = model.newCount > 0 ? "PAUSED \(model.newCount) new" : "PAUSED"
            parts.append((paused, CellStyle([.reverse, .bold], color: .chrome)))
        }
        if !model.chosenTypes.isEmpty {
            parts.append(("type: " + model.chosenTypes.sorted().joined(separator: ","), style))
        }
        if !model.chosenTasks.isEmpty {
            let names = model.chosenTasks.sorted().map { PickerState.label($0, kind: .task) }
            parts.append(("task: " + names.joined(separator: ","), style))
        }
        if !model.query.isEmpty { parts.append(("/" + model.query.text, style)) }
        // The key that lists them rides along, so the count says how to see what was skipped.
        if model.malformedTotal > 0 { parts.append(("\(model.malformedTotal) malformed (!)", style)) }
        if !model.mouseEnabled { parts.append(("mouse off", style)) }
        if let result = model.postResult { parts.append((result, style)) }
        if let notice = model.notice { parts.append((notice, CellStyle([.reverse, .bold], color: .chrome))) }
        var column = 0
        for (index, part) in parts.enumerated() {
            if index > 0 { column = grid.write(" | ", row: row, column: column, style: style) }
            column = grid.write(part.0, row: row, column: column, style: part.1)
        }
    }
}

/// The message list: one row per message, oldest at the top and newest at the bottom, like a chat.
enum ListView {
    static func draw(_ model: MonitorModel, band: Band, into grid: inout CellGrid) {
        guard band.height > 0 else { return }
        if model.visible.isEmpty {
            let text =
                model.store.count == 0
                ? "no messages yet" : "no messages match the filters (Esc clears the text, t/T the pickers)"
            grid.write(text, row: band.top, column: 0, style: CellStyle(.dim))
            return
        }
        let columns = Columns(model, width: grid.width)
        let cursor = model.cursor
        for offset in 0..<band.height {
            let position = model.listTop + offset
            guard position < model.visible.count else { break }
            let row = band.top + offset
            let entry = model.store[model.visible[position]]
            drawRow(entry.message, columns: columns, utcOffset: model.utcOffset, row: row, into: &grid)
            if position == cursor {
                let focused = model.focus == .list && model.compose == nil
                grid.restyle(row: row, columns: 0..<grid.width) { style in
                    style.attributes.insert(.reverse)
                    if focused { style.attributes.insert(.bold) }
                }
            }
        }
    }

    private static func drawRow(
        _ message: BusMessage,
        columns: Columns,
        utcOffset: Int,
        row: Int,
        into grid: inout CellGrid
    ) {
        var column = 0
        switch columns.time {
        case .long:
            column = grid.write(TimeText.monthDayClock(message.timestamp, utcOffset: utcOffset), row: row, column: 0)
        case .short: column = grid.write(TimeText.clock(message.timestamp, utcOffset: utcOffset), row: row, column: 0)
        case .none: break
        }
        if column > 0 { column += 1 }
        if columns.type > 0 {
            let end = min(grid.width, column + columns.type + 2)
            let style = CellStyle(.bold, color: TypeStyle.color(for: message.type))
            var next = grid.write("[", row: row, column: column, limit: end, style: style)
            next = grid.write(message.type, row: row, column: next, limit: max(next, end - 1), style: style)
            next = grid.write("]", row: row, column: next, limit: end, style: style)
            column = min(grid.width, end + 1)
        }
        if columns.task > 0 {
            grid.write(message.taskID, row: row, column: column, limit: column + columns.task, style: CellStyle(.dim))
            column = min(grid.width, column + columns.task + 1)
        }
        grid.write(message.firstLine, row: row, column: column)
    }

    /// Column widths for a terminal width: narrow screens drop the date, then the task, then the time.
    struct Columns {
        enum Time {
            case long
            case short
            case none
        }

        var time: Time
        var type: Int
        var task: Int

        init(_ model: MonitorModel, width: Int) {
            time = width >= 80 ? .long : (width >= 30 ? .short : .none)
            let longestType = model.store.typeCounts.keys.map { TextSanitizer.width($0) }.max() ?? 4
            type = min(max(longestType, 4), width >= 60 ? 10 : 6)
            let longestTask = model.store.taskCounts.keys.map { TextSanitizer.width($0) }.max() ?? 0
            task = width >= 60 && longestTask > 0 ? min(longestTask, width >= 100 ? 20 : 12) : 0
        }
    }
}

/// The selected message in full, below the list.
enum DetailView {
    static func draw(_ model: MonitorModel, band: Band, into grid: inout CellGrid) {
        guard band.height > 0, let entry = model.selected else { return }
        let lines = model.detailCache?.lines ?? []
        let focused = model.focus == .detail
        grid.fill(row: band.top, columns: 0..<grid.width, style: MonitorView.chrome)
        let shownEnd = min(lines.count, model.detailScroll + model.layout.detailRows)
        let title = (focused ? "> " : "  ") + entry.message.msgID
        let position =
            shownEnd > model.detailScroll
            ? "\(model.detailScroll + 1)-\(shownEnd)/\(lines.count)" : "\(lines.count) lines"
        let titleStyle = CellStyle(focused ? [.reverse, .bold] : .reverse, color: .chrome)
        let positionStart = max(0, grid.width - position.count - 1)
        grid.write(title, row: band.top, column: 0, limit: max(0, positionStart - 1), style: titleStyle)
        grid.write(position, row: band.top, column: positionStart, style: MonitorView.chrome)
        for offset in 0..<(band.height - 1) {
            let index = model.detailScroll + offset
            guard index < lines.count else { break }
            let line = lines[index]
            let row = band.top + 1 + offset
            var column = 0
            if line.keyLength > 0 {
                column = grid.write(
                    glyphs: line.glyphs.prefix(line.keyLength),
                    row: row,
                    column: 0,
                    style: CellStyle(.bold)
                )
            }
            grid.write(glyphs: line.glyphs.dropFirst(line.keyLength), row: row, column: column, style: line.style)
        }
    }
}

/// The bottom line: key hints, or the `/` prompt while it is open.
enum FooterView {
    static func drawHints(_ model: MonitorModel, band: Band, into grid: inout CellGrid) {
        guard band.height > 0 else { return }
        let malformed = model.malformedTotal > 0 ? "! malformed  " : ""
        let hints =
            model.compose != nil
            ? "Enter post  Ctrl-J/Alt-Enter newline  Tab type field  Esc cancel"
            : "? help  \(malformed)j/k move  Enter detail  / filter  t type  T task  c compose  F follow  q quit"
        grid.write(hints, row: band.top, column: 0, style: CellStyle(.dim))
    }

    /// - Returns: the cursor position in the prompt.
    static func drawPrompt(_ editor: LineEditor, band: Band, into grid: inout CellGrid) -> (row: Int, column: Int)? {
        guard band.height > 0 else { return nil }
        let row = band.top
        let label = "filter: "
        var column = grid.write(label, row: row, column: 0, style: CellStyle(.bold))
        // Keep the cursor on screen: show the end of a query longer than the line.
        let available = max(1, grid.width - column - 1)
        let before = editor.characters[..<editor.cursor]
        var startIndex = before.startIndex
        var width = before.reduce(0) { $0 + TextSanitizer.width(String($1)) }
        while width > available, startIndex < before.endIndex {
            width -= TextSanitizer.width(String(before[startIndex]))
            startIndex += 1
        }
        let cursorColumn = column + width
        column = grid.write(String(editor.characters[startIndex...]), row: row, column: column)
        return (row, min(cursorColumn, max(0, grid.width - 1)))
    }
}
