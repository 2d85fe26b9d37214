import CBusBytes

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header shape both writers produce for a message without parents, links or meta: one `key: value` line
/// per field at the left margin, each value plain or a double-quoted string without escapes.
///
/// Read straight from the bytes into byte ranges of the header's fields, with no YAML tree, key strings or pair
/// list on the way, and no `String` until a message is asked for: a whole-bus read decodes one header per record
/// and spent a third of its time there, and `read --json` writes the ranges out as they are. Anything else
/// (other keys, nesting, quoting, comments, blank lines, a header that names neither id nor type) is left to the
/// YAML path, which gives the same answer for this shape (`FlatHeaderTests` checks it on every shape it
/// accepts). Written on raw pointers and integer ranges: generic slice code here cost more than the parsing.
struct FlatHeader {
    private let base: UnsafePointer<UInt8>
    /// The index of `base` in the scanned buffer (`FlatFields.origin`).
    private let origin: Int

    /// The header's fields as ranges of the buffer `bytes` is a slice of, or nil when it is not of the flat shape.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> FlatFields? {
        let buffer = UnsafeBufferPointer(rebasing: bytes)
        // Spans are 32-bit: a header of 4 GiB (a single line; no writer makes one) goes the YAML way.
        guard let base = buffer.baseAddress, buffer.count < UInt32.max else { return nil }
        return FlatHeader(base: base, origin: bytes.startIndex).decode(count: buffer.count)
    }

    /// The flat header whose first line starts at `start` of `buffer`, read up to the `---` line that closes it:
    /// the header lines are found and decoded in one pass, as `decode` of the lines up to that rule would decode
    /// them.
    ///
    /// Nil when a line before the rule is not a flat `key: value` line, the first line is a rule, no complete
    /// rule follows in `buffer`, or the header has more than `maxLines` lines or a line starting past
    /// `maxBytes`: the scanner's line-by-line probe judges those.
    static func decodeClosed(
        _ buffer: UnsafeBufferPointer<UInt8>,
        from start: Int,
        maxLines: Int,
        maxBytes: Int
    ) -> ClosedFlatHeader? {
        guard let bufferBase = buffer.baseAddress, start < buffer.count, buffer.count - start < UInt32.max else {
            return nil
        }
        return FlatHeader(base: bufferBase + start, origin: start).decodeClosed(
            count: buffer.count - start,
            maxLines: maxLines,
            maxBytes: maxBytes
        )
    }

    private func decodeClosed(count: Int, maxLines: Int, maxBytes: Int) -> ClosedFlatHeader? {
        var header = FlatFields(origin: origin)
        var checksumKeyBefore = false
        var lastLineStart = 0
        var lineStart = 0
        var lines = 0
        while lineStart < count {
            if base[lineStart] == 0x2D {
                // No key starts with `-`: this is the closing rule or not the flat shape.
                guard lines > 0, isCompleteRule(lineStart, count), !header.msgID.isEmpty || !header.type.isEmpty
                else { return nil }
                return ClosedFlatHeader(
                    fields: header,
                    closer: origin + lineStart,
                    lastLineStart: origin + lastLineStart,
                    lines: lines,
                    checksumKeyBeforeLastLine: checksumKeyBefore
                )
            }
            lines += 1
            guard lines <= maxLines, lineStart <= maxBytes else { return nil }
            checksumKeyBefore = header.framing.hasChecksumKey
            lastLineStart = lineStart
            guard let line = split(lineStart, count) else { return nil }
            set(line.key, line.value, in: &header)
            lineStart = line.next
        }
        return nil
    }

    /// Whether the line at `start` is a complete rule: `---`, then only carriage returns, then a line feed.
    private func isCompleteRule(_ start: Int, _ count: Int) -> Bool {
        guard count - start >= 4, base[start + 1] == 0x2D, base[start + 2] == 0x2D else { return false }
        var position = start + 3
        while position < count, base[position] == 0x0D { position += 1 }
        return position < count && base[position] == 0x0A
    }

    private func decode(count: Int) -> FlatFields? {
        var header = FlatFields(origin: origin)
        var lineStart = 0
        while lineStart < count {
            guard let line = split(lineStart, count) else { return nil }
            set(line.key, line.value, in: &header)
            lineStart = line.next
        }
        guard !header.msgID.isEmpty || !header.type.isEmpty else { return nil }
        return header
    }

    /// The key and the value's text of the `key: value` line that starts at `start` (the header ends at
    /// `count`), and where the next line starts; nil when the line is not of the flat shape.
    ///
    /// The line's end is found on the way, by the value's scan: a separate search for it per line cost as much
    /// as the scan.
    private func split(_ start: Int, _ count: Int) -> (key: FlatKey, value: Range<Int>, next: Int)? {
        let key: FlatKey
        let colon: Int
        if let known = knownKey(start, count) {
            (key, colon) = known
        } else {
            var end = start
            while end < count, Self.isKeyByte(base[end]) { end += 1 }
            // Neither `:` nor the space is a line break: both in the line means both before its end.
            guard end > start, end + 1 < count, base[end] == 0x3A, base[end + 1] == 0x20,
                let named = self.key(start..<end)
            else { return nil }
            (key, colon) = (named, end)
        }
        var valueStart = colon + 2
        while valueStart < count, base[valueStart] == 0x20 { valueStart += 1 }
        guard let (value, next) = text(valueStart, count) else { return nil }
        return (key, value, next)
    }

    /// The key of the line at `start` and where its colon is, for the keys both writers put in every header.
    ///
    /// Read from the line's first twelve bytes as words: the key's letters, its colon and the space after it,
    /// compared at once. Nil for any other line (and near the end of the bytes), which the key's byte-by-byte
    /// scan reads.
    private func knownKey(_ start: Int, _ count: Int) -> (FlatKey, colon: Int)? {
        guard count - start >= 12 else { return nil }
        let raw = UnsafeRawPointer(base + start)
        let word = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let next = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        // The constants are the keys' bytes, first byte lowest (`"msg_id: "` is 6d 73 67 5f 69 64 3a 20).
        switch word {
        case 0x203a_6469_5f67_736d: return (.msgID, start + 6)  // "msg_id: "
        case 0x203a_6469_5f6e_7572: return (.runID, start + 6)  // "run_id: "
        case 0x203a_6332_3363_7263: return (.checksum, start + 6)  // "crc32c: "
        case 0x3a64_695f_6b73_6174 where next & 0xFF == 0x20: return (.taskID, start + 7)  // "task_id:" " "
        case 0x6469_5f65_7573_7369 where next & 0xFFFF == 0x203a: return (.issueID, start + 8)  // "issue_id" ": "
        case 0x5f74_6365_6a6f_7270 where next == 0x203a_6469: return (.projectID, start + 10)  // "project_" "id: "
        case 0x7479_625f_7964_6f62 where next == 0x203a_7365: return (.bodyBytes, start + 10)  // "body_byt" "es: "
        default: break
        }
        if word & 0xFFFF_FFFF_FFFF == 0x203a_6570_7974 { return (.type, start + 4) }  // "type: "
        if word & 0xFFFF_FFFF == 0x203a_7374 { return (.timestamp, start + 2) }  // "ts: "
        return nil
    }

    /// The field a key names, nil for a key the flat shape does not cover.
    private func key(_ key: Range<Int>) -> FlatKey? {
        switch key.count {
        case 2 where matches(key, "ts"): .timestamp
        case 4 where matches(key, "type"): .type
        case 6 where matches(key, "msg_id"): .msgID
        case 6 where matches(key, "run_id"): .runID
        case 6 where matches(key, "crc32c"): .checksum
        case 7 where matches(key, "task_id"): .taskID
        case 8 where matches(key, "issue_id"): .issueID
        case 10 where matches(key, "project_id"): .projectID
        case 10 where matches(key, "body_bytes"): .bodyBytes
        case 11 where matches(key, "body_escape"): .bodyEscape
        default: nil
        }
    }

    /// Whether the line ends at `position`: a line feed, the header's end, or the carriage return of a CRLF
    /// (one carriage return is dropped, as the line split drops it).
    private func isLineEnd(_ position: Int, _ count: Int) -> Bool {
        position == count || base[position] == 0x0A
            || (base[position] == 0x0D && (position + 1 == count || base[position + 1] == 0x0A))
    }

    /// Where the line holding `position` ends (before a CRLF's carriage return), and where the next one starts.
    private func lineBounds(from position: Int, _ count: Int) -> (end: Int, next: Int) {
        let feed = memchr(base + position, 0x0A, count - position).map {
            base.distance(to: $0.assumingMemoryBound(to: UInt8.self))
        }
        let end = feed ?? count
        return (end > position && base[end - 1] == 0x0D ? end - 1 : end, end + 1)
    }

    /// The text of the value that starts at `start`, and where the next line starts.
    ///
    /// The value runs to its line's end: a double-quoted string without escapes, or a plain scalar (trailing
    /// blanks dropped, a null spelling read as empty); nil for anything the YAML path must judge.
    private func text(_ start: Int, _ count: Int) -> (Range<Int>, next: Int)? {
        guard !isLineEnd(start, count) else { return nil }
        let first = base[start]
        if first == 0x22 {
            let (end, next) = lineBounds(from: start, count)
            guard end - start >= 2, base[end - 1] == 0x22 else { return nil }
            for position in (start + 1)..<(end - 1) where base[position] == 0x22 || base[position] == 0x5C {
                return nil
            }
            return ((start + 1)..<(end - 1), next)
        }
        switch first {
        case 0x27, 0x5B, 0x7B, 0x7C, 0x3E, 0x26, 0x2A, 0x21, 0x25, 0x40, 0x60, 0x09, 0x23, 0x2D, 0x3F, 0x3A:
            return nil  // quotes, flow collections, block scalars, anchors, tags, comments, indicators
        default: break
        }
        var position = start
        let end: Int
        while true {
            // To the next byte that may matter, sixteen at a time (most values hold none but a time's colons);
            // the line break that ends the value is one of them.
            position += bus_yaml_indicator(base + position, count - position)
            if isLineEnd(position, count) {
                end = position
                break
            }
            switch base[position] {
            case 0x23 where base[position - 1] == 0x20 || base[position - 1] == 0x09: return nil  // a comment
            case 0x3A where isLineEnd(position + 1, count) || base[position + 1] == 0x20: return nil
            case 0x00..<0x09, 0x0B..<0x20, 0x7F: return nil
            default: position += 1
            }
        }
        let next = end == count ? count : end + (base[end] == 0x0D ? 2 : 1)
        var trimmed = end
        while trimmed > start, base[trimmed - 1] == 0x20 || base[trimmed - 1] == 0x09 { trimmed -= 1 }
        return (isNull(start..<trimmed) ? start..<start : start..<trimmed, next)
    }

    /// `~`, `null`, `Null` or `NULL`: what a Go string field reads as empty.
    private func isNull(_ range: Range<Int>) -> Bool {
        // Most values start otherwise: no comparisons for them.
        guard let first = range.first, base[first] == 0x7E || base[first] == 0x6E || base[first] == 0x4E else {
            return false
        }
        return matches(range, "~") || matches(range, "null") || matches(range, "Null") || matches(range, "NULL")
    }

    /// The bytes in `range` are `literal`.
    private func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && memcmp(base + range.lowerBound, literal.utf8Start, range.count) == 0
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || (byte >= 0x30 && byte <= 0x39)
    }

    /// The decimal number in `range` (`body_bytes`), as `Int(String)` reads it: an optional `+`, digits only,
    /// nil on overflow. (A value starting with `-` is not of the flat shape.)
    private func number(_ range: Range<Int>) -> Int? {
        var digits = range
        if let first = digits.first, base[first] == 0x2B { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for position in digits {
            let digit = Int(base[position]) &- 0x30
            guard digit >= 0, digit <= 9 else { return nil }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = scaled.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }

    /// Sets the field `key` names from `value`.
    private func set(_ key: FlatKey, _ value: Range<Int>, in header: inout FlatFields) {
        let stored = FieldSpan(
            start: UInt32(truncatingIfNeeded: value.lowerBound),
            end: UInt32(truncatingIfNeeded: value.upperBound)
        )
        switch key {
        case .timestamp:
            header.framing.timestamp = BusTimestamp(
                rfc3339: UnsafeBufferPointer(start: base + value.lowerBound, count: value.count)
            )
            header.framing.timestampUnparseable = header.framing.timestamp == nil
        case .type: header.type = stored
        case .msgID: header.msgID = stored
        case .runID: header.runID = stored
        case .checksum: header.framing.hasChecksumKey = true
        case .taskID: header.taskID = stored
        case .issueID: header.issueID = stored
        case .projectID: header.projectID = stored
        case .bodyBytes: header.framing.bodyBytes = number(value)
        case .bodyEscape: header.framing.bodyEscaped = matches(value, "dashes")
        }
    }
}

/// The keys of the flat header shape.
private enum FlatKey {
    case timestamp, type, msgID, runID, checksum, taskID, issueID, projectID, bodyBytes, bodyEscape
}

/// A flat header read with the `---` line that closes it (`FlatHeader.decodeClosed`).
struct ClosedFlatHeader {
    /// The fields of every line, the last one's included.
    var fields: FlatFields
    /// The buffer index where the closing rule starts.
    var closer: Int
    /// The buffer index where the last header line (a checksum line, in this tool's records) starts.
    var lastLineStart: Int
    /// The number of header lines.
    var lines: Int
    /// Whether a line before the last one had a `crc32c` key: the header's own, when the last line is the
    /// checksum line the scanner reads itself and leaves out of the decoded lines.
    var checksumKeyBeforeLastLine: Bool
}

/// The fields of a flat header as spans of the scanned buffer (an empty span: absent or empty), and the framing
/// keys read from them.
///
/// Kept small (spans are 32-bit offsets from the header's start): the scanner copies a header several times
/// on its way from the probe to the reader, and those copies were a tenth of a whole-bus read.
struct FlatFields {
    /// The buffer index the spans count from: the header's first byte.
    var origin = 0
    var msgID = FieldSpan()
    var type = FieldSpan()
    var projectID = FieldSpan()
    var taskID = FieldSpan()
    var runID = FieldSpan()
    var issueID = FieldSpan()
    var framing = HeaderFraming()

    /// The buffer indices of `span`.
    func range(_ span: FieldSpan) -> Range<Int> { (origin + Int(span.start))..<(origin + Int(span.end)) }

    /// The text of `span` in `buffer`, the buffer the spans index ("" for an empty span).
    func string(_ span: FieldSpan, in buffer: UnsafeBufferPointer<UInt8>) -> String {
        span.isEmpty ? "" : String(decoding: UnsafeBufferPointer(rebasing: buffer[range(span)]), as: UTF8.self)
    }
}

/// Where a field's text lies in a header: byte offsets from its start.
struct FieldSpan {
    var start: UInt32 = 0
    var end: UInt32 = 0

    var isEmpty: Bool { start == end }
}
