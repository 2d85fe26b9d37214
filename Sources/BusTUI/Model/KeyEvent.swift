/// A key press or mouse event, decoded from the terminal by the terminal layer (or built by tests).
package enum KeyEvent: Sendable, Equatable {
    /// A printable character.
    case character(Character)
    /// Ctrl plus a letter, lowercase: `.control("c")` is Ctrl-C, `.control("j")` is Ctrl-J (line feed).
    case control(Character)
    case enter
    /// Alt-Enter: ESC then CR.
    case altEnter
    /// Alt plus a letter (ESC then the letter in one read): `.alt("b")` is Alt-B.
    case alt(Character)
    case tab
    case backTab
    case escape
    case backspace
    case delete
    case up
    case down
    case left
    case right
    case pageUp
    case pageDown
    case home
    case end
    case mouse(MouseEvent)
    case resize
}

/// A mouse event at a screen position (0-based row and column).
package struct MouseEvent: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case wheelUp
        case wheelDown
        case press
        case doubleClick
    }

    package var kind: Kind
    package var row: Int
    package var column: Int

    package init(_ kind: Kind, row: Int, column: Int) {
        self.kind = kind
        self.row = row
        self.column = column
    }
}
