/// Marks the search's matches in text already drawn: underlined, bold and yellow, so they show without colour
/// too and on the reversed selected row.
enum Highlight {
    static func apply(_ finder: MatchFinder, row: Int, columns: Range<Int>, into grid: inout CellGrid) {
        guard !finder.isEmpty, row >= 0, row < grid.height else { return }
        var characters: [Character] = []
        var starts: [Int] = []
        var column = max(0, columns.lowerBound)
        while column < min(columns.upperBound, grid.width) {
            let cell = grid[row, column]
            if cell.width > 0 {
                characters.append(cell.character)
                starts.append(column)
            }
            column += 1
        }
        for range in finder.ranges(in: characters) {
            let first = starts[range.lowerBound]
            let last = range.upperBound < starts.count ? starts[range.upperBound] : min(columns.upperBound, grid.width)
            grid.restyle(row: row, columns: first..<last) { style in
                style.attributes.formUnion([.underline, .bold])
                style.color = .yellow
            }
        }
    }
}
