/// A decoded header as the scanner holds it: byte ranges of the scanned buffer for the flat shape both writers
/// produce, strings for the rest (the YAML path: parents, links, meta, the older dialects).
enum ScannedHeader {
    case flat(FlatFields)
    /// Boxed: a decoded header holds a dozen strings, and a probe is copied several times per record.
    indirect case decoded(RecordHeader)

    /// The time and the framing keys.
    var framing: HeaderFraming {
        switch self {
        case .flat(let fields): fields.framing
        case .decoded(let header): header.framing
        }
    }

    var msgIDIsEmpty: Bool {
        switch self {
        case .flat(let fields): fields.msgID.isEmpty
        case .decoded(let header): header.msgID.isEmpty
        }
    }

    /// The id the header names, empty when it names none; a string made only when it is asked for (a header
    /// without a time takes it from the id).
    func msgID(in buffer: UnsafeBufferPointer<UInt8>) -> String {
        switch self {
        case .flat(let fields): fields.string(fields.msgID, in: buffer)
        case .decoded(let header): header.msgID
        }
    }
}

/// A message as the scanner found it, before any `String` is made.
///
/// Its header fields and body are still bytes of the scanned buffer: it is valid only during the call that
/// receives it.
///
/// Readers that build messages ask for `message`; readers that write messages out as they are read (`read
/// --json`, `read`'s text lines) take `plain`, which copies bytes straight from the file to the output.
package struct ScannedRecord {
    enum Content {
        /// A record: its header, and its stored body (escaped when the header says so, line break not trimmed).
        case record(ScannedHeader, body: Range<Int>, line: Int)
        /// A legacy line or block, built as it was read (rare, and short).
        case built(BusMessage)
    }

    let buffer: UnsafeBufferPointer<UInt8>
    let content: Content
    /// The byte offset in the file where the record (or legacy line) starts.
    package let offset: Int
    /// The byte offset in the file of `buffer`'s first byte.
    let base: Int
    /// The message's time: the header's, else the one its id carries, else the record before's.
    package let timestamp: BusTimestamp

    /// The message, built: strings made from the bytes.
    package var message: BusMessage { built(withBody: true) }

    /// The message with an empty body, for a reader that keeps the record's place and reads the body when it
    /// needs it (the monitor's history): no string is made of the body.
    package var header: BusMessage { built(withBody: false) }

    private func built(withBody: Bool) -> BusMessage {
        switch content {
        case .built(var message):
            if !withBody { message.body = "" }
            return message
        case .record(.flat(let fields), let range, let line):
            // Straight from the spans: no `RecordHeader` of strings on the way.
            func string(_ span: FieldSpan) -> String { fields.string(span, in: buffer) }
            return BusMessage(
                msgID: fields.msgID.isEmpty ? LineNamedID.unnamed(line: line) : string(fields.msgID),
                timestamp: timestamp,
                type: fields.type.isEmpty ? RecordHeader.unknownType : string(fields.type),
                projectID: string(fields.projectID),
                taskID: string(fields.taskID),
                runID: string(fields.runID),
                issueID: string(fields.issueID),
                body: withBody ? body(range, escaped: fields.framing.bodyEscaped) : "",
                timestampInferred: fields.framing.timestamp == nil
            )
        case .record(.decoded(let header), let range, let line):
            return header.message(
                body: withBody ? body(range, escaped: header.framing.bodyEscaped) : "",
                line: line,
                timestamp: timestamp
            )
        }
    }

    /// The message's type, as `message.type` gives it (without building the message).
    package var type: String {
        switch content {
        case .built(let message): return message.type
        case .record(.flat(let fields), _, _):
            return fields.type.isEmpty ? RecordHeader.unknownType : fields.string(fields.type, in: buffer)
        case .record(.decoded(let header), _, _):
            return header.fields.type.isEmpty ? RecordHeader.unknownType : header.fields.type
        }
    }

    /// The message's task id, as `message.taskID` gives it.
    package var taskID: String {
        switch content {
        case .built(let message): message.taskID
        case .record(.flat(let fields), _, _): fields.string(fields.taskID, in: buffer)
        case .record(.decoded(let header), _, _): header.fields.taskID
        }
    }

    /// The message's id carries a line number (a legacy line's, a header's without an id): reading from
    /// another start would number it differently (`ScanItem.dependsOnLineNumbers`).
    package var dependsOnLineNumbers: Bool {
        switch content {
        case .built(let message): LineNamedID.isLineNamed(message.msgID)
        case .record(let header, _, _): header.msgIDIsEmpty || LineNamedID.isLineNamed(header.msgID(in: buffer))
        }
    }

    /// Where a place of the record ends in the file when its bytes, from its start to there, scanned alone give
    /// this record (the same header and body), so that its message can be read again from that place
    /// (`RecordFetcher`) instead of being kept; nil when no such place is found.
    ///
    /// The place ends with the body, or the line break after it: a record that ends right after its closing
    /// rule is held back by a scan (its body may still be being written), so an empty body needs the line
    /// break that follows it. Every place is checked by scanning it alone: whatever would read otherwise out of
    /// its context has none, and legacy lines and headers without an id have none (their ids are made from line
    /// numbers). The time is not compared: one taken from the record before is the caller's to keep.
    package var placeEnd: Int? {
        guard case .record(let header, let body, _) = content, !header.msgIDIsEmpty else { return nil }
        if readsAlone(to: body.upperBound, body: body) { return base + body.upperBound }
        // The line break after the body: a `\n`, after `\r`s when the record was written with CRLF.
        var next = body.upperBound
        while next < buffer.count, buffer[next] == 0x0D { next += 1 }
        guard next < buffer.count, buffer[next] == 0x0A, readsAlone(to: next + 1, body: body) else { return nil }
        return base + next + 1
    }

    /// Whether the bytes from the record's start to buffer index `stop`, scanned alone, give a record at the same
    /// offset whose body is `body`'s text.
    private func readsAlone(to stop: Int, body: Range<Int>) -> Bool {
        let start = offset - base
        var alike = false
        var first = true
        _ = RecordScanner.scan(
            UnsafeBufferPointer(rebasing: buffer[start..<stop]),
            from: ScanCursor(offset: offset),
            final: true
        ) {
            event in
            defer { first = false }
            // The same opener gives the same header (it ends at the first closing rule); then the same body text
            // (its range may differ by a line break the message does not keep) gives the same message.
            guard first, case .record(let alone, _) = event, alone.offset == offset,
                case .record(_, let aloneBody, _) = alone.content
            else { return }
            let aloneText = textRange(aloneBody.lowerBound + start..<aloneBody.upperBound + start)
            alike = buffer[textRange(body)].elementsEqual(buffer[aloneText])
        }
        return alike
    }

    /// A stored body's range without the line break that ends it (`\n`, then one `\r`): the text the message
    /// keeps of a body that is not escaped.
    private func textRange(_ range: Range<Int>) -> Range<Int> {
        guard let base = buffer.baseAddress else { return range }
        var text = range
        if text.last.map({ base[$0] }) == 0x0A { text = text.dropLast() }
        if text.last.map({ base[$0] }) == 0x0D { text = text.dropLast() }
        return text
    }

    /// The fields as bytes that can be written out as they are, or nil when the message must be built.
    ///
    /// Nil when the header is not flat, names no id or no type (the reader makes those up), or the body is stored
    /// escaped. Their text may still be ill-formed UTF-8, which a `String` would repair: writers check
    /// (`MessageJSON.encode(_:into:)` as it escapes, `PlainRecord.isValidUTF8`) and build the message then.
    package var plain: PlainRecord? {
        guard case .record(.flat(let fields), let range, _) = content, !fields.framing.bodyEscaped,
            !fields.msgID.isEmpty,
            !fields.type.isEmpty
        else { return nil }
        guard let base = buffer.baseAddress else { return nil }
        let stored = textRange(range)
        // Spans and ranges the scanner found in this buffer: pointers made from them directly, without the
        // bounds checks of slicing (seven fields of every record).
        let header = base + fields.origin
        func bytes(_ span: FieldSpan) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: header + Int(span.start), count: Int(span.end &- span.start))
        }
        return PlainRecord(
            msgID: bytes(fields.msgID),
            timestamp: timestamp,
            timestampInferred: fields.framing.timestamp == nil,
            type: bytes(fields.type),
            projectID: bytes(fields.projectID),
            taskID: bytes(fields.taskID),
            runID: bytes(fields.runID),
            issueID: bytes(fields.issueID),
            body: UnsafeBufferPointer(start: base + stored.lowerBound, count: stored.count)
        )
    }

    /// The body text of a stored body: dash lines unescaped when `escaped`, the line break that ends it dropped.
    private func body(_ range: Range<Int>, escaped: Bool) -> String {
        if escaped {
            let restored = BodyCodec.unescape(ArraySlice(buffer[range]))
            return String(decoding: BodyCodec.trimmingOneLineBreak(restored[...]), as: UTF8.self)
        }
        return String(decoding: buffer[textRange(range)], as: UTF8.self)
    }
}

