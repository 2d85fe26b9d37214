import BusTestSupport
import CBusBytes
import Testing

@testable import BusCore

/// The monitor's word search (`bus_find_folded`, SSE2) finds the first place a byte loop finds, ignoring ASCII
/// case only: in texts of every length up to past four chunks, with the word's first and last bytes planted
/// around it as decoys.
@Suite struct FoldedSearchTests {
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    static func firstPlace(_ text: [UInt8], _ needle: [UInt8]) -> Int {
        guard !needle.isEmpty else { return 0 }
        guard needle.count <= text.count else { return text.count }
        for start in 0...(text.count - needle.count)
        where (0..<needle.count).allSatisfy({ lower(text[start + $0]) == needle[$0] }) {
            return start
        }
        return text.count
    }

    @Test func findsWhatAByteLoopFinds() {
        var generator = SeededGenerator(seed: 8)
        // Letters of both cases, their neighbours in the table (`@`, `[`, `` ` ``, `{`), a digit, a dash, bytes
        // of UTF-8 text: what `b | 0x20` could confuse with a letter, and what a word may sit in.
        let alphabet: [UInt8] = [
            0x61, 0x41, 0x62, 0x42, 0x7A, 0x5A, 0x40, 0x5B, 0x60, 0x7B, 0x30, 0x2D, 0xC3, 0xA9, 0xE6,
        ]
        let needles: [[UInt8]] = [
            [0x61], [0x7A], [0x2D], [0x61, 0x62], [0x61, 0x61, 0x61], [0x62, 0x2D, 0x61], [0x60], [0x40, 0x61],
            [0x7B, 0x7A], [0x61, 0x62, 0x7A, 0x61, 0x62], [0x30, 0x61], Array("deploy".utf8), [],
        ]
        for length in 0...70 {
            for _ in 0..<20 {
                let text = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
                for needle in needles {
                    let found = text.withUnsafeBufferPointer { bytes in
                        needle.withUnsafeBufferPointer {
                            bus_find_folded(bytes.baseAddress, bytes.count, $0.baseAddress, $0.count)
                        }
                    }
                    #expect(found == Self.firstPlace(text, needle), "\(text) / \(needle)")
                    let contains = text.withUnsafeBufferPointer { bytes in
                        needle.withUnsafeBufferPointer { FoldedSearch.contains(bytes, $0) }
                    }
                    #expect(contains == (needle.isEmpty || Self.firstPlace(text, needle) < text.count))
                }
            }
        }
    }

    @Test func aWordAtEveryPlaceOfALongText() {
        let word = Array("deploy".utf8)
        for length in word.count...80 {
            for place in 0...(length - word.count) {
                var text = [UInt8](repeating: 0x64, count: length)  // "ddd...": the first byte everywhere
                for (offset, byte) in Array("DePlOy".utf8).enumerated() { text[place + offset] = byte }
                let found = text.withUnsafeBufferPointer { bytes in
                    word.withUnsafeBufferPointer {
                        bus_find_folded(bytes.baseAddress, bytes.count, $0.baseAddress, $0.count)
                    }
                }
                #expect(found == place, "length \(length), place \(place)")
            }
        }
    }
}
