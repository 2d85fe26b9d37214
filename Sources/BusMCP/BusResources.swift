import BusCore
internal import MCP
import Synchronization

/// The buses as MCP resources.
///
/// `bus://current` is the chosen bus and, under `--root`, `bus://{project}` and `bus://{project}/{task}` name
/// the project and task buses. Reading one gives its newest messages; a subscription is told of each append.
struct BusResources: Sendable {
    static let current = "bus://current"
    static let scheme = "bus://"
    /// How many of the newest messages a read returns.
    static let newest = 50

    let bus: ServedBus

    /// The buses that exist now: the chosen one, and every project and task bus under the root.
    func list() -> [Resource] {
        var resources = [
            Resource(
                name: "current",
                uri: Self.current,
                description: "The message bus this server posts to: \(bus.path)",
                mimeType: "application/json"
            )
        ]
        guard let root = bus.configuration.root else { return resources }
        for project in BusPaths.listDirectory(root).sorted() {
            let folder = PathText.join(root, project)
            if BusPaths.isRegularFile(PathText.join(folder, BusPaths.projectFileName)) {
                resources.append(
                    Resource(
                        name: project,
                        uri: Self.scheme + project,
                        description: "Project bus of \(project)",
                        mimeType: "application/json"
                    )
                )
            }
            for task in BusPaths.listDirectory(folder).sorted()
            where BusPaths.isRegularFile(PathText.join(folder, task, BusPaths.taskFileName)) {
                resources.append(
                    Resource(
                        name: "\(project)/\(task)",
                        uri: Self.scheme + project + "/" + task,
                        description: "Task bus of \(task) in \(project)",
                        mimeType: "application/json"
                    )
                )
            }
        }
        return resources
    }

    /// The URI templates of the project and task buses (only under `--root`).
    func templates() -> [Resource.Template] {
        guard bus.configuration.root != nil else { return [] }
        return [
            Resource.Template(uriTemplate: "bus://{project}", name: "project bus", mimeType: "application/json"),
            Resource.Template(uriTemplate: "bus://{project}/{task}", name: "task bus", mimeType: "application/json"),
        ]
    }

    /// The bus file a URI names.
    /// - Throws: `.unknownResource` for another scheme or shape (or a project URI without `--root`),
    ///   `.bus(.unsafePathComponent)` for an id that is not one path component.
    func path(of uri: String) throws(BusMCPError) -> String {
        if uri == Self.current { return bus.path }
        guard let root = bus.configuration.root, uri.hasPrefix(Self.scheme) else { throw .unknownResource(uri) }
        let parts = uri.dropFirst(Self.scheme.count).split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        do {
            switch parts.count {
            case 1: return try BusPaths.projectBus(root: root, project: parts[0])
            case 2: return try BusPaths.taskBus(root: root, project: parts[0], task: parts[1])
            default: throw BusMCPError.unknownResource(uri)
            }
        } catch let error as BusError {
            throw .bus(error)
        } catch {
            throw .unknownResource(uri)
        }
    }

    /// The newest messages of the bus a URI names, as JSON.
    func read(_ uri: String) throws(BusMCPError) -> String {
        let path = try path(of: uri)
        if path == bus.path {
            return try bus.feed.read { log in
                ToolOutput.resource(uri: uri, path: path, messages: log.live.suffix(Self.newest))
            }
        }
        do {
            let snapshot = try BusReader.read(path)
            return ToolOutput.resource(uri: uri, path: path, messages: snapshot.messages.suffix(Self.newest))
        } catch {
            throw .bus(error)
        }
    }
}

/// One client's resource subscriptions: a listener on the feed of each subscribed bus (a feed of its own for
/// buses other than the chosen one), removed on unsubscribe or when the client goes.
final class ResourceSubscriptions: Sendable {
    private let resources: BusResources
    private let subscriptions = Mutex<[String: Subscription]>([:])

    private struct Subscription: Sendable {
        var feed: BusFeed
        var listener: Int
        /// The feed was opened for this subscription and stops with it.
        var ownsFeed: Bool
    }

    init(_ resources: BusResources) {
        self.resources = resources
    }

    /// Starts telling `notify` the URI after every append to its bus (once per URI however often asked).
    func subscribe(_ uri: String, notify: @escaping @Sendable (String) -> Void) throws(BusMCPError) {
        let path = try resources.path(of: uri)
        if subscriptions.withLock({ $0[uri] != nil }) { return }
        let ownsFeed = path != resources.bus.path
        let feed: BusFeed
        do { feed = ownsFeed ? try BusFeed(path: path) : resources.bus.feed } catch { throw .bus(error) }
        let listener = feed.addListener { notify(uri) }
        let replaced = subscriptions.withLock { state in
            defer { state[uri] = Subscription(feed: feed, listener: listener, ownsFeed: ownsFeed) }
            return state[uri]
        }
        if let replaced { Self.end(replaced) }
    }

    func unsubscribe(_ uri: String) {
        if let removed = subscriptions.withLock({ $0.removeValue(forKey: uri) }) { Self.end(removed) }
    }

    /// Ends every subscription (the client went away).
    func removeAll() {
        let all = subscriptions.withLock { state in
            defer { state = [:] }
            return Array(state.values)
        }
        for subscription in all { Self.end(subscription) }
    }

    private static func end(_ subscription: Subscription) {
        subscription.feed.removeListener(subscription.listener)
        if subscription.ownsFeed { subscription.feed.stop() }
    }
}
