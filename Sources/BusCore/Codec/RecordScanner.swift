#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something a scan found: a message, or a record that had to be skipped.
package enum ScanItem: Sendable, Equatable {
    /// A complete message and the byte offset where its record (or legacy line) starts.
    case message(BusMessage, offset: Int)
    case malformed(MalformedRecord)
}

/// A record the scanner skipped, and where: readers report these (stderr, the monitor's status bar).
package struct MalformedRecord: Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var line: Int
    package var reason: String
    /// How many bytes were skipped from `offset` (the monitor shows them; `pread` them from the file).
    package var length: Int = 0

    package var description: String { "malformed record at byte \(offset) (line \(line)): \(reason)" }
}

/// What one pass over a buffer found.
package struct ScanResult: Sendable {
    /// Complete messages in file order.
    package var messages: [BusMessage] = []
    /// Byte offset of each message's record (parallel to `messages`).
    package var offsets: [Int] = []
    /// Records that had to be skipped, in file order.
    package var malformed: [MalformedRecord] = []
    /// Absolute offset just past the last complete item: the next scan starts here.
    ///
    /// Bytes after it (an
    /// incomplete record still being written, or blank separator lines) are scanned again next time.
    package var end: Int
    /// 1-based number of the line that starts at `end`.
    package var endLine: Int
    /// True when `end` is the closing `---` of a malformed record already reported: pass it back as
    /// `quietStart` so that the next scan does not report that line as another malformed record.
    package var endIsQuiet = false

    /// Messages and malformed records merged back into file order.
    package var items: [ScanItem] {
        var out: [ScanItem] = []
        out.reserveCapacity(messages.count + malformed.count)
        var next = 0
        for (message, offset) in zip(messages, offsets) {
            while next < malformed.count, malformed[next].offset < offset {
                out.append(.malformed(malformed[next]))
                next += 1
            }
            out.append(.message(message, offset: offset))
        }
        out += malformed[next...].map(ScanItem.malformed)
        return out
    }
}

/// Finds records in bus bytes: the three-state line machine of the Go reader (seek, header, body), made exact
/// where Go's is lossy.
///
/// - A record with `body_bytes` ends exactly there; a `---` line inside that span means the record was torn.
/// - A record without it (Go-written) runs to the next `---` line that opens a valid header; a `---` line that
///   opens none is body text (Go would cut the message there and lose what follows).
/// - Legacy lines are recognised anywhere outside records; a header that is not a YAML mapping is reported and
///   scanning resumes at its closing `---`, so no later record is lost.
/// - The end of the buffer is "now", not the end of the file: an incomplete record there is held back.
package enum RecordScanner {
    /// Longest header candidate before a `---` line is taken as a plain rule instead.
    static let maxHeaderLines = 1000
    static let maxHeaderBytes = 256 * 1024

    /// Scans `buffer`, whose first byte is at file offset `baseOffset` and starts line `firstLine`.
    ///
    /// - Parameters:
    ///   - buffer: the bytes.
    ///   - baseOffset: the file offset of the first byte.
    ///   - firstLine: the 1-based line number of the first byte.
    ///   - quietStart: the previous scan ended at the closer of a malformed record (`endIsQuiet`).
    ///   - final: the end of the buffer is the end of the file and no writer is active (the writer's check
    ///     under the lock). A `---` line at the very end of a Go-written body can then no longer open a
    ///     record, so it is body text; otherwise such a record is held back until more bytes arrive.
    /// - Returns: the messages, the malformed records, and where the next scan starts.
    package static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>,
        baseOffset: Int = 0,
        firstLine: Int = 1,
        quietStart: Bool = false,
        final: Bool = false
    ) -> ScanResult {
        var state = ScanState(buffer: buffer, baseOffset: baseOffset, firstLine: firstLine, final: final)
        if quietStart { state.quietPosition = 0 }
        state.run()
        state.result.end = baseOffset + state.committed
        state.result.endLine = state.committedLine
        state.result.endIsQuiet = state.quietPosition == state.committed
        return state.result
    }

    /// Scans an array of bytes.
    package static func scan(
        _ bytes: [UInt8],
        baseOffset: Int = 0,
        firstLine: Int = 1,
        quietStart: Bool = false
    ) -> ScanResult {
        bytes.withUnsafeBufferPointer {
            scan($0, baseOffset: baseOffset, firstLine: firstLine, quietStart: quietStart)
        }
    }
}