/// A message's fields as UTF-8 bytes of the scanned buffer, valid while its record is.
///
/// They are exactly the text `ScannedRecord.message` would hold: a message without parents, links or meta,
/// whose id and type are set.
package struct PlainRecord {
    package var msgID: UnsafeBufferPointer<UInt8>
    package var timestamp: BusTimestamp
    package var timestampInferred: Bool
    package var type: UnsafeBufferPointer<UInt8>
    package var projectID: UnsafeBufferPointer<UInt8>
    package var taskID: UnsafeBufferPointer<UInt8>
    package var runID: UnsafeBufferPointer<UInt8>
    package var issueID: UnsafeBufferPointer<UInt8>
    package var body: UnsafeBufferPointer<UInt8>

    /// Every field is well-formed UTF-8: the bytes are the text the built message would hold.
    package var isValidUTF8: Bool {
        UTF8Validation.isValid(body) && UTF8Validation.isValid(msgID) && UTF8Validation.isValid(type)
            && UTF8Validation.isValid(projectID) && UTF8Validation.isValid(taskID) && UTF8Validation.isValid(runID)
            && UTF8Validation.isValid(issueID)
    }
}

/// What a scan hands its caller, in file order.
package enum ScanEvent {
    /// A message; `provisional` when its record may still grow (the last one, scanned again next time).
    case record(ScannedRecord, provisional: Bool)
    case malformed(MalformedRecord)
}
