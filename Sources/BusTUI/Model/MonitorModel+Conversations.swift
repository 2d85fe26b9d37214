internal import BusCore

/// Following conversations: the thread view (`r`), replies (`a`) and the reply counts behind them.
extension MonitorModel {
    /// Replies to the message at store index `index` (messages naming it as a parent).
    func replyCount(_ index: Int) -> Int {
        store.replyCount(at: index)
    }

    /// Opens the thread view on the selected message, its cursor on that message.
    mutating func openThread() {
        guard let current = selection else { return }
        let tree = ThreadTree(store: store, root: current)
        overlay = .thread(ThreadViewState(rootKey: store.key(at: current), tree: tree, cursor: tree.rootRow))
    }

    /// Builds an open thread view again after the store changed (a reply arrived, indices moved), keeping its
    /// cursor on the same message; closes it when its message is gone.
    mutating func refreshThread() {
        guard case .thread(let state) = overlay else { return }
        guard let root = store.index(of: state.rootKey) else {
            overlay = nil
            return
        }
        // Rows carry keys: the indices of the old tree may name other messages once late ones merged in.
        let cursorKey = state.tree.rows.indices.contains(state.cursor) ? state.tree.rows[state.cursor].key : nil
        var fresh = ThreadViewState(rootKey: state.rootKey, tree: ThreadTree(store: store, root: root), cursor: 0)
        fresh.cursor =
            fresh.tree.rows.firstIndex { $0.key == cursorKey } ?? min(state.cursor, max(0, fresh.tree.rows.count - 1))
        fresh.top = state.top
        overlay = .thread(fresh)
    }

    /// Keys of the thread view: move, Enter selects the message in the list and opens it, Esc returns.
    mutating func handleThread(_ key: KeyEvent, _ state: ThreadViewState) {
        var state = state
        let page = max(1, threadRows - 1)
        switch key {
        case .character("j"), .down: state.move(1)
        case .character("k"), .up: state.move(-1)
        case .pageDown, .control("f"): state.move(page)
        case .pageUp, .control("b"): state.move(-page)
        case .character("g"), .home: state.move(-state.tree.rows.count)
        case .character("G"), .end: state.move(state.tree.rows.count)
        case .enter:
            overlay = nil
            guard state.tree.rows.indices.contains(state.cursor) else { return }
            goTo(state.tree.rows[state.cursor].index)
            openDetail()
            return
        case .escape, .character("q"), .character("r"):
            overlay = nil
            return
        default: break
        }
        overlay = .thread(state)
    }

    /// Rows of the thread view that show messages: the screen between the status and hint bars, less its title.
    var threadRows: Int { max(0, height - 3) }

    /// Keeps the thread view's cursor on screen.
    mutating func settleThread() {
        guard case .thread(var state) = overlay else { return }
        let rows = max(1, threadRows)
        if state.cursor < state.top { state.top = state.cursor }
        if state.cursor >= state.top + rows { state.top = state.cursor - rows + 1 }
        state.top = min(max(0, state.top), max(0, state.tree.rows.count - rows))
        overlay = .thread(state)
    }

    /// Opens the compose box as a reply to the selected message: its id as the parent, ANSWER to a QUESTION
    /// (else FACT), and the project and task of the message answered (the monitor's own where it has none), so
    /// the reply lands in the conversation it answers.
    mutating func startReply() {
        guard let message = selected?.message else {
            notice = "no message to reply to"
            return
        }
        let type = message.type.uppercased() == "QUESTION" ? "ANSWER" : "FACT"
        let task = message.taskID.isEmpty ? postContext.taskID : message.taskID
        let project = message.projectID.isEmpty ? postContext.projectID : message.projectID
        var reply = ComposeState(
            type: type,
            reply: ComposeState.Reply(msgID: message.msgID, projectID: project, taskID: task)
        )
        // A draft put aside with Ctrl-C keeps its text: the reply starts from it rather than dropping it.
        if let draft = savedDraft { reply.body = draft.body }
        compose = reply
        savedDraft = nil
    }
}
