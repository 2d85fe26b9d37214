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
        if let header = layout.header { ListView.drawHeader(model, row: header.top, into: &grid) }
        ListView.draw(model, band: layout.list, into: &grid)
        if let band = layout.detail { DetailView.draw(model, band: band, into: &grid) }
        if let band = layout.compose { cursor = ComposeView.draw(model, band: band, into: &grid) }
        if let ask = model.askPrompt {
            cursor = FooterView.drawPrompt(
                ask.editor,
                label: ask.label,
                hint: ask.hint,
                error: ask.error,
                band: layout.footer,
                into: &grid
            )
        } else if let prompt = model.prompt {
            cursor = FooterView.drawPrompt(prompt, error: model.promptError, band: layout.footer, into: &grid)
        } else {
            FooterView.drawHints(model, band: layout.footer, into: &grid)
        }
        if case .thread(let state) = model.overlay {
            // Not a box: the thread takes the screen between the bars, so nothing behind it is dimmed.
            ThreadView.draw(state, model: model, into: &grid)
            cursor = nil
        } else if model.overlay != nil {
            // What is behind an overlay is dimmed, so the eye goes to the box.
            for row in 0..<grid.height {
                grid.restyle(row: row, columns: 0..<grid.width) { $0.attributes.insert(.dim) }
            }
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
        case .swarm(let state):
            SwarmView.draw(state, model: model, into: &grid)
            cursor = nil
        case .thread, nil:
            break
        }
        if model.asciiBoxes { grid.replaceCharacters(BoxLine.ascii) }
        return RenderedScreen(grid: grid, cursor: cursor)
    }
}

/// The top line: source, counts, follow state, filters, malformed records, last post, notice.
///
/// Room is given by priority: the follow state and "N new" first, then the counts, the active filters, the
/// malformed count, a standing warning, the notice, the last post's result; the path comes last and takes what is
/// left, shortened in the middle so the file name stays. The path keeps a few columns while the parts fit in their
/// full or short form without them; a part that would otherwise be cut or left out takes them. Parts that still
/// do not fit are cut with `…` or left out, lowest priority first.
enum StatusBarView {
    static let separator = " | "

    struct Part {
        var text: String
        var style: CellStyle
        /// Lower is more important.
        var priority: Int
        /// A shorter form for a narrow bar.
        var short: String?
        /// Shown only whole and only in room the path does not want (the sparkline): never cut, never at the
        /// expense of the bus's name.
        var optional = false
    }

    static func parts(_ model: MonitorModel) -> [Part] {
        let style = MonitorView.chrome
        let bold = CellStyle([.reverse, .bold], color: .chrome)
        var parts: [Part] = [Part(text: "\(model.visible.count)/\(model.store.count)", style: style, priority: 1)]
        if model.following {
            parts.append(Part(text: "FOLLOW", style: bold, priority: 0))
        } else {
            let paused = model.newCount > 0 ? "PAUSED \(model.newCount) new" : "PAUSED"
            parts.append(Part(text: paused, style: bold, priority: 0))
        }
        if let progress = model.historyProgress {
            let percent = progress.total > 0 ? min(99, progress.done * 100 / progress.total) : 0
            parts.append(Part(text: "loading history \(percent)%", style: style, priority: 1, short: "\(percent)%"))
        }
        // As important as the follow state: what is on screen may be behind the server while it is shown.
        if model.reconnecting != nil { parts.append(Part(text: "reconnecting", style: bold, priority: 0)) }
        if !model.chosenTypes.isEmpty {
            parts.append(
                Part(text: "type: " + model.chosenTypes.sorted().joined(separator: ","), style: style, priority: 2)
            )
        }
        if !model.chosenTasks.isEmpty {
            let names = model.chosenTasks.sorted().map { PickerState.label($0, kind: .task) }
            parts.append(Part(text: "task: " + names.joined(separator: ","), style: style, priority: 2))
        }
        if !model.query.isEmpty { parts.append(Part(text: "/" + model.query.text, style: style, priority: 2)) }
        // The key that lists them rides along, so the count says how to see what was skipped.
        if model.malformedTotal > 0 {
            parts.append(
                Part(
                    text: "\(model.malformedTotal) malformed (!)",
                    style: style,
                    priority: 3,
                    short: "\(model.malformedTotal) malformed"
                )
            )
        }
        if !model.mouseEnabled { parts.append(Part(text: "mouse off", style: style, priority: 7)) }
        if let warning = model.warning { parts.append(Part(text: warning, style: bold, priority: 4)) }
        if let result = model.postResult { parts.append(Part(text: result, style: style, priority: 6)) }
        if let notice = model.notice { parts.append(Part(text: notice, style: bold, priority: 5)) }
        // Activity of the last 30 minutes (10 on a narrow bar), only with a wall clock and something to show.
        if model.now != .zero {
            let counts = model.activity
            if counts.contains(where: { $0 > 0 }) {
                parts.append(
                    Part(
                        text: Sparkline.text(counts),
                        style: style,
                        priority: 8,
                        short: Sparkline.text(Array(counts.suffix(10))),
                        optional: true
                    )
                )
            }
        }
        return parts
    }

