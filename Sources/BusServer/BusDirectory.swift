import BusCore
import Logging
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The project and task a request names, from its path or its fields.
struct BusScope: Sendable, Equatable {
    var project: String?
    var task: String?
}

/// Maps requests to buses and keeps one hub (one tailer, one writer queue) per bus file.
final class BusDirectory: Sendable {
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    private let logger: Logger
    private let hubs = Mutex<[String: BusHub]>([:])

    init(configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// The bus file for a scope, and the filter that applies inside it: one bus filtered by project and task,
    /// or under a root the project's or task's own bus.
    /// - Throws: `BusError.unsafePathComponent` for ids that are not single path components, `.invalidMessage`
    ///   when a root needs a project and none is named.
    func locate(_ scope: BusScope) throws(BusError) -> (path: String, selection: MessageSelection) {
        if let project = scope.project { try BusPaths.validateComponent(project, role: "project") }
        if let task = scope.task { try BusPaths.validateComponent(task, role: "task") }
        switch configuration.buses {
        case .single(let path):
            return (path, MessageSelection(project: scope.project, task: scope.task))
        case .root(let root):
            guard let project = scope.project, !project.isEmpty else {
                throw .invalidMessage("project_id is required to select a bus under the root", path: root)
            }
            if let task = scope.task, !task.isEmpty {
                return (try BusPaths.taskBus(root: root, project: project, task: task), MessageSelection())
            }
            return (try BusPaths.projectBus(root: root, project: project), MessageSelection())
        }
    }

    /// The hub of an existing bus folder.
    /// - Parameters:
    ///   - scope: the project and task of the request.
    ///   - create: make the project and task folders under the root first (posts).
    /// - Returns: the hub and the filter within its bus.
    /// - Throws: `.busNotFound` when the bus's folder does not exist, or the tailer's errors.
    func hub(for scope: BusScope, create: Bool) throws(BusError) -> (hub: BusHub, selection: MessageSelection) {
        let (path, selection) = try locate(scope)
        if let existing = hubs.withLock({ $0[path] }) { return (existing, selection) }
        if create, case .root(let root) = configuration.buses, let project = scope.project {
            let folders = [project] + (scope.task.map { $0.isEmpty ? [] : [$0] } ?? [])
            let fileName = folders.count == 2 ? BusPaths.taskFileName : BusPaths.projectFileName
            // Made one component at a time, never through a symlink; the handle is only needed for the walk.
            _ = try BusPaths.resolve(root: root, folders: folders, fileName: fileName, create: true)
        }
        let folder = PathText.split(path).directory
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .busNotFound(path) }
        // Made outside the lock (the first read of a large bus takes a while); a racing twin is dropped.
        let made = try BusHub(path: path, configuration: configuration, metrics: metrics, logger: logger)
        let hub = hubs.withLock { hubs in
            if let existing = hubs[path] { return existing }
            hubs[path] = made
            return made
        }
        if hub !== made { made.close() }
        return (hub, selection)
    }

    /// Ends every stream (graceful shutdown).
    func closeStreams() {
        for hub in hubs.withLock({ Array($0.values) }) { hub.close() }
    }
}
