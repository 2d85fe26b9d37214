/// Where a filter's words and patterns occur in text as it is shown, for highlighting and for `n`/`N` inside
/// the detail pane.
///
/// It works on the characters drawn (after sanitizing and cutting), not on the raw body, so what is marked is
/// exactly what the eye finds on screen. Only terms that say "this text is here" are looked for: plain words and
/// regular expressions that are not negated (a `type:` or `task:` term names a field, not a place in the text).
struct MatchFinder: Sendable {
    private let needles: [[String]]
    private let patterns: [QueryPattern]

    init(_ query: MessageQuery) {
        var needles: [[String]] = []
        var patterns: [QueryPattern] = []
        for term in query.terms where !term.negated {
            switch term.field {
            case .any:
                let needle = String(decoding: term.values.first ?? [], as: UTF8.self)
                if !needle.isEmpty { needles.append(needle.map { String($0).lowercased() }) }
            case .regex:
                if let pattern = term.pattern { patterns.append(pattern) }
            case .type, .task, .run, .project:
                break
            }
        }
        self.needles = needles
        self.patterns = patterns
    }

    var isEmpty: Bool { needles.isEmpty && patterns.isEmpty }

    /// Ranges of positions in `characters` covered by a match, sorted; overlapping matches are not merged.
    func ranges(in characters: [Character]) -> [Range<Int>] {
        guard !isEmpty, !characters.isEmpty else { return [] }
        var found: [Range<Int>] = []
        if !needles.isEmpty {
            let lowered = characters.map { String($0).lowercased() }
            for needle in needles where needle.count <= lowered.count {
                var start = 0
                while start + needle.count <= lowered.count {
                    if lowered[start] == needle[0], Array(lowered[start..<(start + needle.count)]) == needle {
                        found.append(start..<(start + needle.count))
                        start += needle.count
                    } else {
                        start += 1
                    }
                }
            }
        }
        if !patterns.isEmpty {
            let text = String(characters)
            // Offsets of each character's start, to turn the regex's string indices into positions.
            var offsets: [String.Index: Int] = [:]
            var index = text.startIndex
            var position = 0
            while index < text.endIndex {
                offsets[index] = position
                index = text.index(after: index)
                position += 1
            }
            offsets[text.endIndex] = position
            for pattern in patterns {
                for range in pattern.ranges(in: text) where !range.isEmpty {
                    guard let lower = offsets[range.lowerBound], let upper = offsets[range.upperBound] else { continue }
                    found.append(lower..<upper)
                }
            }
        }
        return found.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// True when `characters` hold a match.
    func matches(_ characters: [Character]) -> Bool {
        !ranges(in: characters).isEmpty
    }
}
