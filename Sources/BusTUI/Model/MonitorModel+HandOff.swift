internal import BusCore

/// A one-line question at the bottom of the screen that is not the filter: where to write the shown messages
/// (`w`), which time to go to (`@`).
struct AskPrompt: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case export
        case goToTime
    }

    var kind: Kind
    var editor = LineEditor()
    /// Why the last answer was refused, shown on the right until the next edit.
    var error: String?

    var label: String {
        switch kind {
        case .export: "write shown messages to: "
        case .goToTime: "go to time: "
        }
    }

    var hint: String {
        switch kind {
        case .export: "  .jsonl or .md  Enter write  Esc cancel"
        case .goToTime: "  14:05, 2026-11-26 14:05, -10m, -2h  Esc cancel"
        }
    }
}

/// What `w` asks the event loop to write.
struct ExportRequest: Sendable, Equatable {
    var path: String
    var format: Exporter.Format
    var messages: [BusMessage]
}

/// Handing messages to other tools: the clipboard (`y`, `Y`), the pager (`o`), the editor (Ctrl-X Ctrl-E in
/// compose) and files (`w`).
extension MonitorModel {
    /// `y` copies the selected message's id, `Y` the whole message (its record as in the file).
    mutating func copySelected(whole: Bool) -> MonitorAction {
        guard let message = selected?.message else {
            notice = "nothing selected to copy"
            return .none
        }
        let text = whole ? Clipboard.record(message) : message.msgID
        guard text.utf8.count <= Clipboard.limit else {
            notice = "too large for the clipboard (\(text.utf8.count / 1024) KiB): o opens it in the pager"
            return .none
        }
        notice = whole ? "copied \(message.msgID) (whole message)" : "copied \(message.msgID)"
        return .copy(text)
    }

    /// `o`: the selected message in the pager.
    func pageSelected() -> MonitorAction {
        guard let message = selected?.message else { return .none }
        return .page(Clipboard.record(message))
    }

    /// The event loop ran the pager or the editor; `failure` says why it could not.
    mutating func externalFinished(_ failure: String?) {
        if let failure { notice = failure }
    }

    /// The editor (Ctrl-X Ctrl-E) returned `text`: it replaces the draft, without the line feed editors add.
    mutating func draftEdited(_ text: String?) {
        guard var state = compose, let text else { return }
        var body = text
        if body.hasSuffix("\n") { body.removeLast() }
        state.body.set(body)
        state.field = .body
        compose = state
    }

    /// Keys of the `w` and `@` prompts.
    mutating func handleAsk(_ key: KeyEvent) -> MonitorAction {
        guard var ask = askPrompt else { return .none }
        switch key {
        case .escape:
            askPrompt = nil
            return .none
        case .enter:
            let text = ask.editor.text.trimmingSpaces
            switch ask.kind {
            case .export:
                guard !text.isEmpty else {
                    ask.error = "name a file"
                    askPrompt = ask
                    return .none
                }
                guard let format = Exporter.format(forPath: text) else {
                    ask.error = "the name must end in .jsonl or .md"
                    askPrompt = ask
                    return .none
                }
                askPrompt = nil
                return .export(
                    ExportRequest(path: text, format: format, messages: visible.map { store.message(at: $0) })
                )
            case .goToTime:
                if let error = goToTime(text) {
                    ask.error = error
                    askPrompt = ask
                    return .none
                }
                askPrompt = nil
                return .none
            }
        default:
            ask.editor.edit(key)
            ask.error = nil
        }
        askPrompt = ask
        return .none
    }

    /// The event loop wrote (or failed to write) an export.
    mutating func exportFinished(_ result: Result<String, PostFailure>, count: Int) {
        switch result {
        case .success(let path): notice = "wrote \(count) message\(count == 1 ? "" : "s") to \(path)"
        case .failure(let failure): notice = "export failed: \(failure.description)"
        }
    }
}
