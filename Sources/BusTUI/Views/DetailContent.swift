internal import BusCore

/// One line of the detail pane: glyphs already sanitized and wrapped, the first `keyLength` of them a field
/// name drawn in bold.
struct DisplayLine: Sendable, Equatable {
    var glyphs: [Glyph]
    var keyLength = 0
    var style = CellStyle.plain

    /// `name: value`, sanitized and wrapped to `width`, the name drawn in bold on the first line.
    static func field(_ name: String, _ value: String, width: Int, style: CellStyle = .plain) -> [DisplayLine] {
        let key = TextSanitizer.glyphs(name + ": ")
        let wrapped = TextWrap.wrap(key + TextSanitizer.glyphs(value, startColumn: key.count), width: width)
        return wrapped.enumerated().map { index, glyphs in
            DisplayLine(glyphs: glyphs, keyLength: index == 0 ? key.count : 0, style: style)
        }
    }
}

/// The detail pane's text: every header field, parents, links, meta, the source, then the whole body wrapped.
enum DetailContent {
    static func lines(_ entry: StoredMessage, sourceName: String, width: Int, utcOffset: Int) -> [DisplayLine] {
        let message = entry.message
        var lines: [DisplayLine] = []
        func field(_ name: String, _ value: String, style: CellStyle = .plain) {
            lines += DisplayLine.field(name, value, width: width, style: style)
        }
        field("msg_id", message.msgID)
        field(
            "ts",
            message.timestamp.rfc3339 + "  (" + TimeText.dateTime(message.timestamp, utcOffset: utcOffset) + ")"
        )
        field("type", message.type, style: CellStyle(.bold, color: TypeStyle.color(for: message.type)))
        field("project_id", message.projectID)
        // Empty ids say nothing: left out, as the writer leaves out empty optional keys.
        if !message.taskID.isEmpty { field("task_id", message.taskID) }
        if !message.runID.isEmpty { field("run_id", message.runID) }
        if !message.issueID.isEmpty { field("issue_id", message.issueID) }
        for parent in message.parents {
            var value = parent.msgID
            if !parent.kind.isEmpty { value += " (\(parent.kind))" }
            for key in parent.meta.keys.sorted() { value += " \(key)=\(parent.meta[key] ?? "")" }
            field("parent", value)
        }
        for link in message.links {
            var value = link.url
            if !link.label.isEmpty { value += " \"\(link.label)\"" }
            if !link.kind.isEmpty { value += " (\(link.kind))" }
            field("link", value)
        }
        for key in message.meta.keys.sorted() {
            field("meta", "\(key)=\(message.meta[key] ?? "")")
        }
        if !sourceName.isEmpty { field("source", sourceName, style: CellStyle(.dim)) }
        lines.append(
            DisplayLine(
                glyphs: Array(repeating: Glyph(character: BoxLine.horizontal, width: 1), count: max(0, min(width, 40))),
                style: CellStyle(.dim)
            )
        )
        for line in message.body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            for wrapped in TextWrap.wrap(TextSanitizer.glyphs(line), width: width) {
                lines.append(DisplayLine(glyphs: wrapped))
            }
        }
        return lines
    }
}

/// Word wrapping by display width.
enum TextWrap {
    /// Breaks `glyphs` into lines of at most `width` columns.
    ///
    /// Lines break after the last space that fits when there is one; an empty input gives one empty line.
    static func wrap(_ glyphs: [Glyph], width: Int) -> [[Glyph]] {
        guard width > 0 else { return [glyphs] }
        var lines: [[Glyph]] = []
        var start = 0
        while start < glyphs.count {
            var end = start
            var columns = 0
            var lastSpace: Int?
            while end < glyphs.count, columns + glyphs[end].width <= width {
                if glyphs[end].character == " " { lastSpace = end }
                columns += glyphs[end].width
                end += 1
            }
            if end == start { end = start + 1 }  // a wide glyph in a one-column pane: show it anyway, clipped
            if end < glyphs.count, let space = lastSpace, space > start {
                lines.append(Array(glyphs[start..<space]))
                start = space + 1
            } else {
                lines.append(Array(glyphs[start..<end]))
                // The space a hard break landed on would start the next line: drop it.
                start = end < glyphs.count && glyphs[end].character == " " ? end + 1 : end
            }
        }
        return lines.isEmpty ? [[]] : lines
    }
}

/// Times as the list and the detail pane show them, in the offset the monitor started with.
enum TimeText {
    /// `HH:MM:SS`.
    static func clock(_ timestamp: BusTimestamp, utcOffset: Int) -> String {
        CivilTime(seconds: timestamp.seconds + Int64(utcOffset)).clock
    }

    /// `MM-DD HH:MM:SS`.
    static func monthDayClock(_ timestamp: BusTimestamp, utcOffset: Int) -> String {
        let time = CivilTime(seconds: timestamp.seconds + Int64(utcOffset))
        return String(time.isoDate.dropFirst(5)) + " " + time.clock
    }

    /// `YYYY-MM-DD HH:MM:SS +HH:MM`: the date, the time and the offset.
    static func dateTime(_ timestamp: BusTimestamp, utcOffset: Int) -> String {
        let time = CivilTime(seconds: timestamp.seconds + Int64(utcOffset))
        let sign = utcOffset < 0 ? "-" : "+"
        let minutes = abs(utcOffset) / 60
        let hours = String(minutes / 60)
        let rest = String(minutes % 60)
        let offset = sign + (hours.count < 2 ? "0" + hours : hours) + ":" + (rest.count < 2 ? "0" + rest : rest)
        return time.isoDate + " " + time.clock + " " + offset
    }
}

/// Colours for message types; the type text itself is always drawn too, so colour is only a help.
enum TypeStyle {
    static func color(for type: String) -> ColorRole {
        switch type.uppercased() {
        case "DONE": .green
        case "FACT": .cyan
        case "PROGRESS": .blue
        case "DECISION": .magenta
        case "QUESTION", "ANSWER": .yellow
        case "ERROR", "FAIL", "FAILED", "STOP", "USER": .red
        case "INFO", "": .none
        default:
            // Other types get a stable colour from their name.
            [ColorRole.green, .cyan, .blue, .magenta, .yellow][
                Int(type.utf8.reduce(0) { ($0 &* 31 &+ UInt32($1)) } % 5)
            ]
        }
    }
}
