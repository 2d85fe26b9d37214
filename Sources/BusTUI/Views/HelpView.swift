/// Every key, in an overlay opened with `?`.
enum HelpView {
    static let lines: [String] = [
        "j / k, Down / Up    move the selection (pins it: FOLLOW pauses)",
        "PgDn / PgUp         move a page",
        "g / Home            first message",
        "G / End             newest message, resume FOLLOW",
        "F                   toggle FOLLOW / PAUSED",
        "Enter               open the detail pane (pins the message)",
        "Esc                 close the detail pane, clear the text filter",
        "Tab                 switch focus between list and detail",
        "/                   text filter: words, /regex/ or re:regex,",
        "                    !negates a term, type:A,B task: run:",
        "                    project:, terms AND; the list follows as",
        "                    you type; Enter applies, Esc clears",
        "  Up / Down         in the prompt: filter history",
        "  Ctrl-W / Ctrl-U   delete a word / to the start",
        "  Ctrl-A / Ctrl-E   start / end; Alt-B / Alt-F word left/right",
        "n / N               next / previous match of the last filter;",
        "                    in the focused detail pane: the next",
        "                    line of the body with a match (matches",
        "                    are underlined in the list and the pane)",
        "u                   next unanswered QUESTION (no reply names it)",
        "e / E               next / previous ERROR, FAIL or CRASH type",
        "m / '               bookmark the message (* on its row) /",
        "                    go to the next bookmark",
        "t                   type picker (Space toggles, Enter applies,",
        "                    x clears)",
        "T                   task picker (same keys)",
        "p                   jump to the parent of the selected message",
        "Ctrl-O / Backspace  back to where the last jump came from",
        "r                   thread view: ancestors, the message, its",
        "                    replies as a tree; Enter opens one, Esc",
        "                    returns",
        "a                   reply: compose with the message as parent",
        "                    (ANSWER to a QUESTION, else FACT) in its",
        "                    task",
        "↩ N                 on a row: N messages name it as parent",
        "c                   compose: Enter posts, Ctrl-J or Alt-Enter",
        "                    newline, Tab type field (Tab completes),",
        "                    Up/Down types, Esc cancels, Ctrl-C keeps",
        "                    the draft for the next c; Ctrl-X Ctrl-E",
        "                    edits the draft in $VISUAL / $EDITOR",
        "y / Y               copy the msg_id / the whole message to the",
        "                    clipboard (OSC 52; in tmux: set -g",
        "                    set-clipboard on)",
        "o                   open the message in $PAGER (less -R)",
        "w                   write the shown messages to a file:",
        "                    .jsonl (read --json) or .md (a bus file)",
        "@                   go to a time: 14:05, 2026-11-26 14:05,",
        "                    -10m, -2h",
        "R                   ages (3m ago) instead of clock times",
        "s                   swarm panel: one row per task, last",
        "                    message, count, open QUESTIONs, STALE",
        "                    after --stale (10m); Enter shows the task",
        "M                   mouse on/off (off lets the terminal select)",
        "mouse               wheel scrolls, click selects, double click",
        "                    opens",
        "!                   malformed records: offset, line, file,",
        "                    reason; Enter shows the raw bytes",
        "?                   this help",
        "q                   close the open view, or quit",
        "Ctrl-C              quit",
    ]

    static func draw(scroll: Int, into grid: inout CellGrid) {
        let contentWidth = lines.map { DisplayWidth.of($0) }.max() ?? 0
        let box = OverlayBox(
            contentWidth: contentWidth + 2,
            contentHeight: lines.count,
            screenWidth: grid.width,
            screenHeight: grid.height
        )
        box.draw(title: "keys (q closes)", into: &grid)
        let inner = box.inner
        for offset in 0..<inner.rows {
            let index = scroll + offset
            guard index < lines.count else { break }
            grid.write(lines[index], row: inner.top + offset, column: inner.left + 1, limit: inner.left + inner.columns)
        }
    }
}
