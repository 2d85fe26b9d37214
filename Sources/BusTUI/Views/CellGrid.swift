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

    /// Replaces the characters of one-column cells for which `transform` gives a replacement (ASCII for line
    /// drawing); widths and styles stay.
    package mutating func replaceCharacters(_ transform: (Character) -> Character?) {
        for index in cells.indices where cells[index].width == 1 {
            if let replacement = transform(cells[index].character) { cells[index].character = replacement }
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

    /// Draws glyphs from `column`; a wide glyph that would cross `limit` becomes blanks.
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
            let span = max(1, glyph.width)
            guard position + span <= end else {
                for blank in position..<end {
                    set(row: row, column: blank, Cell(character: " ", width: 1, style: style))
                }
                position = end
                break
            }
            set(
                row: row,
                column: position,
                Cell(character: glyph.character, width: UInt8(clamping: span), style: style)
            )
            for continuation in (position + 1)..<(position + span) {
                set(row: row, column: continuation, Cell(character: " ", width: 0, style: style))
            }
            position += span
        }
        return position
    }

    /// Draws `text` clipped to `columns` cells from `column`; when it does not fit, its last cell is `…`, so a
    /// cut is always marked.
    /// - Returns: the column after the last cell written.
    @discardableResult
    package mutating func writeFitted(
        _ text: some StringProtocol,
        row: Int,
        column: Int,
        columns: Int,
        style: CellStyle = .plain
    ) -> Int {
        guard columns > 0 else { return column }
        let glyphs = TextSanitizer.fitted(text, columns: columns, startColumn: column)
        return write(glyphs: glyphs, row: row, column: column, limit: column + columns, style: style)
    }

    /// Stores one cell, blanking what is left of any wide character it overwrites part of.
    private mutating func set(row: Int, column: Int, _ cell: Cell) {
        let index = row * width + column
        let old = cells[index]
        let rowStart = row * width
        if old.width == 0, cell.width != 0, column > 0 {
            // Part of a wide character that starts further left: blank its lead and every continuation.
            var lead = index - 1
            while lead > rowStart, cells[lead].width == 0 { lead -= 1 }
            if cells[lead].width > 1 { blankRun(from: lead, rowEnd: rowStart + width, except: index) }
        }
        if old.width > 1, cell.width != old.width || cell.character != old.character {
            blankRun(from: index, rowEnd: rowStart + width, except: index)
        }
        cells[index] = cell
    }

    /// Blanks the wide character starting at `lead` (its lead cell and continuations), except cell `except`.
    private mutating func blankRun(from lead: Int, rowEnd: Int, except: Int) {
        let span = Int(cells[lead].width)
        for index in lead..<min(rowEnd, lead + span) where index != except {
            cells[index] = Cell(character: " ", width: 1, style: cells[index].style)
        }
    }
}
