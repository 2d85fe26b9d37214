import BusCore

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The simulated agents behind `monitor --demo`: real child processes (`run-agent bus demo-agent`) posting
/// through the locked writer into a project under a temporary root.
struct DemoSwarm {
    static let project = "demo"
    static let agents: [(task: String, role: DemoScript.Role)] = [
        ("task-20261126-090000-api", .builder),
        ("task-20261126-090500-tests", .tester),
        ("task-20261126-091000-review", .reviewer),
    ]

    let root: String
    private(set) var children: [pid_t] = []

    /// Creates `$TMPDIR/run-agent-demo-XXXXXX/runs` (`/tmp` when TMPDIR is unset or relative) and starts one
    /// agent per task plus a planner on the project bus.
    /// - Throws: `BusError.system` when the folder or a child cannot be created.
    static func start() throws(BusError) -> DemoSwarm {
        let temporary = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.hasPrefix("/") ? $0 : nil }
        let pattern = PathText.join(temporary ?? "/tmp", "run-agent-demo-XXXXXX")
        var template = Array(pattern.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else { throw .system(call: "mkdtemp", path: pattern, errno: errno) }
        let base = String(cString: made)
        let root = PathText.join(base, "runs")
        var swarm = DemoSwarm(root: root)
        let projectFolder = PathText.join(root, project)
        for folder in [root, projectFolder] + agents.map({ PathText.join(projectFolder, $0.task) }) {
            try Errno.retrying("mkdir", path: folder) { mkdir(folder, 0o755) }
        }
        let projectBus = try BusPaths.projectBus(root: root, project: project)
        // A first message, so the screen is not empty while the agents warm up.
        _ = try BusWriter(path: projectBus).post(
            MessageDraft(type: "INFO", projectID: project, body: "Demo swarm starting: 3 agents and a planner.")
        )
        try swarm.spawn(bus: projectBus, task: "", role: DemoScript.Role.planner, seed: 1)
        for (index, agent) in agents.enumerated() {
            let bus = try BusPaths.taskBus(root: root, project: project, task: agent.task)
            try swarm.spawn(bus: bus, task: agent.task, role: agent.role, seed: index + 2)
        }
        return swarm
    }

    private mutating func spawn(bus: String, task: String, role: DemoScript.Role, seed: Int) throws(BusError) {
        let arguments = [
            "run-agent", "bus", "demo-agent", "--bus", bus, "--project", Self.project, "--task", task,
            "--role", role.rawValue, "--seed", String(seed),
        ]
        var pid = pid_t()
        var cArguments = arguments.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        // stdin/stdout/stderr of the agents must not touch the monitor's terminal.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let result = posix_spawn(&pid, "/proc/self/exe", &actions, nil, &cArguments, environ)
        guard result == 0 else { throw .system(call: "posix_spawn", path: "/proc/self/exe", errno: result) }
        children.append(pid)
    }

    /// Stops the agents (SIGTERM, then waits for each) and removes the temporary folder.
    func stop() {
        for child in children { kill(child, SIGTERM) }
        for child in children {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        }
        let base = PathText.split(root).directory
        removeTree(base)
    }

    private func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in BusPaths.listDirectory(path) { removeTree(PathText.join(path, name)) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
