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
