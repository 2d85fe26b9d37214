internal import BusCore

/// What the event loop must do after a key: the model itself never touches the terminal or the bus.
enum MonitorAction: Sendable, Equatable {
    case none
    case quit
    /// Append this message on a background thread and report back with `postFinished`.
    case post(MessageDraft)
    /// Turn terminal mouse capture on or off.
    case setMouse(Bool)
    /// Read a malformed record's bytes from its file and report back with `recordBytesRead`.
    case readRecordBytes(RecordBytesRequest)
    /// Write the filter history (oldest first) to its file.
    case saveFilterHistory([String])
    /// Put this text on the clipboard (OSC 52).
    case copy(String)
    /// Show this text in `$PAGER`, leaving the screen meanwhile.
    case page(String)
    /// Edit the compose box's draft in `$EDITOR` and report back with `draftEdited`.
    case editDraft(String)
    /// Write messages to a file and report back with `exportFinished`.
    case export(ExportRequest)
}

/// Everything the monitor shows, and how keys change it: the pure core of the terminal UI.
///
/// Messages of every source are merged in time order (`MessageStore`); `visible` holds the indices that pass
/// the filters, kept up to date incrementally as messages arrive. The selection is an index into the store and
/// is always visible (or nil when nothing is).
struct MonitorModel: Sendable {
    enum Focus: Sendable, Equatable {
        case list
        case detail
    }

    enum Overlay: Sendable, Equatable {
        case help(scroll: Int)
        case picker(PickerState)
        /// The malformed records (`!`).
        case malformed(MalformedListState)
        /// The conversation around a message (`r`).
        case thread(ThreadViewState)
        /// One row per task (`s`).
        case swarm(SwarmState)
    }

    /// The first thing in the status bar: the title, bus path or project.
    let sourceLabel: String
    let postContext: PostContext
    /// Seconds added to UTC for the clock column (the local offset when the monitor started).
    var utcOffset = 0

    private(set) var store = MessageStore()
    private(set) var sourceNames: [Int32: String] = [:]
    /// The records the buses skipped as malformed or torn, for the status bar's count and the `!` overlay.
    private(set) var malformedLog = MalformedLog()
    private(set) var query = MessageQuery("")
    /// The last non-empty text filter: `n`/`N` keep finding its matches after Esc cleared the filter.
    private(set) var search: MessageQuery?
    private(set) var chosenTypes: Set<String> = []
    private(set) var chosenTasks: Set<String> = []
    /// Store indices of the messages that pass the filters, ascending.
    private(set) var visible: [Int] = []
    /// Store index of the selected message; always in `visible`.
    private(set) var selection: Int?
    /// First visible position shown in the list.
    private(set) var listTop = 0
    private(set) var following = true
    /// Messages that arrived (and pass the filters) while paused.
    private(set) var newCount = 0
    private(set) var width: Int
    private(set) var height: Int
    private(set) var detailOpen = false
    private(set) var detailScroll = 0
    private(set) var focus = Focus.list
    var overlay: Overlay?
    /// The `/` prompt while it is open.
    var prompt: LineEditor?
    /// Why the prompt's text is not a valid filter (a bad regex); the list keeps the last valid one.
    var promptError: String?
    /// The prompt's text changed since the list was last filtered by it.
    var promptDirty = false
    /// Filters applied with Enter, for Up/Down in the prompt.
    var filterHistory = FilterHistory()
    var compose: ComposeState?
    private(set) var mouseEnabled = true
    /// The latest event worth telling (rotation, truncation, search wrapped...); gone at the next key.
    var notice: String?
    /// A standing problem (a non-UTF-8 locale): shown until the monitor exits, unlike a notice.
    var warning: String?
    /// Why a server's stream is down while it is retried (nil when connected or reading files): the status bar
    /// says "reconnecting" until it is back.
    var reconnecting: String?
    /// Boxes, the list/detail border and rules drawn with `-`, `|` and `+`: a locale that is not UTF-8 cannot
    /// carry line drawing (ncurses would fall back to the terminal's alternate charset, VT100 graphics).
    var asciiBoxes = false
    /// The draft a Ctrl-C put aside: the next `c` opens it again.
    var savedDraft: ComposeState?
    /// The id of a message this monitor posted, to select once it is read back (so a post made while paused
    /// is brought into view).
    private(set) var revealID: String?
    /// The last reset each source reported, so a creation is only news after a deletion.
    private var lastReset: [Int32: TailReset] = [:]
    /// Agents seen (`meta.agent`, else the run id), for the agent column's width.
    var agentsSeen: [String: Int] { store.agentCounts }
    /// The outcome of the last post: `posted <id>` or `post failed: <reason>`.
    var postResult: String?
    private(set) var detailCache: DetailCache?
    /// The older part of large buses, loading in the background: bytes read of all; nil when nothing loads.
    var historyProgress: (done: Int, total: Int)?
    /// The sources whose older part is still to come; a truncated source's is dropped (it is read again whole).
    private(set) var historyPending: Set<Int32> = []
    /// Where jumps (`p`, the thread view, bookmarks, `u`, `e`) came from, for Ctrl-O / Backspace.
    var jumps = JumpHistory()
    /// Messages marked with `m`.
    var bookmarks = Bookmarks()
    /// The `w` or `@` prompt while it is open.
    var askPrompt: AskPrompt?
    /// The wall clock, set by the event loop at each wake-up (zero in tests that do not set it).
    var now = BusTimestamp.zero {
        didSet { refreshActivity() }
    }
    /// Messages per minute of the last 30 minutes for the status bar's sparkline; kept here, not counted per
    /// frame, and counted again only when the clock's second or the number of messages changed.
    private(set) var activity: [Int] = []
    private var activityKey = (seconds: Int64(0), count: 0)
    /// The list shows how long ago each message came (`R`) instead of its clock time.
    var relativeTimes = false
    /// Seconds of silence after which the swarm panel marks a task stale (`--stale`).
    var staleAfter: Int64 = 600
    /// The detail pane's line `n`/`N` found last.
    var detailMatch: DetailMatch?

