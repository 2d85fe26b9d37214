import CBusBytes

/// A JSON text built straight into bytes: the one escaping routine of the CLI's `--json`, the server's bodies
/// and SSE events.
///
/// Machine consumers read whole buses as JSON, so this is a hot path: runs of bytes that need no escape are
/// copied in bulk, no `String` is made per field, and the bytes live in storage the buffer grows itself
/// (`JSONStorage`), so that each of the dozen small appends of a message is a bounds check and a copy instead
/// of a generic `Array.append(contentsOf:)` (about a hundred instructions each).
package struct JSONBuffer: Sendable {
    private var storage: JSONStorage
    /// The number of bytes written.
    package private(set) var count = 0

    package init(capacity: Int = 0) {
        storage = JSONStorage(capacity: capacity)
    }

    /// The text's bytes, as an array (a copy): for callers that keep them.
    package var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    package var isEmpty: Bool { count == 0 }

    /// Calls `body` with the bytes written, without copying them.
    package func withUnsafeBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Forgets every byte, keeping the storage for what is written next.
    package mutating func removeAll() {
        count = 0
    }

    /// Forgets the bytes from `mark` on (a `count` read before them were written).
    package mutating func truncate(to mark: Int) {
        precondition(mark >= 0 && mark <= count, "JSONBuffer.truncate past its end")
        count = mark
    }

    /// Room for `extra` more bytes, in storage this buffer alone holds: where they go.
    ///
    /// Write them there, then `commit` how many were written.
    @inline(__always)
    package mutating func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if extra > storage.capacity - count || !isKnownUniquelyReferenced(&storage) { grow(by: extra) }
        return storage.base + count
    }

    /// Counts `written` bytes put where `reserve` pointed as part of the text.
    @inline(__always)
    package mutating func commit(_ written: Int) {
        count += written
    }

    /// Moves the bytes to storage of their own with room for `extra` more: double the size, at least.
    private mutating func grow(by extra: Int) {
        let capacity = extra > storage.capacity - count ? max(storage.capacity * 2, count + extra) : storage.capacity
        let grown = JSONStorage(capacity: capacity)
        grown.base.initialize(from: storage.base, count: count)
        storage = grown
    }

    /// Appends one byte, unescaped.
    @inline(__always)
    package mutating func append(byte: UInt8) {
        reserve(1).pointee = byte
        count += 1
    }

    /// Appends ASCII punctuation or keys written in the source (`{"msg_id":`), unescaped.
    @inline(__always)
    package mutating func append(raw text: StaticString) {
        append(raw: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes as they are (a number's digits, an already encoded object).
    @inline(__always)
    package mutating func append(raw text: UnsafeBufferPointer<UInt8>) {
        guard let source = text.baseAddress else { return }
        reserve(text.count).initialize(from: source, count: text.count)
        count += text.count
    }

    /// Appends bytes as they are (a number's digits, an already encoded object).
    package mutating func append(raw text: some Collection<UInt8>) {
        let written = reserve(text.count)
        _ = UnsafeMutableBufferPointer(start: written, count: text.count).initialize(fromContentsOf: text)
        count += text.count
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
        guard let base = text.baseAddress else {
            append(raw: "\"\"")
            return true
        }
        let length = text.count
        var index = Self.nextSpecial(base, from: 0, count: length, flaggingNonASCII: checking)
        if index == length {
            // Most fields need no escape: the quotes and the text in one reservation.
            let out = reserve(length + 2)
            out.pointee = 0x22
            (out + 1).initialize(from: base, count: length)
            out[length + 1] = 0x22
            count += length + 2
            return true
        }
        let mark = count
        append(byte: 0x22)
        var runStart = 0
        while index < length {
            let byte = base[index]
            if byte >= 0x80 {
                var sequence = 1
                if checking {
                    guard let checked = UTF8Validation.sequenceLength(base, at: index, count: length) else {
                        count = mark
                        return false
                    }
                    sequence = checked
                }
                // Only U+2028 and U+2029 (E2 80 A8/A9) need escaping; other sequences are plain text.
                guard byte == 0xE2, index + 2 < length, base[index + 1] == 0x80,
                    base[index + 2] == 0xA8 || base[index + 2] == 0xA9
                else {
                    index = Self.nextSpecial(base, from: index + sequence, count: length, flaggingNonASCII: checking)
                    continue
                }
            }
            append(raw: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
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
            index = Self.nextSpecial(base, from: index, count: length, flaggingNonASCII: checking)
        }
        append(raw: UnsafeBufferPointer(start: base + runStart, count: length - runStart))
        append(byte: 0x22)
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
            append(byte: digits[Int(byte >> 4)])
            append(byte: digits[Int(byte & 0x0F)])
        }
    }

    /// The text, for callers that need a `String` (HTTP bodies built elsewhere, tests).
    package var text: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
}

/// The bytes of a `JSONBuffer`: one allocation of a fixed capacity, replaced by a larger one as the text grows.
///
/// Unchecked `Sendable`: it is written only through the one `JSONBuffer` that holds it (a buffer copies its
/// bytes to storage of its own before writing to storage it shares), so storage that is shared is only read.
private final class JSONStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        // Never empty: `reserve` then always has a real address to hand out.
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }
}
