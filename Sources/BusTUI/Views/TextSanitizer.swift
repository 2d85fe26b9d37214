/// One drawable character and the columns it takes.
struct Glyph: Equatable, Sendable {
    var character: Character
    var width: Int
}

/// Turns untrusted text (agent output) into glyphs that are safe to draw: nothing it contains can move the
/// cursor, change colours, retitle the window or break the column alignment.
///
/// - ANSI/VT escape sequences (CSI, OSC, DCS and friends, 7-bit and 8-bit forms) are removed whole.
/// - Other C0 controls and DEL are shown in caret notation (`^G`); C1 controls as `?`; bidi overrides are dropped.
/// - Tabs become spaces up to the next multiple of 8 columns.
/// - Combining marks with no base character are dropped; widths come from `DisplayWidth`.
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
        let clean = stripped(text.unicodeScalars, scalarBudget: budget)
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

    /// The text with escape sequences removed and controls replaced; tabs are kept for `glyphs` to expand.
    static func stripped(_ scalars: some Sequence<Unicode.Scalar>, scalarBudget: Int = Int.max) -> String {
        var output = String.UnicodeScalarView()
        var state = EscapeState.text
        var emitted = 0
        for scalar in scalars {
            if emitted >= scalarBudget { break }
            let value = scalar.value
            switch state {
            case .text:
                switch value {
                case 0x1B: state = .escape
                case 0x9B: state = .csi
                case 0x9D, 0x90, 0x98, 0x9E, 0x9F: state = .string
                case 0x09:
                    output.append(scalar)
                    emitted += 1
                case 0x0D:
                    continue  // a CR before the line break of CRLF text, or a bare one meant to overwrite
                case 0x00..<0x20:
                    output.append("^")
                    output.append(Unicode.Scalar(UInt8(value + 0x40)))
                    emitted += 2
                case 0x7F:
                    output.append(contentsOf: "^?".unicodeScalars)
                    emitted += 2
                case 0x80..<0xA0:
                    output.append("?")
                    emitted += 1
                case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                    continue  // bidi controls could reorder what follows on some terminals
                default:
                    output.append(scalar)
                    emitted += 1
                }
            case .escape:
                switch value {
                case 0x5B: state = .csi  // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string  // ] P X ^ _
                case 0x20...0x2F: state = .escapeIntermediate
                default: state = .text  // a two-character sequence such as ESC 7 or ESC c
                }
            case .escapeIntermediate:
                if !(0x20...0x2F).contains(value) { state = .text }
            case .csi:
                // Parameters and intermediates (0x20-0x3F) until a final byte (0x40-0x7E); anything else ends it.
                if !(0x20...0x3F).contains(value) { state = .text }
            case .string:
                if value == 0x07 || value == 0x9C {
                    state = .text
                } else if value == 0x1B {
                    state = .stringEscape
                }
            case .stringEscape:
                state = value == 0x5C ? .text : .string
            }
        }
        return String(output)
    }

    /// Where the escape-sequence recogniser is.
    private enum EscapeState {
        case text
        case escape
        case escapeIntermediate
        case csi
        /// OSC, DCS, SOS, PM, APC: until BEL or ST.
        case string
        case stringEscape
    }
}
