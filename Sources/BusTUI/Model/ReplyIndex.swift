internal import BusCore

/// How many messages name each message as a parent, by msg_id: the `↩ 3` of list rows and the "unanswered" of `u`.
///
/// Kept by `MessageStore` as messages arrive (O(parents) per message, no scan), so a 100k-message bus pays for it
/// once while it is read and never per frame. The ids' hashes are counted too: a message whose id hash no parent
/// has is answered by none, known without reading its record again.
struct ReplyIndex: Sendable, Equatable {
    private(set) var counts: [String: Int] = [:]
    private var hashes: [UInt64: Int] = [:]

    /// Replies to the message with id `msgID`.
    func count(of msgID: String) -> Int {
        counts[msgID] ?? 0
    }

    /// False when no message names a parent whose id has `hash`: the message with that id hash has no replies.
    func mayHaveReplies(hash: UInt64) -> Bool {
        hashes[hash] != nil
    }

    /// Counts (`delta` 1) or takes back (-1) a message with `parents` as a reply to each of them (a parent named
    /// twice by one message counts once).
    mutating func change(_ parents: [BusParent], by delta: Int) {
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
        let hash = MessageIDHash.of(msgID)
        let hashed = hashes[hash, default: 0] + delta
        hashes[hash] = hashed > 0 ? hashed : nil
    }
}
