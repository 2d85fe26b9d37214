internal import BusCore

/// The filters applied with Enter, newest last, and where Up/Down in the prompt are in them.
struct FilterHistory: Sendable, Equatable {
    /// Older entries are dropped past this many.
    static let limit = 100

    private(set) var entries: [String]
    /// Index of the entry shown in the prompt while browsing; nil when the prompt shows the user's own text.
    private(set) var position: Int?
    /// The text typed before browsing started, given back when Down goes past the newest entry.
    private var draft = ""

    init(_ entries: [String] = []) {
        self.entries = Array(entries.filter { !$0.isEmpty }.suffix(Self.limit))
    }

    /// Records `text` as the newest entry (an earlier copy moves up, blanks are skipped).
    /// - Returns: true when the entries changed.
    mutating func add(_ text: String) -> Bool {
        guard !text.trimmingSpaces.isEmpty, entries.last != text else { return false }
        entries.removeAll { $0 == text }
        entries.append(text)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
        return true
    }

    /// Up: the entry before the one shown, nil at the oldest.
    ///
    /// `current` (the typed text) is kept to come back to.
    mutating func older(than current: String) -> String? {
        guard !entries.isEmpty else { return nil }
        guard let shown = position else {
            draft = current
            position = entries.count - 1
            return entries[entries.count - 1]
        }
        guard shown > 0 else { return nil }
        position = shown - 1
        return entries[shown - 1]
    }

    /// Down: the entry after the one shown, then the text typed before browsing; nil when not browsing.
    mutating func newer() -> String? {
        guard let shown = position else { return nil }
        if shown + 1 < entries.count {
            position = shown + 1
            return entries[shown + 1]
        }
        position = nil
        return draft
    }

    mutating func endBrowsing() {
        position = nil
        draft = ""
    }
}
