internal import BusCore

/// The conversation around one message, as the thread view (`r`) lists it: its ancestors (first parents, oldest
/// first), the message, then its replies as a tree (each reply under the message it names, in time order).
///
/// Built on demand from the store (one pass over it to find replies), and built again when messages arrive while
/// the view is open, so a reply posted meanwhile shows up.
struct ThreadTree: Sendable, Equatable {
    enum Role: Sendable, Equatable {
        case ancestor
        case root
        case reply
    }

    struct Row: Sendable, Equatable {
        /// Store index of the message.
        var index: Int
        /// The message's key, which stays when later merges move store indices.
        var key: MessageKey
        /// Indentation level: 0 for the oldest ancestor.
        var depth: Int
        var role: Role
    }

    private(set) var rows: [Row] = []
    /// Position in `rows` of the message the tree was built around.
    private(set) var rootRow = 0

    /// The tree around store index `root`.
    ///
    /// Parents are looked up by id (the last message with that id at or before the child, as `p` does); a cycle
    /// (a foreign writer's ids pointing at each other) is cut where a message would appear a second time.
    init(store: MessageStore, root: Int) {
        guard root >= 0, root < store.count else { return }
        var seen: Set<Int> = [root]
        var chain: [Int] = []
        var current = root
        while let parent = store.parents(at: current).first,
            let index = store.index(ofMessageID: parent.msgID, before: current), seen.insert(index).inserted
        {
            chain.append(index)
            current = index
        }
        for (depth, index) in chain.reversed().enumerated() {
            rows.append(Row(index: index, key: store.key(at: index), depth: depth, role: .ancestor))
        }
        rootRow = rows.count
        rows.append(Row(index: root, key: store.key(at: root), depth: chain.count, role: .root))

        // Replies by parent id, in store (time) order; only ids in this thread are followed below.
        var children: [String: [Int]] = [:]
        for (index, entry) in store.entries.enumerated() where entry.flags.contains(.hasParents) {
            var named = Set<String>()
            for parent in store.parents(at: index) where named.insert(parent.msgID).inserted {
                children[parent.msgID, default: []].append(index)
            }
        }
        // Depth first, an explicit stack so a deep chain of replies cannot overflow the call stack.
        var stack: [(index: Int, depth: Int)] = []
        for child in (children[store.message(at: root).msgID] ?? []).reversed() {
            stack.append((child, chain.count + 1))
        }
        while let (index, depth) = stack.popLast() {
            guard seen.insert(index).inserted else { continue }
            rows.append(Row(index: index, key: store.key(at: index), depth: depth, role: .reply))
            for child in (children[store.message(at: index).msgID] ?? []).reversed() {
                stack.append((child, depth + 1))
            }
        }
    }

    var ancestorCount: Int { rootRow }
    var replyCount: Int { rows.count - rootRow - 1 }
}

/// The thread view's state: the tree, which message it was opened on, and its cursor and scroll.
struct ThreadViewState: Sendable, Equatable {
    var rootKey: MessageKey
    var tree: ThreadTree
    var cursor: Int
    var top = 0

    mutating func move(_ delta: Int) {
        guard !tree.rows.isEmpty else { return }
        cursor = min(max(0, cursor + delta), tree.rows.count - 1)
    }
}

/// Where `p`, Enter in the thread view, bookmarks and the other jumps came from, so Ctrl-O / Backspace go back
/// (vim's jump list, without the forward half).
struct JumpHistory: Sendable, Equatable {
    static let limit = 100

    private(set) var entries: [MessageKey] = []

    /// Remembers `key` as a place to come back to; the same place twice in a row is kept once.
    mutating func record(_ key: MessageKey) {
        if entries.last == key { return }
        entries.append(key)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
    }

    /// The place jumped from last, forgotten as it is returned.
    mutating func back() -> MessageKey? {
        entries.popLast()
    }
}
