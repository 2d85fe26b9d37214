#if os(Linux)
@preconcurrency import Glibc
package import BusCore

/// The terminal UI of `run-agent bus monitor`.
package enum MonitorApp {
    /// How many of a bus's newest messages are read before the first frame: a tall screen's worth and some to
    /// scroll back through while the rest loads.
    static let firstScreenMessages = 1000

    /// The size of history from which a bus's older messages are kept as their records' places.
    ///
    /// Kept so, they are read again when shown or searched (64 bytes a message instead of about 1.6 times the
    /// record); below, they are held whole, so filtering a 100k-message bus never reads the disk.
    /// `RUN_AGENT_MONITOR_PLACES_FROM` (bytes) overrides it.
    static let keepPlacesFrom = 128 << 20

    /// Runs the UI until q, Ctrl-C, SIGTERM or SIGHUP; restores the terminal on every path.
    ///
    /// The buses are opened and read before the terminal is touched, so a bad path is reported as a plain
    /// error. Composed messages go to the bus file, in project mode to the project bus, and with a bus server
    /// to the server.
    ///
    /// - Parameter configuration: what to follow and how to post.
    /// - Returns: the exit code, 0.
    /// - Throws: `BusError` when a bus cannot be opened or the terminal type is unknown.
    package static func run(_ configuration: MonitorConfiguration) throws(BusError) -> Int32 {
        let sources = try BusSources(configuration.source)
        var model = MonitorModel(sourceLabel: label(configuration), postContext: configuration.postContext)
        model.utcOffset = LocalTime.utcOffset()
        model.staleAfter = configuration.staleAfter
        for source in sources.sources { model.addSource(source.id, name: source.path) }
        // Large buses show their newest messages first; the rest is read in the background once the first frame
        // is drawn (`HistoryLoader`).
        var historyJobs: [HistoryLoader.Job] = []
        let placesFrom = getenv("RUN_AGENT_MONITOR_PLACES_FROM").flatMap { Int(String(cString: $0)) } ?? keepPlacesFrom
        for source in sources.sources {
            if let skipped = try source.tailer.skipToNewest(enough: { $0.count >= firstScreenMessages }) {
                let job = HistoryLoader.Job(source: source.id, history: skipped, keepPlaces: skipped.end >= placesFrom)
                historyJobs.append(job)
            }
        }
        model.expectHistory(of: Set(historyJobs.map(\.source)), bytes: historyJobs.reduce(0) { $0 + $1.history.end })
        for update in sources.refresh(readable: nil) { MonitorLoop.apply(update, to: &model) }

        var environment: [String: String] = [:]
        for name in ["XDG_STATE_HOME", "HOME"] { environment[name] = getenv(name).map { String(cString: $0) } }
        let historyFile = FilterHistoryFile.fromEnvironment(environment)
        do throws(BusError) {
            model.filterHistory = FilterHistory(try historyFile?.load() ?? [])
        } catch {
            model.warning = "filter history not read: \(error.description)"
        }

        let wakeUp = try SelfPipe()
        TerminationSignals.install(wakeFD: wakeUp.writeFD)
        let noColor = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
        let screen = try TerminalScreen(useColor: !noColor)
        defer { screen.end() }
        // Before the first frame and before anything is measured for drawing: set once, read after.
        if screen.isUTF8, getenv("RUN_AGENT_NO_WIDTH_PROBE") == nil { DisplayWidth.profile = WidthProbe.measure() }
        let size = screen.size()
        model.resize(width: size.width, height: size.height)
        if !screen.isUTF8 {
            model.asciiBoxes = true
            model.warning = "locale codeset is \(screen.codeset), not UTF-8: set LANG/LC_ALL to a UTF-8 locale"
        }
        let worker = PostWorker(wakeUp: wakeUp)
        let postTarget: PostWorker.Target
        var feed: RemoteFeed?
        var remote: (any MonitorRemote)?
        if case .remote(let server) = configuration.source { remote = server }
        if let remote {
            postTarget = .remote(remote)
            let remoteFeed = RemoteFeed(wakeUp: wakeUp)
            // Started once the terminal is up: the events wake the loop, which applies them in order.
            remote.start { remoteFeed.push($0) }
            feed = remoteFeed
        } else {
            postTarget = .file(BusWriter(path: sources.postPath, options: configuration.writerOptions))
        }
        let loop = MonitorLoop(
            model: model,
            screen: screen,
            sources: sources,
            wakeUp: wakeUp,
            worker: worker,
            postTarget: postTarget,
            feed: feed
        )
        loop.historyFile = historyFile
        loop.run(loadingHistory: historyJobs)
        remote?.stop()
        screen.end()
        // A post still running finishes (or times out on the lock) before the process exits.
        worker.waitUntilIdle(limit: configuration.writerOptions.lockWait.timeout + .seconds(2))
        TerminationSignals.detach()
        return 0
    }

    private static func label(_ configuration: MonitorConfiguration) -> String {
        if let title = configuration.title, !title.isEmpty { return title }
        switch configuration.source {
        case .file(let path): return homeShortened(path)
        case .project(_, let project): return "project " + project
        case .remote(let remote): return remote.label
        }
    }
}

/// `path` with the home folder written `~`, as shells show it (the status bar has little room).
///
/// - Parameters:
///   - path: an absolute path (a relative one is returned as is).
///   - home: the home folder; by default `HOME` (`getenv`). A trailing `/` is ignored; `/` itself is no home.
/// - Returns: `~` followed by the rest of `path` when `path` is in `home`, else `path` unchanged.
func homeShortened(_ path: String, home: String? = getenv("HOME").map { String(cString: $0) }) -> String {
    var home = home ?? ""
    while home.count > 1, home.hasSuffix("/") { home.removeLast() }
    guard home.count > 1, home.hasPrefix("/"), path == home || path.hasPrefix(home + "/") else { return path }
    return "~" + path.dropFirst(home.count)
}

/// The local time zone's offset from UTC now (`localtime_r`), for the clock column.
enum LocalTime {
    static func utcOffset() -> Int {
        var now = time(nil)
        var fields = tm()
        guard localtime_r(&now, &fields) != nil else { return 0 }
        return fields.tm_gmtoff
    }
}
#endif
