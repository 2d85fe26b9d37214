internal import BusCore

/// The text filter typed after `/`: whitespace-separated terms that must all match.
///
/// - `word` matches messages whose body, type, task, run, project or id contains it (any case).
/// - `type:FACT,DONE` matches one of those types exactly (any case); `task:`, `run:`, `project:` match
///   fields containing the value; an empty value (`task:`) matches an empty field.
/// - `/pattern/` or `re:pattern` is a case-insensitive regular expression searched in the same fields as a word.
/// - `!term` negates a term; `"two words"` keeps spaces in one term.
struct MessageQuery: Sendable, Equatable {
    enum Field: String, Sendable, CaseIterable {
        case any
        case type
        case task
        case run
        case project
        case regex = "re"
    }

    struct Term: Sendable, Equatable {
        var field: Field
        /// Lowercased UTF-8 values; the term matches when any of them does.
        var values: [[UInt8]]
        var negated: Bool
        /// The compiled pattern of a `.regex` term.
        var pattern: QueryPattern?
    }

    let text: String
    let terms: [Term]
    /// Why a regex term could not be compiled (that term is left out): shown in the prompt.
    let error: String?

    var isEmpty: Bool { terms.isEmpty }

    init(_ text: String) {
        self.text = text
        var terms: [Term] = []
        var error: String?
        for word in Self.split(text) {
            switch Self.term(word) {
            case .success(let term?): terms.append(term)
            case .success(nil): break
            case .failure(let failure): error = error ?? failure.message
            }
        }
        self.terms = terms
        self.error = error
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

    private static func term(_ word: String) -> Result<Term?, QueryPattern.Failure> {
        var rest = Substring(word)
        let negated = rest.hasPrefix("!")
        if negated { rest = rest.dropFirst() }
        if rest.count >= 2, rest.hasPrefix("/"), rest.hasSuffix("/") {
            return regexTerm(String(rest.dropFirst().dropLast()), negated: negated)
        }
        if rest.lowercased().hasPrefix("re:") {
            return regexTerm(String(rest.dropFirst(3)), negated: negated)
        }
        var field = Field.any
        if let colon = rest.firstIndex(of: ":"),
            let named = Field(rawValue: rest[..<colon].lowercased()), named != .any
        {
            field = named
            rest = rest[rest.index(after: colon)...]
        }
        if field == .any {
            guard !rest.isEmpty else { return .success(nil) }
            return .success(Term(field: .any, values: [Array(rest.lowercased().utf8)], negated: negated))
        }
        let values = rest.split(separator: ",", omittingEmptySubsequences: false).map { Array($0.lowercased().utf8) }
        return .success(Term(field: field, values: values, negated: negated))
    }

    private static func regexTerm(_ source: String, negated: Bool) -> Result<Term?, QueryPattern.Failure> {
        guard !source.isEmpty else { return .success(nil) }
        return QueryPattern.compile(source).map { Term(field: .regex, values: [], negated: negated, pattern: $0) }
    }
}

extension MessageQuery.Term {
    func matches(_ message: BusMessage) -> Bool {
        switch field {
        case .regex:
            guard let pattern else { return true }
            return pattern.matches(message.body) || pattern.matches(message.type)
                || pattern.matches(message.taskID) || pattern.matches(message.runID)
                || pattern.matches(message.projectID) || pattern.matches(message.msgID)
        case .any:
            let needle = values[0]
            return TextMatch.contains(message.body, needle) || TextMatch.contains(message.type, needle)
                || TextMatch.contains(message.taskID, needle) || TextMatch.contains(message.runID, needle)
                || TextMatch.contains(message.projectID, needle) || TextMatch.contains(message.msgID, needle)
        case .type: return matches(field: message.type)
        case .task: return matches(field: message.taskID)
        case .run: return matches(field: message.runID)
        case .project: return matches(field: message.projectID)
        }
    }

    /// The word of an `.any` term that a record's bytes must contain for its body or id to contain it: ASCII
    /// without spaces, quotes or backslashes, the characters a record's stored form may spell differently
    /// (YAML quoting and escapes, folded lines, the body escape's backslash); nil for other terms.
    var plainWord: [UInt8]? {
        guard field == .any, let word = values.first, !word.isEmpty else { return nil }
        let spelledAlike = word.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x27 && $0 != 0x5C }
        return spelledAlike ? word : nil
    }

    /// Whether a `type:`, `task:`, `run:` or `project:` term matches the value of its field.
    func matches(field value: String) -> Bool {
        switch field {
        case .type: values.contains { TextMatch.equals(value, $0) }
        case .task, .run, .project: values.contains { self.field(value, $0) }
        case .any, .regex: false
        }
    }

    private func field(_ value: String, _ needle: [UInt8]) -> Bool {
        needle.isEmpty ? value.isEmpty : TextMatch.contains(value, needle)
    }
}

/// A case-insensitive regular expression of the filter, compared by its source so queries stay `Equatable`.
struct QueryPattern: @unchecked Sendable, Equatable {
    /// Why a pattern did not compile, as the prompt shows it.
    struct Failure: Error, Equatable {
        var message: String
    }

    let source: String
    // Unchecked Sendable: the model owns the query and only one thread (the event loop) matches with it.
    private let regex: Regex<AnyRegexOutput>

    private init(source: String, regex: Regex<AnyRegexOutput>) {
        self.source = source
        self.regex = regex
    }

    /// Compiles `source`; an invalid pattern is a `Failure` naming it, never a crash.
    static func compile(_ source: String) -> Result<QueryPattern, Failure> {
        do {
            let regex = try Regex(source).ignoresCase()
            return .success(QueryPattern(source: source, regex: regex))
        } catch {
            let reason = String(describing: error).split(separator: "\n").first.map(String.init) ?? "invalid"
            return .failure(Failure(message: "bad regex /\(source)/: \(reason)"))
        }
    }

    func matches(_ text: String) -> Bool {
        text.contains(regex)
    }

    /// Where the pattern matches in `text`, for highlighting.
    func ranges(in text: String) -> [Range<String.Index>] {
        text.ranges(of: regex)
    }

    static func == (lhs: QueryPattern, rhs: QueryPattern) -> Bool { lhs.source == rhs.source }
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
        // Native strings are contiguous UTF-8: read in place (no copy, no retain); others are made so first.
        if let found = haystack.utf8.withContiguousStorageIfAvailable({ asciiContains($0, needle) }) { return found }
        var copy = haystack
        return copy.withUTF8 { asciiContains($0, needle) }
    }

    /// `contains` for an ASCII needle, on the haystack's bytes (typing one character filters 100k bodies: this
    /// search is the cost of a keystroke).
    static func asciiContains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        needle.withUnsafeBufferPointer { FoldedSearch.contains(bytes, $0) }
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
