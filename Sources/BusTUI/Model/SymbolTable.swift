/// A small integer standing for one of the few distinct values a header field takes (types, tasks, runs,
/// projects, agents): the store keeps four bytes per field and message instead of a string.
struct Symbol: Sendable, Hashable {
    var raw: UInt32

    /// The empty string's symbol in every table.
    static let empty = Symbol(raw: 0)
}

/// The strings behind `Symbol`s, each spelling kept once.
///
/// Symbols stand for exact bytes: `String` equality takes canonically equivalent spellings (`café` composed and
/// decomposed) as one, but filters compare fields byte by byte, as they did on each message's own string, so
/// each spelling gets a symbol of its own.
struct SymbolTable: Sendable {
    private(set) var strings: [String] = [""]
    /// Symbols by string; canonically equivalent spellings share a key and are told apart by their bytes.
    private var lookup: [String: [Symbol]] = ["": [.empty]]

    var count: Int { strings.count }

    subscript(symbol: Symbol) -> String { strings[Int(symbol.raw)] }

    /// The symbol of `string`'s bytes, made on first use.
    mutating func intern(_ string: String) -> Symbol {
        let spellings = lookup[string] ?? []
        for symbol in spellings where self[symbol].utf8.elementsEqual(string.utf8) { return symbol }
        let symbol = Symbol(raw: UInt32(strings.count))
        strings.append(string)
        lookup[string] = spellings + [symbol]
        return symbol
    }
}
