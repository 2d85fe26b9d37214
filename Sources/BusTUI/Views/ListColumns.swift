internal import BusCore

/// The list's columns for a terminal width and the values seen so far: time, type, agent, task, preview.
///
/// - A column with no values (no agent, no task id at all) takes no space.
/// - Type labels are as wide as the widest type seen, capped by the width; a type that must shrink gets a label
///   that no other type shares, its cut marked with `…` (`RUN_S…T`, `RUN_S…P`).
/// - Task ids drop the prefix all of them share, up to its last separator, so the part that tells them apart
///   shows (`…090000-api`); what still does not fit is cut with `…`.
/// - Narrow screens drop the date, then the agent, then the task, then the time.
struct ListColumns {
    enum Time {
        case long
        case short
        case none
    }

    var time: Time
    /// Columns inside the brackets of the type tag.
    var typeWidth: Int
    var typeLabels: [String: String]
    var agentWidth: Int
    var taskWidth: Int
    /// Characters dropped from the start of every task id (the shared prefix).
    var taskPrefixLength: Int

    init(_ model: MonitorModel, width: Int) {
        time = width >= 80 ? .long : (width >= 30 ? .short : .none)
        let types = Array(model.store.typeCounts.keys.filter { !$0.isEmpty })
        let longestType = types.map { TextSanitizer.width($0) }.max() ?? 4
        let typeCap = width >= 80 ? 13 : (width >= 60 ? 10 : 7)
        typeWidth = min(max(longestType, 4), typeCap)
        typeLabels = Self.labels(types, width: typeWidth)

        let tasks = model.store.taskCounts.filter { $0.value > 0 && !$0.key.isEmpty }.map(\.key)
        let prefix = tasks.count >= 2 ? Self.sharedPrefixLength(tasks) : 0
        taskPrefixLength = prefix
        let longestTask = tasks.map { TextSanitizer.width($0.dropFirst(prefix)) + (prefix > 0 ? 1 : 0) }.max() ?? 0
        taskWidth = width >= 60 ? min(longestTask, width >= 120 ? 28 : 16) : 0

        let agents = model.agentsSeen.filter { $0.value > 0 && !$0.key.isEmpty }.map(\.key)
        let longestAgent = agents.map { TextSanitizer.width($0) }.max() ?? 0
        agentWidth = width >= 70 ? min(longestAgent, width >= 120 ? 16 : 10) : 0

        // The preview keeps at least a third of the row: drop the agent, then the task, when it would not.
        let fixed = (time == .long ? 15 : time == .short ? 9 : 0) + typeWidth + 3
        if width - fixed - (agentWidth > 0 ? agentWidth + 1 : 0) - (taskWidth > 0 ? taskWidth + 1 : 0) < width / 3 {
            agentWidth = 0
        }
        if width - fixed - (taskWidth > 0 ? taskWidth + 1 : 0) < width / 3 { taskWidth = 0 }
    }

    /// The text of the task column for `task`: without the shared prefix, which a leading `…` stands for.
    func taskText(_ task: String) -> String {
        guard !task.isEmpty, taskPrefixLength > 0, task.count > taskPrefixLength else { return task }
        return "…" + task.dropFirst(taskPrefixLength)
    }

