/// A band of screen rows spanning the full width.
struct Band: Sendable, Equatable {
    var top: Int
    var height: Int

    var rows: Range<Int> { top..<(top + height) }

    func contains(row: Int) -> Bool { rows.contains(row) }
}

/// Where each part of the screen goes for a size and the open panes.
///
/// Any size works, down to 1x1: parts that do not fit get zero rows.
struct ScreenLayout: Sendable, Equatable {
    var width: Int
    var height: Int
    var status: Band
    /// The row naming the list's columns; nil when the list has fewer than three rows.
    var header: Band?
    /// The list's message rows (below the header).
    var list: Band
    /// The detail pane, its first row a title bar; nil when closed.
    var detail: Band?
    /// The compose box, its first row the type field; nil when closed.
    var compose: Band?
    var footer: Band

    /// Rows of the list that show messages.
    var listRows: Int { list.height }
    /// Rows of the detail pane below its title bar.
    var detailRows: Int { max(0, (detail?.height ?? 0) - 1) }

    init(width: Int, height: Int, detailOpen: Bool, composeOpen: Bool, composeLines: Int = 1) {
        self.width = max(0, width)
        self.height = max(0, height)
        status = Band(top: 0, height: min(1, self.height))
        footer = Band(top: max(self.height - 1, 0), height: self.height >= 2 ? 1 : 0)
        let contentTop = status.height
        var content = max(0, self.height - status.height - footer.height)

        compose = nil
        if composeOpen {
            // Type row plus the body, up to a third of the screen (at least two rows when there is room).
            let wanted = 1 + max(1, composeLines)
            let cap = max(2, content / 3)
            let rows = min(content, max(2, min(wanted, cap)))
            compose = Band(top: contentTop + content - rows, height: rows)
            content -= rows
        }
        detail = nil
        if detailOpen, content >= 2 {
            let listRows = max(1, content * 2 / 5)
            detail = Band(top: contentTop + listRows, height: content - listRows)
            content = listRows
        }
        if content >= 3 {
            header = Band(top: contentTop, height: 1)
            list = Band(top: contentTop + 1, height: content - 1)
        } else {
            header = nil
            list = Band(top: contentTop, height: content)
        }
    }
}
