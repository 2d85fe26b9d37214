/// Where a bus is and what context a post to it carries: the `--bus`, `--project`, `--task` and `--root` choice
/// of `post`, `rotate` and `mcp`, with `JRUN_MESSAGE_BUS` and discovery (CONTRACT section 6).
package struct BusLocation: Sendable, Equatable {
    package var bus: String?
    package var project: String?
    package var task: String?
    package var root: String?

    package init(bus: String? = nil, project: String? = nil, task: String? = nil, root: String? = nil) {
        self.bus = bus
        self.project = project
        self.task = task
        self.root = root
    }

    /// The bus named by `--bus` or `--project`[/`--task`], if any.
    package func pathFromFlags(environment: [String: String], includeTask: Bool = true) throws(BusError) -> String? {
        if let bus, !bus.isEmpty { return bus }
        guard let project, !project.isEmpty else { return nil }
        let root = BusPaths.root(flag: root, environment: environment)
        if includeTask, let task, !task.isEmpty {
            return try BusPaths.taskBus(root: root, project: project, task: task)
        }
        return try BusPaths.projectBus(root: root, project: project)
    }

    /// Path order of `post` (and `rotate`, `mcp`): `--bus`, `JRUN_MESSAGE_BUS`, `--project`[/`--task`], discovery.
    package func writePath(environment: [String: String]) throws(BusError) -> String {
        if let bus, !bus.isEmpty { return bus }
        if let fromEnvironment = environment["JRUN_MESSAGE_BUS"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let path = try pathFromFlags(environment: environment) { return path }
        return try Self.discovered()
    }

    /// `JRUN_MESSAGE_BUS`, else the bus discovered from the working folder.
    package static func environmentOrDiscovered(_ environment: [String: String]) throws(BusError) -> String {
        if let fromEnvironment = environment["JRUN_MESSAGE_BUS"], !fromEnvironment.isEmpty { return fromEnvironment }
        return try discovered()
    }

    private static func discovered() throws(BusError) -> String {
        let here = BusPaths.absolute(".")
        guard let found = BusPaths.discover(from: here) else {
            throw .busNotFound(
                "no TASK-, PROJECT- or MESSAGE-BUS.md from \(here) upward; pass --project or set JRUN_MESSAGE_BUS"
            )
        }
        return found
    }

    /// `--project`/`--task` name folders under the root that may not exist yet: create them like `mkdir -p`,
    /// one component at a time and never through a symlink (`BusPaths.resolve`); never for an explicit bus path,
    /// where a missing folder is the caller's mistake.
    /// - Returns: the resolved bus holding its folder open, or nil for an explicit bus path.
    package func createParentFolders(environment: [String: String]) throws(BusError) -> ResolvedBus? {
        guard bus.map(\.isEmpty) ?? true, environment["JRUN_MESSAGE_BUS"].map(\.isEmpty) ?? true,
            let project, !project.isEmpty
        else { return nil }
        let root = BusPaths.root(flag: root, environment: environment)
        if let task, !task.isEmpty {
            return try BusPaths.resolve(
                root: root,
                folders: [project, task],
                fileName: BusPaths.taskFileName,
                create: true
            )
        }
        return try BusPaths.resolve(root: root, folders: [project], fileName: BusPaths.projectFileName, create: true)
    }

    /// The context a post to `path` carries where the poster names none: the flags, then what the bus path
    /// says (a TASK- file names its task and project), then `JRUN_PROJECT_ID`, `JRUN_TASK_ID`, `JRUN_ID`.
    package func context(ofBus path: String, environment: [String: String]) -> PostContext {
        let inferred = BusPaths.context(ofBus: path)
        return PostContext(
            projectID: project ?? inferred.project ?? environment["JRUN_PROJECT_ID"] ?? "",
            taskID: task ?? inferred.task ?? environment["JRUN_TASK_ID"] ?? "",
            runID: environment["JRUN_ID"] ?? ""
        )
    }
}

/// The project, task and run a post carries when its caller leaves them out.
package struct PostContext: Sendable, Equatable {
    package var projectID: String
    package var taskID: String
    package var runID: String

    package init(projectID: String, taskID: String, runID: String) {
        self.projectID = projectID
        self.taskID = taskID
        self.runID = runID
    }
}

/// The local post of `post` and `mcp`: checks a draft, creates the project and task folders it names, appends it
/// through the locked writer, and reports errors with the path the user named.
package struct LocalPost: Sendable {
    /// The bus as the user named it (messages name this path).
    package let path: String
    package let location: BusLocation
    package let options: WriterOptions

    package init(path: String, location: BusLocation, options: WriterOptions) {
        self.path = path
        self.location = location
        self.options = options
    }

    /// Appends `draft`; a refused draft leaves nothing behind (no folder, no byte).
    /// - Parameters:
    ///   - draft: the message; an empty `projectID` is refused with a hint.
    ///   - environment: decides whether `--project` folders may be created (not under `JRUN_MESSAGE_BUS`).
    /// - Returns: what the writer did, with paths as the user named them.
    /// - Throws: `BusError`: invalid message, refused path, lock timeout, I/O error.
    package func post(_ draft: MessageDraft, environment: [String: String]) throws(BusError) -> AppendReceipt {
        if draft.projectID.isEmpty {
            throw .invalidMessage(
                "project_id is empty: pass --project, set JRUN_PROJECT_ID, or post to a bus in a project folder",
                path: path
            )
        }
        // Validate before creating folders: a refused message must leave nothing behind.
        try MessageValidator.validate(draft, maxBodyBytes: options.maxBodyBytes, path: path)
        // Again after parsing: ids from the environment count towards the header too.
        try HeaderLimits.check(draft, path: path)
        let folder = try location.createParentFolders(environment: environment)
        let writePath = folder?.writePath ?? path
        // The folder stays open until the append is done: writePath names the bus through it.
        defer { withExtendedLifetime(folder) {} }
        var receipt: AppendReceipt
        do throws(BusError) {
            receipt = try BusWriter(path: writePath, options: options).post(draft)
        } catch {
            throw error.replacingPathPrefix(writePath, with: path)
        }
        if var repair = receipt.repair {
            repair.savedTo = PathText.replacingPrefix(writePath, of: repair.savedTo, with: path)
            receipt.repair = repair
        }
        return receipt
    }
}
