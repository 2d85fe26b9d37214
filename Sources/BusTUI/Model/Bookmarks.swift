/// Messages marked with `m`, visited in time order with `'`.
struct Bookmarks: Sendable, Equatable {
    private(set) var keys: Set<MessageKey> = []

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }

    func contains(_ key: MessageKey) -> Bool { keys.contains(key) }

    /// Marks `key`, or unmarks it when marked.
    /// - Returns: true when the message is now marked.
    @discardableResult
    mutating func toggle(_ key: MessageKey) -> Bool {
        if keys.remove(key) != nil { return false }
        keys.insert(key)
        return true
    }

    /// Forgets marks on messages that are gone (a truncated source).
    mutating func keep(where stored: (MessageKey) -> Bool) {
        keys = keys.filter(stored)
    }
}
