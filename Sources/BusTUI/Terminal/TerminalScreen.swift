#if os(Linux)
internal import BusCore
import CNcursesw
@preconcurrency import Glibc

/// The ncurses session: starts and restores the terminal, reads keys, and copies rendered cell grids out.
///
/// Nothing else in the module talks to ncurses.
final class TerminalScreen {
    /// Whether colours are drawn (not under NO_COLOR, nor on terminals without them such as vt100).
    private(set) var colorsEnabled = false
    /// The locale's codeset ("UTF-8", "ANSI_X3.4-1968", ...).
    let codeset: String
    private var ended = false
    private var mouseOn = false
    private var clicks = ClickTracker()
    private let started = ContinuousClock.now

    /// Takes the locale from the environment, starts ncurses on stdin/stdout (`newterm`) and sets the modes the
    /// monitor needs: raw keys (Ctrl-C arrives as a key), no echo, Enter distinct from Ctrl-J (`nonl`), keypad
    /// decoding, non-blocking reads with a 25 ms Escape delay, hidden cursor, mouse reporting.
    ///
    /// - Parameter useColor: false under NO_COLOR.
    /// - Throws: `BusError.invalidSetting` for a TERM that terminfo does not know.
    init(useColor: Bool) throws(BusError) {
        shim_use_environment_locale()
        codeset = shim_codeset().map { String(cString: $0) } ?? ""
        guard newterm(nil, shim_stdout(), shim_stdin()) != nil else {
            let term = getenv("TERM").map { String(cString: $0) } ?? ""
            throw .invalidSetting(name: "TERM", value: term, expected: "a terminal type known to terminfo")
        }
        CrashRestore.install()
        raw()
        noecho()
        nonl()
        keypad(shim_stdscr(), true)
        nodelay(shim_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        if useColor, has_colors() {
            start_color()
            use_default_colors()
            if shim_colors() >= 8, shim_color_pairs() > Int32(ColorRole.allCases.count) {
                colorsEnabled = true
                // Pair n is the role's colour on the terminal's own background (-1). With 8 colours that is curses
                // colour n (1 red ... 6 cyan); with 256, a mid-tone of the same hue that reads on light and dark
                // backgrounds alike (plain yellow and cyan vanish on white, plain blue on black).
                let rich = shim_colors() >= 256
                for role in ColorRole.allCases where role != .none && role != .chrome {
                    let color = rich ? Self.palette256[role] ?? Int16(role.rawValue) : Int16(role.rawValue)
                    init_pair(Int16(role.rawValue), color, -1)
                }
            }
        }
        setMouse(true)
    }

    deinit { end() }

    /// xterm-256 colour indexes per role: red 160, green 28, yellow 136, blue 32, magenta 127, cyan 30.
    private static let palette256: [ColorRole: Int16] = [
        .red: 160, .green: 28, .yellow: 136, .blue: 32, .magenta: 127, .cyan: 30,
    ]

    var isUTF8: Bool {
        let normalized = codeset.uppercased().replacingDashes
        return normalized == "UTF8"
    }

    /// The terminal size in cells (`getmaxyx`).
    func size() -> (width: Int, height: Int) {
        (Int(shim_width()), Int(shim_height()))
    }

    /// Turns mouse reporting on (buttons and wheel, SGR 1006 encoding) or off.
    ///
    /// Off lets the terminal's own text selection work. ncurses' own mouse support stays off: it would pick
    /// the X10 encoding from terminfo.
    func setMouse(_ enabled: Bool) {
        guard enabled != mouseOn, !ended else { return }
        mouseOn = enabled
        shim_sgr_mouse(enabled ? 1 : 0)
    }

    /// The keys ncurses has queued (`wget_wch` until ERR, at most 4096 at a time so a huge paste cannot
    /// starve drawing), decoded; ESC+Enter becomes Alt-Enter.
    ///
    /// - Returns: the keys, and whether more may be waiting in ncurses' own buffer.
    func readKeys() -> (keys: [KeyEvent], more: Bool) {
        var keys: [KeyEvent] = []
        while true {
            var character: wint_t = 0
            let result = shim_get_wch(&character)
            if result == shim_err() { break }
            if result == shim_key_code_yes() {
                if let key = Self.functionKey(Int32(bitPattern: character)) { keys.append(key) }
            } else if let key = Self.characterKey(character) {
                keys.append(key)
            }
            if keys.count >= 4096 { return (decoded(keys), true) }
        }
        return (decoded(keys), false)
    }

    private func decoded(_ keys: [KeyEvent]) -> [KeyEvent] {
        KeyEvent.combiningEscapes(clicks.decode(keys, now: ContinuousClock.now - started))
    }

    private static func characterKey(_ code: wint_t) -> KeyEvent? {
        switch code {
        case 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(code) + 0x60)))
        case 0..<32: return nil
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }

    private static func functionKey(_ code: Int32) -> KeyEvent? {
        switch code {
        case shim_key_up(): return .up
        case shim_key_down(): return .down
        case shim_key_left(): return .left
        case shim_key_right(): return .right
        case shim_key_home(): return .home
        case shim_key_end(): return .end
        case shim_key_ppage(): return .pageUp
        case shim_key_npage(): return .pageDown
        case shim_key_backspace(): return .backspace
        case shim_key_dc(): return .delete
        case shim_key_enter(): return .enter
        case shim_key_btab(): return .backTab
        case shim_key_resize(): return .resize
        default: return nil
        }
    }

    /// Copies a frame to the terminal: `werase`, one `mvwadd_wch` per non-blank cell, `wnoutrefresh` and a
    /// single `doupdate` (no flicker: ncurses sends only what changed).
    ///
    /// A cluster a `cchar_t` cannot hold as the terminal measures it (several spacing code points: a ZWJ family,
    /// a skin tone, a flag) is a blank placeholder of its width to ncurses, and its bytes are written over the
    /// placeholder after `doupdate`, with the cell's attributes, every frame: no code point is dropped.
    func draw(_ screen: RenderedScreen) {
        guard !ended else { return }
        let grid = screen.grid
        let (width, height) = size()
        werase(shim_stdscr())
        var buffer = [wchar_t](repeating: 0, count: Int(shim_cchar_max()) + 1)
        let blank: [wchar_t] = [wchar_t(UInt8(ascii: " ")), 0]
        var overlays: [(row: Int32, column: Int32, text: String, attributes: attr_t, pair: Int16)] = []
        for row in 0..<min(grid.height, height) {
            for column in 0..<min(grid.width, width) {
                let cell = grid[row, column]
                guard cell.width > 0, cell != .blank else { continue }
                let attributes = attributes(for: cell.style)
                let pair = colorsEnabled && cell.style.color != .chrome ? Int16(cell.style.color.rawValue) : 0
                if isUTF8, let line = Self.lineKinds[cell.character] {
                    _ = shim_put_line(Int32(row), Int32(column), line, attributes, pair)
                } else if fill(&buffer, with: cell) {
                    _ = shim_put_cell(Int32(row), Int32(column), buffer, attributes, pair)
                } else if !isUTF8 {
                    // Only a UTF-8 terminal can take the bytes: a `?` and blanks keep the row's width.
                    _ = shim_put_cell(Int32(row), Int32(column), buffer, attributes, pair)
                    for offset in 1..<max(1, min(Int(cell.width), width - column)) {
                        _ = shim_put_cell(Int32(row), Int32(column + offset), blank, attributes, pair)
                    }
                } else {
                    let span = min(Int(cell.width), width - column)
                    for offset in 0..<span {
                        _ = shim_put_cell(Int32(row), Int32(column + offset), blank, attributes, pair)
                    }
                    if span == Int(cell.width) {
                        overlays.append((Int32(row), Int32(column), String(cell.character), attributes, pair))
                    }
                }
            }
        }
        if let cursor = screen.cursor, cursor.row < height, cursor.column < width {
            curs_set(1)
            wmove(shim_stdscr(), Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wnoutrefresh(shim_stdscr())
        doupdate()
        guard !overlays.isEmpty else { return }
        for overlay in overlays {
            _ = shim_raw_move(overlay.row, overlay.column)
            _ = shim_raw_attributes(overlay.attributes, overlay.pair)
            shim_raw_text(overlay.text)
        }
        _ = shim_raw_attributes(shim_attr_normal(), 0)
        // Back to where ncurses believes the cursor is, so its next relative moves land right.
        var row: Int32 = 0
        var column: Int32 = 0
        shim_screen_cursor(&row, &column)
        _ = shim_raw_move(max(0, row), max(0, column))
        shim_raw_flush()
    }

    /// The grid's box-drawing characters and the `WACS_*` kind `shim_put_line` draws for each (under UTF-8 only:
    /// otherwise the model draws boxes in ASCII, see `MonitorModel.asciiBoxes`).
    private static let lineKinds: [Character: Int32] = [
        BoxLine.horizontal: 0, BoxLine.vertical: 1, BoxLine.topLeft: 2, BoxLine.topRight: 3, BoxLine.bottomLeft: 4,
        BoxLine.bottomRight: 5,
    ]

    /// The cell's character as ncurses wants it: a spacing character and its combining marks, NUL-terminated.
    ///
    /// - Returns: false when a `cchar_t` cannot hold the cluster as the grid measures it (more code points than
    ///   `CCHARW_MAX`, spacing ones after the first, or a first one whose `wcwidth` is not the cell's width):
    ///   the caller draws it over a placeholder, or under a non-UTF-8 locale as `?` (the buffer's content then).
    private func fill(_ buffer: inout [wchar_t], with cell: Cell) -> Bool {
        let scalars = Array(cell.character.unicodeScalars)
        buffer[0] = wchar_t(UInt8(ascii: "?"))
        buffer[1] = 0
        guard let first = scalars.first else { return true }
        let extrasAreMarks = scalars.dropFirst().allSatisfy { shim_wcwidth(wchar_t(bitPattern: $0.value)) == 0 }
        let fits =
            shim_wcwidth(wchar_t(bitPattern: first.value)) == Int32(cell.width) && extrasAreMarks
            && scalars.count < buffer.count && !scalars.contains { $0.value == 0x200D }
        guard fits else {
            // Under a non-UTF-8 locale the caller draws the buffer: the cut mark as `~`, anything else as `?`.
            if cell.character == "…" { buffer[0] = wchar_t(UInt8(ascii: "~")) }
            return false
        }
        for (index, scalar) in scalars.enumerated() { buffer[index] = wchar_t(bitPattern: scalar.value) }
        buffer[scalars.count] = 0
        return true
    }

    private func attributes(for style: CellStyle) -> attr_t {
        var attributes = shim_attr_normal()
        if style.attributes.contains(.bold) { attributes |= shim_attr_bold() }
        if style.attributes.contains(.reverse) { attributes |= shim_attr_reverse() }
        if style.attributes.contains(.underline) { attributes |= shim_attr_underline() }
        if style.attributes.contains(.dim) { attributes |= shim_attr_dim() }
        return attributes
    }

    /// Writes an escape sequence for the terminal itself (OSC 52), between frames, past ncurses.
    func writeRaw(_ sequence: String) {
        guard !ended else { return }
        shim_raw_text(sequence)
        shim_raw_flush()
    }

    /// Leaves the screen for `body` (a pager, an editor) and comes back.
    ///
    /// Mouse reporting off and `endwin` before, then the modes restored and the whole screen redrawn (`clearok` + `wrefresh`) after, as ncurses
    /// documents for a shell escape. Keys typed in the child went to it; keys typed after are read as usual.
    func suspend(_ body: () -> Void) {
        guard !ended else {
            body()
            return
        }
        let mouse = mouseOn
        if mouse { shim_sgr_mouse(0) }
        endwin()
        body()
        clearok(shim_stdscr(), true)
        wrefresh(shim_stdscr())
        if mouse { shim_sgr_mouse(1) }
    }

    /// Restores the terminal (`endwin`); safe to call more than once.
    func end() {
        guard !ended else { return }
        ended = true
        if mouseOn { shim_sgr_mouse(0) }
        mouseOn = false
        endwin()
    }
}

extension String {
    fileprivate var replacingDashes: String { String(filter { $0 != "-" }) }
}
#endif
