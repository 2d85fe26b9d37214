internal import BusCore

/// The raw-bytes pane's text for one malformed record: where it is, why it was skipped, then its bytes.
enum MalformedPaneContent {
    static func lines(_ entry: MalformedEntry, path: String, bytes: RecordBytes?, width: Int) -> [DisplayLine] {
        let record = entry.record
        var lines: [DisplayLine] = []
        func field(_ name: String, _ value: String, style: CellStyle = .plain) {
            lines += DisplayLine.field(name, value, width: width, style: style)
        }
        field("file", path, style: CellStyle(.dim))
        field("at", "byte \(record.offset), line \(record.line), \(record.length) bytes")
        field("reason", record.reason, style: CellStyle(.bold))
        switch bytes {
        case nil:
            field("bytes", "reading...", style: CellStyle(.dim))
        case .failed(let reason):
            field("bytes", "not readable: \(reason)", style: CellStyle(.bold, color: .red))
        case .loaded(let data, let requested):
            if data.count < requested {
                field(
                    "bytes",
                    "the file now ends after \(data.count) of them (truncated or rotated since?)",
                    style: CellStyle(.bold, color: .yellow)
                )
            } else if requested < record.length {
                field("bytes", "the first \(requested) of \(record.length)", style: CellStyle(.dim))
            }
            lines.append(
                DisplayLine(glyphs: Array(repeating: Glyph(character: "-", width: 1), count: max(0, min(width, 40))))
            )
            for line in RawBytesText.lines(data) {
                for wrapped in TextWrap.wrap(TextSanitizer.glyphs(line), width: width) {
                    lines.append(DisplayLine(glyphs: wrapped))
                }
            }
        }
        return lines
    }
}

/// Bytes that failed to parse, shown so that everything in them is visible and nothing acts on the terminal.
enum RawBytesText {
    /// The lines of `bytes`: UTF-8 decoded with each invalid byte as `<FF>` (as `less` shows them), controls in
    /// caret notation by `TerminalText.escaped` (ESC as `^[`), tabs kept, split at line feeds.
    static func lines(_ bytes: [UInt8]) -> [Substring] {
        let text = TerminalText.escaped(decoded(bytes))
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        // The line feed that ends the last line does not start another one.
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// `bytes` as text, each byte that is not part of valid UTF-8 written as `<XX>`.
    static func decoded(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalars.append(Unicode.UTF8.decode(encoded))
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<min(bytes.count, position + length)] {
                    let hex = String(byte, radix: 16, uppercase: true)
                    scalars.append(contentsOf: ("<" + (hex.count < 2 ? "0" : "") + hex + ">").unicodeScalars)
                }
                position += length
            case .emptyInput:
                return String(scalars)
            }
        }
    }
}
