import BusCore

/// Which messages `bus_read` and `bus_wait` want: types, task and body text (empty: everything).
struct ToolFilter: Sendable {
    var types: Set<String> = []
    var task: String?
    /// Lower-cased text the body must contain.
    var text: String?

    init(types: [String]?, task: String?, text: String? = nil) {
        self.types = Set(types ?? [])
        self.task = task.flatMap { $0.isEmpty ? nil : $0 }
        self.text = text.flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    func matches(_ message: BusMessage) -> Bool {
        (types.isEmpty || types.contains(message.type)) && (task.map { $0 == message.taskID } ?? true)
            && (text.map { message.body.lowercased().contains($0) } ?? true)
    }
}

/// Cursor reads over a feed's messages: what `bus_read` and `bus_wait` return.
struct CursorPage: Sendable {
    var messages: [BusMessage]
    /// The id to pass as `since` next time: the last message returned when a limit cut the page short, else
    /// the newest message on the bus (later non-matching messages need not be scanned again); nil on an empty bus.
    var cursor: String?

    /// - Parameters:
    ///   - log: the messages read so far.
    ///   - since: the cursor, or nil for the newest `limit` messages.
    ///   - filter: which messages count.
    ///   - limit: most messages to return (nil: all).
    ///   - path: the bus, for the error naming an unknown `since`.
    /// - Throws: `BusMCPError.bus(.sinceNotFound)` for an id that is not on the bus.
    init(
        _ log: MessageLog,
        since: String?,
        filter: ToolFilter,
        limit: Int?,
        path: String
    ) throws(BusMCPError) {
        let live = log.live
        let newest = live.last?.msgID
        guard let since else {
            var found: [BusMessage] = []
            var index = live.endIndex
            while index > live.startIndex, limit.map({ found.count < $0 }) ?? true {
                index -= 1
                if filter.matches(live[index]) { found.append(live[index]) }
            }
            self.init(messages: found.reversed(), cursor: newest)
            return
        }
        guard let start = log.index(after: since, liveOnly: false) else {
            throw .bus(.sinceNotFound(id: since, path: path))
        }
        var found: [BusMessage] = []
        for message in log.messages[start...] where filter.matches(message) {
            if let limit, found.count >= limit {
                self.init(messages: found, cursor: found.last?.msgID ?? since)
                return
            }
            found.append(message)
        }
        self.init(messages: found, cursor: newest ?? since)
    }

    init(messages: [BusMessage], cursor: String?) {
        self.messages = messages
        self.cursor = cursor
    }
}
