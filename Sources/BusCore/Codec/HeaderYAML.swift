import Yams

/// A YAML value as the header decoder needs it: scalars keep whether they were plain (only a plain `null` or
/// `~` is null; a quoted one is text).
indirect enum YAMLValue {
    case scalar(String, plain: Bool)
    case mapping([(key: String, value: YAMLValue)])
    case sequence([YAMLValue])

    /// The string a Go `string` field would get: the scalar's text, empty for a plain null.
    var text: String? {
        guard case .scalar(let value, let plain) = self else { return nil }
        if plain && (value == "~" || value == "null" || value == "Null" || value == "NULL") { return "" }
        return value
    }
}

/// Parses a record header.
///
/// Headers written by this tool and by Go use a small block-style subset of YAML (plain, single- and
/// double-quoted scalars; nested mappings and sequences by indentation); `FastBlockParser` reads that subset
/// straight from bytes, which keeps whole-bus reads fast. Anything else (flow style, block scalars, anchors,
/// tags, multi-line scalars) goes to libyaml through Yams, so any valid YAML mapping is accepted.
enum HeaderYAML {
    enum Failure: Error {
        case unsupported
        case invalid(String)
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Result<YAMLValue, Failure> {
        var fast = FastBlockParser(bytes)
        do {
            return .success(try fast.parseDocument())
        } catch .invalid(let reason) {
            return .failure(.invalid(reason))
        } catch {
            return parseWithYams(String(decoding: bytes, as: UTF8.self))
        }
    }

    static func parseWithYams(_ text: String) -> Result<YAMLValue, Failure> {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .failure(.invalid("empty header")) }
            return .success(try convert(node))
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            let summary = String(describing: error).split(whereSeparator: \.isNewline).first ?? "invalid YAML"
            return .failure(.invalid(String(summary)))
        }
    }

    private static func convert(_ node: Node) throws(Failure) -> YAMLValue {
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string, plain: scalar.style == .plain || scalar.style == .any)
        case .mapping(let mapping):
            // A merge key (`<<: *base`) brings in the pairs of the mapping (or mappings) it names, as yaml.v3
            // does; keys written in the mapping itself come later and win.
            var merged: [(key: String, value: YAMLValue)] = []
            var pairs: [(key: String, value: YAMLValue)] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw .invalid("a mapping key is not a scalar") }
                if keyScalar.tag.rawValue == Tag.Name.merge.rawValue {
                    let sources = value.sequence.map(Array.init) ?? [value]
                    for source in sources {
                        guard case .mapping(let inner) = try convert(source) else {
                            throw .invalid("a merge key names something other than a mapping")
                        }
                        merged += inner
                    }
                } else {
                    pairs.append((keyScalar.string, try convert(value)))
                }
            }
            return .mapping(merged + pairs)
        case .sequence(let sequence):
            var items: [YAMLValue] = []
            for item in sequence { items.append(try convert(item)) }
            return .sequence(items)
        case .alias:
            throw .invalid("aliases are not supported in headers")
        }
    }
}

/// Reads the block-style YAML subset of bus headers from bytes.
///
/// Throws `.unsupported` for anything outside the
/// subset (the caller then asks libyaml) and `.invalid` only for text no YAML reader would take as a mapping.
struct FastBlockParser {
    private struct Line {
        var indent: Int
        var content: UnsafeBufferPointer<UInt8>.SubSequence
    }

