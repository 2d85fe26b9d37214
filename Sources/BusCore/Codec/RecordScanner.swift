#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something a scan found: a message, a revision of one returned before, or a record that had to be skipped.
package enum ScanItem: Sendable, Equatable {
    /// A complete message and the byte offset where its record (or legacy line) starts.
    case message(BusMessage, offset: Int)
    /// A message returned before whose record grew (a Go-framed body, a legacy block): the same id and offset,
    /// the new content. Replace the earlier one.
    case revised(BusMessage, offset: Int)
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

/// Where a scan starts, and what is known there from the bytes before.
package struct ScanCursor: Sendable, Equatable {
    /// The file offset of the first byte to scan.
    package var offset: Int
    /// The 1-based number of the line that starts at `offset`.
    package var line: Int
    /// `offset` is the closer of a malformed record already reported: a candidate that starts there is that
    /// record's body, not another malformed record.
    package var quiet: Bool
    /// The time of the last message before `offset`, given to a later header that has none.
    package var previousTimestamp: BusTimestamp

    package init(offset: Int = 0, line: Int = 1, quiet: Bool = false, previousTimestamp: BusTimestamp = .zero) {
        self.offset = offset
        self.line = line
        self.quiet = quiet
        self.previousTimestamp = previousTimestamp
    }
}

/// What one pass over a buffer found.
package struct ScanResult: Sendable {
    /// Complete messages in file order.
    package var messages: [BusMessage] = []
    /// Byte offset of each message's record (parallel to `messages`).
    package var offsets: [Int] = []
    /// Records that had to be skipped, in file order.
    package var malformed: [MalformedRecord] = []
    /// Where the next scan starts: just past the last item that can no longer change.
    ///
    /// Bytes after it (an incomplete record still being written, a provisional last message, blank separator
    /// lines) are scanned again next time.
    package var next: ScanCursor
    /// The last message is the best answer for the bytes so far but its record may still grow (a Go-framed
    /// body at the end of the data, a legacy block): it starts at `next.offset` and is scanned again next time.
    package var provisional = false

    /// Absolute offset where the next scan starts.
    package var end: Int { next.offset }

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
/// where Go's is lossy. The rules, written once (the README's "Formats read" section says the same):
///
/// - A header ending in a valid `crc32c` line (this tool's writer) is checked against its header lines and its
///   `body_bytes`-long body; a mismatch is a torn or corrupt record.
/// - A header cut off by a crash and then closed by the next writer's opener (its time does not parse, its
///   `crc32c` line is cut, or its closer is directly followed by a complete header) is torn: it is reported and
///   its closing `---` is read again as the opener of the next record, so the next writer's record is kept.
/// - A record with `body_bytes` ends exactly there; a `---` line inside that span means the record was torn.
/// - A record without it (Go-written) runs to the next `---` line that opens a record; a `---` line that opens
///   none is body text (Go would cut the message there and lose what follows). Trailing blank lines of such a
///   body are not part of it. At the end of the data such a record is provisional: shown, and revised if it grows.
/// - Legacy lines and `[ts] type=X ...` blocks are recognised anywhere outside records; a header that is not a
///   YAML mapping is reported and scanning resumes at its closing `---`, so no later record is lost.
/// - The end of the buffer is "now", not the end of the file: an incomplete record there is held back.
package enum RecordScanner {
    /// Longest header candidate before a `---` line is taken as a plain rule instead.
    static let maxHeaderLines = 1000
    static let maxHeaderBytes = 256 * 1024

    /// Scans `buffer`, whose first byte is at `cursor.offset`.
    ///
    /// - Parameters:
    ///   - buffer: the bytes.
    ///   - cursor: where the bytes start and what the bytes before told.
    ///   - final: the end of the buffer is the end of the file and no writer is active (the writer's check
    ///     under the lock). Nothing is provisional then: a `---` line after a blank line at the very end opens
    ///     a torn record, and a Go-framed body that ends inside a line is torn.
    /// - Returns: the messages, the malformed records, and where the next scan starts.
    package static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>,
        from cursor: ScanCursor = ScanCursor(),
        final: Bool = false
    ) -> ScanResult {
        var result = ScanResult(next: cursor)
        result.next = scan(buffer, from: cursor, final: final) { event in
            switch event {
            case .record(let record, let provisional):
                result.messages.append(record.message)
                result.offsets.append(record.offset)
                result.provisional = provisional
            case .malformed(let record):
                result.malformed.append(record)
            }
        }
        return result
    }

    /// Scans `buffer` and hands each message and malformed record to `visit` as it is found, in file order,
    /// before any `String` is made: what `scan` returns, for readers that write messages out as they read them.
    ///
    /// - Parameters:
    ///   - buffer: the bytes; the records handed to `visit` point into them.
    ///   - cursor: where the bytes start and what the bytes before told.
    ///   - final: as for `scan`.
    ///   - visit: called with each item; only the last message can be provisional.
    /// - Returns: where the next scan starts (`ScanResult.next`).
    package static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>,
        from cursor: ScanCursor = ScanCursor(),
        final: Bool = false,
        visit: (ScanEvent) -> Void
    ) -> ScanCursor {
        withoutActuallyEscaping(visit) { visit in
            var state = ScanState(buffer: buffer, cursor: cursor, final: final, visit: visit)
            if cursor.quiet { state.quietPosition = 0 }
            state.run()
            return ScanCursor(
                offset: cursor.offset + state.committed,
                line: state.committedLine,
                quiet: state.quietPosition == state.committed,
                previousTimestamp: state.committedTimestamp
            )
        }
    }

    /// Scans an array of bytes.
    package static func scan(
        _ bytes: [UInt8],
        from cursor: ScanCursor = ScanCursor(),
        final: Bool = false
    ) -> ScanResult {
        bytes.withUnsafeBufferPointer { scan($0, from: cursor, final: final) }
    }
}

