/// The decoded header of a record: the message fields plus this tool's framing keys.
struct RecordHeader {
    var msgID = ""
    var timestamp = BusTimestamp.zero
    /// Every other message field; the body comes later, from the bytes after the header.
    var fields = MessageDraft(type: "", projectID: "", body: "")
    /// `body_bytes`: the exact length of the stored body, when this tool wrote the record.
    var bodyBytes: Int?
    /// `body_escape: dashes`: dash lines in the body carry one extra backslash.
    var bodyEscaped = false

    /// Decodes the header bytes between the `---` lines.
    /// - Returns: the header, or why it is not one (not a YAML mapping, no `msg_id`, a field of the wrong shape).
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

    private init(pairs: [(key: String, value: YAMLValue)]) throws(HeaderError) {
        for (key, value) in pairs {
            switch key {
            case "msg_id": msgID = try Self.text(value, key)
            case "ts":
                let raw = try Self.text(value, key)
                timestamp = BusTimestamp(rfc3339: raw) ?? .zero
            case "type": fields.type = try Self.text(value, key)
            case "project_id": fields.projectID = try Self.text(value, key)
            case "task_id": fields.taskID = try Self.text(value, key)
            case "run_id": fields.runID = try Self.text(value, key)
            case "issue_id": fields.issueID = try Self.text(value, key)
            case "parents": fields.parents = try Self.parents(value)
            case "links": fields.links = try Self.links(value)
            case "meta": fields.meta = try Self.stringMap(value, key)
            case RecordFormat.bodyBytesKey:
                if let text = value.text, let count = Int(text), count >= 0 { bodyBytes = count }
            case RecordFormat.bodyEscapeKey: bodyEscaped = value.text == RecordFormat.bodyEscapeDashes
            default: continue  // unknown keys are ignored, as Go's reader does
            }
        }
        guard !msgID.isEmpty else { throw HeaderError(reason: "header has no msg_id") }
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

    private static func parents(_ value: YAMLValue) throws(HeaderError) -> [BusParent] {
        var out: [BusParent] = []
        for item in try items(value, "parents") {
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

    func message(body: String) -> BusMessage {
        var draft = fields
        draft.body = body
        return draft.message(id: msgID, timestamp: timestamp)
    }
}

struct HeaderError: Error {
    var reason: String
}
