/// Parsing of the values users type: sizes (`10M`) and durations in seconds (`2.5`).
package enum SettingParser {
    /// Bytes, with an optional `K`, `M` or `G` suffix (1024-based, `KiB`/`KB` spellings accepted).
    package static func byteSize(_ text: String, name: String) throws(BusError) -> Int {
        let invalid = BusError.invalidSetting(
            name: name,
            value: text,
            expected: "a non-negative size in bytes such as 512, 64K, 10M or 1G"
        )
        var digits = Substring(text.trimmingSpaces)
        var multiplier = 1
        for (suffixes, factor) in [
            (["KIB", "KB", "K"], 1 << 10), (["MIB", "MB", "M"], 1 << 20), (["GIB", "GB", "G"], 1 << 30),
        ] {
            if let suffix = suffixes.first(where: { digits.uppercased().hasSuffix($0) }) {
                digits = digits.dropLast(suffix.count)
                multiplier = factor
                break
            }
        }
        if digits.uppercased().hasSuffix("B") { digits = digits.dropLast() }
        guard let value = Int(digits), value >= 0 else { throw invalid }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw invalid }
        return product
    }

    /// Seconds as a decimal number (`10`, `0.25`, `.5`), at least zero.
    ///
    /// Only digits and one decimal point: `Double(_:)` would also take `0x10`, `1e1`, `inf` and `nan`, which
    /// nobody means as a timeout.
    package static func seconds(_ text: String, name: String) throws(BusError) -> Duration {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.utf8.filter { $0 != UInt8(ascii: ".") }
        let decimal =
            !digits.isEmpty && trimmed.utf8.count - digits.count <= 1
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard decimal, let value = Double(trimmed), value.isFinite, value >= 0, value < 1e9 else {
            throw .invalidSetting(
                name: name,
                value: text,
                expected: "a non-negative number of seconds such as 10 or 0.5"
            )
        }
        return .nanoseconds(Int64(value * 1e9))
    }

    /// Whole seconds written as a count and a unit letter (`90s`, `10m`, `2h`): the count times the unit's
    /// seconds in `units`, or, without a known letter, the bare count times `bare` (nil: a unit is required).
    ///
    /// - Returns: nil for anything else, a negative count, or a product past `Int64` (typed text must never trap).
    package static func unitSeconds(_ text: Substring, units: [Character: Int64], bare: Int64?) -> Int64? {
        var digits = text
        var scale = bare
        if let last = text.last, let unit = units[last] {
            digits = text.dropLast()
            scale = unit
        }
        guard let scale, let count = Int64(digits), count >= 0,
            case let (seconds, false) = count.multipliedReportingOverflow(by: scale)
        else { return nil }
        return seconds
    }
}

extension String {
    /// The text without leading and trailing whitespace (no Foundation).
    package var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

extension Duration {
    /// The duration in seconds, for messages.
    package var secondsValue: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