    init(sourceLabel: String, postContext: PostContext, width: Int = 80, height: Int = 24) {
        self.sourceLabel = sourceLabel
        self.postContext = postContext
        self.width = width
        self.height = height
    }

    // MARK: Derived state

    var layout: ScreenLayout {
        let bodyLines = compose?.body.lineCount ?? 1
        return ScreenLayout(
            width: width,
            height: height,
            detailOpen: detailOpen,
            composeOpen: compose != nil,
            composeLines: bodyLines
        )
    }

    /// Position of the selection in `visible`.
    var cursor: Int? {
        guard let selection else { return nil }
        let position = Self.lowerBound(visible, selection)
        return position < visible.count && visible[position] == selection ? position : nil
    }

    var selected: StoredMessage? { selection.map { store[$0] } }

    var malformedTotal: Int { malformedLog.total }

    var typeCounts: [String: Int] { store.typeCounts }

    // MARK: Input from the buses

    /// Registers a bus so the detail pane can name where a message came from.
    mutating func addSource(_ source: Int32, name: String) {
        sourceNames[source] = name
    }

    /// Adds messages read from `source` (in file order) and the records the read skipped as malformed.
    mutating func ingest(_ messages: [BusMessage], malformed: [MalformedRecord] = [], source: Int32) {
        if !malformed.isEmpty {
            malformedLog.add(malformed, source: source)
            settleMalformedList()
        }
        guard !messages.isEmpty else { return }
        let selectedKey = selection.map { store.key(at: $0) }
        let before = visible.count
        let start = store.append(messages, source: source)
        if let current = selection, current >= start, let selectedKey {
            selection = store.index(of: selectedKey, from: start)
        }
        refilter(from: start)
        let added = visible.count - before
        if !following, added > 0 { newCount += added }
        fixSelection()
        revealPosted(from: start)
        storeChanged()
    }

