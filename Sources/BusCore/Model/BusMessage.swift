/// One message on a bus: the header fields of a record and its body, as every reader returns it.
///
/// Optional text fields are empty strings when absent, as in the Go tool; `meta` keeps no order (the encoder
/// sorts keys, the JSON writer too).
package struct BusMessage: Sendable, Equatable, Hashable {
    package var msgID: String
    package var timestamp: BusTimestamp
    package var type: String
    package var projectID: String
    package var taskID: String
    package var runID: String
    package var issueID: String
    package var parents: [BusParent]
    package var links: [BusLink]
    package var meta: [String: String]
    package var body: String
    /// The header had no `ts`: the time was taken from the id, or from the record before it.
    package var timestampInferred: Bool

    package init(
        msgID: String,
        timestamp: BusTimestamp,
        type: String,
        projectID: String,
        taskID: String = "",
        runID: String = "",
        issueID: String = "",
        parents: [BusParent] = [],
        links: [BusLink] = [],
        meta: [String: String] = [:],
        body: String,
        timestampInferred: Bool = false
    ) {
        self.msgID = msgID
        self.timestamp = timestamp
        self.type = type
        self.projectID = projectID
        self.taskID = taskID
        self.runID = runID
        self.issueID = issueID
        self.parents = parents
        self.links = links
        self.meta = meta
        self.body = body
        self.timestampInferred = timestampInferred
    }

    /// The first line of the body, for one-line views (list rows, `poll` summaries).
    package var firstLine: Substring {
        body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first ?? ""
    }
}

/// A reference from a message to an earlier one (`parents:` in the header).
package struct BusParent: Sendable, Equatable, Hashable {
    package var msgID: String
    package var kind: String
    package var meta: [String: String]

    package init(msgID: String, kind: String = "", meta: [String: String] = [:]) {
        self.msgID = msgID
        self.kind = kind
        self.meta = meta
    }
}

/// A link from a message to something outside the bus (`links:` in the header).
package struct BusLink: Sendable, Equatable, Hashable {
    package var url: String
    package var label: String
    package var kind: String

    package init(url: String, label: String = "", kind: String = "") {
        self.url = url
        self.label = label
        self.kind = kind
    }
}

/// What a caller asks to post: everything but the id and time, which the writer assigns under its clock.
package struct MessageDraft: Sendable, Equatable {
    package var type: String
    package var projectID: String
    package var taskID: String
    package var runID: String
    package var issueID: String
    package var parents: [BusParent]
    package var links: [BusLink]
    package var meta: [String: String]
    package var body: String

    package init(
        type: String,
        projectID: String,
        taskID: String = "",
        runID: String = "",
        issueID: String = "",
        parents: [BusParent] = [],
        links: [BusLink] = [],
        meta: [String: String] = [:],
        body: String
    ) {
        self.type = type
        self.projectID = projectID
        self.taskID = taskID
        self.runID = runID
        self.issueID = issueID
        self.parents = parents
        self.links = links
        self.meta = meta
        self.body = body
    }

    /// The message this draft becomes once the writer gives it an id and a time.
    package func message(id: String, timestamp: BusTimestamp) -> BusMessage {
        BusMessage(
            msgID: id,
            timestamp: timestamp,
            type: type,
            projectID: projectID,
            taskID: taskID,
            runID: runID,
            issueID: issueID,
            parents: parents,
            links: links,
            meta: meta,
            body: body
        )
    }
}
