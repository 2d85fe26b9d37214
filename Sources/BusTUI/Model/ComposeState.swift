/// The compose box: a type field with completion and a multi-line body.
struct ComposeState: Sendable, Equatable {
    enum Field: Sendable, Equatable {
        case body
        case type
    }

    /// Where a post stands; while not `.editing` the text is frozen.
    enum Phase: Sendable, Equatable {
        case editing
        case posting
        case waitingForLock
    }

    /// Types offered for completion even before the bus has any.
    static let standardTypes = ["FACT", "DONE", "PROGRESS", "DECISION", "QUESTION", "ANSWER", "INFO", "USER"]

    var type = LineEditor("FACT")
    var body = LineEditor()
    var field = Field.body
    var phase = Phase.editing
    /// The last failed post's reason, shown in the box until the next edit.
    var error: String?
    /// While cycling completions with Up/Down: what was typed and which candidate is shown.
    var completion: (prefix: String, index: Int)?
    /// A reply (`a`): the message it answers, posted as its `parents` entry, and the project and task it goes to.
    var reply: Reply?
    /// Ctrl-X was pressed: a Ctrl-E next opens the editor.
    var pendingControlX = false

    struct Reply: Sendable, Equatable {
        var msgID: String
        var projectID: String
        var taskID: String
    }

    init(type: String = "FACT", reply: Reply? = nil) {
        self.type = LineEditor(type)
        self.reply = reply
    }

    static func == (lhs: ComposeState, rhs: ComposeState) -> Bool {
        lhs.type == rhs.type && lhs.body == rhs.body && lhs.field == rhs.field && lhs.phase == rhs.phase
            && lhs.error == rhs.error && lhs.completion?.prefix == rhs.completion?.prefix
            && lhs.completion?.index == rhs.completion?.index && lhs.reply == rhs.reply
            && lhs.pendingControlX == rhs.pendingControlX
    }

    var isBusy: Bool { phase != .editing }

    /// Types starting with `prefix` (any case): the standard ones in their order, then the others seen, sorted.
    static func candidates(prefix: String, seen: some Sequence<String>) -> [String] {
        let lowered = prefix.lowercased()
        var result: [String] = []
        var included = Set<String>()
        for type in standardTypes + seen.sorted() where !included.contains(type) && !type.isEmpty {
            included.insert(type)
            if type.lowercased().hasPrefix(lowered) { result.append(type) }
        }
        return result
    }

    /// The completion that Tab would take in the type field, if it changes the text.
    func suggestion(seen: some Sequence<String>) -> String? {
        let typed = type.text
        guard !typed.isEmpty else { return nil }
        return Self.candidates(prefix: typed, seen: seen).first { $0 != typed }
    }

    /// Shows the next (`step` 1) or previous (-1) candidate for what was typed.
    mutating func cycleCompletion(step: Int, seen: some Sequence<String>) {
        let prefix = completion?.prefix ?? type.text
        let candidates = Self.candidates(prefix: prefix, seen: seen)
        guard !candidates.isEmpty else { return }
        let start = completion.map { $0.index + step } ?? (step > 0 ? 0 : candidates.count - 1)
        let index = (start % candidates.count + candidates.count) % candidates.count
        completion = (prefix, index)
        type.set(candidates[index])
    }
}

/// The type or task picker: every value seen, with counts; Space toggles, Enter applies.
struct PickerState: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case type
        case task
    }

    struct Item: Sendable, Equatable {
        var name: String
        var count: Int
    }

    var kind: Kind
    var items: [Item]
    var cursor = 0
    var top = 0
    var chosen: Set<String>

    init(kind: Kind, counts: [String: Int], chosen: Set<String>) {
        self.kind = kind
        items = counts.filter { $0.value > 0 }.map { Item(name: $0.key, count: $0.value) }.sorted { $0.name < $1.name }
        // A chosen value whose messages are gone (truncation) stays listed so it can be unchosen.
        for name in chosen where counts[name, default: 0] == 0 { items.append(Item(name: name, count: 0)) }
        self.chosen = chosen
    }

    mutating func toggle() {
        guard items.indices.contains(cursor) else { return }
        let name = items[cursor].name
        if chosen.contains(name) { chosen.remove(name) } else { chosen.insert(name) }
    }

    mutating func move(_ delta: Int) {
        guard !items.isEmpty else { return }
        cursor = min(max(0, cursor + delta), items.count - 1)
    }

    /// How an item is labelled: tasks may be empty (messages of the project bus).
    static func label(_ name: String, kind: Kind) -> String {
        name.isEmpty ? (kind == .task ? "(no task)" : "(no type)") : name
    }
}
