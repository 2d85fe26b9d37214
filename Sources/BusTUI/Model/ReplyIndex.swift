internal import BusCore

/// How many messages name each message as a parent, by msg_id: the `↩ 3` of list rows and the "unanswered" of `u`.
///
/// Kept by `MessageStore` as messages arrive (O(parents) per message, no scan), so a 100k-message bus pays for it
/// once while it is read and never per frame.
struct ReplyIndex: Sendable, Equatable {
    private(set) var counts: [String: Int] = [:]

    /// Replies to the message with id `msgID`.
    func count(of msgID: String) -> Int {
        counts[msgID] ?? 0
    }

    /// Counts `message` as a reply to each of its parents (a parent named twice by one message counts once).
    mutating func add(_ message: BusMessage) {
        change(message, by: 1)
    }

    /// Takes back what `add` counted for `message` (a revision replaced it, or its source was dropped).
    mutating func remove(_ message: BusMessage) {
        change(message, by: -1)
    }

    private mutating func change(_ message: BusMessage, by delta: Int) {
        let parents = message.parents
        switch parents.count {
        case 0: return
        case 1: bump(parents[0].msgID, by: delta)
        default:
            var seen = Set<String>()
            for parent in parents where seen.insert(parent.msgID).inserted { bump(parent.msgID, by: delta) }
        }
    }

    private mutating func bump(_ msgID: String, by delta: Int) {
        let value = counts[msgID, default: 0] + delta
        counts[msgID] = value > 0 ? value : nil
    }
}
