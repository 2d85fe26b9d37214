import CBusBytes

/// Finds an ASCII word in bytes ignoring ASCII case (`bus_find_folded`, SSE2): the monitor's text filter, on
/// held messages' strings and on a large bus's records read as bytes.
package enum FoldedSearch {
    /// True when `bytes` contain `needle` (lowercased ASCII) with ASCII letters of either case.
    package static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard let base = bytes.baseAddress, let needleBase = needle.baseAddress, bytes.count >= needle.count else {
            return false
        }
        return bus_find_folded(base, bytes.count, needleBase, needle.count) < bytes.count
    }
}