    /// Counts the sparkline's minutes again when the clock or the messages moved (nothing without a clock).
    private mutating func refreshActivity() {
        guard now != .zero else { return }
        guard activityKey.seconds != now.seconds || activityKey.count != store.count else { return }
        activityKey = (now.seconds, store.count)
        activity = Sparkline.counts(store, now: now)
    }

    /// Who wrote a message, for the agent column: `meta.agent`, else the run id.
    static func agent(of message: BusMessage) -> String {
        if let agent = message.meta["agent"], !agent.isEmpty { return agent }
        return message.runID
    }

    /// Selects the message this monitor posted once it has been read back, wherever the list was.
    private mutating func revealPosted(from start: Int) {
        guard let id = revealID else { return }
        guard let index = store.lastIndex(ofMessageID: id, from: start) else { return }
        revealID = nil
        guard passes(index) else { return }
        if index != visible.last { following = false }
        if index != selection { detailScroll = 0 }
        selection = index
    }

    /// An open picker's counts follow the messages as they arrive (its cursor stays on the same name).
    private mutating func refreshPicker() {
        guard case .picker(let picker) = overlay else { return }
        let counts = picker.kind == .type ? store.typeCounts : store.taskCounts
        var fresh = PickerState(kind: picker.kind, counts: counts, chosen: picker.chosen)
        let name = picker.items.indices.contains(picker.cursor) ? picker.items[picker.cursor].name : nil
        fresh.cursor = name.flatMap { name in fresh.items.firstIndex { $0.name == name } } ?? picker.cursor
        fresh.cursor = min(fresh.cursor, max(0, fresh.items.count - 1))
        fresh.top = picker.top
        overlay = .picker(fresh)
    }

    /// Tells a source's reset in the status bar when it is news: a bus that appears for the first time (the
    /// demo's task buses, a rotation's new file) is not; one that comes back after being deleted is.
    mutating func noteReset(_ reset: TailReset, source: Int32) {
        defer { lastReset[source] = reset }
        if reset == .created {
            guard lastReset[source] == .deleted else { return }
        }
        notice = reset.description
    }

    /// Replaces messages whose records grew since they were read (the tailer's revisions), in place.
    mutating func revise(_ messages: [BusMessage], source: Int32) {
        let changed = messages.compactMap { store.revise($0, source: source) }
        guard let first = changed.min() else { return }
        refilter(from: first)
        fixSelection()
        storeChanged()
    }

    /// `source` now reads another file whose offsets start again (rotation, replacement, creation); what was
    /// read from the earlier one stays on screen.
    mutating func sourceRestarted(_ source: Int32) {
        malformedLog.restart(source: source)
    }

    /// Forgets everything read from `source`: its file was truncated and will be read again from the start.
    mutating func resetSource(_ source: Int32) {
        let selectedKey = selection.map { store.key(at: $0) }
        store.removeSource(source)
        historyPending.remove(source)
        malformedLog.reset(source: source)
        bookmarks.keep { $0.source != source }
        selection = selectedKey.flatMap { store.index(of: $0) }
        refilter(from: 0)
        fixSelection()
        storeChanged()
    }

    /// Notes that the older part of `sources` (`total` bytes) loads in the background.
    mutating func expectHistory(of sources: Set<Int32>, bytes total: Int) {
        historyPending = sources
        historyProgress = sources.isEmpty ? nil : (0, total)
    }

    /// Adds the older part of a bus, read after its newest messages were shown.
    ///
    /// It is merged in time order with everything on screen, and the list keeps its place: the selection stays
    /// on its message (the newest while following), and the first row shown stays the first row.
    mutating func addHistory(_ messages: [BusMessage], malformed: [MalformedRecord] = [], source: Int32) {
        var batch = MessageBatch(messages)
        addHistory(&batch, malformed: malformed, source: source)
    }

