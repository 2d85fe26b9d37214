internal import BusCore

/// Identifies a message for the monitor's lifetime: its bus and its position in that bus's reading order.
struct MessageKey: Sendable, Hashable {
    var source: Int32
    var order: Int32
}

/// A message with where it came from, as the views read it.
struct StoredMessage: Sendable {
    var message: BusMessage
    var key: MessageKey

    var source: Int32 { key.source }
}

/// Every message of every source, merged in time order (timestamp, then source, then file order), with the
/// counts the pickers show.
///
/// Stored as parallel arrays so that a bus's messages, as the tailer returns them, become the store without a
/// copy (memory stays near the size of the messages themselves). Appends after the newest message are O(new);
/// a late message from a slower source is merged into the tail, and `append` reports the first index that
/// changed so the filters only redo that part.
struct MessageStore: Sendable {
    private(set) var messages: [BusMessage] = []
    private(set) var keys: [MessageKey] = []
    private(set) var typeCounts: [String: Int] = [:]
    private(set) var taskCounts: [String: Int] = [:]
    /// Replies per msg_id, for the list's `↩ N` and unanswered questions.
    private(set) var replies = ReplyIndex()
    private var nextOrder: [Int32: Int32] = [:]
    /// The order of each source's oldest message, when history was added before it (orders then go negative).
    private var firstOrder: [Int32: Int32] = [:]

    var count: Int { messages.count }

    subscript(index: Int) -> StoredMessage {
        StoredMessage(message: messages[index], key: keys[index])
    }

    /// True when the message at `index` sorts before the batch message `message` with `key`.
    private func precedes(_ lhs: (BusTimestamp, MessageKey), _ rhs: (BusTimestamp, MessageKey)) -> Bool {
        if lhs.0 != rhs.0 { return lhs.0 < rhs.0 }
        if lhs.1.source != rhs.1.source { return lhs.1.source < rhs.1.source }
        return lhs.1.order < rhs.1.order
    }

    private func sortKey(_ index: Int) -> (BusTimestamp, MessageKey) {
        (messages[index].timestamp, keys[index])
    }

    /// Replaces the newest message of `source` with id `message.msgID` by its revision (its record grew).
    /// - Returns: the index of the replaced entry, or nil when no such message is stored.
    mutating func revise(_ message: BusMessage, source: Int32) -> Int? {
        var index = messages.count - 1
        while index >= 0 {
            if keys[index].source == source, messages[index].msgID == message.msgID {
                let old = messages[index]
                typeCounts[old.type, default: 1] -= 1
                taskCounts[old.taskID, default: 1] -= 1
                replies.remove(old)
                count(message)
                messages[index] = message
                return index
            }
            index -= 1
        }
        return nil
    }

    /// Adds messages read from `source`, in file order.
    /// - Returns: the first index whose entry changed; entries before it kept their positions.
    @discardableResult
    mutating func append(_ batch: [BusMessage], source: Int32) -> Int {
        guard !batch.isEmpty else { return messages.count }
        let firstOrder = nextOrder[source] ?? 0
        nextOrder[source] = firstOrder + Int32(clamping: batch.count)
        for message in batch { count(message) }
        let (batch, batchKeys) = Self.inTimeOrder(
            batch,
            keys: (0..<batch.count).map { MessageKey(source: source, order: firstOrder + Int32($0)) }
        )

        let firstKey = (batch[0].timestamp, batchKeys[0])
        guard let lastIndex = messages.indices.last, precedes(firstKey, sortKey(lastIndex)) else {
            let start = messages.count
            if messages.isEmpty {
                messages = batch  // no copy: the store adopts the tailer's array
                keys = batchKeys
            } else {
                messages.append(contentsOf: batch)
                keys.append(contentsOf: batchKeys)
            }
            return start
        }
        // Merge into the tail: only entries after the first new one's place move.
        let start = firstIndex(after: firstKey)
        let (mergedMessages, mergedKeys) = merged(batch, keys: batchKeys, from: start)
        messages.replaceSubrange(start..., with: mergedMessages)
        keys.replaceSubrange(start..., with: mergedKeys)
        return start
    }

