#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything complete on a bus at one moment.
package struct BusSnapshot: Sendable {
    package var messages: [BusMessage]
    package var malformed: [MalformedRecord]
    /// Offset just past the last item that can no longer change: a provisional last record (see
    /// `ScanResult.provisional`) starts after it.
    package var end: Int
    package var endLine: Int
}

/// Device and inode of an open file: a change means the path was replaced (rotation).
package struct FileIdentity: Sendable, Equatable {
    package var device: UInt64
    package var inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The lockless reader: never takes the lock, never writes, returns only complete records.
package enum BusReader {
    /// Reads the whole bus.
    /// - Throws: `BusError` for a missing or refused path or a read error.
    package static func read(_ path: String) throws(BusError) -> BusSnapshot {
        let handle = try BusFile.open(path, flags: O_RDONLY)
        let bytes = try readToEnd(handle, from: 0, sizeHint: Int(try handle.status().st_size))
        let result = RecordScanner.scan(bytes)
        return BusSnapshot(
            messages: result.messages,
            malformed: result.malformed,
            end: result.next.offset,
            endLine: result.next.line
        )
    }

    /// All bytes from `offset` to end of file, even if the file grows while it is read.
    static func readToEnd(_ handle: FileHandle, from offset: Int, sizeHint: Int) throws(BusError) -> [UInt8] {
        var bytes = try handle.read(at: offset, count: max(sizeHint - offset, 0) + 4096)
        while true {
            let more = try handle.read(at: offset + bytes.count, count: 1 << 16)
            if more.isEmpty { return bytes }
            bytes.append(contentsOf: more)
        }
    }

    /// The messages after the first one with id `since`.
    /// - Throws: `BusError.sinceNotFound` when no message has that id.
    package static func messages(
        _ messages: [BusMessage],
        after since: String,
        path: String
    ) throws(BusError) -> ArraySlice<BusMessage> {
        guard let index = messages.firstIndex(where: { $0.msgID == since }) else {
            throw .sinceNotFound(id: since, path: path)
        }
        return messages[(index + 1)...]
    }
}