    /// `addHistory` for a batch read by the history loader (large buses keep records' places), leaving it empty.
    mutating func addHistory(_ batch: inout MessageBatch, malformed: [MalformedRecord] = [], source: Int32) {
        guard historyPending.remove(source) != nil else { return }
        if !malformed.isEmpty {
            malformedLog.add(malformed, source: source)
            settleMalformedList()
        }
        guard !batch.isEmpty else { return }
        let selectedKey = selection.map { store.key(at: $0) }
        let topKey = visible.indices.contains(listTop) ? store.key(at: visible[listTop]) : nil
        store.prepend(&batch, source: source)
        selection = selectedKey.flatMap { store.index(of: $0) }
        refilter(from: 0)
        if let topKey, let index = store.index(of: topKey) { listTop = Self.lowerBound(visible, index) }
        fixSelection()
        storeChanged()
    }

    /// What follows any change of the stored messages, once `visible` and the selection are right again: the
    /// views derived from the store (sparkline, picker counts, thread view, swarm panel), then the layout.
    private mutating func storeChanged() {
        refreshActivity()
        refreshPicker()
        refreshThread()
        refreshSwarm()
        settle()
    }

    mutating func resize(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        settle()
    }

    // MARK: Posting

    /// The writer found the lock held and is waiting for it.
    mutating func postWaitingForLock() {
        compose?.phase = .waitingForLock
    }

    /// The background post ended: success closes the box, failure keeps the text for another try.
    mutating func postFinished(_ result: Result<String, BusError>) {
        postEnded(result.mapError { PostFailure($0.description) })
    }

    /// As `postFinished`, for any post (a server's failures come as its words, not as a `BusError`).
    mutating func postEnded(_ result: Result<String, PostFailure>) {
        switch result {
        case .success(let id):
            compose = nil
            savedDraft = nil
            postResult = "posted \(id)"
            revealID = id
            if let index = store.lastIndex(ofMessageID: id) {
                revealID = nil
                if passes(index) {
                    if index != visible.last { following = false }
                    selection = index
                }
            }
        case .failure(let error):
            compose?.phase = .editing
            compose?.error = error.description
            postResult = "post failed: \(error.description)"
        }
        settle()
    }

    // MARK: Filtering

    /// Whether the filters show the message at store index `index`.
    func passes(_ index: Int) -> Bool {
        listFilter.passes(index, in: store)
    }

    /// The filters as they stand, their tables made for the store's values now: build once per pass.
    var listFilter: ListFilter {
        ListFilter(types: chosenTypes, tasks: chosenTasks, query: query, symbols: store.symbols)
    }

    mutating func setQuery(_ text: String) {
        query = MessageQuery(text)
        if !query.isEmpty { search = query }
        refilterAll()
    }

    /// Filters the list by the prompt's text if it changed: called once per batch of keys, so a burst of
    /// typing or a paste refilters once, and a text with a bad regex leaves the list on the last valid filter.
    mutating func applyLiveFilter() {
        guard promptDirty, let editor = prompt else { return }
        promptDirty = false
        let parsed = MessageQuery(editor.text)
        promptError = parsed.error
        guard parsed.error == nil, parsed != query else { return }
        query = parsed
        if !query.isEmpty { search = query }
        refilterAll()
    }

    mutating func setChosen(_ kind: PickerState.Kind, _ chosen: Set<String>) {
        switch kind {
        case .type: chosenTypes = chosen
        case .task: chosenTasks = chosen
        }
        refilterAll()
    }

    mutating func clearFilters() {
        query = MessageQuery("")
        chosenTypes = []
        chosenTasks = []
        refilterAll()
    }

    private mutating func refilterAll() {
        refilter(from: 0)
        fixSelection()
        settle()
    }

    /// Redoes `visible` for store indices from `start` on; the part before is unchanged.
    private mutating func refilter(from start: Int) {
        var kept: [Int] = []
        swap(&kept, &visible)
        kept.removeSubrange(Self.lowerBound(kept, start)...)
        // Room for every index: address space only until written, and no copy each time the array outgrows it.
        kept.reserveCapacity(store.count)
        let filter = listFilter
        var index = start
        while index < store.count {
            if filter.passes(index, in: store) { kept.append(index) }
            index += 1
        }
        visible = kept
    }

