/// Whether bytes are well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing above
/// U+10FFFF), without making a `String`: text that is can be copied to the output as it is, since a `String`
/// made from it holds the same bytes; text that is not must go through `String(decoding:)`, which repairs it.
package enum UTF8Validation {
    package static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < count {
            // ASCII eight bytes at a time: almost every byte of a bus is.
            while index + 8 <= count,
                raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
            }
            guard index < count else { return true }
            if base[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(base, at: index, count: count) else { return false }
            index += length
        }
        return true
    }

    /// The length of the well-formed sequence that starts with the non-ASCII byte at `index`, or nil.
    package static func sequenceLength(_ base: UnsafePointer<UInt8>, at index: Int, count: Int) -> Int? {
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch base[index] {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: return nil
        }
        guard index + length <= count else { return nil }
        let second = base[index + 1]
        guard second >= lower, second <= upper else { return nil }
        for next in (index + 2)..<(index + length) where base[next] & 0xC0 != 0x80 { return nil }
        return length
    }
}
