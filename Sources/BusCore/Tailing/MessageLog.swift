/// The messages of one bus as its tailer returned them, kept in memory so a list or a stream resume costs
/// time for the answer, not for the file: ids are indexed, and the live file's first message is known.
package struct MessageLog: Sendable {
    package init() {}

    /// Every message since the server started following this file or its predecessors (rotations).
    package private(set) var messages: [BusMessage] = []
    /// Index of the first message with each id (`since` means after the first record with the id).
    private var positions: [String: Int] = [:]
    /// Index of the first message of the file now at the path: archives read before it are only kept so that
    /// streams can resume across a rotation.
    package private(set) var liveStart = 0
    /// How many times the log was cleared (the file truncated or replaced): an index taken before a clear no longer
    /// names the same message, even when the refilled log is as long again.
    package private(set) var clears = 0

    package mutating func append(_ message: BusMessage) {
        if positions[message.msgID] == nil { positions[message.msgID] = messages.count }
        messages.append(message)
    }

    /// Replaces the last message with this id (a revised record: its body grew); false when it is unknown.
    package mutating func revise(_ message: BusMessage) -> Bool {
        guard let index = messages.lastIndex(where: { $0.msgID == message.msgID }) else { return false }
        messages[index] = message
        return true
    }

    /// The path names a new file after a rotation: later lists start there.
    package mutating func markRotation() { liveStart = messages.count }

    /// The file was truncated or replaced: what was read from it is no longer there.
    package mutating func clear() {
        messages = []
        positions = [:]
        liveStart = 0
        clears += 1
    }

    /// Index just after the message with id `id` (nil when unknown); `liveOnly` ignores archived messages.
    package func index(after id: String, liveOnly: Bool) -> Int? {
        guard let position = positions[id], !liveOnly || position >= liveStart else { return nil }
        return position + 1
    }

    package var live: ArraySlice<BusMessage> { messages[liveStart...] }

    /// The first message with id `id`, or nil when it is unknown.
    package func first(withID id: String) -> BusMessage? { positions[id].map { messages[$0] } }
}
