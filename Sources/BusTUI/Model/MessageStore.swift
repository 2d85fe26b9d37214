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
/// Each message is a 64-byte `StoredEntry`: its header fields as symbols, and the rest either held whole (what
/// the tailers and servers hand over as it arrives) or left in its bus file and read again when shown
/// (`message(at:)`; a large bus's history), so a 1 GB bus takes about 170 MB, not 1.6 GB. Appends after the
/// newest message are O(new); a late message from a slower source is merged into the tail, and `append` reports
/// the first index that changed so the filters only redo that part.
struct MessageStore: Sendable {
    private(set) var entries: [StoredEntry] = []
    private(set) var symbols = SymbolTable()
    private var held: [BusMessage] = []
    /// Parents of the entries that are records in a file (held messages carry their own).
    private var parentsByKey: [MessageKey: [BusParent]] = [:]
    /// Reads each source's records again: the file its history was read from.
    private var records: [Int32: RecordFetcher] = [:]
    private var typeTally = Tally()
    private var taskTally = Tally()
    private var agentTally = Tally()
    /// Replies per msg_id, for the list's `↩ N` and unanswered questions.
    private(set) var replies = ReplyIndex()
    private var nextOrder: [Int32: Int32] = [:]
    /// The order of each source's oldest message, when history was added before it (orders then go negative).
    private var firstOrder: [Int32: Int32] = [:]

    var count: Int { entries.count }

    subscript(index: Int) -> StoredMessage {
        StoredMessage(message: message(at: index), key: entries[index].key)
    }

    func key(at index: Int) -> MessageKey { entries[index].key }

    /// Messages per type, per task, per writer (`MonitorModel.agent(of:)`), for the pickers and columns.
    var typeCounts: [String: Int] { typeTally.counts(symbols) }
    var taskCounts: [String: Int] { taskTally.counts(symbols) }
    var agentCounts: [String: Int] { agentTally.counts(symbols) }

    /// The whole message at `index`: held, or read again from its record.
    func message(at index: Int) -> BusMessage {
        let entry = entries[index]
        if let heldIndex = entry.heldIndex { return held[heldIndex] }
        return reread(entry)
    }

    /// `body` applied to the message at `index`; a held message is read in place, without the copy (a retain
    /// per field) that `message(at:)` makes: a filter typed into a 100k-message list reads every one.
    func withMessage<Result>(at index: Int, _ body: (BusMessage) -> Result) -> Result {
        let entry = entries[index]
        guard let heldIndex = entry.heldIndex else { return body(reread(entry)) }
        return held.withUnsafeBufferPointer { body($0[heldIndex]) }
    }