    /// Keeps the selection on a visible message: the newest when following, else the same one or the nearest.
    private mutating func fixSelection() {
        guard let last = visible.last else {
            selection = nil
            return
        }
        if following {
            selection = last
            return
        }
        if let current = selection {
            let position = Self.lowerBound(visible, current)
            selection = position < visible.count ? visible[position] : last
        } else {
            selection = last
        }
    }

    // MARK: Selection

    /// Selects visible position `position` (clamped) and pins it.
    ///
    /// An explicit choice stops following (arrivals are counted as new) even on the newest message, until
    /// `G`/End resumes it.
    mutating func select(position: Int) {
        guard !visible.isEmpty else { return }
        let clamped = min(max(0, position), visible.count - 1)
        let target = visible[clamped]
        if target != selection { detailScroll = 0 }
        selection = target
        following = false
    }

    mutating func move(by delta: Int) {
        guard let cursor else { return }
        select(position: cursor + delta)
    }

    /// Follows new messages again (G, End, F): selects the newest and clears the "new" count.
    mutating func resumeFollowing() {
        following = true
        newCount = 0
        if let last = visible.last {
            if last != selection { detailScroll = 0 }
            selection = last
        }
    }

    mutating func pauseFollowing() {
        following = false
    }

    // MARK: Panes

    /// Opens the selected message; opening it pins it (following stops), so the pane keeps showing it.
    mutating func openDetail() {
        guard selection != nil else { return }
        following = false
        detailOpen = true
        detailScroll = 0
    }

    mutating func closeDetail() {
        detailOpen = false
        focus = .list
    }

    mutating func setFocus(_ focus: Focus) {
        self.focus = detailOpen ? focus : .list
    }

    mutating func scrollDetail(by delta: Int) {
        detailScroll = max(0, detailScroll + delta)
    }

    mutating func scrollDetail(to position: Int) {
        detailScroll = max(0, position)
    }

    mutating func toggleMouse() -> Bool {
        mouseEnabled.toggle()
        return mouseEnabled
    }

    // MARK: Search and parents

    /// Moves to the next (`step` 1) or previous (-1) visible message matching the last text filter, wrapping.
    mutating func findNext(step: Int) {
        guard let search, !visible.isEmpty else {
            notice = "no search yet: type / and a query"
            return
        }
        let start = cursor ?? (step > 0 ? -1 : visible.count)
        var position = start
        var wrapped = false
        // The search as a filter without pickers: a large bus's records are looked at as bytes first.
        let finder = ListFilter(types: [], tasks: [], query: search, symbols: store.symbols)
        for _ in 0..<visible.count {
            position += step
            if position >= visible.count {
                position = 0
                wrapped = true
            } else if position < 0 {
                position = visible.count - 1
                wrapped = true
            }
            if finder.passes(visible[position], in: store) {
                select(position: position)
                if position == visible.count - 1 { following = false }
                notice = wrapped ? "search wrapped" : nil
                return
            }
        }
        notice = "no match for \(search.text)"
    }

    /// Selects the selected message's first parent, clearing filters that hide it.
    mutating func jumpToParent() {
        guard let current = selection else { return }
        guard let parent = store.parents(at: current).first else {
            notice = "this message has no parent"
            return
        }
        guard let index = store.index(ofMessageID: parent.msgID, before: current) else {
            notice = "parent \(parent.msgID) is not on these buses"
            return
        }
        goTo(index)
    }

    /// Selects store index `index` and pins it, clearing the filters when they hide it; the message left is
    /// remembered for Ctrl-O / Backspace unless `recordJump` is false (going back itself).
    mutating func goTo(_ index: Int, recordJump: Bool = true) {
        guard index >= 0, index < store.count else { return }
        if !passes(index) {
            clearFilters()
            notice = "filters cleared to show the message"
        }
        if recordJump, let current = selection, current != index { jumps.record(store.key(at: current)) }
        following = false
        if index != selection { detailScroll = 0 }
        selection = index
        settle()
    }

