/// A JSON text built straight into bytes: the one escaping routine of the CLI's `--json`, the server's bodies
/// and SSE events.
///
/// Machine consumers read whole buses as JSON, so this is a hot path: runs of bytes that need no escape are
/// copied in bulk, and no `String` is made per field.
package struct JSONBuffer: Sendable {
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends ASCII punctuation or keys written in the source (`{"msg_id":`), unescaped.
    package mutating func append(raw text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes as they are (a number's digits, an already encoded object).
    package mutating func append(raw text: some Collection<UInt8>) {
        bytes.append(contentsOf: text)
    }

    /// Appends `value` as a JSON string literal: `"`, `\`, and control characters escaped (`\n`, `\r`, `\t`,
    /// else `\u00XX`), and U+2028/U+2029 too, so the output is also valid JavaScript; everything else as UTF-8.
    package mutating func append(string value: String) {
        var value = value
        value.withUTF8 { append(utf8: $0) }
    }

    /// Appends UTF-8 bytes as a JSON string literal (see `append(string:)`).
    package mutating func append(utf8 text: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        guard let base = text.baseAddress else {
            bytes.append(0x22)
            return
        }
        let count = text.count
        var runStart = 0
        var index = 0
        while true {
            index = Self.nextSpecial(base, from: index, count: count)
            guard index < count else { break }
            let byte = base[index]
            if byte == 0xE2 {
                // Only U+2028 and U+2029 (E2 80 A8/A9) need escaping; other E2 sequences are plain text.
                guard index + 2 < count, base[index + 1] == 0x80, base[index + 2] == 0xA8 || base[index + 2] == 0xA9
                else {
                    index += 1
                    continue
                }
            }
            if runStart < index {
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
            }
            switch byte {
            case 0x22: append(raw: "\\\"")
            case 0x5C: append(raw: "\\\\")
            case 0x0A: append(raw: "\\n")
            case 0x0D: append(raw: "\\r")
            case 0x09: append(raw: "\\t")
            case 0xE2:
                append(raw: base[index + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                index += 2
            default: appendControlEscape(byte)
            }
            index += 1
            runStart = index
        }
        if runStart < count {
            bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart))
        }
        bytes.append(0x22)
    }

    /// The index of the first byte from `start` on that may need escaping, or `count`.
    ///
    /// Flagged: bytes below 0x20, the quote, the backslash, and 0xE2. Eight bytes at a time: bodies are long and
    /// almost all plain.
    private static func nextSpecial(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A byte is flagged when it is below 0x20 (and below 0x80), or equals one of the three.
            let control = (word &- ones &* 0x20) & ~word & highs
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let lead = word ^ (ones &* 0xE2)
            let equal = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (lead &- ones) & ~lead) & highs
            if control | equal != 0 {
                // The word test can flag a byte next to a real match (borrows): look at each of the eight.
                for position in index..<(index + 8) where isSpecial(base[position]) { return position }
            }
            index += 8
        }
        while index < count, !isSpecial(base[index]) { index += 1 }
        return index
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2
    }

    /// `\u00XX` for a control byte.
    private mutating func appendControlEscape(_ byte: UInt8) {
        let hex: StaticString = "0123456789abcdef"
        append(raw: "\\u00")
        hex.withUTF8Buffer { digits in
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }

    /// The text, for callers that need a `String` (HTTP bodies built elsewhere, tests).
    package var text: String { String(decoding: bytes, as: UTF8.self) }
}
