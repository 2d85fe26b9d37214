#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads that cost what they are asked for: a whole bus front to back in bounded memory, and the newest messages
/// from the end without reading what comes before them.
extension BusReader {
    /// Bytes read per step of a streaming read: large enough that `pread` and the scanner's set-up are noise.
    package static let streamChunkSize = 4 << 20

    /// Reads the bus from `cursor` to its end in chunks, handing each item to `body` in file order: the same
    /// items a whole read finds, in the memory of a chunk and the longest record.
    ///
    /// - Parameters:
    ///   - handle: the open bus.
    ///   - cursor: where to start (the start of the file, or a `suffixStart`).
    ///   - chunkSize: bytes read per step; a record longer than this is read whole by growing the step.
    ///   - end: stop at this offset, a record boundary (a `suffixStart`): the items that start before it are
    ///     returned, as a whole read returns them; by default the end of the file.
    ///   - body: called with each message and malformed record.
    /// - Returns: the cursor just past the last item that can no longer change.
    /// - Throws: `BusError` for a read error.
    @discardableResult
    package static func stream(
        _ handle: FileHandle,
        from cursor: ScanCursor = ScanCursor(),
        chunkSize: Int = streamChunkSize,
        until end: Int = .max,
        _ body: (ScanItem) -> Void
    ) throws(BusError) -> ScanCursor {
        try streamRecords(handle, from: cursor, chunkSize: chunkSize, until: end) { event in
            switch event {
            case .record(let record, _): body(.message(record.message, offset: record.offset))
            case .malformed(let record): body(.malformed(record))
            }
        }
    }

    /// `stream`, handing out messages as the scanner found them (`ScannedRecord`), before any `String` is made.
    ///
    /// For readers that write them out as they go (`read --json`). A record is valid only during the call.
    ///
    /// - Parameters: as for `stream`.
    /// - Returns: the cursor just past the last item that can no longer change.
    /// - Throws: `BusError` for a read error.
    @discardableResult
    package static func streamRecords(
        _ handle: FileHandle,
        from cursor: ScanCursor = ScanCursor(),
        chunkSize: Int = streamChunkSize,
        until end: Int = .max,
        _ body: (ScanEvent) -> Void
    ) throws(BusError) -> ScanCursor {
        var cursor = cursor
        var pending: [UInt8] = []
        var step = chunkSize
        // Reads ask for what the file holds (plus a page, for appends meanwhile), not a whole step, so a small
        // bus costs a small read.
        var knownEnd = Int(try handle.status().st_size)
        while true {
            let readAt = cursor.offset + pending.count
            let wanted = max(1, min(step - pending.count, max(knownEnd - readAt, 0) + 4096))
            let got = try handle.read(at: readAt, count: wanted, appendingTo: &pending)
            knownEnd = max(knownEnd, readAt + got)
            let atEnd = got == 0
            let next = pending.withUnsafeBufferPointer { buffer in
                RecordScanner.scan(buffer, from: cursor) { event in
                    switch event {
                    // Before the end, a provisional last message is read again with the next chunk (its record
                    // may go on there); at the end it is what a whole read returns. Past `end` nothing is
                    // wanted, and every item that starts before it is final: what follows does not change it.
                    case .record(let record, let provisional):
                        if record.offset < end && (atEnd || !provisional) { body(event) }
                    case .malformed(let record):
                        if record.offset < end { body(event) }
                    }
                }
            }
            if atEnd || next.offset >= end { return next }
            let committed = next.offset - cursor.offset
            if committed == 0 {
                step = max(step, pending.count) * 2  // one record longer than the step: read on until it ends
                continue
            }
            pending.removeSubrange(0..<committed)
            cursor = next
            step = chunkSize
        }
    }

    /// Where a forward read must start to find the newest messages exactly as a whole read finds them, read from
    /// the end of the file: the cost follows what is asked for, not the file's size.
    ///
    /// A record opener in the last part of the file is found by scanning from two starts, one further back
    /// than the other; the first record both scans find at the same offset with the same content is a point
    /// where every scan is in one state (a record starts there, nothing before it matters), so from there on a
    /// whole read finds the same items. Legacy lines and records whose time is inferred from the record before
    /// are not taken as that point, since they depend on what precedes them. The window grows until `enough`
    /// accepts the messages found after the point, or covers the file.
    ///
    /// - Parameters:
    ///   - handle: the open bus.
    ///   - initialWindow: bytes from the end to look at first (tests use small ones to cross many records).
    ///   - enough: whether the messages from the start point on answer the question (e.g. hold N matches).
    /// - Returns: where to start, with `line` relative to that point (1) unless it is the start of the file;
    ///   `SuffixStart.resolvingLines` makes it absolute when the items read need line numbers.
    /// - Throws: `BusError` for a read error.
    package static func suffixStart(
        _ handle: FileHandle,
        initialWindow: Int = 1 << 16,
        enough: ([BusMessage]) -> Bool
    ) throws(BusError) -> SuffixStart {
        let size = Int(try handle.status().st_size)
        var window = max(initialWindow, 16)
        while 2 * window < size {
            let base = size - 2 * window
            let bytes = try handle.read(at: base, count: 2 * window)
            if let start = agreedStart(bytes, base: base, laterStart: window), enough(start.messages) {
                return SuffixStart(cursor: start.cursor, linesKnown: false)
            }
            window *= 4
        }
        return .fileStart
    }