/// A scanner that is fed bytes as they arrive and keeps what it could not decide yet.
package struct IncrementalScanner: Sendable {
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var pendingLine = 1
    private var pendingQuiet = false

    package init(offset: Int = 0, line: Int = 1) {
        pendingOffset = offset
        pendingLine = line
    }

    /// Absolute offset just past the last complete item returned.
    package var committedOffset: Int { pendingOffset }

    /// Feeds the next bytes of the stream.
    /// - Returns: the items that are complete now.
    package mutating func consume(_ bytes: some Sequence<UInt8>) -> [ScanItem] {
        pending.append(contentsOf: bytes)
        let result = RecordScanner.scan(
            pending,
            baseOffset: pendingOffset,
            firstLine: pendingLine,
            quietStart: pendingQuiet
        )
        pending.removeFirst(result.end - pendingOffset)
        pendingOffset = result.end
        pendingLine = result.endLine
        pendingQuiet = result.endIsQuiet
        return result.items
    }
}

/// Where a header candidate that starts at a `---` line leads.
private enum HeaderProbe {
    /// A valid header; the body starts at `bodyStart` (absolute buffer index), on line `bodyLine`.
    case valid(RecordHeader, bodyStart: Int, bodyLine: Int)
    /// Closed by a `---` line at `closer` but not a header.
    case invalid(reason: String, closer: Int, closerLine: Int)
    /// Not a header at all (a legacy line or too much text before any `---`): the opener was a plain rule.
    case abandoned
    /// Runs past the end of the data: decide when more bytes arrive.
    case incomplete
}

private enum BodyOutcome {
    case complete(BusMessage, end: Int, endLine: Int)
    case torn(reason: String, resume: Int, resumeLine: Int)
    case incomplete
}

private struct ScanState {
    let buffer: UnsafeBufferPointer<UInt8>
    let baseOffset: Int
    var result = ScanResult(end: 0, endLine: 1)
    var committed = 0
    var committedLine: Int
    /// A header probe made while looking ahead from a Go-framed body, reused when the scan gets there.
    var cachedProbe: (position: Int, probe: HeaderProbe)?
    /// The closer of the last invalid header: a candidate starting there is that record's body, not news.
    var quietPosition = -1

    let final: Bool

    init(buffer: UnsafeBufferPointer<UInt8>, baseOffset: Int, firstLine: Int, final: Bool) {
        self.buffer = buffer
        self.baseOffset = baseOffset
        self.committedLine = firstLine
        self.final = final
    }

