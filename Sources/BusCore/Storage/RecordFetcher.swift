import Synchronization

/// Reads one message back from where a streaming read found its record: a reader that kept only a record's
/// place (offset and length) and a few header fields gets the whole message, body included, when it is needed.
///
/// The monitor keeps a large bus this way (a list row or the detail pane asks for a few messages, a filter over
/// bodies asks for all of them in file order, a search backwards for them in reverse). Reads go through a window
/// of at least `windowSize` bytes that starts at the record asked for, or ends with it when the reader is going
/// backwards, so messages asked for in either order cost one `pread` per window, not one per message.
///
/// The record's bytes are scanned alone, as the last bytes of a file: the place must be one where they read as
/// they did in the file (`ScannedRecord.placeEnd`). Values that depend on what came before the record (a time
/// taken from the record before it) are the caller's to keep.
package final class RecordFetcher: Sendable {
    /// Bytes read at once: a list screen's records, or a filter's step through a bus in file order.
    package static let windowSize = 1 << 20

    private struct Window {
        var offset = 0
        var bytes: [UInt8] = []
    }

    /// The open file, kept open: a rotation or replacement of the path does not move what it names.
    package let handle: FileHandle
    private let window = Mutex(Window())

    package init(handle: FileHandle) {
        self.handle = handle
    }

    /// The message whose record is `length` bytes at `offset`.
    /// - Throws: `BusError` for a read error, or `.invalidMessage` when those bytes no longer hold a record (the
    ///   file was changed in place).
    package func message(at offset: Int, length: Int) throws(BusError) -> BusMessage {
        let found = try withBytes(at: offset, length: length) { bytes in
            RecordScanner.scan(bytes, from: ScanCursor(offset: offset), final: true)
        }
        guard let message = found.messages.first, found.offsets.first == offset else {
            throw .invalidMessage("no record at offset \(offset) any more", path: handle.path)
        }
        return message
    }

    /// `body` applied to the `length` bytes at `offset`, as they are in the file (valid only during the call).
    /// - Throws: `BusError` for a read error, or `.invalidMessage` when the file is shorter now.
    package func withBytes<Result>(
        at offset: Int,
        length: Int,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) throws(BusError) -> Result {
        // The window's array leaves the lock shared, not copied: a later refill makes a new one, this one stays.
        let (bytes, start) = try window.withLock { window throws(BusError) -> ([UInt8], Int) in
            let end = offset + length
            if offset < window.offset || end > window.offset + window.bytes.count {
                // Before the window: the reader goes backwards, so the next window ends with this record.
                let start = offset < window.offset ? max(0, end - Self.windowSize) : offset
                window.bytes = try handle.read(at: start, count: max(end - start, Self.windowSize))
                window.offset = start
            }
            guard end - window.offset <= window.bytes.count else {
                throw .invalidMessage("the record at offset \(offset) ends past the end of the file", path: handle.path)
            }
            return (window.bytes, offset - window.offset)
        }
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<(start + length)])) }
    }
}
