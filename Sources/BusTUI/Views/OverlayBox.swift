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
        let line = String(repeating: BoxLine.horizontal, count: max(0, width - 2))
        let style = CellStyle(.bold)
        grid.write(
            String(BoxLine.topLeft) + line + String(BoxLine.topRight),
            row: top,
            column: left,
            limit: left + width,
            style: style
        )
        grid.write(
            String(BoxLine.bottomLeft) + line + String(BoxLine.bottomRight),
            row: top + height - 1,
            column: left,
            limit: left + width,
            style: style
        )
        for row in (top + 1)..<(top + height - 1) {
            grid.write(String(BoxLine.vertical), row: row, column: left, style: style)
            grid.write(String(BoxLine.vertical), row: row, column: left + width - 1, style: style)
        }
        grid.write(" " + title + " ", row: top, column: left + 2, limit: left + width - 2, style: CellStyle(.bold))
    }
}
