/// The byte layout shared by the encoder and the scanner.
///
/// A record is `---\n`, the YAML header, `---\n`, the stored body; every record after the first is preceded by
/// one `\n`. This tool adds header keys that Go's reader ignores:
/// - `body_bytes: N`: the stored body is exactly the next N bytes (it always ends in `\n`). A shorter body is a
///   torn record, and lines after it are outside the record.
/// - `body_escape: dashes`: the body had a line that is `---` (a record separator). In such a body every line
///   matching `\\*---\r*` got one more leading backslash; readers of this key remove one again.
/// - `crc32c: xxxxxxxx`, always the last header line: CRC-32C (8 lowercase hex digits) of the header lines
///   before it and of the stored body. A header cut anywhere (a writer that died, then another appended) has no
///   valid checksum line, so it cannot pass for a complete header whose body swallows the next writer's record.
package enum RecordFormat {
    package static let separatorLine: [UInt8] = Array("---\n".utf8)
    package static let bodyBytesKey = "body_bytes"
    package static let bodyEscapeKey = "body_escape"
    package static let bodyEscapeDashes = "dashes"
    package static let checksumKey = "crc32c"
    /// How the first header line of both writers, and of the older camelCase dialect, starts.
    static let headerFirstKeys = [Array("msg_id:".utf8), Array("messageId:".utf8)]
    static let checksumPrefix = Array("crc32c: ".utf8)
    /// `crc32c: ` plus 8 hex digits and `\n`.
    static let checksumLineLength = 8 + 8 + 1

    /// The header line carrying `crc`.
    static func checksumLine(_ crc: UInt32) -> [UInt8] {
        var line = checksumPrefix
        for shift in stride(from: 28, through: 0, by: -4) {
            let digit = UInt8((crc >> UInt32(shift)) & 0xF)
            line.append(digit < 10 ? 0x30 + digit : 0x57 + digit)
        }
        line.append(0x0A)
        return line
    }

    /// The value of a checksum line (`crc32c: ` and 8 lowercase hex digits, an optional `\r`), or nil.
    static func checksum(inLine line: some BidirectionalCollection<UInt8>) -> UInt32? {
        // In place, no copy: this runs once per record of every read.
        var bytes = line[...]
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        guard bytes.count == checksumPrefix.count + 8, bytes.starts(with: checksumPrefix) else { return nil }
        var value: UInt32 = 0
        for byte in bytes.dropFirst(checksumPrefix.count) {
            switch byte {
            case 0x30...0x39: value = value << 4 | UInt32(byte - 0x30)
            case 0x61...0x66: value = value << 4 | UInt32(byte - 0x57)
            default: return nil
            }
        }
        return value
    }

    /// Default largest body the writer accepts (1 MiB); `JRUN_BUS_MAX_BODY` changes it.
    package static let defaultMaxBodyBytes = 1 << 20

    /// True when `line` (without its `\n`) is `---` followed by nothing but `\r`s: the line every reader takes
    /// as a separator (Go's reader trims `\r` and `\n` from the right before comparing).
    @inlinable
    static func isRule<Line: Collection<UInt8>>(_ line: Line) -> Bool {
        var index = line.startIndex
        var position = 0
        while index != line.endIndex {
            guard line[index] == (position < 3 ? 0x2D : 0x0D) else { return false }
            index = line.index(after: index)
            position += 1
        }
        return position >= 3
    }
}

/// The body transformations of the record format: the dash escape and the trailing line break.
package enum BodyCodec {
    /// True when some line of `body` would end a record in every reader.
    package static func needsEscape(_ body: [UInt8]) -> Bool {
        var lineStart = 0
        for index in 0...body.count where index == body.count || body[index] == 0x0A {
            if isDashLine(body[lineStart..<index], backslashes: false) { return true }
            lineStart = index + 1
        }
        return false
    }

    /// Prefixes one `\` to every line matching `\\*---\r*`.
    package static func escape(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 16)
        var lineStart = 0
        for index in 0...body.count where index == body.count || body[index] == 0x0A {
            if isDashLine(body[lineStart..<index], backslashes: true) { out.append(0x5C) }
            out.append(contentsOf: body[lineStart..<min(index + 1, body.count)])
            lineStart = index + 1
        }
        return out
    }

    /// Removes one leading `\` from every line matching `\\+---\r*`.
    package static func unescape(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var lineStart = body.startIndex
        for index in body.startIndex...body.endIndex where index == body.endIndex || body[index] == 0x0A {
            let line = body[lineStart..<index]
            let skip = line.first == 0x5C && isDashLine(line, backslashes: true) ? 1 : 0
            out.append(contentsOf: body[(lineStart + skip)..<min(index + 1, body.endIndex)])
            lineStart = index + 1
        }
        return out
    }

    /// `---` (with `\\*` in front when `backslashes`) followed only by `\r`s.
    private static func isDashLine(_ line: ArraySlice<UInt8>, backslashes: Bool) -> Bool {
        RecordFormat.isRule(backslashes ? line.drop { $0 == 0x5C } : line)
    }

    /// Drops one trailing line break (`\r\n`, `\n` or `\r`), which the format does not preserve.
    package static func trimmingOneLineBreak(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if body.last == 0x0A {
            let rest = body.dropLast()
            return rest.last == 0x0D ? rest.dropLast() : rest
        }
        return body.last == 0x0D ? body.dropLast() : body
    }
}
