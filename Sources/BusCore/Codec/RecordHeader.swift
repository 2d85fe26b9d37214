/// The decoded header of a record: the message fields plus this tool's framing keys.
///
/// Besides the Go writer's keys it reads the older dialects found in real buses: camelCase keys (`messageId`,
/// `timestamp`, `taskId`, `runId`, `projectId`, `issueId`, `parentId`), `project`/`task`/`run` for the ids,
/// and, in headers without a `msg_id` key, any other scalar key as `meta`. The canonical key wins when both
/// spellings are present.
struct RecordHeader {
    /// Empty when the header names no id (the scanner then names it after its line, `NOID-<line>`).
    var msgID = ""
    /// Nil when the header has no time (inferred later from the id or the record before).
    var timestamp: BusTimestamp?
    /// The header has a time that does not parse: the mark of a header cut off inside it.
    var timestampUnparseable = false
    /// Every other message field; the body comes later, from the bytes after the header.
    var fields = MessageDraft(type: "", projectID: "", body: "")
    /// `body_bytes`: the exact length of the stored body, when this tool wrote the record.
    var bodyBytes: Int?
    /// `body_escape: dashes`: dash lines in the body carry one extra backslash.
    var bodyEscaped = false
    /// The header has a `crc32c` key (valid or not; the scanner checks the line itself).
    var hasChecksumKey = false

