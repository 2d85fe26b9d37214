/// Editable text with a cursor, for the filter prompt, the compose box's type field and its body (which may
/// hold newlines).
struct LineEditor: Sendable, Equatable {
    private(set) var characters: [Character]
    /// Index in `characters` before which typing inserts.
    private(set) var cursor: Int
    /// Number of lines (newlines + 1), kept up to date so layout never rescans a long pasted text.
    private(set) var lineCount: Int

    init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
        lineCount = characters.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }

    var text: String { String(characters) }
    var isEmpty: Bool { characters.isEmpty }

    mutating func insert(_ character: Character) {
        characters.insert(character, at: cursor)
        cursor += 1
        if character == "\n" { lineCount += 1 }
    }

    mutating func backspace() {
        guard cursor > 0 else { return }
        cursor -= 1
        if characters.remove(at: cursor) == "\n" { lineCount -= 1 }
    }

    mutating func deleteForward() {
        guard cursor < characters.count else { return }
        if characters.remove(at: cursor) == "\n" { lineCount -= 1 }
    }

    mutating func left() { cursor = max(0, cursor - 1) }
    mutating func right() { cursor = min(characters.count, cursor + 1) }

    /// Start of the current line.
    mutating func home() { cursor = lineStart(of: cursor) }

    /// End of the current line.
    mutating func end() { cursor = lineEnd(of: cursor) }

    /// Removes everything before the cursor on its line (Ctrl-U).
    mutating func deleteToLineStart() {
        let start = lineStart(of: cursor)
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Removes the word before the cursor and the blanks after it (Ctrl-W, as in a shell).
    mutating func deleteWordBackward() {
        let start = wordStart(before: cursor)
        for character in characters[start..<cursor] where character == "\n" { lineCount -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Moves to the start of the word before the cursor (Alt-B).
    mutating func wordLeft() { cursor = wordStart(before: cursor) }

    /// Moves past the end of the word after the cursor (Alt-F).
    mutating func wordRight() {
        var position = cursor
        while position < characters.count, characters[position].isWhitespace { position += 1 }
        while position < characters.count, !characters[position].isWhitespace { position += 1 }
        cursor = position
    }

    private func wordStart(before index: Int) -> Int {
        var position = index
        while position > 0, characters[position - 1].isWhitespace { position -= 1 }
        while position > 0, !characters[position - 1].isWhitespace { position -= 1 }
        return position
    }

    /// Replaces the whole text, cursor at the end.
    mutating func set(_ text: String) {
        self = LineEditor(text)
    }

    /// Moves to the previous line at the same column (clamped); false on the first line.
    @discardableResult
    mutating func up() -> Bool {
        let start = lineStart(of: cursor)
        guard start > 0 else { return false }
        let column = cursor - start
        let previousStart = lineStart(of: start - 1)
        cursor = min(previousStart + column, start - 1)
        return true
    }

    /// Moves to the next line at the same column (clamped); false on the last line.
    @discardableResult
    mutating func down() -> Bool {
        let end = lineEnd(of: cursor)
        guard end < characters.count else { return false }
        let column = cursor - lineStart(of: cursor)
        let nextStart = end + 1
        cursor = min(nextStart + column, lineEnd(of: nextStart))
        return true
    }

    /// Lines of the text, and the cursor as (line, index in line).
    var lines: (lines: [[Character]], cursorLine: Int, cursorColumn: Int) {
        var lines: [[Character]] = [[]]
        var cursorLine = 0
        var cursorColumn = 0
        for (index, character) in characters.enumerated() {
            if index == cursor {
                cursorLine = lines.count - 1
                cursorColumn = lines[lines.count - 1].count
            }
            if character == "\n" {
                lines.append([])
            } else {
                lines[lines.count - 1].append(character)
            }
        }
        if cursor == characters.count {
            cursorLine = lines.count - 1
            cursorColumn = lines[lines.count - 1].count
        }
        return (lines, cursorLine, cursorColumn)
    }

    private func lineStart(of index: Int) -> Int {
        var position = index
        while position > 0, characters[position - 1] != "\n" { position -= 1 }
        return position
    }

    private func lineEnd(of index: Int) -> Int {
        var position = index
        while position < characters.count, characters[position] != "\n" { position += 1 }
        return position
    }
}