    /// The stored entries from `start` on merged with `batch` (in time order), in the store's order.
    private func merged(
        _ batch: [BusMessage],
        keys batchKeys: [MessageKey],
        from start: Int
    ) -> ([BusMessage], [MessageKey]) {
        var mergedMessages: [BusMessage] = []
        var mergedKeys: [MessageKey] = []
        mergedMessages.reserveCapacity(messages.count - start + batch.count)
        mergedKeys.reserveCapacity(messages.count - start + batch.count)
        var old = start
        var new = 0
        while old < messages.count, new < batch.count {
            if precedes((batch[new].timestamp, batchKeys[new]), sortKey(old)) {
                mergedMessages.append(batch[new])
                mergedKeys.append(batchKeys[new])
                new += 1
            } else {
                mergedMessages.append(messages[old])
                mergedKeys.append(keys[old])
                old += 1
            }
        }
        mergedMessages.append(contentsOf: messages[old...])
        mergedKeys.append(contentsOf: keys[old...])
        mergedMessages.append(contentsOf: batch[new...])
        mergedKeys.append(contentsOf: batchKeys[new...])
        return (mergedMessages, mergedKeys)
    }

    /// One source's messages (file order) and keys, sorted by time.
    ///
    /// Within a source the order breaks ties, so this is a stable sort by time. Usually already sorted, and then
    /// not copied.
    private static func inTimeOrder(_ batch: [BusMessage], keys: [MessageKey]) -> ([BusMessage], [MessageKey]) {
        guard !isSorted(batch) else { return (batch, keys) }
        let permutation = batch.indices.sorted { lhs, rhs in
            batch[lhs].timestamp != batch[rhs].timestamp ? batch[lhs].timestamp < batch[rhs].timestamp : lhs < rhs
        }
        return (permutation.map { batch[$0] }, permutation.map { keys[$0] })
    }

    /// Adds messages that come before everything read so far from `source`, in file order.
    ///
    /// They are the start of a large bus, read after its newest part was shown. They take the orders below that
    /// source's first, and are merged with every source's messages in one pass.
    mutating func prepend(_ batch: [BusMessage], source: Int32) {
        guard !batch.isEmpty else { return }
        let first = (firstOrder[source] ?? 0) - Int32(clamping: batch.count)
        firstOrder[source] = first
        if nextOrder[source] == nil { nextOrder[source] = 0 }
        for message in batch { count(message) }
        let (older, olderKeys) = Self.inTimeOrder(
            batch,
            keys: (0..<batch.count).map { MessageKey(source: source, order: first + Int32($0)) }
        )
        // The history may interleave with other sources' messages: every stored entry may move.
        let (mergedMessages, mergedKeys) = merged(older, keys: olderKeys, from: 0)
        messages = mergedMessages
        keys = mergedKeys
    }

    /// Adds `message` to the pickers' counts and the reply index.
    private mutating func count(_ message: BusMessage) {
        typeCounts[message.type, default: 0] += 1
        taskCounts[message.taskID, default: 0] += 1
        replies.add(message)
    }

    /// Drops every message of `source` (its file was truncated and is read again from the start).
    mutating func removeSource(_ source: Int32) {
        var keptMessages: [BusMessage] = []
        var keptKeys: [MessageKey] = []
        typeCounts = [:]
        taskCounts = [:]
        replies = ReplyIndex()
        for index in messages.indices where keys[index].source != source {
            keptMessages.append(messages[index])
            keptKeys.append(keys[index])
            count(messages[index])
        }
        messages = keptMessages
        keys = keptKeys
        nextOrder[source] = nil
        firstOrder[source] = nil
    }

    /// Index of the message with `key`, searching from `start`.
    func index(of key: MessageKey, from start: Int = 0) -> Int? {
        keys[min(start, keys.count)...].firstIndex(of: key)
    }

    /// Index of the last message with id `msgID` at or before `before` (parents come earlier), else anywhere.
    func index(ofMessageID msgID: String, before: Int) -> Int? {
        var index = min(before, messages.count - 1)
        while index >= 0 {
            if messages[index].msgID == msgID { return index }
            index -= 1
        }
        return messages.lastIndex { $0.msgID == msgID }
    }

    /// First index whose entry sorts after `key`.
    private func firstIndex(after key: (BusTimestamp, MessageKey)) -> Int {
        var low = 0
        var high = messages.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(key, sortKey(middle)) {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    private static func isSorted(_ batch: [BusMessage]) -> Bool {
        var index = 1
        while index < batch.count {
            if batch[index].timestamp < batch[index - 1].timestamp { return false }
            index += 1
        }
        return true
    }
}
