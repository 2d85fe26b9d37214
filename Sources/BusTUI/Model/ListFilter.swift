internal import BusCore

/// The list's filters (the type and task pickers, the `/` query) as tests on stored entries.
///
/// Picker choices and field terms (`type:`, `task:`, `run:`, `project:`) are decided once per distinct value
/// (a table by symbol), so most messages pass or fail without being read; only words and patterns, which search
/// bodies and ids, read the messages they get to (held, or read again from a large bus's file).
///
/// On a record kept in its file, ASCII words are looked for in its bytes before any message is built: a plain
/// word absent from them is absent from its body and id (`MessageQuery.Term.plainWord` says which words this
/// holds for), and in a record as both writers write it (`ScannedRecord.plain`) the body and id are searched as
/// they are stored. Only other records are read as messages.
struct ListFilter {
    private struct FieldTerm {
        var field: KeyPath<StoredEntry, Symbol>
        /// Whether the term holds, by symbol (negation applied).
        var holds: [Bool]
    }

    /// An ASCII word: found in UTF-8 bytes exactly as in the text they spell, whatever else they hold.
    private struct WordTerm {
        var word: [UInt8]
        var negated: Bool
        /// The record's bytes lacking the word show its body and id lack it.
        var absenceShows: Bool
        /// The word found in a record's body bytes shows its body has it: no backslash (the body escape adds
        /// some) and no line break (the body's last one is not kept).
        var bodyShows: Bool
        /// Whether the word is in a type, task, run or project, by symbol.
        var inFields: [Bool]

        func inFields(of entry: StoredEntry) -> Bool {
            inFields[Int(entry.type.raw)] || inFields[Int(entry.task.raw)] || inFields[Int(entry.run.raw)]
                || inFields[Int(entry.project.raw)]
        }

        func isIn(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            word.withUnsafeBufferPointer { FoldedSearch.contains(bytes, $0) }
        }
    }

    /// Allowed by symbol; nil allows every value.
    private let types: [Bool]?
    private let tasks: [Bool]?
    private let fieldTerms: [FieldTerm]
    private let messageTerms: [MessageQuery.Term]
    /// The message terms as ASCII words; nil when one of them is not.
    private let words: [WordTerm]?

    init(types: Set<String>, tasks: Set<String>, query: MessageQuery, symbols: SymbolTable) {
        func table(_ holds: (String) -> Bool) -> [Bool] { symbols.strings.map(holds) }
        self.types = types.isEmpty ? nil : table { types.contains($0) }
        self.tasks = tasks.isEmpty ? nil : table { tasks.contains($0) }
        var fieldTerms: [FieldTerm] = []
        var messageTerms: [MessageQuery.Term] = []
        for term in query.terms {
            let field: KeyPath<StoredEntry, Symbol>
            switch term.field {
            case .any, .regex:
                messageTerms.append(term)
                continue
            case .type: field = \.type
            case .task: field = \.task
            case .run: field = \.run
            case .project: field = \.project
            }
            fieldTerms.append(FieldTerm(field: field, holds: table { term.matches(field: $0) != term.negated }))
        }
        self.fieldTerms = fieldTerms
        self.messageTerms = messageTerms
        var words: [WordTerm]? = []
        for term in messageTerms {
            guard term.field == .any, let word = term.values.first, word.allSatisfy({ $0 < 0x80 }) else {
                words = nil
                break
            }
            let inFields = table { TextMatch.contains($0, word) }
            let bodyShows = !word.contains { $0 == 0x5C || $0 == 0x0A || $0 == 0x0D }
            words?.append(
                WordTerm(
                    word: word,
                    negated: term.negated,
                    absenceShows: term.plainWord != nil,
                    bodyShows: bodyShows,
                    inFields: inFields
                )
            )
        }
        self.words = words
    }

    /// Whether the message at `index` of `store` is shown.
    func passes(_ index: Int, in store: MessageStore) -> Bool {
        let entry = store.entries[index]
        if let types, !types[Int(entry.type.raw)] { return false }
        if let tasks, !tasks[Int(entry.task.raw)] { return false }
        for term in fieldTerms where !term.holds[Int(entry[keyPath: term.field].raw)] { return false }
        guard !messageTerms.isEmpty else { return true }
        if let words, let decided = store.withRecordBytes(at: index, { Self.decide(words, entry, record: $0) }),
            let decided
        {
            return decided
        }
        return store.withMessage(at: index) { message in
            if let words {
                // Fields by their symbols' table; only the body and the id are searched.
                for term in words {
                    let found =
                        term.inFields(of: entry) || TextMatch.contains(message.body, term.word)
                        || TextMatch.contains(message.msgID, term.word)
                    if found == term.negated { return false }
                }
                return true
            }
            for term in messageTerms where term.matches(message) == term.negated { return false }
            return true
        }
    }

    /// Whether the words pass on the entry's fields and its record's bytes; nil when the message must be built.
    ///
    /// A place holds its record from the opening rule to the end of the body (`ScannedRecord.placeEnd`), so
    /// bytes after the header's closing rule are the stored body.
    private static func decide(_ words: [WordTerm], _ entry: StoredEntry, record: UnsafeBufferPointer<UInt8>) -> Bool? {
        var open = false
        // A backslash may be a YAML escape spelling the id's characters otherwise: absence then proves nothing.
        var hasBackslash: Bool?
        var body: UnsafeBufferPointer<UInt8>?
        for term in words {
            let found: Bool
            if term.inFields(of: entry) {
                found = true
            } else if term.isIn(record) {
                body = body ?? bodyBytes(record)
                guard term.bodyShows, let body, term.isIn(body) else {
                    // Only in the header: the id, or a key's name.
                    open = true
                    continue
                }
                found = true
            } else {
                let backslash =
                    hasBackslash ?? Self.backslash.withUnsafeBufferPointer { FoldedSearch.contains(record, $0) }
                hasBackslash = backslash
                guard term.absenceShows, !backslash else {
                    open = true
                    continue
                }
                found = false
            }
            if found == term.negated { return false }
        }
        guard open else { return true }
        // The words left open are looked for in the stored body and id of a record both writers' way.
        var decided: Bool?
        _ = RecordScanner.scan(record, from: ScanCursor(offset: Int(entry.location)), final: true) { event in
            guard decided == nil, case .record(let scanned, _) = event, scanned.offset == Int(entry.location),
                let plain = scanned.plain
            else { return }
            decided = words.allSatisfy { term in
                (term.inFields(of: entry) || term.isIn(plain.body) || term.isIn(plain.msgID)) != term.negated
            }
        }
        return decided
    }

    /// The bytes after the header's closing rule: the first line after the opening one that is `---` followed
    /// only by `\r`s (a header ends at the first rule, README "Formats read").
    private static func bodyBytes(_ record: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let opener = record.firstIndex(of: 0x0A) else { return nil }
        var start = opener + 1
        while start < record.count {
            let end = record[start...].firstIndex(of: 0x0A) ?? record.count
            var rule =
                start + 3 <= end && record[start] == 0x2D && record[start + 1] == 0x2D && record[start + 2] == 0x2D
            if rule { rule = record[(start + 3)..<end].allSatisfy { $0 == 0x0D } }
            if rule, end < record.count { return UnsafeBufferPointer(rebasing: record[(end + 1)...]) }
            start = end + 1
        }
        return nil
    }

    private static let backslash: [UInt8] = [0x5C]
}