/// Scans a growing file again and again from where the last scan committed.
///
/// A provisional last message that changed comes back as a revision, so that reading a file as appends arrive
/// gives the same messages as reading it at once. The caller passes the bytes from `cursor.offset` to the current end each time.
package struct ScanContinuation: Sendable {
    package private(set) var cursor: ScanCursor
    /// The provisional message returned last and the offset of its record (after `cursor.offset`, past at most
    /// blank lines).
    package private(set) var provisional: (message: BusMessage, offset: Int)?

    package init(cursor: ScanCursor = ScanCursor(), provisional: (message: BusMessage, offset: Int)? = nil) {
        self.cursor = cursor
        self.provisional = provisional
    }

    /// Scans `buffer`, which starts at `cursor.offset` and runs to the current end of the data.
    /// - Returns: the new items: messages, revisions of the provisional message, malformed records.
    package mutating func advance(_ buffer: UnsafeBufferPointer<UInt8>) -> [ScanItem] {
        let result = RecordScanner.scan(buffer, from: cursor)
        var items = result.items
        var kept = provisional
        if let shown = provisional,
            let index = items.firstIndex(where: {
                if case .message(_, let offset) = $0 { offset == shown.offset } else { false }
            }),
            case .message(let message, let offset) = items[index]
        {
            if message == shown.message {
                items.remove(at: index)
            } else {
                items[index] = .revised(message, offset: offset)
            }
            kept = nil
        }
        if result.provisional, let message = result.messages.last, let offset = result.offsets.last {
            kept = (message, offset)
        }
        cursor = result.next
        provisional = kept
        return items
    }

    /// Scans an array of bytes that starts at `cursor.offset`.
    package mutating func advance(_ bytes: [UInt8]) -> [ScanItem] {
        bytes.withUnsafeBufferPointer { advance($0) }
    }
}

/// A scanner that is fed bytes as they arrive and keeps what it could not decide yet.
package struct IncrementalScanner: Sendable {
    private var pending: [UInt8] = []
    private var continuation: ScanContinuation

    package init(offset: Int = 0, line: Int = 1) {
        continuation = ScanContinuation(cursor: ScanCursor(offset: offset, line: line))
    }

    /// Absolute offset just past the last item that can no longer change.
    package var committedOffset: Int { continuation.cursor.offset }

    /// Feeds the next bytes of the stream.
    /// - Returns: the items that are complete now, and revisions of a provisional message returned before.
    package mutating func consume(_ bytes: some Sequence<UInt8>) -> [ScanItem] {
        let start = continuation.cursor.offset
        pending.append(contentsOf: bytes)
        let items = continuation.advance(pending)
        pending.removeFirst(continuation.cursor.offset - start)
        return items
    }
}

/// Where a header candidate that starts at a `---` line leads.
private enum HeaderProbe {
    /// A valid header closed by the `---` line at `closer` (absolute buffer index), on line `closerLine`.
    /// `checksum` is the `crc32c` line that ends it, read from the bytes (the YAML decoder does not see it).
    case valid(ScannedHeader, checksum: ChecksumLine?, closer: Int, closerLine: Int)
    /// Closed by a `---` line at `closer` but not a header.
    case invalid(reason: String, closer: Int, closerLine: Int)
    /// The opener is directly followed by another `---` line (a doubled separator, seen in real buses): the
    /// record, if any, opens at `next`.
    case doubled(next: Int, nextEnd: Int, nextLine: Int)
    /// Not a header at all (a legacy line or too much text before any `---`): the opener was a plain rule.
    case abandoned
    /// Runs past the end of the data: decide when more bytes arrive.
    case incomplete
}

/// The `crc32c: xxxxxxxx` line that ends a header written by this tool.
private struct ChecksumLine {
    var value: UInt32
    /// Where the line starts: the checksum covers the header bytes before it.
    var lineStart: Int
}

/// Whether a `---` line opens a record, as far as the bytes so far tell.
private enum Opening {
    case opens
    /// A closing rule of the older dialects (`body\n---`, then legacy lines or blocks): the record ends with
    /// the rule, which belongs to no body.
    case closes
    case text
    case undecided
}

/// A message found, not yet handed out: what it is and its time (the next header without one takes it).
private struct FoundMessage {
    var content: ScannedRecord.Content
    var timestamp: BusTimestamp

