import CBusBytes

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
        _ = appendLiteral(text, checking: false)
    }

    /// Appends bytes read from a file, which may not be well-formed UTF-8, as a JSON string literal (see
    /// `append(string:)`), checking them in the same pass as the escapes.
    /// - Returns: false, with nothing appended, when they are not well-formed: a `String` made from them holds
    ///   replacement characters, and the caller writes that instead.
    package mutating func append(checkingUTF8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        appendLiteral(text, checking: true)
    }

    /// `append(utf8:)`, and with `checking` the check of `append(checkingUTF8:)`.
    private mutating func appendLiteral(_ text: UnsafeBufferPointer<UInt8>, checking: Bool) -> Bool {
        let mark = bytes.count
        bytes.append(0x22)
        guard let base = text.baseAddress else {
            bytes.append(0x22)
            return true
        }
        let count = text.count
        var runStart = 0
        var index = 0
        while true {
            index = Self.nextSpecial(base, from: index, count: count, flaggingNonASCII: checking)
            guard index < count else { break }
            let byte = base[index]
            if byte >= 0x80 {
                var length = 1
                if checking {
                    guard let sequence = UTF8Validation.sequenceLength(base, at: index, count: count) else {
                        bytes.removeSubrange(mark...)
                        return false
                    }
                    length = sequence
                }
                // Only U+2028 and U+2029 (E2 80 A8/A9) need escaping; other sequences are plain text.
                guard byte == 0xE2, index + 2 < count, base[index + 1] == 0x80,
                    base[index + 2] == 0xA8 || base[index + 2] == 0xA9
                else {
                    index += length
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
        return true
    }

    /// The index of the first byte from `start` on that may need escaping (or checking), or `count`.
    ///
    /// Flagged: bytes below 0x20, the quote, the backslash, and 0xE2, or with `flaggingNonASCII` every byte
    /// from 0x80 up. Sixteen bytes at a time (`bus_json_special`, SSE2): bodies are long and almost all plain.
    private static func nextSpecial(
        _ base: UnsafePointer<UInt8>,
        from start: Int,
        count: Int,
        flaggingNonASCII: Bool
    ) -> Int {
        start + bus_json_special(base + start, count - start, flaggingNonASCII ? 1 : 0)
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
