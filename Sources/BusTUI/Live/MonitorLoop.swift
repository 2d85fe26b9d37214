#if os(Linux)
@preconcurrency import Glibc
internal import BusCore

/// The event loop: one `poll` on stdin, the wake-up pipe and every tailer's inotify descriptor; then keys,
/// post results and bus updates are applied to the model, and at most one frame is drawn per wake-up.
///
/// Idle, it blocks in `poll` for the tailers' recheck interval. Under a burst of appends it draws at most
/// `frameInterval` apart (the pending frame is drawn when the interval is up), so input never waits on drawing.
final class MonitorLoop {
    static let frameInterval = Duration.milliseconds(33)

    private var model: MonitorModel
    private let screen: TerminalScreen
    private let sources: BusSources
    private let wakeUp: SelfPipe
    private let worker: PostWorker
    private let postTarget: PostWorker.Target
    /// Events of a bus server, when the monitor follows one.
    private let feed: RemoteFeed?
    /// Where Enter in the filter prompt saves the history; nil keeps it for this run only.
    var historyFile: FilterHistoryFile?
    private let clock = ContinuousClock()
    private var lastFrame: ContinuousClock.Instant
    private var nextRecheck: ContinuousClock.Instant
    private var framePending = true
    /// Set when the terminal went away (POLLHUP on stdin without a SIGHUP): polling it again would spin.
    private var terminalGone = false
    /// Set when a read stopped at its cap with keys left in ncurses' buffer, which `poll` cannot see.
    private var inputPending = false

    init(
        model: MonitorModel,
        screen: TerminalScreen,
        sources: BusSources,
        wakeUp: SelfPipe,
        worker: PostWorker,
        postTarget: PostWorker.Target,
        feed: RemoteFeed?
    ) {
        self.model = model
        self.screen = screen
        self.sources = sources
        self.wakeUp = wakeUp
        self.worker = worker
        self.postTarget = postTarget
        self.feed = feed
        lastFrame = clock.now.advanced(by: .seconds(-1))
        nextRecheck = clock.now.advanced(by: sources.recheckInterval)
    }

    /// Runs until a quit key or a termination signal.
    /// - Parameter jobs: the older parts of large buses, read in the background once the first frame is drawn.
    func run(loadingHistory jobs: [HistoryLoader.Job] = []) {
        drawIfDue()
        let history = HistoryLoader(wakeUp: wakeUp)
        history.start(jobs)
        defer { history.stop() }
        while !TerminationSignals.requested {
            let readable = waitForEvents()
            wakeUp.drain()
            if TerminationSignals.requested || terminalGone { break }
            model.now = BusTimestamp.now()
            if handleKeys() { break }
            handlePostEvents()
            handleRemoteEvents()
            handleHistory(history.takeEvents())
            handleBuses(readable: readable)
            drawIfDue()
        }
    }

    private func handleHistory(_ events: [HistoryLoader.Event]) {
        for event in events {
            framePending = true
            switch event {
            case .progress(let done, let total): model.historyProgress = (done, total)
            case .loaded(let source, let handOff, let malformed):
                var batch = handOff.take() ?? MessageBatch()
                model.addHistory(&batch, malformed: malformed, source: source)
            case .failed(_, let error):
                model.notice = "history not read: \(error.description)"
            case .finished: model.historyProgress = nil
            }
        }
    }

