import BusCore

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
