/// Decodes SGR 1006 mouse reports (`ESC [ < b ; x ; y M` for a press, `m` for a release) from the keys ncurses
/// hands over, and tells a double click from two clicks.
///
/// ncurses decodes only the X10 encoding its terminfo names, whose one-byte coordinates stop at column 223;
/// SGR has decimal coordinates, so the monitor asks for it itself and decodes it here. Time is passed in, so
/// tests need no clock.
struct ClickTracker: Sendable {
    /// Two presses on the same cell this close together are a double click (what GTK and xterm use).
    static let doubleClickInterval = Duration.milliseconds(400)

    private var lastPress: (row: Int, column: Int, time: Duration)?

    /// `keys` with every complete SGR mouse report replaced by its event (releases and motion dropped).
    mutating func decode(_ keys: [KeyEvent], now: Duration) -> [KeyEvent] {
        var result: [KeyEvent] = []
        result.reserveCapacity(keys.count)
        var index = 0
        while index < keys.count {
            if keys[index] == .escape, let (report, length) = Self.report(keys, at: index) {
                if let event = event(for: report, now: now) { result.append(.mouse(event)) }
                index += length
                continue
            }
            result.append(keys[index])
            index += 1
        }
        return result
    }

    struct Report: Equatable {
        var button: Int
        var column: Int
        var row: Int
        var pressed: Bool
    }

    /// The report starting at `start` (an ESC), and how many keys it spans; nil when none is there.
    static func report(_ keys: [KeyEvent], at start: Int) -> (Report, Int)? {
        guard start + 2 < keys.count, keys[start + 1] == .character("["), keys[start + 2] == .character("<") else {
            return nil
        }
        var numbers = [0]
        var digits = 0
        var index = start + 3
        while index < keys.count, index - start < 32 {
            guard case .character(let character) = keys[index] else { return nil }
            if let digit = character.wholeNumberValue, character.isASCII {
                numbers[numbers.count - 1] = numbers[numbers.count - 1] * 10 + digit
                digits += 1
            } else if character == ";" {
                guard digits > 0, numbers.count < 3 else { return nil }
                numbers.append(0)
                digits = 0
            } else if character == "M" || character == "m" {
                guard numbers.count == 3, digits > 0 else { return nil }
                let report = Report(button: numbers[0], column: numbers[1], row: numbers[2], pressed: character == "M")
                return (report, index - start + 1)
            } else {
                return nil
            }
            index += 1
        }
        return nil
    }

    private mutating func event(for report: Report, now: Duration) -> MouseEvent? {
        // Shift, Alt and Ctrl add 4, 8 and 16; motion adds 32.
        let button = report.button & ~(4 | 8 | 16)
        let row = max(0, report.row - 1)
        let column = max(0, report.column - 1)
        switch button {
        case 64: return MouseEvent(.wheelUp, row: row, column: column)
        case 65: return MouseEvent(.wheelDown, row: row, column: column)
        case 0 where report.pressed:
            if let last = lastPress, last.row == row, last.column == column,
                now - last.time <= Self.doubleClickInterval
            {
                // A third press starts a new pair.
                lastPress = nil
                return MouseEvent(.doubleClick, row: row, column: column)
            }
            lastPress = (row, column, now)
            return MouseEvent(.press, row: row, column: column)
        default: return nil
        }
    }
}
