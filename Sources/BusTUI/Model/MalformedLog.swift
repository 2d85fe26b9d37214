internal import BusCore

/// Names one malformed record: the source it was read from, which of that source's files (a rotation starts
/// another), and its byte offset there.
///
/// Ordered by source, file, then offset, which is the order the malformed-records overlay lists them in.
struct MalformedKey: Sendable, Hashable, Comparable {
    var source: Int32
    var generation = 0
    var offset: Int

    static func < (left: Self, right: Self) -> Bool {
        (left.source, left.generation, left.offset) < (right.source, right.generation, right.offset)
    }
}

/// One listed malformed record and the source it came from.
struct MalformedEntry: Sendable, Equatable {
    var source: Int32
    /// The source's file it was read from: 0 for the first, one more after each rotation or replacement.
    var generation = 0
    var record: MalformedRecord

    var key: MalformedKey { MalformedKey(source: source, generation: generation, offset: record.offset) }
}

/// The malformed records the buses reported, per source: all of them counted, the newest `limit` of each source
/// kept for the overlay (a bus full of garbage must not grow the monitor's memory without bound).
struct MalformedLog: Sendable {
    static let defaultLimit = 1000

    let limit: Int
    /// Records reported per source, including those no longer kept.
    private(set) var counts: [Int32: Int] = [:]
    /// The kept records of every source, sorted by key (source, then offset).
    private(set) var entries: [MalformedEntry] = []
    /// The highest offset reported per source in its current file: a record reported again (at or before it)
    /// is not counted twice.
    private var lastOffset: [Int32: Int] = [:]
    /// Each source's current file (see `MalformedEntry.generation`).
    private(set) var generations: [Int32: Int] = [:]

    init(limit: Int = defaultLimit) {
        self.limit = max(1, limit)
    }

    /// Records reported in all, kept or not.
    var total: Int { counts.values.reduce(0, +) }

    /// Adds the records a read of `source` skipped, in file order.
    mutating func add(_ records: [MalformedRecord], source: Int32) {
        // The tailer reports each record once, in file order; a repeat (same or earlier offset) would only
        // inflate the count, so it is dropped here rather than trusted.
        var fresh: [MalformedRecord] = []
        for record in records where record.offset > lastOffset[source, default: -1] {
            fresh.append(record)
            lastOffset[source] = record.offset
        }
        guard !fresh.isEmpty else { return }
        counts[source, default: 0] += fresh.count
        let range = Self.range(of: source, in: entries)
        let generation = generations[source, default: 0]
        var kept =
            Array(entries[range])
            + fresh.map { MalformedEntry(source: source, generation: generation, record: $0) }
        if kept.count > limit { kept.removeFirst(kept.count - limit) }
        entries.replaceSubrange(range, with: kept)
    }

    /// `source` now reads another file (a rotation, a replacement, a file created again).
    ///
    /// Its offsets start again, so a lower offset is news there. The earlier file's records stay listed.
    mutating func restart(source: Int32) {
        generations[source, default: 0] += 1
        lastOffset[source] = nil
    }

    /// Forgets `source`'s records: its file was truncated and will be read (and its records reported) again.
    mutating func reset(source: Int32) {
        counts[source] = nil
        lastOffset[source] = nil
        entries.removeSubrange(Self.range(of: source, in: entries))
    }

    /// Position of the first entry whose key is at least `key` (`entries.count` when there is none).
    func position(of key: MalformedKey) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// The entry named `key`, if it is still kept.
    func entry(_ key: MalformedKey) -> MalformedEntry? {
        let position = position(of: key)
        return position < entries.count && entries[position].key == key ? entries[position] : nil
    }

    /// The positions of `source`'s entries in the sorted `entries` (empty, at its place, when it has none).
    private static func range(of source: Int32, in entries: [MalformedEntry]) -> Range<Int> {
        let start = entries.firstIndex { $0.source >= source } ?? entries.count
        let end = entries[start...].firstIndex { $0.source > source } ?? entries.count
        return start..<end
    }
}
