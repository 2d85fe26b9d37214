internal import BusCore

/// One drawable character and the columns it takes.
struct Glyph: Equatable, Sendable {
    var character: Character
    var width: Int
}

/// Turns untrusted text (agent output) into glyphs that are safe to draw: nothing it contains can move the
/// cursor, change colours, retitle the window or break the column alignment, and yet a reader sees what it held.
///
/// - Controls are shown by `TerminalText`, the rule `read` uses: ESC as `^[` with the rest of an escape sequence
///   as plain text (`^[[31m`, `^[]52;c;...^G`), other C0 controls and DEL in caret notation, C1 and bidi
///   controls as `<U+XXXX>`. So a body that carried a sequence shows it, where removing it would hide it.
/// - Tabs become spaces up to the next multiple of 8 columns.
/// - Combining marks with no base character are dropped; widths come from `DisplayWidth`, measured on the
///   visible forms, so columns line up.
enum TextSanitizer {
    static let tabWidth = 8

    /// Glyphs of one line of text.
    ///
    /// - Parameters:
    ///   - text: untrusted text without line breaks.
    ///   - startColumn: the column the text starts at, so tab stops line up with the screen.
    ///   - maxColumns: stop once this many columns are filled (a 1 MB one-line body costs only what is shown).
    /// - Returns: the glyphs to draw, their widths adding up to at most `maxColumns`.
    static func glyphs(_ text: some StringProtocol, startColumn: Int = 0, maxColumns: Int = Int.max) -> [Glyph] {
        let budget = maxColumns >= Int.max / 8 ? Int.max : maxColumns * 4 + 16
        let clean = visible(text.unicodeScalars, scalarBudget: budget)
        var glyphs: [Glyph] = []
        var column = startColumn
        let limit = maxColumns == Int.max ? Int.max : startColumn + maxColumns
        for character in clean {
            if character == "\t" {
                let spaces = tabWidth - (column % tabWidth)
                for _ in 0..<spaces where column < limit {
                    glyphs.append(Glyph(character: " ", width: 1))
                    column += 1
                }
                continue
            }
            let width = DisplayWidth.of(character)
            guard width > 0 else { continue }
            guard column + width <= limit else { break }
            glyphs.append(Glyph(character: character, width: width))
            column += width
            if column >= limit { break }
        }
        return glyphs
    }

    /// Glyphs of `text` fitted into `columns`: all of them when they fit, else as many as fit before a final `…`.
    static func fitted(_ text: some StringProtocol, columns: Int, startColumn: Int = 0) -> [Glyph] {
        guard columns > 0 else { return [] }
        // A little past the room, so a cut is seen even after a cluster several columns wide.
        var glyphs = self.glyphs(text, startColumn: startColumn, maxColumns: columns + 64)
        var total = glyphs.reduce(0) { $0 + $1.width }
        guard total > columns else { return glyphs }
        while total > columns - 1, let last = glyphs.popLast() { total -= last.width }
        glyphs.append(Glyph(character: "…", width: 1))
        return glyphs
    }

    /// `text` cut to `columns` with `…` when it does not fit, as a string (for parts composed before drawing).
    static func fittedString(_ text: some StringProtocol, columns: Int) -> String {
        String(fitted(text, columns: columns).map(\.character))
    }

    /// `text` shortened in the middle to `columns`: its start and its end (the more telling part of a path),
    /// joined by `…`.
    static func middleShortened(_ text: String, columns: Int) -> String {
        let glyphs = self.glyphs(text)
        let total = glyphs.reduce(0) { $0 + $1.width }
        guard total > columns else { return String(glyphs.map(\.character)) }
        guard columns > 2 else { return fittedString(text, columns: columns) }
        let headColumns = (columns - 1) / 3
        var head: [Glyph] = []
        var used = 0
        for glyph in glyphs {
            if used + glyph.width > headColumns { break }
            head.append(glyph)
            used += glyph.width
        }
        var tail: [Glyph] = []
        var tailUsed = 0
        for glyph in glyphs.reversed() {
            if tailUsed + glyph.width > columns - 1 - used { break }
            tail.append(glyph)
            tailUsed += glyph.width
        }
        return String(head.map(\.character)) + "…" + String(tail.reversed().map(\.character))
    }

    /// Columns `text` takes once drawn: measured on its visible form (`^[` is two columns, not zero), so a
    /// column sized by it holds what `glyphs` draws.
    static func width(_ text: some StringProtocol) -> Int {
        glyphs(text).reduce(0) { $0 + $1.width }
    }

    /// The text with every control replaced by its visible form; tabs are kept for `glyphs` to expand.
    static func visible(_ scalars: some Sequence<Unicode.Scalar>, scalarBudget: Int = Int.max) -> String {
        var output = String.UnicodeScalarView()
        var emitted = 0
        for scalar in scalars {
            if emitted >= scalarBudget { break }
            if scalar != "\t", let replacement = TerminalText.visibleForm(of: scalar) {
                output.append(contentsOf: replacement.unicodeScalars)
                emitted += replacement.unicodeScalars.count
            } else {
                output.append(scalar)
                emitted += 1
            }
        }
        return String(output)
    }
}