    /// The first record that scans from the first line start in `bytes` and from the first line start after
    /// `laterStart` both find, with the messages from it on.
    private static func agreedStart(
        _ bytes: [UInt8],
        base: Int,
        laterStart: Int
    ) -> (cursor: ScanCursor, messages: [BusMessage])? {
        guard let earlier = firstLineStart(bytes, from: 0), let later = firstLineStart(bytes, from: laterStart) else {
            return nil
        }
        let (wide, narrow) = bytes.withUnsafeBufferPointer { buffer in
            (
                RecordScanner.scan(
                    UnsafeBufferPointer(rebasing: buffer[earlier...]),
                    from: ScanCursor(offset: base + earlier)
                ),
                RecordScanner.scan(
                    UnsafeBufferPointer(rebasing: buffer[later...]),
                    from: ScanCursor(offset: base + later)
                )
            )
        }
        var wideIndex: [Int: Int] = [:]
        for (index, offset) in wide.offsets.enumerated() { wideIndex[offset] = index }
        for (index, offset) in narrow.offsets.enumerated() {
            let message = narrow.messages[index]
            guard bytes[offset - base] == 0x2D, !message.timestampInferred, let match = wideIndex[offset],
                wide.messages[match] == message
            else { continue }
            let cursor = ScanCursor(offset: offset, line: 1, quiet: false, previousTimestamp: message.timestamp)
            return (cursor, Array(wide.messages[match...]))
        }
        return nil
    }

    /// The index of the first byte after a line feed at or after `from`.
    private static func firstLineStart(_ bytes: [UInt8], from: Int) -> Int? {
        guard from < bytes.count, let feed = bytes[from...].firstIndex(of: 0x0A), feed + 1 < bytes.count else {
            return nil
        }
        return feed + 1
    }

    /// The number of line feeds in `[0, offset)`.
    /// - Throws: `BusError` for a read error.
    package static func lineFeeds(_ handle: FileHandle, before offset: Int) throws(BusError) -> Int {
        var count = 0
        var position = 0
        var chunk: [UInt8] = []
        while position < offset {
            chunk.removeAll(keepingCapacity: true)
            let got = try handle.read(at: position, count: min(streamChunkSize, offset - position), appendingTo: &chunk)
            if got == 0 { break }
            for byte in chunk where byte == 0x0A { count += 1 }
            position += got
        }
        return count
    }
}

/// Where a read of the newest messages starts (`BusReader.suffixStart`).
package struct SuffixStart: Sendable {
    /// The start; its `line` is 1 unless `linesKnown`.
    package var cursor: ScanCursor
    /// `cursor.line` is the line's true number (the start of the file, or resolved).
    package var linesKnown: Bool

    /// The start of the file.
    package static let fileStart = SuffixStart(cursor: ScanCursor(), linesKnown: true)

    init(cursor: ScanCursor, linesKnown: Bool) {
        self.cursor = cursor
        self.linesKnown = linesKnown
    }

    /// The same start with its true line number, counted from the file's start: needed only when what is read
    /// from it carries line numbers (a malformed record, a legacy line's id).
    /// - Throws: `BusError` for a read error.
    package func resolvingLines(_ handle: FileHandle) throws(BusError) -> SuffixStart {
        guard !linesKnown else { return self }
        var resolved = cursor
        resolved.line = try BusReader.lineFeeds(handle, before: cursor.offset) + 1
        return SuffixStart(cursor: resolved, linesKnown: true)
    }
}

extension ScanItem {
    /// Where the item's record starts.
    package var offset: Int {
        switch self {
        case .message(_, let offset), .revised(_, let offset): offset
        case .malformed(let record): record.offset
        }
    }

    /// The item carries a line number (a malformed record's report, a legacy line's id).
    package var dependsOnLineNumbers: Bool {
        switch self {
        case .message(let message, _), .revised(let message, _): LineNamedID.isLineNamed(message.msgID)
        case .malformed: true
        }
    }
}

/// Ids the reader makes up from a line number for messages that carry none: a legacy line's
/// (`LEGACY-LINE-000000012`, as Go names them) and a header's without `msg_id` (`NOID-000000012`).
package enum LineNamedID {
    static let legacyPrefix = "LEGACY-LINE-"
    static let unnamedPrefix = "NOID-"

    static func legacy(line: Int) -> String { legacyPrefix + BusTimestamp.padded(line, width: 9) }

    static func unnamed(line: Int) -> String { unnamedPrefix + BusTimestamp.padded(line, width: 9) }

    /// The id was made from a line number.
    package static func isLineNamed(_ id: String) -> Bool {
        id.hasPrefix(legacyPrefix) || id.hasPrefix(unnamedPrefix)
    }
}
