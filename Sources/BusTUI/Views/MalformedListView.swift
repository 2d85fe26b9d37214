internal import BusCore

/// Where the malformed-records overlay puts its parts for a screen size: the list of records at the top, the
/// raw-bytes pane below it when open, a key hint on the last row.
struct MalformedListLayout {
    var box: OverlayBox
    var listTop: Int
    var listRows: Int
    /// The pane's title row, nil when the pane is closed or there is no room for it.
    var paneTitleRow: Int?
    var paneTop: Int
    var paneRows: Int
    var hintRow: Int?
    /// First column and width of the text inside the box (one blank column of margin each side when it fits).
    var textLeft: Int
    var textColumns: Int

    init(width: Int, height: Int, entries: Int, bytesOpen: Bool) {
        box = OverlayBox(
            contentWidth: max(0, width - 4),
            contentHeight: max(1, height - 4),
            screenWidth: width,
            screenHeight: height
        )
        let inner = box.inner
        let margin = inner.columns >= 3 ? 1 : 0
        textLeft = inner.left + margin
        textColumns = max(0, inner.columns - 2 * margin)
        var rows = inner.rows
        hintRow = rows >= 3 ? inner.top + rows - 1 : nil
        if hintRow != nil { rows -= 1 }
        listTop = inner.top
        if bytesOpen, rows >= 3 {
            // The list keeps up to two fifths of the rows (fewer when there are fewer records): the bytes are
            // what the pane is opened for.
            listRows = max(1, min(max(1, entries), rows * 2 / 5))
            paneTitleRow = inner.top + listRows
            paneTop = inner.top + listRows + 1
            paneRows = rows - listRows - 1
        } else {
            listRows = rows
            paneTitleRow = nil
            paneTop = inner.top + rows
            paneRows = 0
        }
    }
}

/// The overlay opened with `!`: every kept malformed record (file, byte offset, line, reason) and, below, the
/// selected record's raw bytes, made visible and inert.
enum MalformedListView {
    static func draw(_ state: MalformedListState, model: MonitorModel, into grid: inout CellGrid) {
        let log = model.malformedLog
        let entries = log.entries
        let layout = MalformedListLayout(
            width: grid.width,
            height: grid.height,
            entries: entries.count,
            bytesOpen: state.bytesOpen
        )
        let inner = layout.box.inner
        let kept = entries.count < log.total ? ", newest \(log.limit) per file kept" : ""
        layout.box.draw(title: "malformed records: \(log.total)\(kept)", into: &grid)
        let qualified = model.sourceNames.count > 1
        let textEnd = layout.textLeft + layout.textColumns
        let selected = state.selected.map { log.position(of: $0) }
        for offset in 0..<layout.listRows {
            let position = state.top + offset
            guard position < entries.count else { break }
            let row = layout.listTop + offset
            grid.write(
                rowText(
                    entries[position],
                    path: model.sourceNames[entries[position].source] ?? "",
                    qualified: qualified
                ),
                row: row,
                column: layout.textLeft,
                limit: textEnd
            )
            if position == selected {
                grid.restyle(row: row, columns: inner.left..<(inner.left + inner.columns)) {
                    $0.attributes.insert([.reverse, .bold])
                }
            }
        }
        if let titleRow = layout.paneTitleRow {
            drawPane(
                state,
                layout: layout,
                titleRow: titleRow,
                columns: inner.left..<(inner.left + inner.columns),
                into: &grid
            )
        }
        if let hintRow = layout.hintRow {
            let hint =
                state.bytesOpen
                ? "j/k move  PgDn/PgUp scroll  Enter hide bytes  Esc close"
                : "j/k move  Enter raw bytes  Esc close"
            grid.write(hint, row: hintRow, column: layout.textLeft, limit: textEnd, style: CellStyle(.dim))
        }
    }

    /// One list row: `byte N  line L  file  reason`; where it is comes first, so it survives a narrow screen.
    static func rowText(_ entry: MalformedEntry, path: String, qualified: Bool) -> String {
        let record = entry.record
        return "byte \(record.offset)  line \(record.line)  \(fileLabel(path, qualified: qualified))  \(record.reason)"
    }

    /// The file's name; with `qualified` (several buses, such as task buses that share one name) its folder too.
    static func fileLabel(_ path: String, qualified: Bool) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return parts.suffix(qualified ? 2 : 1).joined(separator: "/")
    }

    private static func drawPane(
        _ state: MalformedListState,
        layout: MalformedListLayout,
        titleRow: Int,
        columns: Range<Int>,
        into grid: inout CellGrid
    ) {
        let lines = state.pane?.lines ?? []
        grid.fill(row: titleRow, columns: columns, style: MonitorView.chrome)
        let shownEnd = min(lines.count, state.bytesScroll + layout.paneRows)
        let position = shownEnd > state.bytesScroll ? "\(state.bytesScroll + 1)-\(shownEnd)/\(lines.count)" : ""
        let positionStart = max(columns.lowerBound, columns.upperBound - DisplayWidth.of(position) - 1)
        grid.write(
            "raw bytes",
            row: titleRow,
            column: layout.textLeft,
            limit: max(layout.textLeft, positionStart - 1),
            style: CellStyle([.reverse, .bold], color: .chrome)
        )
        grid.write(position, row: titleRow, column: positionStart, limit: columns.upperBound, style: MonitorView.chrome)
        let textEnd = layout.textLeft + layout.textColumns
        for offset in 0..<layout.paneRows {
            let index = state.bytesScroll + offset
            guard index < lines.count else { break }
            let line = lines[index]
            let row = layout.paneTop + offset
            var column = layout.textLeft
            if line.keyLength > 0 {
                column = grid.write(
                    glyphs: line.glyphs.prefix(line.keyLength),
                    row: row,
                    column: column,
                    limit: textEnd,
                    style: CellStyle(.bold)
                )
            }
            grid.write(
                glyphs: line.glyphs.dropFirst(line.keyLength),
                row: row,
                column: column,
                limit: textEnd,
                style: line.style
            )
        }
    }
}
