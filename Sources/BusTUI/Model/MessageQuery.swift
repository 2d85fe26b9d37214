internal import BusCore

/// The text filter typed after `/`: whitespace-separated terms that must all match.
///
/// - `word` matches messages whose body, type, task, run, project or id contains it (any case).
/// - `type:FACT,DONE` matches one of those types exactly (any case); `task:`, `run:`, `project:` match
///   fields containing the value; an empty value (`task:`) matches an empty field.
/// - `!term` negates a term; `"two words"` keeps spaces in one term.
struct MessageQuery: Sendable, Equatable {
    enum Field: String, Sendable, CaseIterable {
        case any
        case type
        case task
        case run
        case project
    }

    struct Term: Sendable, Equatable {
        var field: Field
        /// Lowercased UTF-8 values; the term matches when any of them does.
        var values: [[UInt8]]
        var negated: Bool
    }

    let text: String
    let terms: [Term]

    var isEmpty: Bool { terms.isEmpty }

    init(_ text: String) {
        self.text = text
        terms = Self.split(text).compactMap(Self.term)
    }

    /// True when every term matches `message`.
    func matches(_ message: BusMessage) -> Bool {
        for term in terms where term.matches(message) == term.negated {
            return false
        }
        return true
    }

    /// Splits on whitespace, keeping double-quoted runs together (quotes removed).
    private static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character.isWhitespace, !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }

    private static func term(_ word: String) -> Term? {
        var rest = Substring(word)
        let negated = rest.hasPrefix("!")
        if negated { rest = rest.dropFirst() }
        var field = Field.any
        if let colon = rest.firstIndex(of: ":"),
            let named = Field(rawValue: rest[..<colon].lowercased()), named != .any
        {
            field = named
            rest = rest[rest.index(after: colon)...]
        }
        if field == .any {
            guard !rest.isEmpty else { return nil }
            return Term(field: .any, values: [Array(rest.lowercased().utf8)], negated: negated)
        }
        let values = rest.split(separator: ",", omittingEmptySubsequences: false).map { Array($0.lowercased().utf8) }
        return Term(field: field, values: values, negated: negated)
    }
}

extension MessageQuery.Term {
    func matches(_ message: BusMessage) -> Bool {
        switch field {
        case .any:
            let needle = values[0]
            return TextMatch.contains(message.body, needle) || TextMatch.contains(message.type, needle)
                || TextMatch.contains(message.taskID, needle) || TextMatch.contains(message.runID, needle)
                || TextMatch.contains(message.projectID, needle) || TextMatch.contains(message.msgID, needle)
        case .type:
            return values.contains { TextMatch.equals(message.type, $0) }
        case .task:
            return values.contains { field(message.taskID, $0) }
        case .run:
            return values.contains { field(message.runID, $0) }
        case .project:
            return values.contains { field(message.projectID, $0) }
        }
    }

    private func field(_ value: String, _ needle: [UInt8]) -> Bool {
        needle.isEmpty ? value.isEmpty : TextMatch.contains(value, needle)
    }
}

/// Case-insensitive matching on UTF-8 bytes without allocating: filtering 100k messages must feel instant.
enum TextMatch {
    /// True when `haystack` contains `needle` (already lowercased), ignoring ASCII case; a needle with
    /// non-ASCII letters falls back to full Unicode lowercasing.
    static func contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        if needle.contains(where: { $0 >= 0x80 }) {
            return haystack.lowercased().utf8.firstRange(of: needle) != nil
        }
        var haystack = haystack
        return haystack.withUTF8 { bytes in
            guard bytes.count >= needle.count, let first = needle.first else { return false }
            let last = bytes.count - needle.count
            var start = 0
            while start <= last {
                if lower(bytes[start]) == first {
                    var offset = 1
                    while offset < needle.count, lower(bytes[start + offset]) == needle[offset] { offset += 1 }
                    if offset == needle.count { return true }
                }
                start += 1
            }
            return false
        }
    }

    /// True when `value` equals `needle` (lowercased), ignoring case.
    static func equals(_ value: String, _ needle: [UInt8]) -> Bool {
        guard value.utf8.count == needle.count else {
            return needle.contains(where: { $0 >= 0x80 }) && Array(value.lowercased().utf8) == needle
        }
        return zip(value.utf8, needle).allSatisfy { lower($0) == $1 }
            || (needle.contains(where: { $0 >= 0x80 }) && Array(value.lowercased().utf8) == needle)
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