    static func draw(_ model: MonitorModel, row band: Band, into grid: inout CellGrid) {
        guard band.height > 0 else { return }
        let row = band.top
        let style = MonitorView.chrome
        grid.fill(row: row, columns: 0..<grid.width, style: style)
        let all = parts(model)
        let separatorWidth = separator.count
        // Columns not yet given, and the part of them the path would like to keep (all of itself when shorter).
        // Every item pays for a separator, the path too: whichever comes first on the bar gets its back.
        var free = grid.width + separatorWidth
        var pathWish = min(TextSanitizer.width(model.sourceLabel), 10) + separatorWidth
        var shown: [Int: String] = [:]
        for index in all.indices.sorted(by: { all[$0].priority < all[$1].priority }) {
            let part = all[index]
            // Whole or short within what the path leaves, then whole or short taking the path's columns, then cut.
            let forms = [part.text] + (part.short.map { [$0] } ?? [])
            let room = free - pathWish
            if part.optional {
                if let form = forms.first(where: { TextSanitizer.width($0) + separatorWidth <= room }) {
                    shown[index] = form
                    free -= TextSanitizer.width(form) + separatorWidth
                }
                continue
            }
            if let form = forms.first(where: { TextSanitizer.width($0) + separatorWidth <= room })
                ?? forms.first(where: { TextSanitizer.width($0) + separatorWidth <= free })
            {
                shown[index] = form
                free -= TextSanitizer.width(form) + separatorWidth
            } else if free - separatorWidth >= 8 || (part.priority == 0 && free > separatorWidth) {
                shown[index] = TextSanitizer.fittedString(part.text, columns: free - separatorWidth)
                free = 0
            }
            pathWish = min(pathWish, free)
        }
        let pathRoom = free - separatorWidth
        var column = 0
        if pathRoom > 0 {
            let path = TextSanitizer.middleShortened(model.sourceLabel, columns: pathRoom)
            column = grid.write(path, row: row, column: 0, style: CellStyle([.reverse, .bold], color: .chrome))
        }
        for index in all.indices {
            guard let text = shown[index] else { continue }
            if column > 0 { column = grid.write(separator, row: row, column: column, style: style) }
            column = grid.write(text, row: row, column: column, style: all[index].style)
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
            grid.writeFitted(text, row: band.top, column: 0, columns: grid.width, style: CellStyle(.dim))
            return
        }
        let columns = ListColumns(model, width: grid.width)
        let cursor = model.cursor
        let rule = model.newRulePosition
        let finder = model.highlightFinder
        for offset in 0..<band.height {
            let row = band.top + offset
            guard let position = model.position(atListRow: offset) else {
                if let rule, model.position(atListRow: offset + 1) == rule, offset >= model.listPad {
                    drawRule("\(model.newCount) new", row: row, into: &grid)
                }
                continue
            }
            let entry = model.store[model.visible[position]]
            columns.drawRow(
                entry.message,
                utcOffset: model.utcOffset,
                replies: model.replyCount(model.visible[position]),
                highlight: finder,
                bookmarked: model.bookmarks.contains(entry.key),
                relativeTo: model.relativeTimes ? model.referenceTime : nil,
                row: row,
                into: &grid
            )
            if position == cursor {
                let focused = model.focus == .list && model.compose == nil
                grid.restyle(row: row, columns: 0..<grid.width) { style in
                    style.attributes.insert(.reverse)
                    if focused { style.attributes.insert(.bold) }
                }
            }
        }
    }
}