    /// Draws one message's row.
    /// - Parameters:
    ///   - message: the message.
    ///   - utcOffset: seconds added to UTC for the clock.
    ///   - replies: how many messages name it as a parent, shown as `↩ N` before the preview when not 0.
    ///   - lead: drawn before the preview (the thread view's tree lines).
    ///   - highlight: the search whose matches are marked in the preview.
    ///   - bookmarked: marks the row with `*` after the time.
    ///   - relativeTo: shows `3m ago` (before this time) instead of the clock.
    ///   - row: the grid row.
    ///   - grid: the grid drawn into.
    func drawRow(
        _ message: BusMessage,
        utcOffset: Int,
        replies: Int = 0,
        lead: String = "",
        highlight: MatchFinder? = nil,
        bookmarked: Bool = false,
        relativeTo: BusTimestamp? = nil,
        row: Int,
        into grid: inout CellGrid
    ) {
        var column = 0
        switch (time, relativeTo) {
        case (.none, _): break
        case (_, let now?):
            // Right-aligned in the clock's own width, so the columns after it stay where they were.
            let width = time == .long ? 14 : 8
            let text = String(RelativeTime.text(message.timestamp, now: now).suffix(width))
            grid.write(String(repeating: " ", count: width - text.count) + text, row: row, column: 0)
            column = width
        case (.long, nil):
            column = grid.write(TimeText.monthDayClock(message.timestamp, utcOffset: utcOffset), row: row, column: 0)
        case (.short, nil):
            column = grid.write(TimeText.clock(message.timestamp, utcOffset: utcOffset), row: row, column: 0)
        }
        if column > 0 {
            // A bookmark (`m`) takes the blank between the time and the type.
            if bookmarked { grid.write("*", row: row, column: column, style: CellStyle(.bold, color: .yellow)) }
            column += 1
        }
        let style = CellStyle(.bold, color: TypeStyle.color(for: message.type))
        let label = typeLabels[message.type] ?? message.type
        var next = grid.write("[", row: row, column: column, style: style)
        next = grid.writeFitted(
            label,
            row: row,
            column: next,
            columns: min(typeWidth, grid.width - next - 1),
            style: style
        )
        next = grid.write("]", row: row, column: next, style: style)
        column = min(grid.width, column + typeWidth + 3)
        if agentWidth > 0 {
            let agent = MonitorModel.agent(of: message)
            grid.writeFitted(agent, row: row, column: column, columns: agentWidth, style: AgentStyle.style(for: agent))
            column = min(grid.width, column + agentWidth + 1)
        }
        if taskWidth > 0 {
            grid.writeFitted(
                taskText(message.taskID),
                row: row,
                column: column,
                columns: taskWidth,
                style: CellStyle(.dim)
            )
            column = min(grid.width, column + taskWidth + 1)
        }
        if !lead.isEmpty { column = grid.write(lead, row: row, column: column, style: CellStyle(.dim)) }
        if replies > 0 {
            // Before the preview, not after it: a long first line would push it off the row.
            column = grid.write("↩ \(replies) ", row: row, column: column, style: CellStyle(.bold, color: .cyan))
        }
        let previewStart = column
        grid.writeFitted(MessagePreview.line(message.body), row: row, column: column, columns: grid.width - column)
        if let highlight { Highlight.apply(highlight, row: row, columns: previewStart..<grid.width, into: &grid) }
    }

    /// Length of the prefix every value shares, cut back to just after its last separator (`-`, `_`, `/`, `.`,
    /// `:`), so the dropped part is whole words; 0 when that leaves nothing to drop.
    static func sharedPrefixLength(_ values: [String]) -> Int {
        guard var prefix = values.first.map(Array.init) else { return 0 }
        for value in values.dropFirst() {
            let characters = Array(value)
            var length = 0
            while length < prefix.count, length < characters.count, prefix[length] == characters[length] { length += 1 }
            prefix.removeSubrange(length...)
        }
        // Never the whole of a value: something must remain to tell it apart.
        let shortest = values.map(\.count).min() ?? 0
        if prefix.count >= shortest { prefix.removeSubrange(max(0, shortest - 1)...) }
        guard let cut = prefix.lastIndex(where: { "-_/.:".contains($0) }) else { return 0 }
        return cut + 1
    }

    /// A label of at most `width` columns for every type, no two alike: the type itself when it fits, else its
    /// start, `…` and as much of its end as it takes to tell it from the others.
    static func labels(_ types: [String], width: Int) -> [String: String] {
        var labels: [String: String] = [:]
        var taken = Set<String>()
        let long = types.filter { TextSanitizer.width($0) > width }.sorted()
        for type in types where TextSanitizer.width(type) <= width {
            labels[type] = type
            taken.insert(type)
        }
        func abbreviation(_ type: String, tail: Int) -> String {
            let characters = Array(type)
            let head = max(0, width - 1 - tail)
            return String(characters.prefix(head)) + "…" + String(characters.suffix(tail))
        }
        for type in long {
            var chosen = TextSanitizer.fittedString(type, columns: width)
            for tail in 0..<max(1, width - 1) {
                let candidate = abbreviation(type, tail: tail)
                let clashes = long.contains { other in other != type && abbreviation(other, tail: tail) == candidate }
                if !clashes, !taken.contains(candidate) {
                    chosen = candidate
                    break
                }
            }
            labels[type] = chosen
            taken.insert(chosen)
        }
        return labels
    }
}

/// The one line a list row shows of a body: its first line with anything but white space in it (a body that
/// starts with blank lines still says something); a carriage return inside it is shown as `^M`, never obeyed.
enum MessagePreview {
    static func line(_ body: String) -> Substring {
        // "\r\n" is one Character in Swift: both it and "\n" end a line; a lone "\r" does not.
        for line in body.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.contains(where: { !$0.isWhitespace }) { return line }
        }
        return ""
    }
}

/// Each agent in a stable colour of its own (from its name), so one agent's rows are easy to follow.
enum AgentStyle {
    static let palette: [ColorRole] = [.cyan, .magenta, .yellow, .green, .blue, .red]

    static func style(for agent: String) -> CellStyle {
        guard !agent.isEmpty else { return .plain }
        let hash = agent.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
        return CellStyle([], color: palette[Int(hash % UInt32(palette.count))])
    }
}
