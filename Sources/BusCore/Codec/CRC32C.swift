import CBusChecksum

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum that ends every header this tool writes.
///
/// Castagnoli rather than the zlib CRC-32 because it is the one storage formats use (iSCSI, ext4, Btrfs) and
/// catches more burst errors. The processor's own instruction computes it where there is one (SSE4.2, ARMv8
/// CRC: `CBusChecksum`), else a slicing-by-8 table walk.
package struct CRC32C: Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    package init() {}

    /// The checksum of everything fed so far.
    package var value: UInt32 { ~state }

    /// Feeds more bytes.
    package mutating func update(_ bytes: some Collection<UInt8>) {
        var crc = state
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            Self.update(&crc, buffer)
        }
        if contiguous == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { Self.update(&crc, $0) }
        }
        state = crc
    }

    /// The checksum of `bytes`.
    package static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    private static func update(_ crc: inout UInt32, _ buffer: UnsafeBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress else { return }
        var done: Int32 = 0
        let updated = bus_crc32c_update(crc, base, buffer.count, &done)
        if done != 0 {
            crc = updated
        } else {
            softwareUpdate(&crc, buffer)
        }
    }

    /// The checksum of `bytes` by the table walk alone (the tests' oracle for the processor's instruction).
    package static func softwareChecksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        bytes.withUnsafeBufferPointer { softwareUpdate(&crc, $0) }
        return ~crc
    }

    /// Slicing-by-8, for processors without a CRC-32C instruction.
    private static func softwareUpdate(_ crc: inout UInt32, _ buffer: UnsafeBufferPointer<UInt8>) {
        var index = 0
        let count = buffer.count
        Self.tables.withUnsafeBufferPointer { table in
            while count - index >= 8 {
                let low =
                    crc
                    ^ (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2]) << 16
                        | UInt32(buffer[index + 3]) << 24)
                let high =
                    UInt32(buffer[index + 4]) | UInt32(buffer[index + 5]) << 8 | UInt32(buffer[index + 6]) << 16
                    | UInt32(buffer[index + 7]) << 24
                crc =
                    table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
    }

    /// Eight 256-entry tables: table k gives the CRC of a byte followed by k zero bytes.
    private static let tables: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            table[byte] = crc
        }
        for byte in 0..<256 {
            for slice in 1..<8 {
                let previous = table[(slice - 1) * 256 + byte]
                table[slice * 256 + byte] = table[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return table
    }()
}
