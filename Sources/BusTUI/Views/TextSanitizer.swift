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