    /// A legacy line or block, built as it was read.
    static func built(_ message: BusMessage) -> FoundMessage {
        FoundMessage(content: .built(message), timestamp: message.timestamp)
    }
}

/// What a record that starts at an opener turned out to be.
private enum RecordOutcome {
    /// A message; the next item starts at `end`. A provisional one may still grow.
    case message(FoundMessage, end: Int, endLine: Int, provisional: Bool)
    /// Skipped bytes, reported unless `quietOpener`; scanning resumes at `resume` (quiet there when
    /// `quietResume`: the lines after it belong to the skipped record).
    case malformed(reason: String, resume: Int, resumeLine: Int, quietResume: Bool)
    /// The opener was a plain rule or a doubled separator: go on with the next line.
    case skipLine
    case incomplete

    static func skipped(_ reason: String, resume: Int, line: Int, quiet: Bool = false) -> RecordOutcome {
        .malformed(reason: reason, resume: resume, resumeLine: line, quietResume: quiet)
    }
}

/// How a `body_bytes`-long span after a header looks.
private enum Span {
    case incomplete
    /// Exactly the declared bytes, ending at a line break, with no `---` line inside.
    case intact(stop: Int, endLine: Int)
    case damaged(SpanDamage)
}

/// Why a `body_bytes`-long span is not a body.
private enum SpanDamage {
    /// A `---` line inside the span at `rule`: the record was torn there.
    case ruleInside(rule: Int, line: Int)
    /// The declared length does not end at a line break: the header lies. Resume at the line after the span.
    case misaligned(resume: Int, line: Int)
}

/// A header probe made while looking ahead, and where.
///
/// A struct, not a tuple: a tuple holding an enum with a boxed case is copied through the runtime's generic value
/// witnesses, a struct by code made for it.
private struct CachedProbe {
    var position: Int
    var probe: HeaderProbe
}

private struct ScanState {
    let buffer: UnsafeBufferPointer<UInt8>
    let baseOffset: Int
    let final: Bool
    /// Where the items go, as they are found.
    let visit: (ScanEvent) -> Void
    var committed = 0
    var committedLine: Int
    var committedTimestamp: BusTimestamp
    /// The time of the last message found so far (committed or not).
    var previousTimestamp: BusTimestamp
    /// A header probe made while looking ahead from a Go-framed body, reused when the scan gets there.
    var cachedProbe: CachedProbe?
    /// The closer of the last skipped header: a candidate starting there is that record's body, not news.
    var quietPosition = -1

    init(buffer: UnsafeBufferPointer<UInt8>, cursor: ScanCursor, final: Bool, visit: @escaping (ScanEvent) -> Void) {
        self.buffer = buffer
        self.baseOffset = cursor.offset
        self.final = final
        self.visit = visit
        self.committedLine = cursor.line
        self.committedTimestamp = cursor.previousTimestamp
        self.previousTimestamp = cursor.previousTimestamp
    }

