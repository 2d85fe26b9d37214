extension KeyEvent {
    /// Joins ESC with an Enter read right after it in the same batch into Alt-Enter, and ESC with `b` or `f`
    /// into Alt-B / Alt-F (word moves in text fields).
    ///
    /// Terminals send Alt-key as ESC then the key, and ncurses hands it over as two keys. ESC before any other
    /// key stays Escape (Esc quickly followed by a command key must do both; `b` and `f` are no command keys).
    static func combiningEscapes(_ keys: [KeyEvent]) -> [KeyEvent] {
        var result: [KeyEvent] = []
        result.reserveCapacity(keys.count)
        var index = 0
        while index < keys.count {
            let key = keys[index]
            if key == .escape, index + 1 < keys.count {
                switch keys[index + 1] {
                case .enter, .control("j"):
                    result.append(.altEnter)
                    index += 2
                    continue
                case .character(let letter) where letter == "b" || letter == "f":
                    result.append(.alt(letter))
                    index += 2
                    continue
                default:
                    break
                }
            }
            result.append(key)
            index += 1
        }
        return result
    }

    /// Marks pasted line breaks: an Enter followed by more keys in the same read is part of pasted text, so
    /// the compose box inserts a newline instead of posting half a message.
    static func pastedEntersAsNewlines(_ keys: [KeyEvent]) -> [KeyEvent] {
        var result = keys
        for index in result.indices where result[index] == .enter && index + 1 < result.count {
            if case .character = result[index + 1] { result[index] = .control("j") }
        }
        return result
    }
}
