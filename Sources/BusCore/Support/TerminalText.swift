import CBusBytes

/// Makes untrusted text (agent output) inert on a terminal while keeping it visible, as `less` does by default:
/// one rule shared by `read`'s text output and the monitor, so a body shows the same way in both.
///
/// - C0 controls and DEL are shown in caret notation: ESC as `^[`, BEL as `^G`, DEL as `^?`. The characters of an
///   escape sequence that follow its ESC stay as plain text (`^[[31m`), so a reader sees that a body carried one.
/// - C1 controls (U+0080-U+009F, including the 8-bit CSI and OSC introducers) as `<U+009B>`.
/// - Bidirectional overrides and isolates, which could reorder what follows on some terminals, as `<U+202E>`.
/// - Tabs and line feeds are kept when asked; a carriage return is kept only right before a line feed (CRLF text),
///   where it cannot overwrite anything, and is `^M` elsewhere.
package enum TerminalText {
    /// The visible replacement for `scalar`, or nil when it is safe to print as it is.
    ///
    /// Tab, line feed and carriage return get replacements here too; `escaped` decides where they are kept.
    package static func visibleForm(of scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x00..<0x20: "^" + String(Unicode.Scalar(UInt8(scalar.value + 0x40)))
        case 0x7F: "^?"
        case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: codePoint(scalar)
        default: nil
        }
    }

    /// True when `scalar` is printed as something else by `escaped` (before the tab and line-break exceptions).
    package static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F..<0xA0).contains(value) || (0x200E...0x200F).contains(value)
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    /// `text` with every control made visible.
    ///
    /// - Parameters:
    ///   - text: untrusted text.
    ///   - keepTabs: print tabs as they are (else `^I`).
    ///   - keepLineBreaks: print line feeds, and carriage returns right before them, as they are (else `^J`, `^M`).
    /// - Returns: text that moves no cursor, changes no colour and sends the terminal no command.
    package static func escaped(_ text: String, keepTabs: Bool = true, keepLineBreaks: Bool = true) -> String {
        // Most bodies are plain text: answer them without building a new string.
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let scalar = next {
            next = scalars.next()
            switch scalar.value {
            case 0x09 where keepTabs, 0x0A where keepLineBreaks:
                output.append(scalar)
            case 0x0D where keepLineBreaks && next == "\n":
                output.append(scalar)
            default:
                if let visible = visibleForm(of: scalar) {
                    output.append(contentsOf: visible.unicodeScalars)
                } else {
                    output.append(scalar)
                }
            }
        }
        return String(output)
    }

    /// Appends `escaped`'s bytes of text given as well-formed UTF-8 (a message read but not built, or a built
    /// message's strings), copying text that needs no escape as it is: `read`'s text lines.
    package static func append(
        utf8 text: UnsafeBufferPointer<UInt8>,
        keepTabs: Bool = true,
        keepLineBreaks: Bool = true,
        to output: inout JSONBuffer
    ) {
        if isPlain(text, keepTabs: keepTabs, keepLineBreaks: keepLineBreaks) {
            output.append(raw: text)
        } else {
            var escaped = escaped(text, keepTabs: keepTabs, keepLineBreaks: keepLineBreaks)
            escaped.withUTF8 { output.append(raw: $0) }
        }
    }

    /// `escaped` of well-formed UTF-8 bytes.
    private static func escaped(_ utf8: UnsafeBufferPointer<UInt8>, keepTabs: Bool, keepLineBreaks: Bool) -> String {
        escaped(String(decoding: utf8, as: UTF8.self), keepTabs: keepTabs, keepLineBreaks: keepLineBreaks)
    }

    /// Whether nothing in `utf8` needs an escape, so it may be copied as it is.
    private static func isPlain(_ utf8: UnsafeBufferPointer<UInt8>, keepTabs: Bool, keepLineBreaks: Bool) -> Bool {
        // Every scalar `needsEscape` flags has a byte below 0x20, 0x7F, or the lead byte 0xC2 (C1 controls)
        // or 0xE2 (the bidirectional controls); text without them is copied in one go. They are looked for
        // sixteen bytes at a time; only kept tabs and line breaks among them are passed over.
        guard let base = utf8.baseAddress else { return true }
        var index = 0
        while true {
            index += bus_terminal_special(base + index, utf8.count - index)
            guard index < utf8.count else { return true }
            switch base[index] {
            case 0x09 where keepTabs, 0x0A where keepLineBreaks: index += 1
            default: return false
            }
        }
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }
}
