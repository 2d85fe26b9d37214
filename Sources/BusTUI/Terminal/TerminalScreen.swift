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
                // Pair n is curses colour n (1 red ... 6 cyan) on the terminal's own background (-1), so light
                // and dark themes both stay readable.
                for role in ColorRole.allCases where role != .none && role != .chrome {
                    init_pair(Int16(role.rawValue), Int16(role.rawValue), -1)
                }
            }
        }
        setMouse(true)
    }

    deinit { end() }

    var isUTF8: Bool {
        let normalized = codeset.uppercased().replacingDashes
        return normalized == "UTF8"
    }

    /// The terminal size in cells (`getmaxyx`).
    func size() -> (width: Int, height: Int) {
        (Int(shim_width()), Int(shim_height()))
    }

    /// Turns mouse reporting on (buttons and wheel) or off so the terminal's own text selection works.
    func setMouse(_ enabled: Bool) {
        mouseinterval(0)
        mousemask(enabled ? shim_mouse_mask() : 0, nil)
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
            if keys.count >= 4096 { return (KeyEvent.combiningEscapes(keys), true) }
        }
        return (KeyEvent.combiningEscapes(keys), false)
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
        case shim_key_mouse():
            var row: Int32 = 0
            var column: Int32 = 0
            let kind: MouseEvent.Kind
            switch shim_read_mouse(&row, &column) {
            case 1: kind = .wheelUp
            case 2: kind = .wheelDown
            case 3: kind = .press
            case 4: kind = .doubleClick
            default: return nil
            }
            return .mouse(MouseEvent(kind, row: Int(row), column: Int(column)))
        default: return nil
        }
    }

    /// Copies a frame to the terminal: `werase`, one `mvwadd_wch` per non-blank cell, `wnoutrefresh` and a
    /// single `doupdate` (no flicker: ncurses sends only what changed).
    func draw(_ screen: RenderedScreen) {
        guard !ended else { return }
        let grid = screen.grid
        let (width, height) = size()
        werase(shim_stdscr())
        var buffer = [wchar_t](repeating: 0, count: Int(shim_cchar_max()) + 1)
        for row in 0..<min(grid.height, height) {
            for column in 0..<min(grid.width, width) {
                let cell = grid[row, column]
                guard cell.width > 0, cell != .blank else { continue }
                fill(&buffer, with: cell)
                let attributes = attributes(for: cell.style)
                let pair = colorsEnabled && cell.style.color != .chrome ? Int16(cell.style.color.rawValue) : 0
                _ = shim_put_cell(Int32(row), Int32(column), buffer, attributes, pair)
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
    }

    /// The cell's character as ncurses wants it: a spacing character and its combining marks, NUL-terminated.
    ///
    /// Where the C library measures the character differently from the grid (an older Unicode table, a
    /// non-UTF-8 locale) a `?` is drawn instead, so the row cannot shift.
    private func fill(_ buffer: inout [wchar_t], with cell: Cell) {
        let scalars = Array(cell.character.unicodeScalars)
        var count = 0
        if let first = scalars.first, shim_wcwidth(wchar_t(bitPattern: first.value)) == Int32(cell.width) {
            buffer[0] = wchar_t(bitPattern: first.value)
            count = 1
            for scalar in scalars.dropFirst() where count < buffer.count - 1 {
                // Only combining marks may ride along; joined emoji parts are spacing and would be refused.
                guard shim_wcwidth(wchar_t(bitPattern: scalar.value)) == 0 else { continue }
                buffer[count] = wchar_t(bitPattern: scalar.value)
                count += 1
            }
        } else {
            buffer[0] = wchar_t(UInt8(ascii: "?"))
            count = 1
        }
        buffer[count] = 0
    }

    private func attributes(for style: CellStyle) -> attr_t {
        var attributes = shim_attr_normal()
        if style.attributes.contains(.bold) { attributes |= shim_attr_bold() }
        if style.attributes.contains(.reverse) { attributes |= shim_attr_reverse() }
        if style.attributes.contains(.underline) { attributes |= shim_attr_underline() }
        if style.attributes.contains(.dim) { attributes |= shim_attr_dim() }
        return attributes
    }

    /// Restores the terminal (`endwin`); safe to call more than once.
    func end() {
        guard !ended else { return }
        ended = true
        mousemask(0, nil)
        endwin()
    }
}

extension String {
    fileprivate var replacingDashes: String { String(filter { $0 != "-" }) }
}
#endif
