import BusCore

/// A message with its ancestors and the tree of its replies (`bus_thread`).
struct MessageThread {
    /// Every message it names as a parent, and theirs, in file order.
    var ancestors: [BusMessage]
    var message: BusMessage
    var replies: [Reply]

    /// A reply and the replies to it.
    struct Reply {
        var message: BusMessage
        var replies: [Reply]
    }

    /// Most replies a tree shows: a bus where every message answers the previous one stays one answer.
    static let maxReplies = 2000

    /// - Throws: `BusMCPError.bus(.sinceNotFound)` when no message has the id.
    init(of id: String, in log: MessageLog, path: String) throws(BusMCPError) {
        guard let message = log.first(withID: id) else { throw .bus(.sinceNotFound(id: id, path: path)) }
        self.message = message
        var children: [String: [BusMessage]] = [:]
        var order: [String: Int] = [:]
        for (index, candidate) in log.messages.enumerated() {
            if order[candidate.msgID] == nil { order[candidate.msgID] = index }
            for parent in Set(candidate.parents.map(\.msgID)) { children[parent, default: []].append(candidate) }
        }
        // Ancestors: a walk up the parents, each message once (a malformed bus may name itself).
        var seen: Set<String> = [id]
        var pending = message.parents.map(\.msgID)
        var found: [BusMessage] = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted, let parent = log.first(withID: next) else { continue }
            found.append(parent)
            pending += parent.parents.map(\.msgID)
        }
        ancestors = found.sorted { (order[$0.msgID] ?? 0) < (order[$1.msgID] ?? 0) }
        var budget = Self.maxReplies
        var visited: Set<String> = [id]
        replies = Self.replies(to: id, children: children, visited: &visited, budget: &budget)
    }

    private static func replies(
        to id: String,
        children: [String: [BusMessage]],
        visited: inout Set<String>,
        budget: inout Int
    ) -> [Reply] {
        var replies: [Reply] = []
        for child in children[id] ?? [] where budget > 0 && visited.insert(child.msgID).inserted {
            budget -= 1
            let below = Self.replies(to: child.msgID, children: children, visited: &visited, budget: &budget)
            replies.append(Reply(message: child, replies: below))
        }
        return replies
    }
}
