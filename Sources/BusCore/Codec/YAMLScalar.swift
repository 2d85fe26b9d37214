/// Writes strings as YAML scalars that Go's yaml.v3 (and every YAML 1.1/1.2 reader) decodes back to the same
/// string, choosing the style yaml.v3 itself would: plain where safe, double quotes for text that would read as
/// another type (`"yes"`, `"123"`, `"~"`), single quotes for YAML syntax (`'a: b'`, `'#hash'`), and escaped
/// double quotes for line breaks and control characters.
package enum YAMLScalar {
    package static func encode(_ value: String) -> String {
        if value.isEmpty || resolvesToNonString(value) { return doubleQuoted(value) }
        switch analyze(value) {
        case .plain: return value
        case .singleQuoted: return "'" + value.replacingAll("'", with: "''") + "'"
        case .doubleQuoted: return doubleQuoted(value)
        }
    }

    private enum Style { case plain, singleQuoted, doubleQuoted }

    /// libyaml's scalar analysis, reduced to block context.
    private static func analyze(_ value: String) -> Style {
        let scalars = Array(value.unicodeScalars)
        var needsQuotes = false
        if value.hasPrefix("---") || value.hasPrefix("...") { needsQuotes = true }
        if let first = scalars.first {
            if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(first) { needsQuotes = true }
            if first == "-" || first == "?" || first == ":" { needsQuotes = true }
            if first == " " || first == "\t" { needsQuotes = true }
        }
        if let last = scalars.last, last == " " || last == "\t" { needsQuotes = true }
        for (index, scalar) in scalars.enumerated() {
            if !isPrintable(scalar) { return .doubleQuoted }
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == ":" && (next == nil || next == " " || next == "\t") { needsQuotes = true }
            if scalar == "#" && index > 0 && (scalars[index - 1] == " " || scalars[index - 1] == "\t") {
                needsQuotes = true
            }
        }
        return needsQuotes ? .singleQuoted : .plain
    }

    /// libyaml's `IS_PRINTABLE`, minus the characters YAML treats as line breaks or a byte-order mark.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: true
        case 0xA0...0xD7FF: scalar.value != 0x2028 && scalar.value != 0x2029
        case 0xE000...0xFFFD: scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case _ where isPrintable(scalar) || scalar == " ": out.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                if scalar.value <= 0xFF {
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                }
            }
        }
        return out + "\""
    }

    private static let nonStringWords: Set<String> = [
        "~", "null", "Null", "NULL", "<<",
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
    ]

    /// True when a plain scalar with this text would be read as null, a bool, a number or a timestamp
    /// (yaml.v3's `resolve`, plus YAML 1.1 booleans and base-60 numbers that it also quotes).
    static func resolvesToNonString(_ value: String) -> Bool {
        if nonStringWords.contains(value) { return true }
        let bytes = Array(value.utf8)
        guard let first = bytes.first, "+-.0123456789".utf8.contains(first) else { return false }
        let plain = bytes.filter { $0 != UInt8(ascii: "_") }
        return isInteger(plain) || isFloat(plain) || isBase60(bytes) || isTimestamp(bytes)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isInteger(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        if body.count > 2, body.first == UInt8(ascii: "0") {
            let marker = body[body.startIndex + 1] | 0x20
            let digits = body.dropFirst(2)
            switch marker {
            case UInt8(ascii: "x"): return digits.allSatisfy { isDigit($0) || "abcdefABCDEF".utf8.contains($0) }
            case UInt8(ascii: "o"): return digits.allSatisfy { $0 >= 0x30 && $0 <= 0x37 }
            case UInt8(ascii: "b"): return digits.allSatisfy { $0 == 0x30 || $0 == 0x31 }
            default: break
            }
        }
        return body.allSatisfy(isDigit)
    }

    /// Matches yaml.v3's float pattern, `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    private static func isFloat(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                _ = digits()
            }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    /// YAML 1.1 sexagesimal numbers such as `1:20` or `-3:25:45.5`.
    private static func isBase60(_ bytes: [UInt8]) -> Bool {
        guard bytes.contains(UInt8(ascii: ":")) else { return false }
        var body = bytes[...]
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { body = body.dropFirst() }
        let parts = body.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard let head = parts.first, let headFirst = head.first, isDigit(headFirst) else { return false }
        guard head.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return false }
        for (index, part) in parts.dropFirst().enumerated() {
            let isLast = index == parts.count - 2
            var digitsPart = part[...]
            if isLast, let dot = part.firstIndex(of: UInt8(ascii: ".")) {
                guard part[part.index(after: dot)...].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else {
                    return false
                }
                digitsPart = part[..<dot]
            }
            guard (1...2).contains(digitsPart.count), digitsPart.allSatisfy(isDigit) else { return false }
        }
        return true
    }

    /// Dates such as `2026-11-26`, alone or followed by a time: yaml.v3 would decode them as timestamps.
    private static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits(_ range: ClosedRange<Int>) -> Bool {
            let start = index
            while index < bytes.count, isDigit(bytes[index]), index - start < range.upperBound { index += 1 }
            return range.contains(index - start)
        }
        guard digits(4...4), index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        guard digits(1...2), index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        guard digits(1...2) else { return false }
        return index == bytes.count || "Tt ".utf8.contains(bytes[index])
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation on the hot path).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