    /// Goes back to where the last jump came from (Ctrl-O / Backspace), skipping places no longer stored.
    mutating func jumpBack() {
        while let key = jumps.back() {
            guard let index = store.index(of: key) else { continue }
            goTo(index, recordJump: false)
            return
        }
        notice = "no earlier jump"
    }

    // MARK: Layout upkeep

    /// Visible position before which the `── N new ──` rule is drawn: where the messages that arrived while
    /// paused start; nil when following or nothing is new.
    var newRulePosition: Int? {
        guard !following, newCount > 0, newCount <= visible.count else { return nil }
        return visible.count - newCount
    }

    /// Blank rows above the first message: with fewer messages than rows the list sits at the bottom, next to
    /// the compose box, like a chat.
    var listPad: Int {
        let rule = newRulePosition.map { $0 >= listTop ? 1 : 0 } ?? 0
        return max(0, layout.listRows - (visible.count - listTop) - rule)
    }

    /// The visible position shown on list row `offset` (from the list's top), nil for a blank or the rule.
    func position(atListRow offset: Int) -> Int? {
        var position = listTop + offset - listPad
        guard position >= listTop else { return nil }
        if let rule = newRulePosition, rule >= listTop {
            if position == rule { return nil }
            if position > rule { position -= 1 }
        }
        return position < visible.count ? position : nil
    }

    /// Brings scroll positions back in range after any change: the selection stays on screen, the detail
    /// pane never scrolls past its end.
    mutating func settle() {
        if selection == nil { detailOpen = false }
        if !detailOpen { focus = .list }
        let layout = self.layout
        let rows = layout.listRows
        // Behind an overlay the list stands still; it catches up when the overlay closes.
        if let cursor, rows > 0, overlay == nil {
            if cursor < listTop { listTop = cursor }
            // The new-messages rule takes a row when it is drawn between the top and the selection.
            let ruleAbove = newRulePosition.map { $0 >= listTop && $0 <= cursor } ?? false
            let usable = max(1, ruleAbove ? rows - 1 : rows)
            if cursor >= listTop + usable { listTop = cursor - usable + 1 }
        }
        // Scrolled to the end, the rule's row comes on top of the rows the messages need.
        let ruleShown = newRulePosition.map { $0 >= listTop } ?? false
        listTop = min(max(0, listTop), max(0, visible.count - rows + (ruleShown ? 1 : 0)))
        if detailOpen, let message = selected {
            let contentWidth = max(1, layout.width - 1)
            // The message too, not only its key: a revision (the record grew) keeps the key.
            if detailCache?.key != message.key || detailCache?.width != contentWidth
                || detailCache?.message != message.message
            {
                detailCache = DetailCache(
                    key: message.key,
                    message: message.message,
                    width: contentWidth,
                    lines: DetailContent.lines(
                        message,
                        sourceName: sourceNames[message.source] ?? "",
                        width: contentWidth,
                        utcOffset: utcOffset
                    )
                )
            }
            let total = detailCache?.lines.count ?? 0
            detailScroll = min(detailScroll, max(0, total - layout.detailRows))
        } else {
            detailCache = nil
            detailScroll = 0
        }
        if case .picker(var picker) = overlay {
            let rows = max(1, PickerView.visibleRows(height: height, items: picker.items.count))
            if picker.cursor < picker.top { picker.top = picker.cursor }
            if picker.cursor >= picker.top + rows { picker.top = picker.cursor - rows + 1 }
            overlay = .picker(picker)
        }
        settleMalformedList()
        settleThread()
        settleSwarm()
    }

    /// First position in the ascending `array` whose value is at least `value`.
    static func lowerBound(_ array: [Int], _ value: Int) -> Int {
        var low = 0
        var high = array.count
        while low < high {
            let middle = (low + high) / 2
            if array[middle] < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}

/// The detail pane's lines for one message at one width, kept until either changes (a 1 MB body is wrapped
/// once, not per frame).
struct DetailCache: Sendable {
    var key: MessageKey
    /// The message the lines were made from.
    var message: BusMessage
    var width: Int
    var lines: [DisplayLine]
}