    /// Decodes the header bytes between the `---` lines.
    /// - Returns: the header, or why it is not one (not a YAML mapping, neither an id nor a type, a field of the
    ///   wrong shape).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Result<RecordHeader, HeaderError> {
        switch HeaderYAML.parse(bytes) {
        case .failure(.invalid(let reason)): return .failure(HeaderError(reason: "header is not valid YAML: \(reason)"))
        case .failure(.unsupported): return .failure(HeaderError(reason: "header is not valid YAML"))
        case .success(let value):
            guard case .mapping(let pairs) = value else {
                return .failure(HeaderError(reason: "header is not a YAML mapping"))
            }
            do {
                return .success(try RecordHeader(pairs: pairs))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The ids and times that older dialects spell differently, canonical spelling first.
    private static let spellings: [String: [String]] = [
        "msg_id": ["msg_id", "messageId"],
        "ts": ["ts", "timestamp"],
        "project_id": ["project_id", "projectId", "project"],
        "task_id": ["task_id", "taskId", "task"],
        "run_id": ["run_id", "runId", "run"],
        "issue_id": ["issue_id", "issueId"],
    ]
    private static let knownKeys: Set<String> = Set(spellings.values.joined()).union([
        "type", "parents", "parentId", "links", "meta", RecordFormat.bodyBytesKey, RecordFormat.bodyEscapeKey,
        RecordFormat.checksumKey,
    ])

    private init(pairs: [(key: String, value: YAMLValue)]) throws(HeaderError) {
        var values: [String: YAMLValue] = [:]
        for (key, value) in pairs { values[key] = value }
        func field(_ name: String) throws(HeaderError) -> String? {
            for spelling in Self.spellings[name] ?? [name] {
                if let value = values[spelling] { return try Self.text(value, spelling) }
            }
            return nil
        }
        msgID = try field("msg_id") ?? ""
        if let raw = try field("ts") {
            timestamp = BusTimestamp(rfc3339: raw)
            timestampUnparseable = timestamp == nil
        }
        fields.type = try values["type"].map { value throws(HeaderError) in try Self.text(value, "type") } ?? ""
        fields.projectID = try field("project_id") ?? ""
        fields.taskID = try field("task_id") ?? ""
        fields.runID = try field("run_id") ?? ""
        fields.issueID = try field("issue_id") ?? ""
        if let parents = values["parents"] {
            fields.parents = try Self.parents(parents)
        } else if let parent = values["parentId"] {
            fields.parents = try Self.parents(parent)
        }
        if let links = values["links"] { fields.links = try Self.links(links) }
        if let meta = values["meta"] { fields.meta = try Self.stringMap(meta, "meta") }
        if let text = values[RecordFormat.bodyBytesKey]?.text, let count = Int(text), count >= 0 { bodyBytes = count }
        bodyEscaped = values[RecordFormat.bodyEscapeKey]?.text == RecordFormat.bodyEscapeDashes
        hasChecksumKey = values[RecordFormat.checksumKey] != nil
        // Older dialects put agent, files, artifacts and the like at the top level: keep them as meta. A header
        // with a `msg_id` key is Go's or this tool's, whose unknown keys are ignored as Go's reader does.
        if values["msg_id"] == nil {
            for (key, value) in pairs where !Self.knownKeys.contains(key) && fields.meta[key] == nil {
                if let text = Self.flattened(value) { fields.meta[key] = text }
            }
        }
        guard !msgID.isEmpty || !fields.type.isEmpty else { throw HeaderError(reason: "header has no msg_id") }
    }

    /// A dialect key's value as meta text: a scalar, or a list of scalars joined with ", ".
    private static func flattened(_ value: YAMLValue) -> String? {
        switch value {
        case .scalar: return value.text
        case .sequence(let items):
            let texts = items.compactMap(\.text)
            return texts.count == items.count ? texts.joined(separator: ", ") : nil
        case .mapping: return nil
        }
    }

    private static func text(_ value: YAMLValue, _ key: String) throws(HeaderError) -> String {
        if case .mapping(let pairs) = value, pairs.isEmpty { return "" }
        guard let text = value.text else { throw HeaderError(reason: "\(key) is not a string") }
        return text
    }

    private static func stringMap(_ value: YAMLValue, _ key: String) throws(HeaderError) -> [String: String] {
        switch value {
        case .scalar: return [:]  // `meta:` with nothing under it
        case .sequence: throw HeaderError(reason: "\(key) is not a mapping")
        case .mapping(let pairs):
            var out: [String: String] = [:]
            for (entryKey, entry) in pairs { out[entryKey] = try text(entry, "\(key).\(entryKey)") }
            return out
        }
    }

    private static func items(_ value: YAMLValue, _ key: String) throws(HeaderError) -> [YAMLValue] {
        switch value {
        case .scalar(_, _) where value.text == "": return []
        case .sequence(let items): return items
        default: throw HeaderError(reason: "\(key) is not a list")
        }
    }

    /// `parents` as Go writes it (a list of `{msg_id, kind?, meta?}`), as a list of ids (legacy), or as one id
    /// or one mapping (hand-written headers; Go's reader keeps the message but drops such parents).
    private static func parents(_ value: YAMLValue) throws(HeaderError) -> [BusParent] {
        var out: [BusParent] = []
        let list: [YAMLValue]
        switch value {
        case .scalar: list = value.text == "" ? [] : [value]
        case .mapping(let pairs): list = pairs.isEmpty ? [] : [value]
        case .sequence(let items): list = items
        }
        for item in list {
            switch item {
            case .scalar:
                out.append(BusParent(msgID: try text(item, "parents")))  // legacy form: a list of ids
            case .mapping(let pairs):
                var parent = BusParent(msgID: "")
                for (key, entry) in pairs {
                    switch key {
                    case "msg_id": parent.msgID = try text(entry, "parents.msg_id")
                    case "kind": parent.kind = try text(entry, "parents.kind")
                    case "meta": parent.meta = try stringMap(entry, "parents.meta")
                    default: continue
                    }
                }
                out.append(parent)
            case .sequence:
                throw HeaderError(reason: "parents holds a list inside the list")
            }
        }
        return out
    }

    private static func links(_ value: YAMLValue) throws(HeaderError) -> [BusLink] {
        var out: [BusLink] = []
        for item in try items(value, "links") {
            guard case .mapping(let pairs) = item else { throw HeaderError(reason: "links holds a non-mapping") }
            var link = BusLink(url: "")
            for (key, entry) in pairs {
                switch key {
                case "url": link.url = try text(entry, "links.url")
                case "label": link.label = try text(entry, "links.label")
                case "kind": link.kind = try text(entry, "links.kind")
                default: continue
                }
            }
            out.append(link)
        }
        return out
    }

    /// The message of this header with `body`.
    /// - Parameters:
    ///   - body: the body text.
    ///   - line: the header's first line, naming a message without an id (`NOID-<line>`).
    ///   - previous: the time of the record before, for a header with no time and an id that carries none.
    /// - Returns: the message, its type `UNKNOWN` when the header has none.
    func message(body: String, line: Int, previous: BusTimestamp) -> BusMessage {
        var draft = fields
        draft.body = body
        if draft.type.isEmpty { draft.type = "UNKNOWN" }
        let id = msgID.isEmpty ? "NOID-" + BusTimestamp.padded(line, width: 9) : msgID
        var message = draft.message(id: id, timestamp: timestamp ?? BusTimestamp(messageID: msgID) ?? previous)
        message.timestampInferred = timestamp == nil
        return message
    }
}

struct HeaderError: Error {
    var reason: String
}
