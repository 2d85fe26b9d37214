/// The decoded header of a record: the message fields plus this tool's framing keys.
///
/// Besides the Go writer's keys it reads the older dialects found in real buses: camelCase keys (`messageId`,
/// `timestamp`, `taskId`, `runId`, `projectId`, `issueId`, `parentId`), `project`/`task`/`run` for the ids,
/// and, in headers without a `msg_id` key, any other scalar key as `meta`. The canonical key wins when both
/// spellings are present.
struct RecordHeader {
    /// Empty when the header names no id (the scanner then names it after its line, `NOID-<line>`).
    var msgID = ""
    /// Every other message field; the body comes later, from the bytes after the header.
    var fields = MessageDraft(type: "", projectID: "", body: "")
    /// The time and the framing keys.
    var framing = HeaderFraming()

    /// Decodes the header bytes between the `---` lines through the YAML parser: every shape of header, the flat
    /// one included (the scanner tries `FlatHeader` first).
    /// - Returns: the header, or why it is not one (not a YAML mapping, neither an id nor a type, a field of the
    ///   wrong shape).
    static func decodeYAML(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Result<RecordHeader, HeaderError> {
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

    /// What a header key sets; the older dialects spell some of them differently.
    private enum Field {
        case msgID, timestamp, type, projectID, taskID, runID, issueID, parents, links, meta
        case bodyBytes, bodyEscape, checksum
    }

    /// The field `key` sets and its rank among that field's spellings (0 for Go's, which wins).
    ///
    /// A `switch` rather than a table: it runs for every key of every header, and hashing the key costs more.
    private static func field(for key: String) -> (field: Field, rank: Int)? {
        switch key {
        case "msg_id": (.msgID, 0)
        case "ts": (.timestamp, 0)
        case "type": (.type, 0)
        case "project_id": (.projectID, 0)
        case "task_id": (.taskID, 0)
        case "run_id": (.runID, 0)
        case "issue_id": (.issueID, 0)
        case "parents": (.parents, 0)
        case "links": (.links, 0)
        case "meta": (.meta, 0)
        case RecordFormat.bodyBytesKey: (.bodyBytes, 0)
        case RecordFormat.bodyEscapeKey: (.bodyEscape, 0)
        case RecordFormat.checksumKey: (.checksum, 0)
        case "messageId": (.msgID, 1)
        case "timestamp": (.timestamp, 1)
        case "projectId": (.projectID, 1)
        case "taskId": (.taskID, 1)
        case "runId": (.runID, 1)
        case "issueId": (.issueID, 1)
        case "parentId": (.parents, 1)
        case "project": (.projectID, 2)
        case "task": (.taskID, 2)
        case "run": (.runID, 2)
        default: nil
        }
    }

    /// A header key's value, with the key (for errors) and the rank of its spelling.
    private typealias Spelled = (key: String, rank: Int, value: YAMLValue)

    private init(pairs: [(key: String, value: YAMLValue)]) throws(HeaderError) {
        // For each field, the best-ranked spelling present; of one spelling written twice, the last (as YAML
        // readers keep it). Values are converted afterwards, so a spelling that loses never raises an error.
        // Plain locals, not a table: this runs for every header of every read.
        var id: Spelled?
        var time: Spelled?
        var type: Spelled?
        var project: Spelled?
        var task: Spelled?
        var run: Spelled?
        var issue: Spelled?
        var parents: Spelled?
        var links: Spelled?
        var meta: Spelled?
        var length: Spelled?
        var escape: Spelled?
        var checksum: Spelled?
        for (key, value) in pairs {
            guard let (field, rank) = Self.field(for: key) else { continue }
            func keep(_ slot: inout Spelled?) {
                if let current = slot, current.rank < rank { return }
                slot = (key, rank, value)
            }
            switch field {
            case .msgID: keep(&id)
            case .timestamp: keep(&time)
            case .type: keep(&type)
            case .projectID: keep(&project)
            case .taskID: keep(&task)
            case .runID: keep(&run)
            case .issueID: keep(&issue)
            case .parents: keep(&parents)
            case .links: keep(&links)
            case .meta: keep(&meta)
            case .bodyBytes: keep(&length)
            case .bodyEscape: keep(&escape)
            case .checksum: keep(&checksum)
            }
        }
        func text(_ spelled: Spelled?) throws(HeaderError) -> String? {
            guard let spelled else { return nil }
            return try Self.text(spelled.value, spelled.key)
        }
        msgID = try text(id) ?? ""
        if let raw = try text(time) {
            framing.timestamp = BusTimestamp(rfc3339: raw)
            framing.timestampUnparseable = framing.timestamp == nil
        }
        fields.type = try text(type) ?? ""
        fields.projectID = try text(project) ?? ""
        fields.taskID = try text(task) ?? ""
        fields.runID = try text(run) ?? ""
        fields.issueID = try text(issue) ?? ""
        if let parents { fields.parents = try Self.parents(parents.value) }
        if let links { fields.links = try Self.links(links.value) }
        if let meta { fields.meta = try Self.stringMap(meta.value, "meta") }
        if let text = length?.value.text, let count = Int(text), count >= 0 { framing.bodyBytes = count }
        framing.bodyEscaped = escape?.value.text == RecordFormat.bodyEscapeDashes
        framing.hasChecksumKey = checksum != nil
        // Older dialects put agent, files, artifacts and the like at the top level: keep them as meta. A header
        // with a `msg_id` key is Go's or this tool's, whose unknown keys are ignored as Go's reader does.
        if id?.rank != 0 {
            for (key, value) in pairs where Self.field(for: key) == nil && fields.meta[key] == nil {
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

    /// The type of a message whose header names none.
    static let unknownType = "UNKNOWN"

    /// The message of this header with `body`.
    /// - Parameters:
    ///   - body: the body text.
    ///   - line: the header's first line, naming a message without an id (`NOID-<line>`).
    ///   - timestamp: the message's time: the header's, else the one its id carries, else the record before's.
    /// - Returns: the message, its type `UNKNOWN` when the header has none.
    func message(body: String, line: Int, timestamp: BusTimestamp) -> BusMessage {
        // Built in one go: this runs once per record of every read that builds messages.
        BusMessage(
            msgID: msgID.isEmpty ? LineNamedID.unnamed(line: line) : msgID,
            timestamp: timestamp,
            type: fields.type.isEmpty ? Self.unknownType : fields.type,
            projectID: fields.projectID,
            taskID: fields.taskID,
            runID: fields.runID,
            issueID: fields.issueID,
            parents: fields.parents,
            links: fields.links,
            meta: fields.meta,
            body: body,
            timestampInferred: framing.timestamp == nil
        )
    }
}

/// What a header says about its record besides the message's fields: its time, and this tool's framing keys.
struct HeaderFraming: Equatable {
    /// Nil when the header has no time (inferred later from the id or the record before).
    var timestamp: BusTimestamp?
    /// The header has a time that does not parse: the mark of a header cut off inside it.
    var timestampUnparseable = false
    /// `body_bytes`: the exact length of the stored body, when this tool wrote the record.
    var bodyBytes: Int?
    /// `body_escape: dashes`: dash lines in the body carry one extra backslash.
    var bodyEscaped = false
    /// A `crc32c` key among the lines decoded: the scanner reads a whole checksum line itself and leaves it out,
    /// so this one is cut or misplaced.
    var hasChecksumKey = false
}

struct HeaderError: Error {
    var reason: String
}
