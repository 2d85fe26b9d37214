import BusCore
import Testing

/// `JSONBuffer` keeps its bytes in storage it grows itself: what it holds is what an array of the same appends
/// holds, across every growth, for copies written separately, and for escaped literals of random text.
@Suite struct JSONBufferTests {
    /// A JSON string literal written scalar by scalar, the rules `JSONBuffer.append(string:)` states.
    static func reference(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x2028: out += Array("\\u2028".utf8)
            case 0x2029: out += Array("\\u2029".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(scalar.value >> 4)], hex[Int(scalar.value & 0x0F)]]
            default: out += Array(String(scalar).utf8)
            }
        }
        return out + [0x22]
    }

    /// Bytes that reach every branch of the escape: plain ASCII, specials, UTF-8 sequences (U+2028 among them),
    /// and bytes that are not well-formed UTF-8.
    static let pieces: [[UInt8]] = [
        Array("plain text ".utf8), [0x22], [0x5C], [0x0A], [0x0D], [0x09], [0x00], [0x1B], [0x1F], [0x7F],
        Array("é".utf8), Array("中".utf8), Array("😀".utf8), [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9], [0xE2, 0x80, 0x99],
        [0xFF], [0xE2, 0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], Array(repeating: 0x61, count: 40),
    ]

    static func randomText(_ generator: inout some RandomNumberGenerator) -> [UInt8] {
        var text: [UInt8] = []
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            text += pieces[Int.random(in: 0..<pieces.count, using: &generator)]
        }
        return text
    }

    @Test func rawAppendsAcrossGrowthEqualAnArray() {
        var generator = SystemRandomNumberGenerator()
        for capacity in [0, 1, 63, 64, 65, 1000] {
            var json = JSONBuffer(capacity: capacity)
            var expected: [UInt8] = []
            for step in 0..<300 {
                let chunk = (0..<(step % 97)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                switch step % 3 {
                case 0: json.append(raw: chunk)
                case 1: chunk.withUnsafeBufferPointer { json.append(raw: $0) }
                default: json.append(raw: "{\"key\":")
                }
                expected += step % 3 == 2 ? Array("{\"key\":".utf8) : chunk
                #expect(json.count == expected.count)
            }
            #expect(json.bytes == expected)
            json.withUnsafeBytes { #expect(Array($0) == expected) }
        }
    }

    @Test func copiesAreWrittenSeparately() {
        var first = JSONBuffer()
        first.append(raw: "shared")
        var second = first
        second.append(raw: " second")
        first.append(raw: " first")
        #expect(first.text == "shared first")
        #expect(second.text == "shared second")
        let third = first
        first.truncate(to: 3)
        first.append(raw: "RED")
        #expect(first.text == "shaRED")
        #expect(third.text == "shared first")
    }

    @Test func truncateAndRemoveAll() {
        var json = JSONBuffer(capacity: 4)
        json.append(raw: "abcdef")
        json.truncate(to: 2)
        #expect(json.text == "ab")
        json.removeAll()
        #expect(json.isEmpty)
        json.append(raw: Array("replaced".utf8))
        json.append(byte: 0x21)
        #expect(json.text == "replaced!")
    }

    @Test func escapedLiteralsOfRandomTextEqualTheReference() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let text = Self.randomText(&generator)
            var json = JSONBuffer()
            json.append(raw: "[")
            let checked = text.withUnsafeBufferPointer { json.append(checkingUTF8: $0) }
            if let valid = String(validating: text, as: UTF8.self) {
                #expect(checked)
                #expect(json.bytes == [0x5B] + Self.reference(valid), "\(text)")
                var unchecked = JSONBuffer()
                text.withUnsafeBufferPointer { unchecked.append(utf8: $0) }
                #expect(unchecked.bytes == Self.reference(valid))
            } else {
                #expect(!checked)
                #expect(json.bytes == [0x5B], "nothing appended for \(text)")
            }
        }
    }
}
