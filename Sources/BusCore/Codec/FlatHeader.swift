#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header shape both writers produce for a message without parents, links or meta: one `key: value` line
/// per field at the left margin, each value plain or a double-quoted string without escapes.
///
/// Read straight from the bytes into the header's fields, with no YAML tree, key strings or pair list on the
/// way: a whole-bus read decodes one header per record and spent a third of its time there. Anything else (other
/// keys, nesting, quoting, comments, blank lines, a header that names neither id nor type) is left to the YAML
/// path, which gives the same answer for this shape (`FlatHeaderTests` checks it on every shape it accepts).
/// Written on raw pointers and integer ranges: generic slice code here cost more than the parsing itself.
struct FlatHeader {
    private let base: UnsafePointer<UInt8>

    /// The header, or nil when it is not of the flat shape.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> RecordHeader? {
        let buffer = UnsafeBufferPointer(rebasing: bytes)
        guard let base = buffer.baseAddress else { return nil }
        return FlatHeader(base: base).decode(count: buffer.count)
    }

    private func decode(count: Int) -> RecordHeader? {
        var header = RecordHeader()
        var lineStart = 0
        while lineStart < count {
            let feed = memchr(base + lineStart, 0x0A, count - lineStart).map {
                base.distance(to: $0.assumingMemoryBound(to: UInt8.self))
            }
            var lineEnd = feed ?? count
            if lineEnd > lineStart, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            guard let (key, value) = split(lineStart, lineEnd), set(key, value, in: &header) else { return nil }
            lineStart = (feed ?? count) + 1
        }
        guard !header.msgID.isEmpty || !header.fields.type.isEmpty else { return nil }
        return header
    }

    /// The key and the value's text of the `key: value` line in `[start, end)`, or nil when the line is not of
    /// the flat shape.
    private func split(_ start: Int, _ end: Int) -> (key: Range<Int>, value: Range<Int>)? {
        var colon = start
        while colon < end, Self.isKeyByte(base[colon]) { colon += 1 }
        guard colon > start, colon + 1 < end, base[colon] == 0x3A, base[colon + 1] == 0x20 else { return nil }
        var valueStart = colon + 2
        while valueStart < end, base[valueStart] == 0x20 { valueStart += 1 }
        guard let value = text(valueStart, end) else { return nil }
        return (start..<colon, value)
    }

    /// The text of the value in `[start, end)`: a double-quoted string without escapes, or a plain scalar
    /// (trailing blanks dropped, a null spelling read as empty); nil for anything the YAML path must judge.
    private func text(_ start: Int, _ end: Int) -> Range<Int>? {
        guard start < end else { return nil }
        let first = base[start]
        if first == 0x22 {
            guard end - start >= 2, base[end - 1] == 0x22 else { return nil }
            for position in (start + 1)..<(end - 1) where base[position] == 0x22 || base[position] == 0x5C {
                return nil
            }
            return (start + 1)..<(end - 1)
        }
        switch first {
        case 0x27, 0x5B, 0x7B, 0x7C, 0x3E, 0x26, 0x2A, 0x21, 0x25, 0x40, 0x60, 0x09, 0x23, 0x2D, 0x3F, 0x3A:
            return nil  // quotes, flow collections, block scalars, anchors, tags, comments, indicators
        default: break
        }
        for position in start..<end {
            switch base[position] {
            case 0x23 where base[position - 1] == 0x20 || base[position - 1] == 0x09: return nil  // a comment
            case 0x3A where position + 1 == end || base[position + 1] == 0x20: return nil
            case 0x00..<0x09, 0x0B..<0x20, 0x7F: return nil
            default: continue
            }
        }
        var trimmed = end
        while trimmed > start, base[trimmed - 1] == 0x20 || base[trimmed - 1] == 0x09 { trimmed -= 1 }
        return isNull(start..<trimmed) ? start..<start : start..<trimmed
    }

    /// `~`, `null`, `Null` or `NULL`: what a Go string field reads as empty.
    private func isNull(_ range: Range<Int>) -> Bool {
        matches(range, "~") || matches(range, "null") || matches(range, "Null") || matches(range, "NULL")
    }

    /// The bytes in `range` are `literal`.
    private func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && memcmp(base + range.lowerBound, literal.utf8Start, range.count) == 0
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || (byte >= 0x30 && byte <= 0x39)
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// Sets the field `key` names from `value`; false for a key the flat shape does not cover.
    private func set(_ key: Range<Int>, _ value: Range<Int>, in header: inout RecordHeader) -> Bool {
        switch key.count {
        case 2 where matches(key, "ts"):
            header.timestamp = BusTimestamp(
                rfc3339: UnsafeBufferPointer(start: base + value.lowerBound, count: value.count)
            )
            header.timestampUnparseable = header.timestamp == nil
        case 4 where matches(key, "type"): header.fields.type = string(value)
        case 6 where matches(key, "msg_id"): header.msgID = string(value)
        case 6 where matches(key, "run_id"): header.fields.runID = string(value)
        case 6 where matches(key, "crc32c"): header.hasChecksumKey = true
        case 7 where matches(key, "task_id"): header.fields.taskID = string(value)
        case 8 where matches(key, "issue_id"): header.fields.issueID = string(value)
        case 10 where matches(key, "project_id"): header.fields.projectID = string(value)
        case 10 where matches(key, "body_bytes"): header.bodyBytes = Int(string(value)).flatMap { $0 >= 0 ? $0 : nil }
        case 11 where matches(key, "body_escape"): header.bodyEscaped = matches(value, "dashes")
        default: return false
        }
        return true
    }
}