    private var lines: [Line] = []
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) {
        lines.reserveCapacity(12)
        var start = bytes.startIndex
        var position = bytes.startIndex
        while position <= bytes.endIndex {
            if position == bytes.endIndex || bytes[position] == 0x0A {
                var end = position
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                var indent = start
                while indent < end, bytes[indent] == 0x20 { indent += 1 }
                // Blank and comment-only lines carry nothing.
                if indent < end, bytes[indent] != 0x23 {
                    lines.append(Line(indent: indent - start, content: bytes[indent..<end]))
                }
                start = position + 1
            }
            position += 1
        }
    }

    mutating func parseDocument() throws(HeaderYAML.Failure) -> YAMLValue {
        guard let first = lines.first else { throw .invalid("empty header") }
        if first.content.first == 0x09 { throw .unsupported }
        guard first.indent == 0, !isSequenceItem(first.content) else { throw .unsupported }
        let value = try parseMapping(indent: 0)
        guard index == lines.count else { throw .unsupported }
        return value
    }

    private func isSequenceItem(_ content: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        content.first == 0x2D && (content.count == 1 || content[content.startIndex + 1] == 0x20)
    }

    private mutating func parseNode(indent: Int) throws(HeaderYAML.Failure) -> YAMLValue {
        isSequenceItem(lines[index].content) ? try parseSequence(indent: indent) : try parseMapping(indent: indent)
    }

    private mutating func parseMapping(indent: Int) throws(HeaderYAML.Failure) -> YAMLValue {
        var pairs: [(key: String, value: YAMLValue)] = []
        while index < lines.count, lines[index].indent == indent, !isSequenceItem(lines[index].content) {
            let line = lines[index]
            let (key, rest) = try splitKey(line.content)
            index += 1
            if rest.isEmpty {
                if index < lines.count, lines[index].indent > indent {
                    pairs.append((key, try parseNode(indent: lines[index].indent)))
                } else if index < lines.count, lines[index].indent == indent, isSequenceItem(lines[index].content) {
                    pairs.append((key, try parseSequence(indent: indent)))
                } else {
                    pairs.append((key, .scalar("", plain: true)))
                }
            } else {
                pairs.append((key, try scalar(rest)))
            }
        }
        if index < lines.count, lines[index].indent > indent { throw .unsupported }
        return .mapping(pairs)
    }

    private mutating func parseSequence(indent: Int) throws(HeaderYAML.Failure) -> YAMLValue {
        var items: [YAMLValue] = []
        while index < lines.count, lines[index].indent == indent, isSequenceItem(lines[index].content) {
            let line = lines[index]
            var rest = line.content.dropFirst()
            var column = indent + 1
            while rest.first == 0x20 {
                rest = rest.dropFirst()
                column += 1
            }
            if rest.isEmpty {
                index += 1
                guard index < lines.count, lines[index].indent > indent else {
                    items.append(.scalar("", plain: true))
                    continue
                }
                items.append(try parseNode(indent: lines[index].indent))
            } else if rest.first == 0x2D {
                throw .unsupported  // nested "- - x": valid YAML, not worth a fast path
            } else if keySplitPoint(rest) != nil {
                // "- key: value" opens a mapping whose keys sit at the column of `key`.
                lines[index] = Line(indent: column, content: rest)
                items.append(try parseMapping(indent: column))
            } else {
                index += 1
                items.append(try scalar(rest))
            }
        }
        return .sequence(items)
    }

    /// Where `key: value` splits: the index of the `:` that ends a plain key, if the line has one.
    private func keySplitPoint(_ content: UnsafeBufferPointer<UInt8>.SubSequence) -> Int? {
        guard let first = content.first, first != 0x22, first != 0x27 else {
            return quotedKeyEnd(content).flatMap { end in
                end < content.endIndex && content[end] == 0x3A ? end : nil
            }
        }
        var position = content.startIndex
        while position < content.endIndex {
            if content[position] == 0x3A, position + 1 == content.endIndex || content[position + 1] == 0x20 {
                return position
            }
            position += 1
        }
        return nil
    }

    private func quotedKeyEnd(_ content: UnsafeBufferPointer<UInt8>.SubSequence) -> Int? {
        guard let quote = content.first else { return nil }
        var position = content.startIndex + 1
        while position < content.endIndex {
            if content[position] == 0x5C, quote == 0x22 {
                position += 2
                continue
            }
            if content[position] == quote {
                if quote == 0x27, position + 1 < content.endIndex, content[position + 1] == 0x27 {
                    position += 2
                    continue
                }
                return position + 1
            }
            position += 1
        }
        return nil
    }

    private func splitKey(
        _ content: UnsafeBufferPointer<UInt8>.SubSequence
    ) throws(HeaderYAML.Failure) -> (String, UnsafeBufferPointer<UInt8>.SubSequence) {
        guard let first = content.first else { throw .invalid("empty line") }
        switch first {
        case 0x5B, 0x7B, 0x3F, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x25, 0x40, 0x60: throw .unsupported  // [{?&*!|>%@`
        default: break
        }
        guard let colon = keySplitPoint(content) else {
            // Text without `key:` is a scalar document or a broken line: libyaml decides which.
            throw .unsupported
        }
        let keyBytes = content[content.startIndex..<colon]
        let key: String
        if first == 0x22 || first == 0x27 {
            guard case .scalar(let text, _) = try scalar(keyBytes) else { throw .unsupported }
            key = text
        } else {
            var end = keyBytes.endIndex
            while end > keyBytes.startIndex, keyBytes[end - 1] == 0x20 { end -= 1 }
            key = String(decoding: keyBytes[keyBytes.startIndex..<end], as: UTF8.self)
        }
        var rest = content[(colon + 1)...]
        while rest.first == 0x20 { rest = rest.dropFirst() }
        return (key, rest)
    }

    /// A one-line scalar: plain (comment stripped), single- or double-quoted.
    private func scalar(_ raw: UnsafeBufferPointer<UInt8>.SubSequence) throws(HeaderYAML.Failure) -> YAMLValue {
        guard let first = raw.first else { return .scalar("", plain: true) }
        switch first {
        case 0x22: return try doubleQuoted(raw)
        case 0x27: return try singleQuoted(raw)
        case 0x5B, 0x7B, 0x7C, 0x3E, 0x26, 0x2A, 0x21, 0x25, 0x40, 0x60, 0x09:
            throw .unsupported  // flow collections, block scalars, anchors, aliases, tags, reserved
        default:
            var end = raw.endIndex
            var position = raw.startIndex
            while position < raw.endIndex {
                let byte = raw[position]
                if byte == 0x23, position > raw.startIndex, raw[position - 1] == 0x20 || raw[position - 1] == 0x09 {
                    end = position
                    break
                }
                if byte == 0x3A, position + 1 == raw.endIndex || raw[position + 1] == 0x20 { throw .unsupported }
                position += 1
            }
            while end > raw.startIndex, raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
            return .scalar(String(decoding: raw[raw.startIndex..<end], as: UTF8.self), plain: true)
        }
    }

    private func expectTrailingNothing(_ rest: UnsafeBufferPointer<UInt8>.SubSequence) throws(HeaderYAML.Failure) {
        var tail = rest
        while tail.first == 0x20 || tail.first == 0x09 { tail = tail.dropFirst() }
        if let next = tail.first, next != 0x23 { throw .unsupported }
    }

    private func singleQuoted(_ raw: UnsafeBufferPointer<UInt8>.SubSequence) throws(HeaderYAML.Failure) -> YAMLValue {
        var out: [UInt8] = []
        var position = raw.startIndex + 1
        while position < raw.endIndex {
            let byte = raw[position]
            if byte == 0x27 {
                if position + 1 < raw.endIndex, raw[position + 1] == 0x27 {
                    out.append(0x27)
                    position += 2
                    continue
                }
                try expectTrailingNothing(raw[(position + 1)...])
                return .scalar(String(decoding: out, as: UTF8.self), plain: false)
            }
            out.append(byte)
            position += 1
        }
        throw .unsupported  // continues on the next line
    }

    private func doubleQuoted(_ raw: UnsafeBufferPointer<UInt8>.SubSequence) throws(HeaderYAML.Failure) -> YAMLValue {
        var out = ""
        var run = raw.startIndex + 1
        var position = run
        while position < raw.endIndex {
            let byte = raw[position]
            if byte == 0x22 {
                out += String(decoding: raw[run..<position], as: UTF8.self)
                try expectTrailingNothing(raw[(position + 1)...])
                return .scalar(out, plain: false)
            }
            if byte == 0x5C {
                out += String(decoding: raw[run..<position], as: UTF8.self)
                guard position + 1 < raw.endIndex else { throw .unsupported }
                let (scalar, length) = try escape(raw[(position + 1)...])
                out.unicodeScalars.append(scalar)
                position += 1 + length
                run = position
                continue
            }
            position += 1
        }
        throw .unsupported
    }

    private func escape(
        _ raw: UnsafeBufferPointer<UInt8>.SubSequence
    ) throws(HeaderYAML.Failure) -> (Unicode.Scalar, Int) {
        let code = raw[raw.startIndex]
        let simple: [UInt8: Unicode.Scalar] = [
            0x30: "\0", 0x61: "\u{07}", 0x62: "\u{08}", 0x74: "\t", 0x09: "\t", 0x6E: "\n", 0x76: "\u{0B}",
            0x66: "\u{0C}", 0x72: "\r", 0x65: "\u{1B}", 0x20: " ", 0x22: "\"", 0x2F: "/", 0x5C: "\\",
            0x4E: "\u{85}", 0x5F: "\u{A0}", 0x4C: "\u{2028}", 0x50: "\u{2029}",
        ]
        if let scalar = simple[code] { return (scalar, 1) }
        let width: Int
        switch code {
        case 0x78: width = 2
        case 0x75: width = 4
        case 0x55: width = 8
        default: throw .invalid("unknown escape in a double-quoted scalar")
        }
        guard raw.count > width else { throw .invalid("short escape in a double-quoted scalar") }
        var value: UInt32 = 0
        for byte in raw[(raw.startIndex + 1)...(raw.startIndex + width)] {
            guard let digit = hexDigit(byte) else { throw .invalid("bad hex escape in a double-quoted scalar") }
            value = value << 4 | digit
        }
        guard let scalar = Unicode.Scalar(value) else { throw .invalid("escape is not a Unicode scalar") }
        return (scalar, width + 1)
    }

    private func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }
}
