internal import BusCore

/// The thread view (`r`): a title, then the conversation's rows as in the list, the replies indented under the
/// message they answer.
enum ThreadView {
    static func draw(_ state: ThreadViewState, model: MonitorModel, into grid: inout CellGrid) {
        let layout = model.layout
        let top = layout.status.height
        let bottom = layout.footer.height > 0 ? layout.footer.top : grid.height
        guard bottom > top else { return }
        for row in top..<bottom { grid.fill(row: row, columns: 0..<grid.width) }
        let tree = state.tree
        guard tree.rows.indices.contains(tree.rootRow) else { return }
        let root = model.store.message(at: tree.rows[tree.rootRow].index)
        let title =
            "thread of \(root.msgID): \(tree.ancestorCount) before, \(tree.replyCount) "
            + (tree.replyCount == 1 ? "reply" : "replies")
        grid.fill(row: top, columns: 0..<grid.width, style: MonitorView.chrome)
        grid.writeFitted(
            title,
            row: top,
            column: 0,
            columns: grid.width,
            style: CellStyle([.reverse, .bold], color: .chrome)
        )
        let columns = ListColumns(model, width: grid.width)
        let finder = model.highlightFinder
        for offset in 0..<max(0, bottom - top - 1) {
            let position = state.top + offset
            guard position < tree.rows.count else { break }
            let row = top + 1 + offset
            let entry = tree.rows[position]
            columns.drawRow(
                model.store.message(at: entry.index),
                utcOffset: model.utcOffset,
                replies: model.replyCount(entry.index),
                lead: lead(depth: entry.depth),
                highlight: finder,
                bookmarked: model.bookmarks.contains(entry.key),
                relativeTo: model.relativeTimes ? model.referenceTime : nil,
                row: row,
                into: &grid
            )
            if entry.role == .root {
                grid.restyle(row: row, columns: 0..<grid.width) { $0.attributes.insert(.underline) }
            }
            if position == state.cursor {
                grid.restyle(row: row, columns: 0..<grid.width) { $0.attributes.formUnion([.reverse, .bold]) }
            }
        }
    }

    /// The tree lines before a row's preview: two columns per level, `└ ` for the last one.
    static func lead(depth: Int) -> String {
        guard depth > 0 else { return "" }
        // Deep threads would leave no room for the text: indentation stops growing after 8 levels.
        return String(repeating: "  ", count: min(depth, 8) - 1) + "└ "
    }
}
