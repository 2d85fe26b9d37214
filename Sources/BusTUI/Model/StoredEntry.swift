internal import BusCore

/// What the store keeps of each message: the header fields the list, the pickers and the filters use, as
/// symbols; the id as a hash; and where the rest is: a record in a bus file, read again when it is shown or
/// searched, or a message held whole.
///
/// 64 bytes: the 2.6 million messages of a 1 GB bus take 170 MB (issue 8: the monitor of a 1 GB bus under
/// 400 MB), where whole messages took 1.6 GB.
struct StoredEntry: Sendable {
    struct Flags: OptionSet, Sendable {
        var rawValue: UInt8

        /// The header names parents (kept beside the entries: few messages have them).
        static let hasParents = Flags(rawValue: 1)
        /// The header had no `ts` (`BusMessage.timestampInferred`).
        static let timestampInferred = Flags(rawValue: 2)
    }

    var timestamp: BusTimestamp
    var type: Symbol
    var task: Symbol
    var run: Symbol
    var project: Symbol
    /// Who wrote it (`MonitorModel.agent(of:)`).
    var agent: Symbol
    var key: MessageKey
    /// `MessageIDHash` of the msg_id: finds the candidates for an id without reading them.
    var idHash: UInt64
    /// The record's offset in its source's file, or `-1 - i` for the i-th held message.
    var location: Int64
    /// The record's length in bytes; 0 when held.
    var length: UInt32
    var flags: Flags

    /// The entry of `message`, its strings interned in `symbols`.
    init(_ message: BusMessage, symbols: inout SymbolTable, location: Int64, length: UInt32 = 0) {
        timestamp = message.timestamp
        type = symbols.intern(message.type)
        task = symbols.intern(message.taskID)
        run = symbols.intern(message.runID)
        project = symbols.intern(message.projectID)
        agent = symbols.intern(MonitorModel.agent(of: message))
        key = MessageKey(source: 0, order: 0)
        idHash = MessageIDHash.of(message.msgID)
        self.location = location
        self.length = length
        flags = []
        if !message.parents.isEmpty { flags.insert(.hasParents) }
        if message.timestampInferred { flags.insert(.timestampInferred) }
    }

    /// The index into the held messages, or nil for a record in a file.
    var heldIndex: Int? { location < 0 ? Int(-1 - location) : nil }
}

/// A 64-bit hash of a msg_id, for this process: ids equal as strings hash equal (canonically equivalent
/// spellings too, as parents have always been matched to ids with `String` equality); a hash match is confirmed on
/// the id itself.
enum MessageIDHash {
    static func of(_ id: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(id)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
