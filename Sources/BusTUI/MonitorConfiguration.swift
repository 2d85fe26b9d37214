package import BusCore

/// What the monitor shows and where its compose box posts.
package struct MonitorConfiguration: Sendable {
    /// The buses to follow.
    package enum Source: Sendable {
        /// One bus file.
        case file(String)
        /// `<root>/<project>/PROJECT-MESSAGE-BUS.md` plus every `<root>/<project>/<task>/TASK-MESSAGE-BUS.md`,
        /// including task buses created while the monitor runs.
        case project(root: String, project: String)
        /// A bus server: messages and posts go through `MonitorRemote`.
        case remote(any MonitorRemote)
    }

    package var source: Source
    /// Settings of the compose box's writer (lock timeout, fsync, body limit).
    package var writerOptions: WriterOptions
    /// Defaults for composed messages.
    package var postContext: PostContext
    /// Shown first in the status bar (such as the project name); nil shows the bus path or project.
    package var title: String?
    /// Seconds of silence after which the swarm panel marks a task stale (`--stale`).
    package var staleAfter: Int64 = 600

    package init(source: Source, writerOptions: WriterOptions, postContext: PostContext, title: String? = nil) {
        self.source = source
        self.writerOptions = writerOptions
        self.postContext = postContext
        self.title = title
    }
}

/// The ids a composed message carries.
package struct PostContext: Sendable, Equatable {
    package var projectID: String
    package var taskID: String
    package var runID: String

    package init(projectID: String, taskID: String = "", runID: String = "") {
        self.projectID = projectID
        self.taskID = taskID
        self.runID = runID
    }
}
