#if os(Linux)
@preconcurrency import Glibc
internal import BusCore

/// The bus files the monitor follows, each with its own `BusTailer`; in project mode also a watch on the
/// project folder, so task buses created later join in.
final class BusSources {
    /// One followed bus: its id in the model (the merge order's tie-breaker) and its tailer.
    struct Source {
        var id: Int32
        var path: String
        var tailer: BusTailer
    }

    /// What a refresh of one source found, or why it failed.
    struct Update {
        var source: Int32
        var result: Result<TailUpdate, BusError>
    }

    private(set) var sources: [Source] = []
    /// Where composed messages go: the file, or the project bus.
    let postPath: String
    private let projectDirectory: String?
    private let projectWatcher: InotifyWatcher?
    private var knownFolders: Set<String> = []

    /// Opens a tailer per bus (missing files are waited for; a missing folder is an error).
    /// - Throws: `BusError` for an unusable path (symlink, not a regular file, folder missing, unsafe project id).
    init(_ source: MonitorConfiguration.Source) throws(BusError) {
        switch source {
        case .file(let path):
            postPath = path
            projectDirectory = nil
            projectWatcher = nil
            sources = [Source(id: 0, path: path, tailer: try BusTailer(path: path))]
        case .remote:
            // The server reads the bus: nothing here to tail or watch.
            postPath = ""
            projectDirectory = nil
            projectWatcher = nil
        case .project(let root, let project):
            postPath = try BusPaths.projectBus(root: root, project: project)
            let directory = PathText.join(root, project)
            projectDirectory = directory
            sources = [Source(id: 0, path: postPath, tailer: try BusTailer(path: postPath))]
            let watcher = try InotifyWatcher()
            _ = try watcher.add(directory, mask: InotifyWatcher.directoryMask)
            projectWatcher = watcher
            _ = discoverTasks()
        }
    }

    /// Descriptors to poll: each tailer's inotify descriptor, then the project watcher's.
    var descriptors: [Int32] {
        sources.map(\.tailer.descriptor) + (projectWatcher.map { [$0.fd] } ?? [])
    }

    /// The project watcher's descriptor, when there is one.
    var projectDescriptor: Int32? { projectWatcher?.fd }

    /// The shortest safety-net interval of the tailers.
    var recheckInterval: Duration {
        sources.map(\.tailer.recheckInterval).min() ?? .seconds(1)
    }

    /// Refreshes the sources whose descriptor is in `readable`, or all of them when `readable` is nil.
    func refresh(readable: Set<Int32>?) -> [Update] {
        var updates: [Update] = []
        for source in sources where readable?.contains(source.tailer.descriptor) ?? true {
            do throws(BusError) {
                let update = try source.tailer.refresh()
                if !update.isEmpty { updates.append(Update(source: source.id, result: .success(update))) }
            } catch {
                updates.append(Update(source: source.id, result: .failure(error)))
            }
        }
        return updates
    }

    /// Adds a tailer for every task folder not seen before (after draining the folder watch).
    /// - Returns: the new sources, which the caller refreshes and registers.
    func discoverTasks() -> [Source] {
        guard let projectDirectory else { return [] }
        projectWatcher?.drain()
        var added: [Source] = []
        for name in BusPaths.listDirectory(projectDirectory).sorted() where !knownFolders.contains(name) {
            let folder = PathText.join(projectDirectory, name)
            guard !name.hasPrefix("."), Self.isDirectory(folder),
                (try? BusPaths.validateComponent(name, role: "task")) != nil
            else { continue }
            knownFolders.insert(name)
            let path = PathText.join(folder, BusPaths.taskFileName)
            guard let tailer = try? BusTailer(path: path) else { continue }
            let source = Source(id: Int32(sources.count), path: path, tailer: tailer)
            sources.append(source)
            added.append(source)
        }
        return added
    }

    /// A real folder, not a symlink to one (`lstat`).
    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
#endif
