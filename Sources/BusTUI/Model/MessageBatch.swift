internal import BusCore

/// Messages of one bus in file order, on their way into the store: entries with their own symbol table (a
/// batch is built on the history loader's thread), the messages held whole, and the parents of the rest.
///
/// A message read by a streaming read is kept as its record's place (`add(header:place:)`) and read again when
/// shown; one whose record would not read alone as it did in the file is held whole (`add(_:)`).
struct MessageBatch: Sendable {
    private(set) var entries: [StoredEntry] = []
    private(set) var symbols = SymbolTable()
    private(set) var held: [BusMessage] = []
    /// The parents of entries kept as places, by position in `entries`.
    private(set) var parents: [Int: [BusParent]] = [:]
    /// Reads the records of entries kept as places; nil when every message is held.
    let records: RecordFetcher?

    /// An empty batch; `capacity` entries are reserved (address space only: pages not written cost nothing).
    init(records: RecordFetcher? = nil, capacity: Int = 0) {
        self.records = records
        entries.reserveCapacity(capacity)
    }

    /// A batch holding `messages` whole (the tailer's, a server's, tests').
    init(_ messages: [BusMessage]) {
        self.init()
        entries.reserveCapacity(messages.count)
        held.reserveCapacity(messages.count)
        for message in messages { add(message) }
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Adds `message`, held whole.
    mutating func add(_ message: BusMessage) {
        entries.append(StoredEntry(message, symbols: &symbols, location: -1 - Int64(held.count)))
        held.append(message)
    }

    /// Adds a message kept as the place of its record in the batch's file.
    ///
    /// `header` is the message without its body (`ScannedRecord.header`), and `place` one where the record reads
    /// alone as it did in the file (`ScannedRecord.placeEnd`). A batch without a file, or a record longer than an
    /// entry can say, holds the `whole` message instead.
    mutating func add(header: BusMessage, place: Range<Int>, whole: @autoclosure () -> BusMessage) {
        guard records != nil, place.count <= UInt32.max else {
            add(whole())
            return
        }
        if !header.parents.isEmpty { parents[entries.count] = header.parents }
        entries.append(
            StoredEntry(
                header,
                symbols: &symbols,
                location: Int64(place.lowerBound),
                length: UInt32(place.count)
            )
        )
    }

    /// Moves the entries out, leaving the batch empty: the caller's array is then the only reference to them and
    /// can be changed and grown in place.
    mutating func takeEntries() -> [StoredEntry] {
        let taken = entries
        entries = []
        held = []
        parents = [:]
        return taken
    }
}
