internal import BusCore

extension MonitorModel {
    /// Applies one key: overlays first, then the prompt, the compose box, the detail pane, the list.
    /// - Returns: what the event loop must do (quit, post, switch the mouse).
    mutating func handle(_ key: KeyEvent) -> MonitorAction {
        if key == .control("c") {
            // A draft is put aside, not thrown away: the first Ctrl-C closes the box, the second quits.
            guard let state = compose, !state.isBusy, !state.body.isEmpty else { return .quit }
            savedDraft = state
            compose = nil
            notice = "Ctrl-C again to quit; draft kept (c reopens it)"
            settle()
            return .none
        }
        defer { settle() }
        // A notice is news until the next key; keys that have something to say set a new one below.
        if case .mouse = key {} else { notice = nil }
        if overlay != nil { return handleOverlay(key) }
        if askPrompt != nil { return handleAsk(key) }
        if prompt != nil { return handlePrompt(key) }
        if case .mouse(let event) = key { return handleMouse(event) }
        if compose != nil { return handleCompose(key) }
        if focus == .detail, detailOpen, handleDetail(key) { return .none }
        return handleList(key)
    }

    private mutating func handleList(_ key: KeyEvent) -> MonitorAction {
        let page = max(1, layout.listRows - 1)
        switch key {
        case .character("j"), .down: move(by: 1)
        case .character("k"), .up: move(by: -1)
        case .pageDown, .control("f"): move(by: page)
        case .pageUp, .control("b"): move(by: -page)
        case .character("g"), .home: select(position: 0)
        case .character("G"), .end: resumeFollowing()
        case .enter: openDetail()
        case .escape:
            // Esc in the list clears the text filter (type and task choices stay) and closes the detail pane.
            if !query.isEmpty { setQuery("") }
            closeDetail()
        case .tab, .backTab: setFocus(.detail)
        case .character("/"):
            prompt = LineEditor(query.text)
            promptError = nil
        case .character("t"): overlay = .picker(PickerState(kind: .type, counts: store.typeCounts, chosen: chosenTypes))
        case .character("T"): overlay = .picker(PickerState(kind: .task, counts: store.taskCounts, chosen: chosenTasks))
        case .character("n"): findNext(step: 1)
        case .character("N"): findNext(step: -1)
        case .character("F"):
            if following { pauseFollowing() } else { resumeFollowing() }
        case .character("c"):
            compose = savedDraft ?? ComposeState()
            savedDraft = nil
        case .character("p"): jumpToParent()
        case .control("o"), .backspace: jumpBack()
        case .character("r"): openThread()
        case .character("a"): startReply()
        case .character("?"): overlay = .help(scroll: 0)
        case .character("!"): openMalformedList()
        case .character("M"): return .setMouse(toggleMouse())
        case .character("m"): toggleBookmark()
        case .character("'"): nextBookmark()
        case .character("u"): nextUnansweredQuestion()
        case .character("e"): nextFailure(step: 1)
        case .character("E"): nextFailure(step: -1)
        case .character("y"): return copySelected(whole: false)
        case .character("Y"): return copySelected(whole: true)
        case .character("o"): return pageSelected()
        case .character("w"): askPrompt = AskPrompt(kind: .export)
        case .character("@"): askPrompt = AskPrompt(kind: .goToTime)
        case .character("R"): relativeTimes.toggle()
        case .character("s"): toggleSwarm()
        case .character("q"):
            if detailOpen {
                closeDetail()
            } else {
                return .quit
            }
        default: break
        }
        return .none
    }

    /// Scroll keys of the focused detail pane; false for keys the list handles instead.
    private mutating func handleDetail(_ key: KeyEvent) -> Bool {
        let page = max(1, layout.detailRows - 1)
        switch key {
        case .character("j"), .down: scrollDetail(by: 1)
        case .character("k"), .up: scrollDetail(by: -1)
        case .pageDown, .control("f"), .character(" "): scrollDetail(by: page)
        case .pageUp, .control("b"): scrollDetail(by: -page)
        case .character("g"), .home: scrollDetail(to: 0)
        case .character("G"), .end: scrollDetail(to: Int.max / 2)
        case .tab, .backTab: setFocus(.list)
        case .escape, .character("q"): closeDetail()
        case .character("n"): findInDetail(step: 1)
        case .character("N"): findInDetail(step: -1)
        default: return false
        }
        return true
    }

    private mutating func handleOverlay(_ key: KeyEvent) -> MonitorAction {
        switch overlay {
        case .help(let scroll):
            switch key {
            case .character("j"), .down: overlay = .help(scroll: min(scroll + 1, HelpView.lines.count - 1))
            case .character("k"), .up: overlay = .help(scroll: max(0, scroll - 1))
            case .escape, .character("q"), .character("?"), .enter: overlay = nil
            default: break
            }
        case .picker(var picker):
            switch key {
            case .character("j"), .down: picker.move(1)
            case .character("k"), .up: picker.move(-1)
            case .pageDown: picker.move(10)
            case .pageUp: picker.move(-10)
            case .character("g"), .home: picker.move(-picker.items.count)
            case .character("G"), .end: picker.move(picker.items.count)
            case .character(" "): picker.toggle()
            case .character("x"): picker.chosen = []
            case .enter:
                overlay = nil
                setChosen(picker.kind, picker.chosen)
                return .none
            case .escape, .character("q"):
                overlay = nil
                return .none
            default: break
            }
            overlay = .picker(picker)
        case .malformed(let state):
            return handleMalformedList(key, state)
        case .thread(let state):
            handleThread(key, state)
        case .swarm(let state):
            handleSwarm(key, state)
        case nil:
            break
        }
        return .none
    }

