/// A colour meaning, mapped to real colours by the terminal layer (or to nothing under NO_COLOR and vt100).
package enum ColorRole: UInt8, Sendable, CaseIterable {
    case none
    case red
    case green
    case yellow
    case blue
    case magenta
    case cyan
    /// Status bar, footer and box titles.
    case chrome
}

/// Text attributes that also work without colour.
package struct TextAttributes: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let bold = TextAttributes(rawValue: 1)
    package static let reverse = TextAttributes(rawValue: 2)
    package static let underline = TextAttributes(rawValue: 4)
    package static let dim = TextAttributes(rawValue: 8)
}

/// How a cell is drawn.
package struct CellStyle: Sendable, Hashable {
    package var attributes: TextAttributes
    package var color: ColorRole

    package init(_ attributes: TextAttributes = [], color: ColorRole = .none) {
        self.attributes = attributes
        self.color = color
    }

    package static let plain = CellStyle()
}

/// One screen cell.
///
/// A wide character fills its first cell (`width` 2) and a continuation cell (`width` 0).
package struct Cell: Sendable, Hashable {
    package var character: Character
    package var width: UInt8
    package var style: CellStyle

    package static let blank = Cell(character: " ", width: 1, style: .plain)
}

/// The whole screen as cells: what the views produce and the terminal layer copies out, and what tests read.
package struct CellGrid: Sendable {
    package let width: Int
    package let height: Int
    package private(set) var cells: [Cell]

    package init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    package subscript(row: Int, column: Int) -> Cell {
        cells[row * width + column]
    }

    /// Row `row` as text: continuation cells are skipped, so a wide character appears once.
    package func text(row: Int) -> String {
        guard row >= 0, row < height else { return "" }
        var line = ""
        for column in 0..<width {
            let cell = self[row, column]
            if cell.width > 0 { line.append(cell.character) }
        }
        return line
    }

    /// Every row as text, trailing spaces trimmed.
    package var lines: [String] {
        (0..<height).map { row in
            var line = text(row: row)
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// Columns a row's cells add up to (a wide cell counts 2, its continuation 0): `width` when consistent.
    package func columnCount(row: Int) -> Int {
        (0..<width).reduce(0) { $0 + Int(self[row, $1].width) }
    }

    /// Fills `columns` of a row with blanks in `style`.
    package mutating func fill(row: Int, columns: Range<Int>, style: CellStyle = .plain) {
        guard row >= 0, row < height else { return }
        for column in max(0, columns.lowerBound)..<min(width, max(columns.upperBound, 0)) {
            set(row: row, column: column, Cell(character: " ", width: 1, style: style))
        }
    }

    /// Changes the style of cells already drawn (selection highlight over a whole row).
    package mutating func restyle(row: Int, columns: Range<Int>, _ change: (inout CellStyle) -> Void) {
        guard row >= 0, row < height else { return }
        for column in max(0, columns.lowerBound)..<min(width, max(columns.upperBound, 0)) {
            change(&cells[row * width + column].style)
        }
    }

    /// Draws untrusted text (sanitized here) from `column`, clipped at `limit`.
    /// - Returns: the column after the last cell written.
    @discardableResult
    package mutating func write(
        _ text: some StringProtocol,
        row: Int,
        column: Int,
        limit: Int? = nil,
        style: CellStyle = .plain
    ) -> Int {
        let end = min(limit ?? width, width)
        guard column < end else { return column }
        let glyphs = TextSanitizer.glyphs(text, startColumn: column, maxColumns: end - column)
        return write(glyphs: glyphs, row: row, column: column, limit: end, style: style)
    }

    /// Draws glyphs from `column`; a wide glyph that would cross `limit` becomes a blank.
    /// - Returns: the column after the last cell written.
    @discardableResult
    mutating func write(
        glyphs: some Sequence<Glyph>,
        row: Int,
        column: Int,
        limit: Int? = nil,
        style: CellStyle = .plain
    ) -> Int {
        guard row >= 0, row < height else { return column }
        let end = min(limit ?? width, width)
        var position = max(0, column)
        for glyph in glyphs {
            guard position < end else { break }
            if glyph.width == 2 {
                guard position + 1 < end else {
                    set(row: row, column: position, Cell(character: " ", width: 1, style: style))
                    position += 1
                    break
                }
                set(row: row, column: position, Cell(character: glyph.character, width: 2, style: style))
                set(row: row, column: position + 1, Cell(character: " ", width: 0, style: style))
                position += 2
            } else {
                set(row: row, column: position, Cell(character: glyph.character, width: 1, style: style))
                position += 1
            }
        }
        return position
    }

    /// Stores one cell, blanking the other half of any wide character it overwrites.
    private mutating func set(row: Int, column: Int, _ cell: Cell) {
        let index = row * width + column
        let old = cells[index]
        if old.width == 0, column > 0, cells[index - 1].width == 2, cell.width != 0 {
            cells[index - 1] = Cell(character: " ", width: 1, style: cells[index - 1].style)
        }
        if old.width == 2, column + 1 < width, cell.width != 2 {
            cells[index + 1] = Cell(character: " ", width: 1, style: cells[index + 1].style)
        }
        cells[index] = cell
    }
}