extension ListView {
    /// The row naming the columns, in the columns' own widths.
    static func drawHeader(_ model: MonitorModel, row: Int, into grid: inout CellGrid) {
        let style = CellStyle([.bold, .underline])
        grid.fill(row: row, columns: 0..<grid.width, style: style)
        let columns = ListColumns(model, width: grid.width)
        var column = 0
        switch columns.time {
        case .long: column = grid.write("TIME", row: row, column: 0, style: style) + 11
        case .short: column = grid.write("TIME", row: row, column: 0, style: style) + 5
        case .none: break
        }
        grid.write("TYPE", row: row, column: column, limit: column + columns.typeWidth + 2, style: style)
        column += columns.typeWidth + 3
        if columns.agentWidth > 0 {
            grid.writeFitted("AGENT", row: row, column: column, columns: columns.agentWidth, style: style)
            column += columns.agentWidth + 1
        }
        if columns.taskWidth > 0 {
            grid.writeFitted("TASK", row: row, column: column, columns: columns.taskWidth, style: style)
            column += columns.taskWidth + 1
        }
        grid.writeFitted("MESSAGE", row: row, column: column, columns: max(0, grid.width - column), style: style)
    }

    /// `── text ──` across the row: where the messages that arrived while paused start.
    static func drawRule(_ text: String, row: Int, into grid: inout CellGrid) {
        let style = CellStyle(.bold, color: .yellow)
        let label = " " + text + " "
        let start = max(0, (grid.width - TextSanitizer.width(label)) / 2)
        grid.write(String(repeating: BoxLine.horizontal, count: grid.width), row: row, column: 0, style: style)
        grid.writeFitted(label, row: row, column: start, columns: grid.width - start, style: style)
    }
}

/// The box-drawing characters the views put in the grid; under UTF-8 the terminal layer draws them as ncurses'
/// `WACS_*`, and a model with `asciiBoxes` (a locale that is not UTF-8) gets `ascii(_:)`'s stand-ins instead.
enum BoxLine {
    static let horizontal: Character = "─"
    static let vertical: Character = "│"
    static let topLeft: Character = "┌"
    static let topRight: Character = "┐"
    static let bottomLeft: Character = "└"
    static let bottomRight: Character = "┘"

    /// The ASCII stand-in of a box-drawing character: `-`, `|`, or `+` for a corner; nil for any other.
    static func ascii(_ character: Character) -> Character? {
        switch character {
        case horizontal: "-"
        case vertical: "|"
        case topLeft, topRight, bottomLeft, bottomRight: "+"
        default: nil
        }
    }
}

/// The selected message in full, below the list.
enum DetailView {
    static func draw(_ model: MonitorModel, band: Band, into grid: inout CellGrid) {
        guard band.height > 0, let entry = model.selected else { return }
        let lines = model.detailCache?.lines ?? []
        let focused = model.focus == .detail
        // The border between list and detail: a line with the message's id and the scroll position in it.
        let border = CellStyle(focused ? .bold : [], color: focused ? .chrome : .none)
        grid.write(String(repeating: BoxLine.horizontal, count: grid.width), row: band.top, column: 0, style: border)
        let shownEnd = min(lines.count, model.detailScroll + model.layout.detailRows)
        let title = " " + entry.message.msgID + " "
        let position =
            " "
            + (shownEnd > model.detailScroll
                ? "\(model.detailScroll + 1)-\(shownEnd)/\(lines.count)" : "\(lines.count) lines") + " "
        let titleStyle = CellStyle(focused ? [.reverse, .bold] : .bold, color: .chrome)
        let positionStart = max(0, grid.width - position.count - 1)
        grid.writeFitted(
            title,
            row: band.top,
            column: min(2, grid.width),
            columns: max(0, positionStart - 3),
            style: titleStyle
        )
        grid.write(position, row: band.top, column: positionStart, style: border)
        let finder = model.highlightFinder
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
            if let finder { Highlight.apply(finder, row: row, columns: 0..<grid.width, into: &grid) }
        }
    }
}

