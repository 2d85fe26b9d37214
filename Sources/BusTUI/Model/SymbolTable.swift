/// A small integer standing for one of the few distinct values a header field takes (types, tasks, runs,
/// projects, agents): the store keeps four bytes per field and message instead of a string.
struct Symbol: Sendable, Hashable {
    var raw: UInt32

    /// The empty string's symbol in every table.
    static let empty = Symbol(raw: 0)
}

/// The strings behind `Symbol`s, each kept once.
struct SymbolTable: Sendable {
    private(set) var strings: [String] = [""]
    private var lookup: [String: Symbol] = ["": .empty]

    var count: Int { strings.count }

    subscript(symbol: Symbol) -> String { strings[Int(symbol.raw)] }

    /// The symbol of `string`, made on first use.
    mutating func intern(_ string: String) -> Symbol {
        if let symbol = lookup[string] { return symbol }
        let symbol = Symbol(raw: UInt32(strings.count))
        strings.append(string)
        lookup[string] = symbol
        return symbol
    }

    /// The symbol of `string` when it has one: a value never seen has none, and matches nothing stored.
    func symbol(of string: String) -> Symbol? { lookup[string] }
}
