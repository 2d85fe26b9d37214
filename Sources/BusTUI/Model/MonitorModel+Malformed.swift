internal import BusCore

extension MonitorModel {
    /// `!`: opens the malformed-records overlay on the newest record, or says briefly that there is none.
    mutating func openMalformedList() {
        guard let newest = malformedLog.entries.last else {
            notice = "no malformed records"
            return
        }
        overlay = .malformed(MalformedListState(selected: newest.key))
    }

    /// Keys of the malformed-records overlay: move, show or hide the raw bytes, scroll them, close.
    /// - Returns: a read of the selected record's bytes when the pane shows a record not read yet.
    mutating func handleMalformedList(_ key: KeyEvent, _ state: MalformedListState) -> MonitorAction {
        var state = state
        let layout = MalformedListLayout(
            width: width,
            height: height,
            entries: malformedLog.entries.count,
            bytesOpen: state.bytesOpen
        )
        let listPage = max(1, layout.listRows - 1)
        let panePage = max(1, layout.paneRows - 1)
        switch key {
        case .character("j"), .down: moveMalformed(&state, by: 1)
        case .character("k"), .up: moveMalformed(&state, by: -1)
        case .character("g"), .home: moveMalformed(&state, by: -malformedLog.entries.count)
        case .character("G"), .end: moveMalformed(&state, by: malformedLog.entries.count)
        case .enter: state.bytesOpen.toggle()
        case .right, .character("l"): state.bytesOpen = true
        case .left, .character("h"): state.bytesOpen = false
        case .pageDown, .character(" "), .control("f"):
            if state.bytesOpen { state.bytesScroll += panePage } else { moveMalformed(&state, by: listPage) }
        case .pageUp, .control("b"):
            if state.bytesOpen {
                state.bytesScroll = max(0, state.bytesScroll - panePage)
            } else {
                moveMalformed(&state, by: -listPage)
            }
        case .escape, .character("q"), .character("!"):
            overlay = nil
            return .none
        default: break
        }
        let action = requestBytesIfNeeded(&state)
        overlay = .malformed(state)
        return action
    }

    /// The live layer read (or failed to read) a record's bytes: shown if that record is still the one asked for.
    mutating func recordBytesRead(_ key: MalformedKey, _ bytes: RecordBytes) {
        guard case .malformed(var state) = overlay, state.bytesKey == key else { return }
        state.bytes = bytes
        overlay = .malformed(state)
        settle()
    }

    private func moveMalformed(_ state: inout MalformedListState, by delta: Int) {
        let entries = malformedLog.entries
        guard !entries.isEmpty else { return }
        let current = state.selected.map { malformedLog.position(of: $0) } ?? entries.count - 1
        let target = min(max(0, current + delta), entries.count - 1)
        state.selected = entries[target].key
    }

    /// When the pane is open on a record whose bytes were not asked for yet, asks for them.
    private func requestBytesIfNeeded(_ state: inout MalformedListState) -> MonitorAction {
        guard state.bytesOpen, let key = state.selected, state.bytesKey != key,
            let entry = malformedLog.entry(key)
        else { return .none }
        state.bytesKey = key
        state.bytes = nil
        state.bytesScroll = 0
        guard let path = sourceNames[key.source], !path.isEmpty else {
            state.bytes = .failed("the file of this record is not known")
            return .none
        }
        // The bus path names the source's current file; an earlier one's bytes are in an archive (or gone).
        guard entry.generation == malformedLog.generations[key.source, default: 0] else {
            state.bytes = .failed("the file was rotated or replaced since this record was read")
            return .none
        }
        let count = min(max(0, entry.record.length), RecordBytesRequest.readCap)
        guard count > 0 else {
            state.bytes = .loaded([], requested: 0)
            return .none
        }
        return .readRecordBytes(RecordBytesRequest(key: key, path: path, offset: entry.record.offset, count: count))
    }

    /// Keeps the overlay consistent after any change: the selection on a kept record and on screen, the pane's
    /// lines wrapped for the current width, its scroll in range; closes it when every record is gone.
    mutating func settleMalformedList() {
        guard case .malformed(var state) = overlay else { return }
        let entries = malformedLog.entries
        guard !entries.isEmpty else {
            overlay = nil
            notice = "no malformed records"
            return
        }
        let layout = MalformedListLayout(
            width: width,
            height: height,
            entries: entries.count,
            bytesOpen: state.bytesOpen
        )
        let position = min(state.selected.map { malformedLog.position(of: $0) } ?? entries.count - 1, entries.count - 1)
        let selected = entries[position]
        state.selected = selected.key
        let rows = max(1, layout.listRows)
        if position < state.top { state.top = position }
        if position >= state.top + rows { state.top = position - rows + 1 }
        state.top = min(max(0, state.top), max(0, entries.count - rows))
        if state.bytesOpen {
            let bytes = state.bytesKey == selected.key ? state.bytes : nil
            let cache = state.pane
            if cache?.key != selected.key || cache?.width != layout.textColumns || cache?.bytes != bytes {
                state.pane = MalformedPaneCache(
                    key: selected.key,
                    width: layout.textColumns,
                    bytes: bytes,
                    lines: MalformedPaneContent.lines(
                        selected,
                        path: sourceNames[selected.source] ?? "",
                        bytes: bytes,
                        width: layout.textColumns
                    )
                )
            }
            let total = state.pane?.lines.count ?? 0
            state.bytesScroll = min(state.bytesScroll, max(0, total - layout.paneRows))
        } else {
            state.pane = nil
            state.bytesScroll = 0
        }
        overlay = .malformed(state)
    }
}