    /// The index of the `\n` ending the line that starts at `start`, or nil for a partial line.
    func lineEnd(from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, buffer.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    func isRule(_ start: Int, _ end: Int) -> Bool { RecordFormat.isRule(buffer[start..<end]) }

    func isBlank(_ start: Int, _ end: Int) -> Bool {
        end == start || (end == start + 1 && buffer[start] == 0x0D)
    }

    mutating func run() {
        var position = committed
        var line = committedLine
        while let end = lineEnd(from: position) {
            if isRule(position, end) {
                switch record(at: position, line: line) {
                case .incomplete:
                    return
                case .skipLine:
                    position = end + 1
                    line += 1
                    commit(position, line)
                case .malformed(let reason, let resume, let resumeLine, let quietResume):
                    if position != quietPosition {
                        visit(
                            .malformed(
                                MalformedRecord(
                                    offset: baseOffset + position,
                                    line: line,
                                    reason: reason,
                                    length: resume - position
                                )
                            )
                        )
                    }
                    if quietResume { quietPosition = resume }
                    position = resume
                    line = resumeLine
                    commit(position, line)
                case .message(let found, let recordEnd, let endLine, let provisional):
                    append(found, at: position, provisional: provisional)
                    if provisional { return }
                    position = recordEnd
                    line = endLine
                    commit(position, line)
                }
            } else if isBlank(position, end) {
                // Blank lines separate records; the committed offset stays before them so that a writer
                // cutting a torn tail back to the last record never cuts below a reader's offset.
                position = end + 1
                line += 1
            } else {
                // Outside records: a legacy line, the first line of a legacy block, or text that is no message.
                let text = buffer[position..<end]
                if let (timestamp, rest) = LegacyLine.bracketedTime(text) {
                    if text.first == 0x5B, let block = LegacyBlock.header(timestamp: timestamp, rest: rest) {
                        guard
                            let (message, blockEnd, endLine, provisional) = legacyBlock(block, at: position, line: line)
                        else { return }
                        append(.built(message), at: position, provisional: provisional)
                        if provisional { return }
                        position = blockEnd
                        line = endLine
                        commit(position, line)
                        continue
                    }
                    if let message = LegacyLine.message(timestamp: timestamp, rest: rest, line: line) {
                        append(.built(message), at: position)
                    }
                }
                position = end + 1
                line += 1
                commit(position, line)
            }
        }
    }

    mutating func append(_ found: FoundMessage, at position: Int, provisional: Bool = false) {
        let record = ScannedRecord(
            buffer: buffer,
            content: found.content,
            offset: baseOffset + position,
            base: baseOffset,
            timestamp: found.timestamp
        )
        visit(.record(record, provisional: provisional))
        previousTimestamp = found.timestamp
    }

    mutating func commit(_ position: Int, _ line: Int) {
        committed = position
        committedLine = line
        committedTimestamp = previousTimestamp
    }

    // MARK: Records

    /// Decides what the record opened by the `---` line at `opener` is.
    mutating func record(at opener: Int, line openerLine: Int) -> RecordOutcome {
        switch probe(at: opener, line: openerLine) {
        case .incomplete: return .incomplete
        case .abandoned, .doubled: return .skipLine
        case .invalid(let reason, let closer, let closerLine):
            return .malformed(reason: reason, resume: closer, resumeLine: closerLine, quietResume: true)
        case .valid(let header, let checksum, let closer, let closerLine):
            return validRecord(
                header,
                checksum: checksum,
                opener: opener,
                openerLine: openerLine,
                closer: closer,
                closerLine: closerLine
            )
        }
    }

    mutating func validRecord(
        _ header: ScannedHeader,
        checksum: ChecksumLine?,
        opener: Int,
        openerLine: Int,
        closer: Int,
        closerLine: Int
    ) -> RecordOutcome {
        guard let openerEnd = lineEnd(from: opener), let closerEnd = lineEnd(from: closer) else { return .incomplete }
        let headerStart = openerEnd + 1
        let bodyStart = closerEnd + 1
        let bodyLine = closerLine + 1
        // A header cut off by a crash and closed by the next writer's opener: read that opener again.
        let torn = RecordOutcome.skipped(
            "torn record: its header was cut off",
            resume: closer,
            line: closerLine,
            quiet: true
        )
        if header.framing.timestampUnparseable { return torn }

        if checksum != nil || header.framing.hasChecksumKey {
            // Cut inside the checksum line, or a checksum without the length it covers: not a whole header.
            guard let checksum, let length = header.framing.bodyBytes else { return torn }
            let span = lengthDelimitedSpan(start: bodyStart, line: bodyLine, length: length)
            switch span {
            case .incomplete:
                return .incomplete
            case .intact(let stop, let endLine):
                var crc = CRC32C()
                crc.update(UnsafeBufferPointer(rebasing: buffer[headerStart..<checksum.lineStart]))
                crc.update(UnsafeBufferPointer(rebasing: buffer[bodyStart..<stop]))
                if crc.value == checksum.value {
                    return lengthDelimitedMessage(
                        header,
                        bodyStart: bodyStart,
                        stop: stop,
                        endLine: endLine,
                        openerLine
                    )
                }
                if let verdict = closerVerdict(closer, line: closerLine, torn: torn) { return verdict }
                return .skipped(
                    "corrupt record: its \(RecordFormat.checksumKey) does not match",
                    resume: stop,
                    line: endLine
                )
            case .damaged(let damage):
                if let verdict = closerVerdict(closer, line: closerLine, torn: torn) { return verdict }
                return tornBody(damage, length: length)
            }
        }

        if let verdict = closerVerdict(closer, line: closerLine, torn: torn) { return verdict }
        guard let length = header.framing.bodyBytes else {
            return goFramedBody(header, start: bodyStart, line: bodyLine, openerLine: openerLine)
        }
        // Written by this tool before the checksum existed.
        switch lengthDelimitedSpan(start: bodyStart, line: bodyLine, length: length) {
        case .incomplete: return .incomplete
        case .intact(let stop, let endLine):
            return lengthDelimitedMessage(header, bodyStart: bodyStart, stop: stop, endLine: endLine, openerLine)
        case .damaged(let damage): return tornBody(damage, length: length)
        }
    }

    /// The message of a record whose `body_bytes`-long body ends at `stop`.
    func lengthDelimitedMessage(
        _ header: ScannedHeader,
        bodyStart: Int,
        stop: Int,
        endLine: Int,
        _ openerLine: Int
    ) -> RecordOutcome {
        .message(
            message(header, buffer[bodyStart..<stop], line: openerLine),
            end: stop,
            endLine: endLine,
            provisional: false
        )
    }

    /// What a header's closer says about a header that is not known good: torn when the closer opens the next
    /// record, incomplete while that cannot be told yet, nil when the header stands.
    mutating func closerVerdict(_ closer: Int, line closerLine: Int, torn: RecordOutcome) -> RecordOutcome? {
        switch closerOpening(closer, line: closerLine) {
        case .opens: torn
        case .undecided where !final: .incomplete
        default: nil
        }
    }

    func tornBody(_ damage: SpanDamage, length: Int) -> RecordOutcome {
        switch damage {
        case .ruleInside(let rule, let line):
            .skipped(
                "torn record: body shorter than its \(RecordFormat.bodyBytesKey) (\(length))",
                resume: rule,
                line: line
            )
        case .misaligned(let resume, let line):
            .skipped(
                "\(RecordFormat.bodyBytesKey) (\(length)) does not end at a line break",
                resume: resume,
                line: line
            )
        }
    }

    /// The `crc32c` line that ends the header (which starts at `headerStart`) closed at `closer`, when it is one.
    func checksumLine(before closer: Int, headerStart: Int) -> ChecksumLine? {
        guard closer > headerStart else { return nil }
        var lineStart = closer - 1
        while lineStart > headerStart, buffer[lineStart - 1] != 0x0A { lineStart -= 1 }
        return checksumLine(at: lineStart, closer: closer)
    }

    /// The `crc32c` line that starts at `lineStart` and ends right before the closer at `closer`, when it is one.
    func checksumLine(at lineStart: Int, closer: Int) -> ChecksumLine? {
        guard
            closer - lineStart == RecordFormat.checksumLineLength
                || closer - lineStart == RecordFormat.checksumLineLength + 1,
            let value = RecordFormat.checksum(inLine: buffer[lineStart..<(closer - 1)])
        else { return nil }
        return ChecksumLine(value: value, lineStart: lineStart)
    }

    /// Whether the closer of a header is really the opener of the next record.
    ///
    /// It is when a header follows it at once: neither writer puts a header right after another's closer; a
    /// crash inside a header followed by another writer's record does. The probe is kept: when the closer does
    /// open a record, the scan reads it next without decoding that header again.
    mutating func closerOpening(_ closer: Int, line closerLine: Int) -> Opening {
        guard let closerEnd = lineEnd(from: closer) else { return .undecided }
        switch announcesHeader(at: closerEnd + 1) {
        case false?: return .text
        case nil: return .undecided
        case true?:
            let next = probe(at: closer, line: closerLine)
            cachedProbe = CachedProbe(position: closer, probe: next)
            switch next {
            case .valid: return .opens
            case .incomplete: return .undecided
            case .invalid, .abandoned, .doubled: return .text
            }
        }
    }

    /// Looks at the header candidate opened by the `---` line at `opener`.
    mutating func probe(at opener: Int, line openerLine: Int) -> HeaderProbe {
        // Taken, not copied: a probe is asked for once per position (a copy of one was a tenth of a whole read).
        if cachedProbe?.position == opener, let cached = cachedProbe.take() { return cached.probe }
        guard let openerEnd = lineEnd(from: opener) else { return .incomplete }
        let headerStart = openerEnd + 1
        // The shape both writers produce, read in one pass that finds the closer too; the lines below judge
        // everything else (and give the same answer for this shape: none of its lines is a rule, a legacy line
        // or blank, and the closer follows).
        if let flat = FlatHeader.decodeClosed(
            buffer,
            from: headerStart,
            maxLines: RecordScanner.maxHeaderLines,
            maxBytes: RecordScanner.maxHeaderBytes
        ) {
            let checksum = checksumLine(at: flat.lastLineStart, closer: flat.closer)
            var fields = flat.fields
            // The checksum line is read here, not decoded: the lines before it alone say whether a key was there.
            if checksum != nil { fields.framing.hasChecksumKey = flat.checksumKeyBeforeLastLine }
            return .valid(
                .flat(fields),
                checksum: checksum,
                closer: flat.closer,
                closerLine: openerLine + 1 + flat.lines
            )
        }
        if let firstEnd = lineEnd(from: headerStart), isRule(headerStart, firstEnd) {
            return .doubled(next: headerStart, nextEnd: firstEnd, nextLine: openerLine + 1)
        }
        var position = headerStart
        var line = openerLine + 1
        var count = 0
        while let end = lineEnd(from: position) {
            if isRule(position, end) {
                // This tool's checksum line is read from the bytes; YAML decodes the lines before it.
                let checksum = checksumLine(before: position, headerStart: headerStart)
                let bytes = buffer[headerStart..<(checksum?.lineStart ?? position)]
                if let flat = FlatHeader.decode(bytes) {
                    return .valid(.flat(flat), checksum: checksum, closer: position, closerLine: line)
                }
                switch RecordHeader.decodeYAML(bytes) {
                case .success(let header):
                    return .valid(.decoded(header), checksum: checksum, closer: position, closerLine: line)
                case .failure(let error):
                    return .invalid(reason: error.reason, closer: position, closerLine: line)
                }
            }
            if LegacyLine.matches(buffer[position..<end]) {
                return .abandoned
            }
            // Neither writer puts a blank line in a header: a blank line, `---` and `msg_id:` is a separator and
            // the next record, after a header whose writer died (a later writer did not cut it, e.g. Go's).
            // While the line after that `---` is still being written a reader cannot tell yet, and waits.
            if isBlank(position, end), let ruleEnd = lineEnd(from: end + 1), isRule(end + 1, ruleEnd) {
                switch announcesHeader(at: ruleEnd + 1) {
                case false?: break
                case nil where !final: return .incomplete
                case true?, nil:
                    return .invalid(
                        reason: "torn record: its header was cut off",
                        closer: end + 1,
                        closerLine: line + 1
                    )
                }
            }
            // Under the writer's lock nothing is being written, and both writers put msg_id first: a candidate
            // that starts otherwise and is never closed is text after a `---` rule, not a torn header. (Readers
            // cannot tell yet and wait for the closer, so that slow arrivals scan as one pass would.)
            if final, count == 0, announcesHeader(at: position) != true, !hasCloser(after: end + 1) {
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

    /// A record written by this tool: exactly `length` bytes, never containing a `---` line.
    func lengthDelimitedSpan(start: Int, line startLine: Int, length: Int) -> Span {
        let (stop, overflow) = start.addingReportingOverflow(length)
        let limit = overflow ? buffer.count : min(stop, buffer.count)
        var position = start
        var line = startLine
        while position < limit, let end = lineEnd(from: position) {
            if isRule(position, end) { return .damaged(.ruleInside(rule: position, line: line)) }
            position = end + 1
            line += 1
        }
        if overflow || stop > buffer.count { return .incomplete }
        guard length > 0, buffer[stop - 1] == 0x0A, position == stop else {
            return .damaged(.misaligned(resume: position, line: line))
        }
        return .intact(stop: stop, endLine: line)
    }

    /// A record without `body_bytes` (Go-written): the body runs to the next `---` line that opens a record.
    ///
    /// A `---` line opens a record when its header is valid, or when it follows the blank separator line and
    /// its first header line is `msg_id:` (both writers put it first): then a malformed or torn record follows
    /// and is reported or held back on its own, never glued into this body. Any other `---` line is body text
    /// (Go's reader would cut the message there).
    mutating func goFramedBody(
        _ header: ScannedHeader,
        start: Int,
        line startLine: Int,
        openerLine: Int
    ) -> RecordOutcome {
        // Go writes the whole record at once and every body ends in `\n`: no byte yet means not written yet.
        guard start < buffer.count else { return .incomplete }
        var position = start
        var line = startLine
        while true {
            guard let end = lineEnd(from: position) else {
                if position == buffer.count {
                    // Every line is complete: the body so far, which may still grow.
                    return goMessage(
                        header,
                        start: start,
                        stop: position,
                        line: line,
                        openerLine: openerLine,
                        provisional: !final
                    )
                }
                // A partial last line: dashes after a blank line are a separator and opener being written
                // (when nothing writes any more, a torn one that the writer cuts).
                if buffer[position..<buffer.count].count <= 3,
                    buffer[position..<buffer.count].allSatisfy({ $0 == 0x2D }),
                    followsBlankLine(position, start: start)
                {
                    return goMessage(
                        header,
                        start: start,
                        stop: position,
                        line: line,
                        openerLine: openerLine,
                        provisional: !final
                    )
                }
                // Text still being written: the complete lines so far, which a record once shown never loses.
                // When nothing writes any more, a record torn inside its body, which the writer cuts (every
                // writer ends a record with `\n`).
                if final || position == start { return .incomplete }
                return goMessage(
                    header,
                    start: start,
                    stop: position,
                    line: line,
                    openerLine: openerLine,
                    provisional: true
                )
            }
            if isRule(position, end) {
                switch opening(at: position, end: end, separated: followsBlankLine(position, start: start), line: line)
                {
                case .opens:
                    return goMessage(
                        header,
                        start: start,
                        stop: position,
                        line: line,
                        openerLine: openerLine,
                        provisional: false
                    )
                case .closes:
                    guard
                        case .message(let message, _, _, _) = goMessage(
                            header,
                            start: start,
                            stop: position,
                            line: line,
                            openerLine: openerLine,
                            provisional: false
                        )
                    else { return .incomplete }
                    return .message(message, end: end + 1, endLine: line + 1, provisional: false)
                case .undecided:
                    return goMessage(
                        header,
                        start: start,
                        stop: position,
                        line: line,
                        openerLine: openerLine,
                        provisional: true
                    )
                case .text:
                    break
                }
            }
            position = end + 1
            line += 1
        }
    }

    /// Whether the `---` line at `rule` inside a Go-framed body opens the next record.
    /// - Parameters:
    ///   - rule: where the `---` line starts.
    ///   - end: where its `\n` is.
    ///   - separated: the line before `rule` is blank (the separator both writers put there), or is the first
    ///     `---` of a doubled separator.
    ///   - line: its line number.
    /// - Returns: opens, text, or undecided until more bytes arrive.
    mutating func opening(at rule: Int, end: Int, separated: Bool, line: Int) -> Opening {
        let next = probe(at: rule, line: line)
        cachedProbe = CachedProbe(position: rule, probe: next)
        switch next {
        case .valid:
            return .opens
        case .abandoned:
            return closingRule(after: end + 1)
        case .doubled(let inner, let innerEnd, let innerLine):
            let decision = opening(at: inner, end: innerEnd, separated: true, line: innerLine)
            cachedProbe = CachedProbe(position: rule, probe: next)
            return decision
        case .invalid, .incomplete:
            let closing = closingRule(after: end + 1)
            if closing != .text { return closing }
            let announced = announcesHeader(at: end + 1)
            if case .incomplete = next, announced != false, announced == nil || !separated {
                if !final { return .undecided }
                return separated ? .opens : .text
            }
            return announced == true && separated ? .opens : .text
        }
    }

    /// Whether a `---` line whose next line starts at `position` closes the record before it: the older dialects
    /// ended records with such a rule and put legacy lines and blocks after it (Go's reader drops those).
    /// - Returns: `.closes` when the next non-blank line is a legacy line or block, `.undecided` while it is
    ///   being written, else `.text`.
    func closingRule(after position: Int) -> Opening {
        var position = position
        while true {
            guard let end = lineEnd(from: position) else {
                let partial = LegacyLine.trimmed(buffer[min(position, buffer.count)..<buffer.count])
                return !final && (partial.isEmpty || partial.first == 0x5B) ? .undecided : .text
            }
            if isBlank(position, end) {
                position = end + 1
                continue
            }
            let line = buffer[position..<end]
            // A block's first line is a legacy line too.
            return LegacyLine.matches(line) ? .closes : .text
        }
    }

    /// The Go-framed message whose body is `start..<stop` less its trailing blank lines.
    mutating func goMessage(
        _ header: ScannedHeader,
        start: Int,
        stop: Int,
        line: Int,
        openerLine: Int,
        provisional: Bool
    ) -> RecordOutcome {
        var stored = buffer[start..<stop]
        var endLine = line
        while let blank = trailingBlankLine(stored) {
            stored = stored.dropLast(blank)
            endLine -= 1
        }
        return .message(
            message(header, stored, line: openerLine),
            end: stored.endIndex,
            endLine: endLine,
            provisional: provisional
        )
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

    /// True when the line before the line at `rule` is blank (the separator both writers put there).
    func followsBlankLine(_ rule: Int, start: Int) -> Bool {
        trailingBlankLine(buffer[start..<rule]) != nil
    }

    /// Whether the line at `position` starts a header (`msg_id:`, or `messageId:` of the older dialect): nil
    /// while it is a partial line that may still become one.
    func announcesHeader(at position: Int) -> Bool? {
        // Both keys start with `m`: a line that starts otherwise (a body's, after a closer) is answered at once.
        if position < buffer.count, buffer[position] != 0x6D { return false }
        let complete = lineEnd(from: position)
        let first = buffer[min(position, buffer.count)..<(complete ?? buffer.count)]
        var undecided = false
        for key in RecordFormat.headerFirstKeys {
            if first.count >= key.count {
                if first.starts(with: key) { return true }
            } else if complete == nil && key.starts(with: first) {
                undecided = true
            }
        }
        return undecided ? nil : false
    }

    /// The message of `header` whose stored body is `stored`; no string is made yet.
    func message(_ header: ScannedHeader, _ stored: UnsafeBufferPointer<UInt8>.SubSequence, line: Int) -> FoundMessage {
        // A header without a time takes the one its id carries (rare: only then is the id made a string).
        let timestamp =
            header.framing.timestamp ?? BusTimestamp(messageID: header.msgID(in: buffer)) ?? previousTimestamp
        return FoundMessage(
            content: .record(header, body: stored.startIndex..<stored.endIndex, line: line),
            timestamp: timestamp
        )
    }

    // MARK: Legacy blocks

    /// The block that starts with `header` at `position`.
    ///
    /// Its `Message:` line and continuation lines run up to a blank line or a `---` line. Nil while it cannot be
    /// told yet.
    func legacyBlock(
        _ header: LegacyBlock.Header,
        at position: Int,
        line: Int
    ) -> (BusMessage, end: Int, endLine: Int, provisional: Bool)? {
        guard let firstEnd = lineEnd(from: position) else { return nil }
        var cursor = firstEnd + 1
        var cursorLine = line + 1
        var bodyLines: [UnsafeBufferPointer<UInt8>.SubSequence] = []
        var sawMessage = false
        var provisional = false
        while true {
            guard let end = lineEnd(from: cursor) else {
                if cursor < buffer.count, !final { return nil }  // a line still being written
                if cursor < buffer.count, sawMessage || LegacyBlock.isMessageLine(buffer[cursor..<buffer.count]) {
                    // Nothing writes any more: the last line is the block's (the writer seals it).
                    bodyLines.append(LegacyBlock.bodyText(buffer[cursor..<buffer.count], first: !sawMessage))
                    cursor = buffer.count
                }
                provisional = !final
                break
            }
            let text = buffer[cursor..<end]
            if isBlank(cursor, end) || isRule(cursor, end) { break }
            if !sawMessage {
                guard LegacyBlock.isMessageLine(text) else { break }
                sawMessage = true
                bodyLines.append(LegacyBlock.bodyText(text, first: true))
            } else {
                bodyLines.append(LegacyBlock.bodyText(text, first: false))
            }
            cursor = end + 1
            cursorLine += 1
        }
        var body = bodyLines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        if body.hasSuffix("\r") { body.removeLast() }
        return (header.message(body: body, line: line), cursor, cursorLine, provisional)
    }
}

/// `[2026-02-04T21:08:11Z] type=issue project=swarm task=planning` followed by `Message: ...` and continuation
/// lines up to a blank line: the records of an older script-based bus.
enum LegacyBlock {
    struct Header {
        var timestamp: BusTimestamp
        var fields: [(key: String, value: String)]

        func message(body: String, line: Int) -> BusMessage {
            var message = BusMessage(
                msgID: LineNamedID.legacy(line: line),
                timestamp: timestamp,
                type: "INFO",
                projectID: "",
                body: body
            )
            for (key, value) in fields {
                switch key {
                case "type": message.type = value.uppercased()
                case "project", "project_id": message.projectID = value
                case "task", "task_id": message.taskID = value
                case "run", "run_id": message.runID = value
                default: message.meta[key] = value
                }
            }
            return message
        }
    }

    /// The fields of a block's first line: a bracketed time, then only `key=value` words, one of them `type`.
    /// - Parameters:
    ///   - timestamp: the bracketed time at the start of the line (`LegacyLine.bracketedTime`).
    ///   - rest: the text after the `]`.
    /// - Returns: the block's fields, or nil when the rest is not only `key=value` words with a `type`.
    static func header(timestamp: BusTimestamp, rest: UnsafeBufferPointer<UInt8>.SubSequence) -> Header? {
        var fields: [(key: String, value: String)] = []
        var sawType = false
        for word in rest.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            guard let equals = word.firstIndex(of: 0x3D), equals > word.startIndex, equals < word.endIndex - 1 else {
                return nil
            }
            let key = String(decoding: word[word.startIndex..<equals], as: UTF8.self)
            guard key.utf8.allSatisfy({ LegacyLine.isTypeByte($0) }) else { return nil }
            sawType = sawType || key == "type"
            fields.append((key, String(decoding: word[(equals + 1)...], as: UTF8.self)))
        }
        return sawType ? Header(timestamp: timestamp, fields: fields) : nil
    }

    static func isMessageLine(_ line: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        line.starts(with: "Message:".utf8)
    }

    /// The text of a block line: after `Message:` (and one space) on the first, the whole line after it.
    static func bodyText(
        _ line: UnsafeBufferPointer<UInt8>.SubSequence,
        first: Bool
    ) -> UnsafeBufferPointer<UInt8>.SubSequence {
        guard first else { return line }
        var text = line.dropFirst("Message:".utf8.count)
        if text.first == 0x20 { text = text.dropFirst() }
        return text
    }
}

/// `[2026-02-05 12:51:53] TYPE: body`: the one-line records of older tools and shell scripts, read as Go's
/// reader reads them (spaces around the line and inside the brackets, a one-digit hour, a comma fraction, no
/// space or a tab after `]`, spaces before the colon).
enum LegacyLine {
    /// Whether `line` is a legacy line (`message` would give one), without building the message: asked of every
    /// header line, where the answer is almost always no and a returned message would be copied for nothing.
    static func matches(_ line: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        guard let (_, rest) = bracketedTime(line) else { return false }
        return !trimmed(rest).isEmpty
    }

    /// The message of a legacy line whose bracketed time was `timestamp` and whose text after the `]` is `rest`.
    static func message(
        timestamp: BusTimestamp,
        rest: UnsafeBufferPointer<UInt8>.SubSequence,
        line number: Int
    ) -> BusMessage? {
        let content = trimmed(rest)
        guard !content.isEmpty else { return nil }
        var type = "INFO"
        var body = content
        if let colon = content.firstIndex(of: 0x3A), colon > content.startIndex {
            let candidate = trimmed(content[content.startIndex..<colon])
            if !candidate.isEmpty, candidate.allSatisfy(isTypeByte) {
                type = String(decoding: candidate, as: UTF8.self).uppercased()
                let rest = trimmed(content[(colon + 1)...])
                body = rest.isEmpty ? content : rest
            }
        }
        return BusMessage(
            msgID: LineNamedID.legacy(line: number),
            timestamp: timestamp,
            type: type,
            projectID: "",
            body: String(decoding: body, as: UTF8.self)
        )
    }

    /// The time in brackets at the start of `line` (after spaces) and the text after the `]`.
    static func bracketedTime(
        _ line: UnsafeBufferPointer<UInt8>.SubSequence
    ) -> (BusTimestamp, UnsafeBufferPointer<UInt8>.SubSequence)? {
        let content = trimmed(line)
        guard content.first == 0x5B else { return nil }
        let searchEnd = min(content.endIndex, content.startIndex + 64)
        guard let close = content[content.startIndex..<searchEnd].firstIndex(of: 0x5D), close > content.startIndex + 1,
            let timestamp = BusTimestamp(
                legacy: Substring(String(decoding: content[(content.startIndex + 1)..<close], as: UTF8.self))
            )
        else { return nil }
        return (timestamp, content[(close + 1)...])
    }

    /// `bytes` without leading and trailing spaces, tabs and carriage returns (Go's `strings.TrimSpace`).
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> UnsafeBufferPointer<UInt8>.SubSequence {
        var bytes = bytes
        while let first = bytes.first, isSpace(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, isSpace(last) { bytes = bytes.dropLast() }
        return bytes
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    static func isTypeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2F, 0x2D: true
        default: false
        }
    }
}