    /// `body` applied to the bytes of the record of the message at `index` when it is kept as a place and can
    /// be read; nil for a held message or a read that failed.
    func withRecordBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let entry = entries[index]
        guard entry.heldIndex == nil, let records = records[entry.key.source] else { return nil }
        return try? records.withBytes(at: Int(entry.location), length: Int(entry.length), body)
    }

    /// The message of an entry kept as a place, with the time it was stored with (which may have come from the
    /// record before it); a record that cannot be read again shows why, in place of its body.
    private func reread(_ entry: StoredEntry) -> BusMessage {
        var message: BusMessage
        do throws(BusError) {
            guard let records = records[entry.key.source] else {
                throw .invalidMessage("no file to read this message from", path: "")
            }
            message = try records.message(at: Int(entry.location), length: Int(entry.length))
            guard MessageIDHash.of(message.msgID) == entry.idHash else {
                throw .invalidMessage("another record is at offset \(entry.location) now", path: records.handle.path)
            }
        } catch {
            message = BusMessage(
                msgID: "",
                timestamp: entry.timestamp,
                type: symbols[entry.type],
                projectID: symbols[entry.project],
                taskID: symbols[entry.task],
                runID: symbols[entry.run],
                body: "(this message could not be read again: \(error.description))"
            )
        }
        message.timestamp = entry.timestamp
        message.timestampInferred = entry.flags.contains(.timestampInferred)
        return message
    }

    /// The parents the message at `index` names.
    func parents(at index: Int) -> [BusParent] { parents(of: entries[index]) }

    private func parents(of entry: StoredEntry) -> [BusParent] {
        guard entry.flags.contains(.hasParents) else { return [] }
        if let heldIndex = entry.heldIndex { return held[heldIndex].parents }
        return parentsByKey[entry.key] ?? []
    }

    /// Messages naming the message at `index` as a parent; its record is read only when some message names an
    /// id with its hash.
    func replyCount(at index: Int) -> Int {
        guard replies.mayHaveReplies(hash: entries[index].idHash) else { return 0 }
        return replies.count(of: message(at: index).msgID)
    }

    /// Replaces the newest message of `source` with id `message.msgID` by its revision (its record grew).
    /// - Returns: the index of the replaced entry, or nil when no such message is stored.
    mutating func revise(_ message: BusMessage, source: Int32) -> Int? {
        let hash = MessageIDHash.of(message.msgID)
        var index = entries.count - 1
        while index >= 0 {
            let old = entries[index]
            if old.key.source == source, old.idHash == hash, self.message(at: index).msgID == message.msgID {
                count(old, by: -1)
                var revised = StoredEntry(message, symbols: &symbols, location: old.location)
                revised.key = old.key
                if let heldIndex = old.heldIndex {
                    held[heldIndex] = message
                } else {
                    revised.location = -1 - Int64(held.count)
                    held.append(message)
                    parentsByKey[old.key] = nil
                }
                entries[index] = revised
                count(revised, by: 1)
                return index
            }
            index -= 1
        }
        return nil
    }

    /// Adds messages read from `source`, in file order.
    /// - Returns: the first index whose entry changed; entries before it kept their positions.
    @discardableResult
    mutating func append(_ messages: [BusMessage], source: Int32) -> Int {
        var batch = MessageBatch(messages)
        return append(&batch, source: source)
    }

    /// Adds a batch read from `source`, in file order, leaving `batch` empty.
    /// - Returns: the first index whose entry changed; entries before it kept their positions.
    @discardableResult
    mutating func append(_ batch: inout MessageBatch, source: Int32) -> Int {
        guard !batch.isEmpty else { return entries.count }
        let firstOrder = nextOrder[source] ?? 0
        nextOrder[source] = firstOrder + Int32(clamping: batch.count)
        let newer = Self.inTimeOrder(adopt(&batch, source: source, firstOrder: firstOrder))
        guard let lastIndex = entries.indices.last, Self.precedes(newer[0], entries[lastIndex]) else {
            let start = entries.count
            if entries.isEmpty {
                entries = newer  // no copy: the store adopts the batch's array
            } else {
                entries.append(contentsOf: newer)
            }
            return start
        }
        // Merge into the tail: only entries after the first new one's place move.
        let start = firstIndex(after: newer[0])
        entries.replaceSubrange(start..., with: merged(newer, from: start))
        return start
    }

    /// Adds messages that come before everything read so far from `source`, in file order.
    mutating func prepend(_ messages: [BusMessage], source: Int32) {
        var batch = MessageBatch(messages)
        prepend(&batch, source: source)
    }

    /// Adds a batch that comes before everything read so far from `source`, in file order, leaving it empty.
    ///
    /// It is the start of a large bus, read after its newest part was shown. Its entries take the orders below
    /// that source's first and are merged with every source's in one pass; when they all come first (one bus),
    /// the entries shown so far go onto the end of the batch's array, whose room was reserved when it was
    /// read: the history is never copied, so memory does not peak at twice its size.
    mutating func prepend(_ batch: inout MessageBatch, source: Int32) {
        guard !batch.isEmpty else { return }
        let first = (firstOrder[source] ?? 0) - Int32(clamping: batch.count)
        firstOrder[source] = first
        if nextOrder[source] == nil { nextOrder[source] = 0 }
        var older = Self.inTimeOrder(adopt(&batch, source: source, firstOrder: first))
        if let last = older.last, entries.first.map({ Self.precedes(last, $0) }) ?? true {
            older.append(contentsOf: entries)
            entries = older
        } else {
            // The history interleaves with other sources' messages: every stored entry may move.
            entries = merged(older, from: 0)
        }
    }

    /// The batch's entries in the store's terms (its symbols, `source`'s keys from `firstOrder` on, indices
    /// after the store's held messages), counted; its held messages, parents and file join the store.
    private mutating func adopt(_ batch: inout MessageBatch, source: Int32, firstOrder: Int32) -> [StoredEntry] {
        let map = batch.symbols.strings.map { symbols.intern($0) }
        let heldBase = Int64(held.count)
        held.append(contentsOf: batch.held)
        if let batchRecords = batch.records { records[source] = batchRecords }
        for (position, parents) in batch.parents {
            parentsByKey[MessageKey(source: source, order: firstOrder + Int32(position))] = parents
        }
        var entries = batch.takeEntries()
        func mapped(_ symbol: Symbol) -> Symbol { map[Int(symbol.raw)] }
        for position in entries.indices {
            entries[position].type = mapped(entries[position].type)
            entries[position].task = mapped(entries[position].task)
            entries[position].run = mapped(entries[position].run)
            entries[position].project = mapped(entries[position].project)
            entries[position].agent = mapped(entries[position].agent)
            entries[position].key = MessageKey(source: source, order: firstOrder + Int32(position))
            if entries[position].location < 0 { entries[position].location -= heldBase }
            count(entries[position], by: 1)
        }
        return entries
    }

    /// The stored entries from `start` on merged with `batch` (in time order), in the store's order.
    private func merged(_ batch: [StoredEntry], from start: Int) -> [StoredEntry] {
        var merged: [StoredEntry] = []
        merged.reserveCapacity(entries.count - start + batch.count)
        var old = start
        var new = 0
        while old < entries.count, new < batch.count {
            if Self.precedes(batch[new], entries[old]) {
                merged.append(batch[new])
                new += 1
            } else {
                merged.append(entries[old])
                old += 1
            }
        }
        merged.append(contentsOf: entries[old...])
        merged.append(contentsOf: batch[new...])
        return merged
    }

    /// One source's entries (file order) sorted by time.
    ///
    /// Within a source the order breaks ties, so this is a stable sort by time; usually already sorted, and then
    /// not copied.
    private static func inTimeOrder(_ batch: [StoredEntry]) -> [StoredEntry] {
        var index = 1
        while index < batch.count, batch[index].timestamp >= batch[index - 1].timestamp { index += 1 }
        guard index < batch.count else { return batch }
        return batch.sorted { precedes($0, $1) }
    }

    /// Adds (`delta` 1) or takes back (-1) `entry` in the counts and the reply index.
    private mutating func count(_ entry: StoredEntry, by delta: Int) {
        typeTally.add(entry.type, delta)
        taskTally.add(entry.task, delta)
        agentTally.add(entry.agent, delta)
        if entry.flags.contains(.hasParents) { replies.change(parents(of: entry), by: delta) }
    }

    /// Drops every message of `source` (its file was truncated and is read again from the start).
    mutating func removeSource(_ source: Int32) {
        let oldHeld = held
        held = []
        typeTally = Tally()
        taskTally = Tally()
        agentTally = Tally()
        replies = ReplyIndex()
        var kept: [StoredEntry] = []
        for var entry in entries where entry.key.source != source {
            if let heldIndex = entry.heldIndex {
                entry.location = -1 - Int64(held.count)
                held.append(oldHeld[heldIndex])
            }
            kept.append(entry)
            count(entry, by: 1)
        }
        entries = kept
        parentsByKey = parentsByKey.filter { $0.key.source != source }
        records[source] = nil
        nextOrder[source] = nil
        firstOrder[source] = nil
    }

    /// Index of the message with `key`, searching from `start`.
    func index(of key: MessageKey, from start: Int = 0) -> Int? {
        entries[min(start, entries.count)...].firstIndex { $0.key == key }
    }

    /// Index of the last message with id `msgID` at or before `before` (parents come earlier), else anywhere.
    func index(ofMessageID msgID: String, before: Int) -> Int? {
        let hash = MessageIDHash.of(msgID)
        func isIt(_ index: Int) -> Bool { entries[index].idHash == hash && message(at: index).msgID == msgID }
        var index = min(before, entries.count - 1)
        while index >= 0 {
            if isIt(index) { return index }
            index -= 1
        }
        return entries.indices.last { isIt($0) }
    }

    /// Index of the newest message with id `msgID` at or after `start`.
    func lastIndex(ofMessageID msgID: String, from start: Int = 0) -> Int? {
        let hash = MessageIDHash.of(msgID)
        var index = entries.count - 1
        while index >= start {
            if entries[index].idHash == hash, message(at: index).msgID == msgID { return index }
            index -= 1
        }
        return nil
    }

    /// First index whose entry sorts after `entry`.
    private func firstIndex(after entry: StoredEntry) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if Self.precedes(entry, entries[middle]) {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    /// True when `lhs` sorts before `rhs`: by time, then source, then file order.
    private static func precedes(_ lhs: StoredEntry, _ rhs: StoredEntry) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        if lhs.key.source != rhs.key.source { return lhs.key.source < rhs.key.source }
        return lhs.key.order < rhs.key.order
    }
}

/// Counts per symbol of one field.
struct Tally: Sendable {
    private var counts: [Int] = []

    mutating func add(_ symbol: Symbol, _ delta: Int) {
        let index = Int(symbol.raw)
        if index >= counts.count { counts.append(contentsOf: repeatElement(0, count: index + 1 - counts.count)) }
        counts[index] += delta
    }

    /// The count of each value that has messages.
    func counts(_ symbols: SymbolTable) -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, count) in counts.enumerated() where count > 0 {
            result[symbols[Symbol(raw: UInt32(index))], default: 0] += count
        }
        return result
    }
}
