internal import BusCore

/// Finding things: highlighted matches, `n`/`N` inside the detail pane, unanswered questions (`u`), errors
/// (`e`/`E`) and bookmarks (`m`, `'`).
extension MonitorModel {
    /// What the list and the detail pane highlight: the last text filter's words and patterns (the one `n`/`N`
    /// look for, kept after Esc cleared the filter, as less keeps its last search).
    var highlightFinder: MatchFinder? {
        guard let search else { return nil }
        let finder = MatchFinder(search)
        return finder.isEmpty ? nil : finder
    }

    /// True for a QUESTION no message names as a parent.
    static func isUnansweredQuestion(at index: Int, in store: MessageStore) -> Bool {
        isQuestion(store.symbols[store.entries[index].type]) && store.replyCount(at: index) == 0
    }

    static func isQuestion(_ type: String) -> Bool { type.uppercased() == "QUESTION" }

    /// True for a type that reports a failure: one containing ERROR, FAIL or CRASH (RUN_CRASH, TEST_FAILED).
    static func isFailure(_ type: String) -> Bool {
        let upper = type.uppercased()
        return upper.contains("ERROR") || upper.contains("FAIL") || upper.contains("CRASH")
    }

    /// Selects the next (`step` 1) or previous (-1) message after the selection that satisfies `condition`,
    /// wrapping: among those shown first, else anywhere (the filters are then cleared, and the notice says so).
    /// - Returns: false when no message satisfies it.
    @discardableResult
    mutating func jumpToNext(step: Int, what: String, where condition: (Int) -> Bool) -> Bool {
        let count = store.count
        guard count > 0 else {
            notice = "no \(what)"
            return false
        }
        let start = selection ?? (step > 0 ? -1 : count)
        var shownMatch: Int?
        var anyMatch: Int?
        var index = start
        var wrapped = false
        let filter = listFilter
        for _ in 0..<count {
            index += step
            if index >= count || index < 0 {
                index = index >= count ? 0 : count - 1
                wrapped = true
            }
            guard condition(index) else { continue }
            if anyMatch == nil { anyMatch = index }
            if filter.passes(index, in: store) {
                shownMatch = index
                break
            }
        }
        guard let target = shownMatch ?? anyMatch else {
            notice = "no \(what)"
            return false
        }
        goTo(target)
        if notice == nil, wrapped { notice = "wrapped" }
        return true
    }

    // The conditions read a copy of the store (copy on write: no copying happens), since `jumpToNext` mutates.
    mutating func nextUnansweredQuestion() {
        let store = self.store
        jumpToNext(step: 1, what: "unanswered QUESTION") {
            Self.isUnansweredQuestion(at: $0, in: store)
        }
    }

    mutating func nextFailure(step: Int) {
        let store = self.store
        jumpToNext(step: step, what: "ERROR, FAIL or CRASH message") {
            Self.isFailure(store.symbols[store.entries[$0].type])
        }
    }

    /// Marks or unmarks the selected message (`m`).
    mutating func toggleBookmark() {
        guard let key = selected?.key else { return }
        notice = bookmarks.toggle(key) ? "bookmarked (' cycles)" : "bookmark removed"
    }

    /// Selects the next bookmark after the selection, in time order, wrapping (`'`).
    mutating func nextBookmark() {
        guard !bookmarks.isEmpty else {
            notice = "no bookmarks: m marks a message"
            return
        }
        let (store, bookmarks) = (self.store, self.bookmarks)
        jumpToNext(step: 1, what: "bookmark") { bookmarks.contains(store.key(at: $0)) }
    }

    /// `n`/`N` in the focused detail pane: scrolls to the next (previous) line of the message holding a match
    /// of the last filter, wrapping within the message.
    mutating func findInDetail(step: Int) {
        guard let finder = highlightFinder else {
            notice = "no search yet: type / and a query"
            return
        }
        guard let key = selected?.key, let lines = detailCache?.lines, !lines.isEmpty else { return }
        let current = detailMatch?.key == key ? detailMatch?.line : nil
        let start = current ?? (step > 0 ? detailScroll - 1 : detailScroll + layout.detailRows)
        var line = start
        var wrapped = false
        for _ in 0..<lines.count {
            line += step
            if line >= lines.count || line < 0 {
                line = line >= lines.count ? 0 : lines.count - 1
                wrapped = true
            }
            if finder.matches(lines[line].glyphs.map(\.character)) {
                detailMatch = DetailMatch(key: key, line: line)
                // The match goes to the top of the pane, with one line of what leads up to it.
                scrollDetail(to: max(0, line - 1))
                notice = wrapped ? "search wrapped" : nil
                return
            }
        }
        notice = "no match in this message"
    }
}

/// The line of the detail pane that `n`/`N` last found, and for which message.
struct DetailMatch: Sendable, Equatable {
    var key: MessageKey
    var line: Int
}
