import CBusBytes
import Testing

/// The SSE2 searches of `CBusBytes` find what a byte-at-a-time loop finds: at every position of a text of every
/// length up to past three chunks (whole chunks, the masked last chunk, the short-text loop), with one flagged
/// byte, none, or several.
@Suite struct ByteSearchTests {
    static func jsonFlagged(_ byte: UInt8, nonASCII: Bool) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2 || (nonASCII && byte >= 0x80)
    }

    static func yamlFlagged(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x23 || byte == 0x3A || byte == 0x7F }

    static func terminalFlagged(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2 }

    /// Texts of `plain` bytes with `flagged` put at every position, alone and after another flagged byte.
    static func texts(plain: UInt8, flagged: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for count in 0...50 {
            out.append([UInt8](repeating: plain, count: count))
            for position in 0..<count {
                for byte in flagged {
                    var text = [UInt8](repeating: plain, count: count)
                    text[position] = byte
                    out.append(text)
                    if position + 3 < count { text[position + 3] = flagged[0] }
                    out.append(text)
                }
            }
        }
        return out
    }

    @Test(arguments: [false, true])
    func jsonSearchFindsTheFirstFlaggedByte(nonASCII: Bool) {
        let flagged: [UInt8] = [0x00, 0x0A, 0x1F, 0x22, 0x5C, 0xE2, 0x80, 0xC3, 0xFF]
        for text in Self.texts(plain: 0x61, flagged: flagged) + Self.texts(plain: 0x7E, flagged: [0x20, 0x7F]) {
            let expected = text.firstIndex { Self.jsonFlagged($0, nonASCII: nonASCII) } ?? text.count
            let found = text.withUnsafeBufferPointer { bus_json_special($0.baseAddress, $0.count, nonASCII ? 1 : 0) }
            #expect(found == expected, "\(text)")
        }
    }

    @Test func yamlSearchFindsTheFirstIndicator() {
        let flagged: [UInt8] = [0x00, 0x09, 0x1F, 0x23, 0x3A, 0x7F, 0x20, 0x80, 0xFF]
        for text in Self.texts(plain: 0x61, flagged: flagged) {
            let expected = text.firstIndex(where: Self.yamlFlagged) ?? text.count
            let found = text.withUnsafeBufferPointer { bus_yaml_indicator($0.baseAddress, $0.count) }
            #expect(found == expected, "\(text)")
        }
    }

    @Test func terminalSearchFindsTheFirstControl() {
        let flagged: [UInt8] = [0x00, 0x09, 0x0A, 0x1B, 0x1F, 0x7F, 0xC2, 0xE2, 0x20, 0x80, 0xC3, 0xFF]
        for text in Self.texts(plain: 0x61, flagged: flagged) {
            let expected = text.firstIndex(where: Self.terminalFlagged) ?? text.count
            let found = text.withUnsafeBufferPointer { bus_terminal_special($0.baseAddress, $0.count) }
            #expect(found == expected, "\(text)")
        }
    }
}
