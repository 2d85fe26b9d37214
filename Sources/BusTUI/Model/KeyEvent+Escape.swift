extension KeyEvent {
    /// Joins ESC with an Enter read right after it in the same batch into Alt-Enter.
    ///
    /// Terminals send Alt-Enter as ESC CR, and ncurses hands it over as two keys. ESC before any other key stays Escape (the monitor binds no other Alt
    /// keys, and Esc quickly followed by a command key must do both).
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