    /// Blocks in `poll` until input, a wake-up, a bus change, the next frame or the next recheck.
    /// - Returns: the descriptors that are readable (empty on timeout or EINTR).
    private func waitForEvents() -> Set<Int32> {
        let now = clock.now
        var deadline = nextRecheck
        if framePending { deadline = min(deadline, lastFrame.advanced(by: Self.frameInterval)) }
        if inputPending { deadline = now }
        let wait = max(Duration.zero, now.duration(to: deadline))
        let milliseconds = Int32(
            clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000 + 1
        )
        let watched = [STDIN_FILENO, wakeUp.readFD] + sources.descriptors
        var fds = watched.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), milliseconds)
        guard ready > 0 else { return [] }
        // A hung-up terminal also reports POLLIN (reads return end of file): leave either way, or the loop
        // would spin on a descriptor that is always ready.
        if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            terminalGone = true
        }
        return Set(fds.filter { $0.revents != 0 }.map(\.fd))
    }

    /// Applies queued keys.
    ///
    /// - Returns: true to quit.
    private func handleKeys() -> Bool {
        var (keys, more) = screen.readKeys()
        inputPending = more
        guard !keys.isEmpty else { return false }
        if model.compose != nil { keys = KeyEvent.pastedEntersAsNewlines(keys) }
        framePending = true
        for key in keys {
            if key == .resize {
                let size = screen.size()
                model.resize(width: size.width, height: size.height)
                continue
            }
            switch model.handle(key) {
            case .none: break
            case .quit: return true
            case .setMouse(let enabled): screen.setMouse(enabled)
            case .readRecordBytes(let request):
                model.recordBytesRead(request.key, RecordBytesReader.read(request))
            case .saveFilterHistory(let entries):
                do throws(BusError) {
                    try historyFile?.save(entries)
                } catch {
                    model.notice = "filter history not saved: \(error.description)"
                }
            case .post(let draft):
                if !worker.start(draft, to: postTarget) {
                    model.postEnded(.failure(PostFailure("a post is already running")))
                }
            case .copy(let text): screen.writeRaw(Clipboard.osc52(text))
            case .page(let text): model.externalFinished(page(text))
            case .editDraft(let text): editDraft(text)
            case .export(let request): export(request)
            }
        }
        // Once per batch: typing fast or pasting into the filter refilters once, never per key.
        model.applyLiveFilter()
        return false
    }

    /// Shows `text` in `$PAGER` (default `less -R`) on its stdin.
    /// - Returns: why it failed, or nil.
    private func page(_ text: String) -> String? {
        let file: TemporaryFile
        do throws(BusError) {
            file = try TemporaryFile("run-agent-message", text: text)
        } catch {
            return "pager not started: \(error.description)"
        }
        defer { file.remove() }
        let pager = ExternalCommand.fromEnvironment("PAGER", fallback: "less -R")
        var failure: String?
        screen.suspend { failure = ExternalCommand.run(pager, stdinPath: file.path) }
        return failure
    }

    /// Edits the draft in `$VISUAL`, else `$EDITOR` (default `vi`), on a temporary `.md` file.
    private func editDraft(_ text: String) {
        let file: TemporaryFile
        do throws(BusError) {
            file = try TemporaryFile("run-agent-draft", suffix: ".md", text: text)
        } catch {
            model.externalFinished("editor not started: \(error.description)")
            return
        }
        defer { file.remove() }
        let editor = ExternalCommand.fromEnvironment(
            "VISUAL",
            fallback: ExternalCommand.fromEnvironment("EDITOR", fallback: "vi")
        )
        var failure: String?
        // The path goes in as "$1", so a space in TMPDIR cannot split it.
        screen.suspend { failure = ExternalCommand.run(editor + " \"$1\"", arguments: [file.path]) }
        if let failure {
            model.externalFinished(failure + "; the draft is unchanged")
            return
        }
        do throws(BusError) {
            model.draftEdited(try file.read())
        } catch {
            model.externalFinished("draft not read back: \(error.description)")
        }
    }

    /// Writes the shown messages to the file `w` named (`~/` is the home folder).
    private func export(_ request: ExportRequest) {
        var path = request.path
        if path.hasPrefix("~/"), let home = getenv("HOME").map({ String(cString: $0) }) {
            path = home + path.dropFirst(1)
        }
        if let refusal = ExportTarget.refusal(path, buses: sources.sources.map(\.path)) {
            model.exportFinished(.failure(PostFailure(refusal)), count: request.messages.count)
            return
        }
        do throws(BusError) {
            try FileBytes.replace(path, with: Exporter.bytes(request.messages, format: request.format))
            model.exportFinished(.success(request.path), count: request.messages.count)
        } catch {
            model.exportFinished(.failure(PostFailure(error.description)), count: request.messages.count)
        }
    }

    private func handlePostEvents() {
        for event in worker.takeEvents() {
            framePending = true
            switch event {
            case .waitingForLock: model.postWaitingForLock()
            case .finished(let result): model.postEnded(result)
            }
        }
    }

    private func handleRemoteEvents() {
        guard let feed else { return }
        for event in feed.takeEvents() {
            framePending = true
            model.apply(event)
        }
    }

    /// Refreshes the tailers that inotify woke, or all of them when the recheck interval is up; picks up new
    /// task folders in project mode.
    private func handleBuses(readable: Set<Int32>) {
        let now = clock.now
        let recheck = now >= nextRecheck
        if recheck {
            nextRecheck = now.advanced(by: sources.recheckInterval)
            // Ages ("12s ago") and the activity sparkline move with the clock, not only with messages.
            framePending = true
        }
        if recheck || sources.projectDescriptor.map(readable.contains) == true {
            for source in sources.discoverTasks() {
                model.addSource(source.id, name: source.path)
                apply(sources.refreshOne(source))
                framePending = true
            }
        }
        let updates = sources.refresh(readable: recheck ? nil : readable)
        for update in updates { apply(update) }
    }

    private func apply(_ update: BusSources.Update?) {
        guard let update else { return }
        framePending = true
        MonitorLoop.apply(update, to: &model)
    }

    /// Applies one source's refresh to the model: resets first (a truncation drops that source's messages,
    /// which are then read again; a rotation starts its offsets again), then revisions, then the new messages.
    static func apply(_ update: BusSources.Update, to model: inout MonitorModel) {
        switch update.result {
        case .failure(let error):
            model.notice = error.description
        case .success(let tail):
            for reset in tail.resets {
                model.noteReset(reset, source: update.source)
                switch reset {
                case .truncated: model.resetSource(update.source)
                case .rotated, .replaced, .created: model.sourceRestarted(update.source)
                case .deleted, .archivesMissing: break
                }
            }
            model.revise(tail.revised, source: update.source)
            model.ingest(tail.messages, malformed: tail.malformed, source: update.source)
        }
    }

    private func drawIfDue() {
        guard framePending else { return }
        let now = clock.now
        guard now >= lastFrame.advanced(by: Self.frameInterval) else { return }
        framePending = false
        lastFrame = now
        screen.draw(MonitorView.render(model))
    }
}

extension BusSources {
    /// Refreshes one source (a newly found task bus).
    func refreshOne(_ source: Source) -> Update? {
        do throws(BusError) {
            let update = try source.tailer.refresh()
            return update.isEmpty ? nil : Update(source: source.id, result: .success(update))
        } catch {
            return Update(source: source.id, result: .failure(error))
        }
    }
}
#endif