    /// The `/` prompt: the list follows the text as it is typed (`applyLiveFilter` after each batch of keys),
    /// Up/Down walk the history, Enter keeps the filter and records it, Esc clears it.
    private mutating func handlePrompt(_ key: KeyEvent) -> MonitorAction {
        guard var editor = prompt else { return .none }
        switch key {
        case .enter:
            let text = editor.text
            let parsed = MessageQuery(text)
            if let error = parsed.error {
                // An invalid pattern keeps the prompt open with its error, the list on the last valid filter.
                promptError = error
                return .none
            }
            prompt = nil
            promptError = nil
            promptDirty = false
            setQuery(text)
            filterHistory.endBrowsing()
            guard filterHistory.add(text) else { return .none }
            return .saveFilterHistory(filterHistory.entries)
        case .escape:
            prompt = nil
            promptError = nil
            promptDirty = false
            filterHistory.endBrowsing()
            setQuery("")
            return .none
        case .up:
            guard let text = filterHistory.older(than: editor.text) else { return .none }
            editor.set(text)
        case .down:
            guard let text = filterHistory.newer() else { return .none }
            editor.set(text)
        default:
            editor.edit(key)
        }
        if editor.text != prompt?.text { promptDirty = true }
        prompt = editor
        return .none
    }

    private mutating func handleCompose(_ key: KeyEvent) -> MonitorAction {
        guard var state = compose else { return .none }
        // While the writer works the text is frozen: the post cannot be called back once started.
        guard !state.isBusy else { return .none }
        let seen = store.typeCounts.keys
        // Ctrl-X Ctrl-E (bash's edit-and-execute) hands the draft to the editor; Ctrl-X alone waits for it.
        if state.pendingControlX {
            state.pendingControlX = false
            compose = state
            if key == .control("e") { return .editDraft(state.body.text) }
        } else if key == .control("x") {
            state.pendingControlX = true
            compose = state
            return .none
        }
        switch key {
        case .escape:
            compose = nil
            return .none
        case .enter:
            let type = state.type.text.trimmingSpaces
            let body = state.body.text
            guard !type.isEmpty else {
                state.error = "type is empty"
                compose = state
                return .none
            }
            guard body.contains(where: { !$0.isWhitespace }) else {
                state.error = "nothing to post: the body is empty"
                compose = state
                return .none
            }
            state.phase = .posting
            state.error = nil
            compose = state
            return .post(
                MessageDraft(
                    type: type,
                    projectID: state.reply?.projectID ?? postContext.projectID,
                    taskID: state.reply?.taskID ?? postContext.taskID,
                    runID: postContext.runID,
                    parents: state.reply.map { [BusParent(msgID: $0.msgID)] } ?? [],
                    body: body
                )
            )
        case .altEnter, .control("j"):
            state.field = .body
            state.body.insert("\n")
        case .tab, .backTab:
            if state.field == .body {
                state.field = .type
            } else if let suggestion = state.suggestion(seen: seen) {
                state.type.set(suggestion)
            } else {
                state.field = .body
            }
            state.completion = nil
        case .up:
            if state.field == .type { state.cycleCompletion(step: -1, seen: seen) } else { state.body.up() }
        case .down:
            if state.field == .type { state.cycleCompletion(step: 1, seen: seen) } else { state.body.down() }
        default:
            if state.field == .type {
                state.type.edit(key)
                state.completion = nil
            } else {
                state.body.edit(key)
            }
            state.error = nil
        }
        compose = state
        return .none
    }

    private mutating func handleMouse(_ event: MouseEvent) -> MonitorAction {
        let layout = self.layout
        if let detail = layout.detail, detail.contains(row: event.row) {
            switch event.kind {
            case .wheelUp: scrollDetail(by: -3)
            case .wheelDown: scrollDetail(by: 3)
            case .press, .doubleClick: setFocus(.detail)
            }
            return .none
        }
        guard layout.list.contains(row: event.row) else { return .none }
        switch event.kind {
        case .wheelUp: move(by: -3)
        case .wheelDown: move(by: 3)
        case .press, .doubleClick:
            guard let position = position(atListRow: event.row - layout.list.top) else { return .none }
            select(position: position)
            if compose == nil { setFocus(.list) }
            if event.kind == .doubleClick { openDetail() }
        }
        return .none
    }
}

extension LineEditor {
    /// The editing keys shared by every text field.
    mutating func edit(_ key: KeyEvent) {
        switch key {
        case .character(let character): insert(character)
        case .backspace: backspace()
        case .delete: deleteForward()
        case .left: left()
        case .right: right()
        case .home, .control("a"): home()
        case .end, .control("e"): end()
        case .control("u"): deleteToLineStart()
        case .control("w"): deleteWordBackward()
        case .alt("b"): wordLeft()
        case .alt("f"): wordRight()
        default: break
        }
    }
}