/// The bottom line: key hints, or the `/` prompt while it is open.
enum FooterView {
    static func drawHints(_ model: MonitorModel, band: Band, into grid: inout CellGrid) {
        guard band.height > 0 else { return }
        grid.writeFitted(
            hints(model, width: grid.width),
            row: band.top,
            column: 0,
            columns: grid.width,
            style: CellStyle(.dim)
        )
    }

    /// The hints that fit in `width` columns, whole.
    ///
    /// Items come most useful first and the rest are left out (the help overlay has them all), so a narrow bar
    /// never ends in half a hint. The first is always kept.
    static func hints(_ model: MonitorModel, width: Int = Int.max) -> String {
        var text = ""
        for item in hintItems(model) {
            if text.isEmpty {
                text = item
            } else if TextSanitizer.width(text) + 2 + TextSanitizer.width(item) <= width {
                text += "  " + item
            }
        }
        return text
    }

    /// The keys that matter where the focus is: list, detail pane, compose box, picker, help, malformed list,
    /// thread view; most useful first.
    static func hintItems(_ model: MonitorModel) -> [String] {
        switch model.overlay {
        case .help: return ["j/k scroll", "q/Esc/? close"]
        case .picker: return ["j/k move", "Space select", "x clear", "Enter apply", "Esc cancel"]
        case .malformed: return ["j/k move", "Enter raw bytes", "h/l hide/show bytes", "Esc close"]
        case .thread: return ["j/k move", "Enter open in list", "Esc back", "g/G first/last"]
        case .swarm: return ["j/k move", "Enter show the task", "Esc/s close"]
        case nil: break
        }
        if model.compose != nil {
            return ["Enter post", "Ctrl-J/Alt-Enter newline", "Tab type field", "Esc cancel", "Ctrl-C keep draft"]
        }
        if model.focus == .detail {
            return [
                "j/k scroll", "Space/PgDn page", "g/G top/end", "Tab list", "Esc close", "n/N match", "a reply",
                "r thread", "p parent", "y copy", "o page", "? help",
            ]
        }
        var items = ["? help"]
        if model.malformedTotal > 0 { items.append("! malformed") }
        items += ["j/k move", "Enter open", "/ filter", model.following ? "F pause" : "G follow", "c compose"]
        items += ["a reply", "r thread", "t type", "T task", "n/N match", "u question", "e error", "m mark"]
        items += ["s swarm", "y copy", "o page", "w write", "@ time", "R ages", "q quit"]
        return items
    }

    /// Draws the prompt; a bad regex's `error` takes the right side in bold, where the key hint goes otherwise.
    /// - Returns: the cursor position in the prompt.
    static func drawPrompt(
        _ editor: LineEditor,
        label: String = "filter: ",
        hint: String = "  Enter apply  Esc clear  Up/Down history",
        error: String? = nil,
        band: Band,
        into grid: inout CellGrid
    ) -> (row: Int, column: Int)? {
        guard band.height > 0 else { return nil }
        let row = band.top
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
        if let error {
            let text = "  " + error
            let start = max(column, grid.width - TextSanitizer.width(text))
            grid.write(text, row: row, column: start, limit: grid.width, style: CellStyle(.bold))
        } else {
            if column + TextSanitizer.width(hint) <= grid.width {
                grid.write(hint, row: row, column: grid.width - TextSanitizer.width(hint), style: CellStyle(.dim))
            }
        }
        return (row, min(cursorColumn, max(0, grid.width - 1)))
    }
}
