internal import BusCore

/// One row per task for the swarm panel (`s`): what it said last and when, how much, and what it still asks.
struct SwarmSummary: Sendable, Equatable {
    struct Row: Sendable, Equatable {
        var task: String
        /// Store index of the task's newest message.
        var last: Int
        var count: Int
        /// QUESTIONs of the task that no message names as a parent.
        var openQuestions: Int
    }

    private(set) var rows: [Row] = []

    /// Rows for every task in `store`, the most recently active first; one pass over the store.
    init(store: MessageStore) {
        // By symbol: one array slot per task, and the QUESTION test once per type, not per message.
        var byTask: [Symbol: Row] = [:]
        var questionTypes: [Symbol: Bool] = [:]
        for (index, entry) in store.entries.enumerated() {
            var row =
                byTask[entry.task] ?? Row(task: store.symbols[entry.task], last: index, count: 0, openQuestions: 0)
            row.count += 1
            // Store order is time order: the later index is the newer message.
            row.last = index
            let isQuestion = questionTypes[entry.type] ?? MonitorModel.isQuestion(store.symbols[entry.type])
            questionTypes[entry.type] = isQuestion
            if isQuestion, store.replyCount(at: index) == 0 {
                row.openQuestions += 1
            }
            byTask[entry.task] = row
        }
        rows = byTask.values.sorted { $0.last > $1.last }
    }

    /// True when the task's newest message is older than `staleAfter` seconds at `now`.
    static func isStale(_ last: BusTimestamp, now: BusTimestamp, staleAfter: Int64) -> Bool {
        now.seconds - last.seconds > staleAfter
    }
}

/// The swarm panel's state: the summary and its cursor.
struct SwarmState: Sendable, Equatable {
    var summary: SwarmSummary
    var cursor = 0
    var top = 0

    mutating func move(_ delta: Int) {
        guard !summary.rows.isEmpty else { return }
        cursor = min(max(0, cursor + delta), summary.rows.count - 1)
    }
}

/// Messages per minute over the last 30 minutes, drawn with block characters for the status bar.
enum Sparkline {
    static let minutes = 30
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Counts per minute, oldest first, the last bin ending at `now`; scans only the messages of that window
    /// (from the newest back), so it costs the same on a 100k-message bus as on a small one.
    static func counts(_ store: MessageStore, now: BusTimestamp, minutes: Int = minutes) -> [Int] {
        var bins = [Int](repeating: 0, count: minutes)
        var index = store.count - 1
        let start = now.seconds - Int64(minutes * 60)
        while index >= 0 {
            let seconds = store.entries[index].timestamp.seconds
            if seconds <= start { break }
            // Messages from a clock ahead of this one count in the newest minute.
            let bin = min(minutes - 1, Int((seconds - start - 1) / 60))
            bins[bin] += 1
            index -= 1
        }
        return bins
    }

    /// The bins as bars scaled to the busiest minute; a minute without messages is a blank.
    static func text(_ counts: [Int]) -> String {
        let peak = counts.max() ?? 0
        guard peak > 0 else { return String(repeating: " ", count: counts.count) }
        return String(
            counts.map { count in
                count == 0 ? " " : levels[min(levels.count - 1, (count * levels.count - 1) / peak)]
            }
        )
    }
}

extension MonitorModel {
    /// Opens the swarm panel (or closes it when open).
    mutating func toggleSwarm() {
        if case .swarm = overlay {
            overlay = nil
            return
        }
        overlay = .swarm(SwarmState(summary: SwarmSummary(store: store)))
    }

    /// An open swarm panel follows arrivals, its cursor staying on the same task.
    mutating func refreshSwarm() {
        guard case .swarm(let state) = overlay else { return }
        let task = state.summary.rows.indices.contains(state.cursor) ? state.summary.rows[state.cursor].task : nil
        var fresh = SwarmState(summary: SwarmSummary(store: store))
        fresh.cursor = fresh.summary.rows.firstIndex { $0.task == task } ?? min(state.cursor, fresh.summary.rows.count)
        fresh.move(0)
        fresh.top = state.top
        overlay = .swarm(fresh)
    }

    /// Keys of the swarm panel: move, Enter filters the list to the task, Esc or `s` close.
    mutating func handleSwarm(_ key: KeyEvent, _ state: SwarmState) {
        var state = state
        switch key {
        case .character("j"), .down: state.move(1)
        case .character("k"), .up: state.move(-1)
        case .character("g"), .home: state.move(-state.summary.rows.count)
        case .character("G"), .end: state.move(state.summary.rows.count)
        case .enter:
            overlay = nil
            guard state.summary.rows.indices.contains(state.cursor) else { return }
            setChosen(.task, [state.summary.rows[state.cursor].task])
            return
        case .escape, .character("q"), .character("s"):
            overlay = nil
            return
        default: break
        }
        overlay = .swarm(state)
    }

    /// Keeps the swarm panel's cursor on screen.
    mutating func settleSwarm() {
        guard case .swarm(var state) = overlay else { return }
        let rows = max(1, SwarmView.visibleRows(height: height, items: state.summary.rows.count))
        if state.cursor < state.top { state.top = state.cursor }
        if state.cursor >= state.top + rows { state.top = state.cursor - rows + 1 }
        overlay = .swarm(state)
    }
}
