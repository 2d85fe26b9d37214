import BusCore

/// The messages of one bus as its tailer returned them, kept in memory so a list or a stream resume costs
/// time for the answer, not for the file: ids are indexed, and the live file's first message is known.
struct MessageLog {
    /// Every message since the server started following this file or its predecessors (rotations).
    private(set) var messages: [BusMessage] = []
    /// Index of the first message with each id (`since` means after the first record with the id).
    private var positions: [String: Int] = [:]
    /// Index of the first message of the file now at the path: archives read before it are only kept so that
    /// streams can resume across a rotation.
    private(set) var liveStart = 0

    mutating func append(_ message: BusMessage) {
        if positions[message.msgID] == nil { positions[message.msgID] = messages.count }
        messages.append(message)
    }

    /// Replaces the last message with this id (a revised record: its body grew); false when it is unknown.
    mutating func revise(_ message: BusMessage) -> Bool {
        guard let index = messages.lastIndex(where: { $0.msgID == message.msgID }) else { return false }
        messages[index] = message
        return true
    }

    /// The path names a new file after a rotation: later lists start there.
    mutating func markRotation() { liveStart = messages.count }

    /// The file was truncated or replaced: what was read from it is no longer there.
    mutating func clear() {
        messages = []
        positions = [:]
        liveStart = 0
    }

    /// Index just after the message with id `id` (nil when unknown); `liveOnly` ignores archived messages.
    func index(after id: String, liveOnly: Bool) -> Int? {
        guard let position = positions[id], !liveOnly || position >= liveStart else { return nil }
        return position + 1
    }

    var live: ArraySlice<BusMessage> { messages[liveStart...] }
}

/// Which messages a list or a stream wants: type, project and task filters (empty: everything).
struct MessageSelection: Sendable, Equatable {
    var types: Set<String> = []
    var project: String?
    var task: String?

    var isEmpty: Bool { types.isEmpty && project == nil && task == nil }

    func matches(_ message: BusMessage) -> Bool {
        (types.isEmpty || types.contains(message.type)) && (project.map { $0 == message.projectID } ?? true)
            && (task.map { $0 == message.taskID } ?? true)
    }

    /// The last `count` matching messages of `messages`, oldest first, without filtering more than needed.
    func last(_ count: Int, of messages: ArraySlice<BusMessage>) -> [BusMessage] {
        guard count > 0 else { return [] }
        if isEmpty { return Array(messages.suffix(count)) }
        var found: [BusMessage] = []
        var index = messages.endIndex
        while index > messages.startIndex, found.count < count {
            index -= 1
            if matches(messages[index]) { found.append(messages[index]) }
        }
        return found.reversed()
    }

    /// The first `count` (nil: all) matching messages of `messages`.
    func first(_ count: Int?, of messages: ArraySlice<BusMessage>) -> [BusMessage] {
        var found: [BusMessage] = []
        for message in messages where matches(message) {
            if let count, found.count >= count { break }
            found.append(message)
        }
        return found
    }
}