    /// The index of the `\n` ending the line that starts at `start`, or nil for a partial line.
    func lineEnd(from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, buffer.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    func isRule(_ start: Int, _ end: Int) -> Bool { RecordFormat.isRule(buffer[start..<end]) }

    mutating func run() {
        var position = committed
        var line = committedLine
        while let end = lineEnd(from: position) {
            if isRule(position, end) {
                switch probe(at: position, line: line) {
                case .incomplete:
                    return
                case .abandoned:
                    position = end + 1
                    line += 1
                    commit(position, line)
                case .invalid(let reason, let closer, let closerLine):
                    if position != quietPosition {
                        result.malformed.append(
                            MalformedRecord(
                                offset: baseOffset + position,
                                line: line,
                                reason: reason,
                                length: closer - position
                            )
                        )
                    }
                    quietPosition = closer
                    position = closer
                    line = closerLine
                    commit(position, line)
                case .valid(let header, let bodyStart, let bodyLine):
                    switch body(header, start: bodyStart, line: bodyLine) {
                    case .incomplete:
                        return
                    case .torn(let reason, let resume, let resumeLine):
                        result.malformed.append(
                            MalformedRecord(
                                offset: baseOffset + position,
                                line: line,
                                reason: reason,
                                length: resume - position
                            )
                        )
                        position = resume
                        line = resumeLine
                        commit(position, line)
                    case .complete(let message, let recordEnd, let endLine):
                        result.messages.append(message)
                        result.offsets.append(baseOffset + position)
                        position = recordEnd
                        line = endLine
                        commit(position, line)
                    }
                }
            } else if end == position || (end == position + 1 && buffer[position] == 0x0D) {
                // Blank lines separate records; the committed offset stays before them so that a writer
                // cutting a torn tail back to the last record never cuts below a reader's offset.
                position = end + 1
                line += 1
            } else {
                if let message = LegacyLine.parse(buffer[position..<end], line: line) {
                    result.messages.append(message)
                    result.offsets.append(baseOffset + position)
                }
                position = end + 1
                line += 1
                commit(position, line)
            }
        }
    }

    mutating func commit(_ position: Int, _ line: Int) {
        committed = position
        committedLine = line
    }

    /// Looks at the header candidate opened by the `---` line at `opener`.
    mutating func probe(at opener: Int, line openerLine: Int) -> HeaderProbe {
        if let cached = cachedProbe, cached.position == opener { return cached.probe }
        guard let openerEnd = lineEnd(from: opener) else { return .incomplete }
        let headerStart = openerEnd + 1
        var position = headerStart
        var line = openerLine + 1
        var count = 0
        while let end = lineEnd(from: position) {
            if isRule(position, end) {
                switch RecordHeader.decode(buffer[headerStart..<position]) {
                case .success(let header):
                    return .valid(header, bodyStart: end + 1, bodyLine: line + 1)
                case .failure(let error):
                    return .invalid(reason: error.reason, closer: position, closerLine: line)
                }
            }
            if buffer[position] == 0x5B, LegacyLine.parse(buffer[position..<end], line: line) != nil {
                return .abandoned
            }
            // Neither writer puts a blank line in a header: a blank line, `---` and `msg_id:` is a separator and
            // the next record, after a header whose writer died (a later writer did not cut it, e.g. Go's).
            if end == position || (end == position + 1 && buffer[position] == 0x0D),
                let ruleEnd = lineEnd(from: end + 1), isRule(end + 1, ruleEnd),
                startsWithMessageID(after: ruleEnd + 1) != false
            {
                return .invalid(reason: "torn record: its header was cut off", closer: end + 1, closerLine: line + 1)
            }
            // Under the writer's lock nothing is being written, and both writers put msg_id first: a candidate
            // that starts otherwise and is never closed is text after a `---` rule, not a torn header. (Readers
            // cannot tell yet and wait for the closer, so that slow arrivals scan as one pass would.)
            if final, count == 0, !buffer[position..<end].starts(with: "msg_id:".utf8), !hasCloser(after: end + 1) {
                return .abandoned
            }
            count += 1
            if count > RecordScanner.maxHeaderLines || position - headerStart > RecordScanner.maxHeaderBytes {
                return .abandoned
            }
            position = end + 1
            line += 1
        }
        return .incomplete
    }

    /// True when a `---` line follows `position` before the end of the data.
    func hasCloser(after position: Int) -> Bool {
        var position = position
        while let end = lineEnd(from: position) {
            if isRule(position, end) { return true }
            position = end + 1
        }
        return false
    }

    mutating func body(_ header: RecordHeader, start: Int, line startLine: Int) -> BodyOutcome {
        if let declared = header.bodyBytes {
            return lengthDelimitedBody(header, start: start, line: startLine, length: declared)
        }
        return goFramedBody(header, start: start, line: startLine)
    }

    /// A record written by this tool: exactly `length` bytes, never containing a `---` line.
    func lengthDelimitedBody(_ header: RecordHeader, start: Int, line startLine: Int, length: Int) -> BodyOutcome {
        let (stop, overflow) = start.addingReportingOverflow(length)
        let limit = overflow ? buffer.count : min(stop, buffer.count)
        var position = start
        var line = startLine
        while position < limit, let end = lineEnd(from: position) {
            if isRule(position, end) {
                return .torn(
                    reason: "torn record: body shorter than its \(RecordFormat.bodyBytesKey) (\(length))",
                    resume: position,
                    resumeLine: line
                )
            }
            position = end + 1
            line += 1
        }
        if overflow || stop > buffer.count { return .incomplete }
        guard length > 0, buffer[stop - 1] == 0x0A, position == stop else {
            // The declared length does not end on a line break: the header lies. Skip to the next line.
            return .torn(
                reason: "\(RecordFormat.bodyBytesKey) (\(length)) does not end at a line break",
                resume: position,
                resumeLine: line
            )
        }
        return .complete(message(header, buffer[start..<stop]), end: stop, endLine: line)
    }

    /// A record without `body_bytes` (Go-written): the body runs to the next `---` line that opens a record.
    ///
    /// A `---` line opens a record when its header is valid, or when it follows the blank separator line and
    /// its first header line is `msg_id:` (both writers put it first): then a malformed or torn record follows
    /// and is reported or held back on its own, never glued into this body. Any other `---` line is body text
    /// (Go's reader would cut the message there).
    mutating func goFramedBody(_ header: RecordHeader, start: Int, line startLine: Int) -> BodyOutcome {
        // Go writes the whole record at once and every body ends in `\n`: no byte yet means not written yet.
        guard start < buffer.count else { return .incomplete }
        var position = start
        var line = startLine
        while true {
            guard let end = lineEnd(from: position) else {
                // A partial last line: still being written, unless nothing writes any more (then it is the
                // body's last line and the writer seals it).
                if position < buffer.count && !final { return .incomplete }
                let stored = buffer[start..<buffer.count]
                // Go writes the separator and the next record in two writes: a body ending in a blank line may
                // be that separator, alone for now.
                if !final, endsWithBlankLine(stored) { return .incomplete }
                return .complete(message(header, stored), end: buffer.count, endLine: line)
            }
            if isRule(position, end) {
                let next = probe(at: position, line: line)
                cachedProbe = (position, next)
                let opensRecord: Bool
                switch next {
                case .valid:
                    opensRecord = true
                case .invalid, .incomplete:
                    let announced = startsWithMessageID(after: end + 1)
                    let separated = followsBlankLine(position, start: start)
                    if case .incomplete = next, !final, announced != false, announced == nil || !separated {
                        return .incomplete  // cannot tell yet whether a record starts here
                    }
                    opensRecord = announced == true && separated
                case .abandoned:
                    opensRecord = false
                }
                if opensRecord {
                    // The separator line before the next record belongs to neither.
                    var stored = buffer[start..<position]
                    var recordEnd = position
                    var endLine = line
                    if let separator = trailingBlankLine(stored) {
                        stored = stored.dropLast(separator)
                        recordEnd -= separator
                        endLine -= 1
                    }
                    return .complete(message(header, stored), end: recordEnd, endLine: endLine)
                }
            }
            position = end + 1
            line += 1
        }
    }

    /// The length of the blank line (`\n` or `\r\n`) that ends `bytes` after a line break, if any.
    func trailingBlankLine(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Int? {
        guard bytes.last == 0x0A else { return nil }
        let beforeNewline = bytes.dropLast()
        if beforeNewline.isEmpty || beforeNewline.last == 0x0A { return 1 }
        if beforeNewline.last == 0x0D, beforeNewline.dropLast().isEmpty || beforeNewline.dropLast().last == 0x0A {
            return 2
        }
        return nil
    }

    func endsWithBlankLine(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        bytes.count >= 2 && trailingBlankLine(bytes) != nil
    }

    /// True when the line before the `---` line at `rule` is blank (the separator both writers put there).
    func followsBlankLine(_ rule: Int, start: Int) -> Bool {
        trailingBlankLine(buffer[start..<rule]) != nil
    }

    /// Whether the line at `position` starts with `msg_id:` (both writers' first header line): nil while it is
    /// a partial line that may still become one.
    func startsWithMessageID(after position: Int) -> Bool? {
        let key = "msg_id:".utf8
        let complete = lineEnd(from: position)
        let first = buffer[min(position, buffer.count)..<(complete ?? buffer.count)]
        if first.count >= key.count { return first.starts(with: key) }
        return complete == nil && key.starts(with: first) ? nil : false
    }

    func message(_ header: RecordHeader, _ stored: UnsafeBufferPointer<UInt8>.SubSequence) -> BusMessage {
        let body: String
        if header.bodyEscaped {
            let restored = BodyCodec.unescape(ArraySlice(stored))
            body = String(decoding: BodyCodec.trimmingOneLineBreak(restored[...]), as: UTF8.self)
        } else {
            var trimmed = stored
            if trimmed.last == 0x0A { trimmed = trimmed.dropLast() }
            if trimmed.last == 0x0D { trimmed = trimmed.dropLast() }
            body = String(decoding: trimmed, as: UTF8.self)
        }
        return header.message(body: body)
    }
}

/// `[2026-02-05 12:51:53] TYPE: body`: the one-line records of older tools and shell scripts.
enum LegacyLine {
    static func parse(_ line: UnsafeBufferPointer<UInt8>.SubSequence, line number: Int) -> BusMessage? {
        guard line.first == 0x5B else { return nil }
        var content = line
        if content.last == 0x0D { content = content.dropLast() }
        let searchEnd = min(content.endIndex, content.startIndex + 48)
        guard let close = content[content.startIndex..<searchEnd].firstIndex(of: 0x5D),
            let timestamp = BusTimestamp(
                rfc3339: String(decoding: content[(content.startIndex + 1)..<close], as: UTF8.self)
            )
        else { return nil }
        var rest = content[(close + 1)...]
        guard rest.isEmpty || rest.first == 0x20 else { return nil }
        while rest.first == 0x20 { rest = rest.dropFirst() }
        var type = "INFO"
        var typeEnd = rest.startIndex
        while typeEnd < rest.endIndex, isTypeByte(rest[typeEnd]) { typeEnd += 1 }
        if typeEnd > rest.startIndex, typeEnd < rest.endIndex, rest[typeEnd] == 0x3A {
            type = String(decoding: rest[rest.startIndex..<typeEnd], as: UTF8.self).uppercased()
            rest = rest[(typeEnd + 1)...]
            if rest.first == 0x20 { rest = rest.dropFirst() }
        }
        return BusMessage(
            msgID: "LEGACY-LINE-" + BusTimestamp.padded(number, width: 9),
            timestamp: timestamp,
            type: type,
            projectID: "",
            body: String(decoding: rest, as: UTF8.self)
        )
    }

    private static func isTypeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2F, 0x2D: true
        default: false
        }
    }
}
