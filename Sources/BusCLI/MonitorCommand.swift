import ArgumentParser
import BusCore
import BusRemote
import BusTUI

/// `run-agent bus monitor`: the live terminal UI.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch the bus live in a terminal UI: filter by type or task, read messages, post by hand.",
        discussion: """
            Sources: a bus file (PATH, else JRUN_MESSAGE_BUS, else discovery); --project P [--root R] merges \
            the project bus with every task bus under it; --demo runs a bus fed by simulated agents; --server URL \
            (else JRUN_BUS_SERVER, when no PATH is given) follows a `run-agent bus serve`, narrowed by --project \
            and --task, and posts through it. \
            Press ? inside for the keys. Needs a terminal on stdout (exit 64 otherwise).
            """
    )

    @Argument(help: "Bus file to watch (default: JRUN_MESSAGE_BUS, else discovery).")
    var path: String?

    @Option(name: .long, help: "Project id: watch its bus and all its task buses, merged.")
    var project: String?

    @Option(name: .long, help: "Runs root (default: JRUN_RUNS_DIR, else ~/.run-agent/runs).")
    var root: String?

    @Option(name: .long, help: "Task id (with --server): watch that task's messages.")
    var task: String?

    @Flag(name: .long, help: "Watch a temporary bus fed by simulated agents.")
    var demo = false

    @Option(
        name: .long,
        help: "Mark a task stale in the swarm panel (s) after this much silence: 90s, 10m, 2h (default 10m)."
    )
    var stale: String = "10m"

    @OptionGroup var serverOptions: ServerOptions

    /// `--stale` in seconds: a whole number followed by s, m or h (a bare number is seconds).
    static func staleSeconds(_ text: String) -> Int64? {
        let seconds = SettingParser.unitSeconds(text[...], units: ["s": 1, "m": 60, "h": 3600], bare: 1)
        return seconds.flatMap { $0 > 0 ? $0 : nil }
    }

    func validate() throws {
        if Self.staleSeconds(stale) == nil {
            throw ValidationError("--stale takes a duration such as 90s, 10m or 2h, not '\(stale)'")
        }
        if serverOptions.server != nil && (demo || path != nil) {
            throw ValidationError("--server takes no PATH or --demo")
        }
        if serverOptions.server == nil && task != nil && (demo || path != nil) {
            throw ValidationError("--task applies to --server")
        }
        if demo && (path != nil || project != nil) { throw ValidationError("--demo takes no PATH or --project") }
        if path != nil && project != nil { throw ValidationError("give either PATH or --project, not both") }
    }

    func run() throws {
        try reportingErrors { () throws(BusError) in
            guard Terminal.isTerminal(1), Terminal.isTerminal(0) else {
                throw .notATerminal
            }
            let environment = ProcessEnvironment.current()
            let options = try WriterOptions.fromEnvironment(environment)
            if demo {
                let swarm = try DemoSwarm.start()
                defer { swarm.stop() }
                var configuration = MonitorConfiguration(
                    source: .project(root: swarm.root, project: DemoSwarm.project),
                    writerOptions: options,
                    postContext: PostContext(projectID: DemoSwarm.project, runID: "human"),
                    title: "demo"
                )
                configuration.staleAfter = Self.staleSeconds(stale) ?? 600
                _ = try MonitorApp.run(configuration)
                return
            }
            var configuration: MonitorConfiguration
            // A PATH given on the command line wins over JRUN_BUS_SERVER; --server with a PATH is refused above.
            if path == nil, let remote = serverOptions.remote(environment) {
                let query = RemoteQuery(project: project, task: task)
                configuration = MonitorConfiguration(
                    source: .remote(RemoteMonitorSource(remote: remote, query: query)),
                    writerOptions: options,
                    postContext: PostContext(
                        projectID: project ?? environment["JRUN_PROJECT_ID"] ?? "",
                        taskID: task ?? environment["JRUN_TASK_ID"] ?? "",
                        runID: environment["JRUN_ID"] ?? ""
                    )
                )
            } else if task != nil {
                throw .invalidSetting(name: "--task", value: task ?? "", expected: "--server URL or JRUN_BUS_SERVER")
            } else if let project {
                let root = BusPaths.root(flag: root, environment: environment)
                try BusPaths.validateComponent(project, role: "project")
                configuration = MonitorConfiguration(
                    source: .project(root: root, project: project),
                    writerOptions: options,
                    postContext: PostContext(projectID: project, runID: environment["JRUN_ID"] ?? "")
                )
            } else {
                let busPath: String
                if let path {
                    busPath = path
                } else {
                    busPath = try BusLocationOptions.environmentOrDiscovered(environment)
                }
                try BusPresence.require(busPath)
                let context = BusPaths.context(ofBus: busPath)
                configuration = MonitorConfiguration(
                    source: .file(busPath),
                    writerOptions: options,
                    postContext: PostContext(
                        projectID: context.project ?? environment["JRUN_PROJECT_ID"] ?? "",
                        taskID: context.task ?? environment["JRUN_TASK_ID"] ?? "",
                        runID: environment["JRUN_ID"] ?? ""
                    )
                )
            }
            configuration.staleAfter = Self.staleSeconds(stale) ?? 600
            _ = try MonitorApp.run(configuration)
        }
    }
}
