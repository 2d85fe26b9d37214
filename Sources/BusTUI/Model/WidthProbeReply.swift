/// The pure half of the start-up width probe: what to ask and how to read the terminal's answers.
///
/// The terminal layer writes each sample at the start of a line followed by a cursor position request
/// (`ESC [ 6 n`, which every VT100-style terminal answers with `ESC [ row ; column R`); the column the cursor
/// ended in is the width the terminal gave the sample.
enum WidthProbeReply {
    /// The samples, and what each answer means.
    enum Sample: CaseIterable {
        /// A ZWJ family: 2 when the terminal joins, 8 when it draws four emoji.
        case zwj
        /// A thumbs-up with a skin tone: 2 when the modifier joins, 4 when it is an emoji of its own.
        case modifier
        /// A heart with VS16: 2 when VS16 widens it, 1 when not.
        case vs16

        var text: String {
            switch self {
            case .zwj: "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"
            case .modifier: "\u{1F44D}\u{1F3FD}"
            case .vs16: "\u{2764}\u{FE0F}"
            }
        }
    }

    /// The 0-based column in a cursor position report (`ESC [ row ; column R`), nil when `bytes` holds none.
    static func column(in bytes: [UInt8]) -> Int? {
        guard let escape = bytes.lastIndex(of: 0x1B), escape + 1 < bytes.count, bytes[escape + 1] == UInt8(ascii: "[")
        else { return nil }
        let rest = bytes[(escape + 2)...]
        guard let semicolon = rest.firstIndex(of: UInt8(ascii: ";")),
            let end = rest.firstIndex(of: UInt8(ascii: "R")), semicolon < end
        else { return nil }
        let digits = bytes[(semicolon + 1)..<end]
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }), digits.count < 6 else { return nil }
        let column = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return column > 0 ? column - 1 : nil
    }

    /// The profile the measured widths describe; a sample the terminal did not answer (or answered with a width
    /// that fits neither reading) keeps the default rule.
    static func profile(_ widths: [Sample: Int]) -> ClusterWidthProfile {
        var profile = ClusterWidthProfile.perCodePoint
        switch widths[.zwj] {
        case 2: profile.joinsZWJ = true
        case 8: profile.joinsZWJ = false
        default: break
        }
        switch widths[.modifier] {
        case 2: profile.joinsModifiers = true
        case 4: profile.joinsModifiers = false
        default: break
        }
        switch widths[.vs16] {
        case 2: profile.widensVS16 = true
        case 1: profile.widensVS16 = false
        default: break
        }
        return profile
    }
}
