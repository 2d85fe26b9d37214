/// How many terminal columns a character takes, computed without the C library.
///
/// `wcwidth` depends on the process locale (under the C locale every non-ASCII character is -1), which would
/// make rendering untestable; this table follows glibc's rules instead: East Asian Wide and Fullwidth
/// characters take two columns, combining marks and format characters none. The terminal layer checks each
/// drawn cell against the real `wcwidth` and draws a placeholder where they disagree, so the grid never drifts.
///
/// A grapheme cluster is measured the way tmux, xterm and VTE place it: the sum of its code points' widths,
/// where a code point after a zero-width joiner joins the previous one (adds nothing). So a ZWJ family is 2
/// columns, a thumbs-up with a skin tone 4 (the modifier is a wide character of its own), a flag 2 (two regional
/// indicators of one column), `❤️` 1 (VS16 does not widen). Terminals that draw every cluster in two cells
/// (kitty, WezTerm) show a blank after a skin-toned emoji; columns stay aligned either way.
enum DisplayWidth {
    /// How this terminal places clusters: the per-code-point rule until the terminal layer measures it.
    ///
    /// Set once at start-up, before anything is drawn, and only read after that.
    nonisolated(unsafe) static var profile = ClusterWidthProfile.perCodePoint

    /// Columns of one grapheme cluster, as a terminal with `profile` places it.
    static func of(_ character: Character, profile: ClusterWidthProfile = profile) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // The common case: one code point.
        if scalars.count == 1 { return of(first) }
        var total = 0
        var joined = false
        for scalar in scalars {
            let value = scalar.value
            if value == 0x200D {
                joined = profile.joinsZWJ
                continue
            }
            defer { joined = false }
            if joined { continue }
            if profile.joinsModifiers, (0x1F3FB...0x1F3FF).contains(value), total > 0 { continue }
            if profile.widensVS16, value == 0xFE0F, total == 1 {
                total = 2
                continue
            }
            total += of(scalar)
        }
        return total
    }

    /// Columns of one scalar: 0, 1 or 2 (controls count as 0; the sanitizer replaces them before drawing).
    static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return value >= 0x20 ? 1 : 0 }
        if value < 0xA0 { return 0 }
        if value < 0x300 { return 1 }
        if isZeroWidth(scalar) { return 0 }
        if isWide(value) { return 2 }
        // Regional indicators are Neutral in EastAsianWidth (glibc gives them 1) though they are emoji.
        if (0x1F1E6...0x1F1FF).contains(value) { return 1 }
        if value >= 0x1F000, scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Total columns of a string.
    static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1, profile: profile) }
    }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0xAD { return false }  // soft hyphen: glibc draws it
        if (0x1160...0x11FF).contains(value) || value == 0x200B { return true }  // Hangul medial vowels, ZWSP
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return false
        }
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15, the ones glibc 2.36 widens.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E,
        0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
        0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x16FF0...0x16FF1, 0x17000...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1B2FB, 0x1F004...0x1F004,
        0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B,
        0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ value: UInt32) -> Bool {
        guard value >= 0x1100 else { return false }
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = wideRanges[middle]
            if value < range.lowerBound {
                high = middle - 1
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}

/// How a terminal places grapheme clusters of several code points, where terminals differ.
///
/// The default is the per-code-point rule of tmux 3.3 (and, but for ZWJ, of xterm and VTE): a code point after a
/// zero-width joiner joins its predecessor, a skin-tone modifier is a wide character of its own, VS16 does not
/// widen. kitty, WezTerm and foot draw a skin-toned emoji and `❤️` in two cells; xterm does not join ZWJ parts.
package struct ClusterWidthProfile: Sendable, Equatable {
    /// A code point after U+200D adds no width (one cell run for a ZWJ family).
    var joinsZWJ = true
    /// A skin-tone modifier (U+1F3FB-1F3FF) after a base adds no width.
    var joinsModifiers = false
    /// VS16 (U+FE0F) after a one-column character makes it two columns.
    var widensVS16 = false

    static let perCodePoint = ClusterWidthProfile()
}
