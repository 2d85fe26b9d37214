import BusCore

/// The JSON a tool returns, written with the one message encoder (`MessageJSON`, CONTRACT section 7).
enum ToolOutput {
    /// `{"msg_id":...,"timestamp":...}` for a post.
    static func posted(_ message: BusMessage) -> String {
        var json = JSONBuffer()
        json.append(raw: "{\"msg_id\":")
        json.append(string: message.msgID)
        json.append(raw: ",\"timestamp\":\"")
        message.timestamp.appendRFC3339(to: &json)
        json.append(raw: "\"}")
        return json.text
    }

    /// `{"messages":[...],"cursor":...}`, with `"timed_out"` for a wait.
    static func page(_ page: CursorPage, timedOut: Bool? = nil) -> String {
        var json = JSONBuffer(capacity: page.messages.reduce(64) { $0 + $1.body.utf8.count + 256 })
        json.append(raw: "{\"messages\":")
        list(page.messages, into: &json)
        json.append(raw: ",\"cursor\":")
        if let cursor = page.cursor { json.append(string: cursor) } else { json.append(raw: "null") }
        if let timedOut { json.append(raw: timedOut ? ",\"timed_out\":true" : ",\"timed_out\":false") }
        json.append(raw: "}")
        return json.text
    }

    /// `{"ancestors":[...],"message":{...},"replies":[{"message":{...},"replies":[...]}]}`.
    static func thread(_ thread: MessageThread) -> String {
        var json = JSONBuffer()
        json.append(raw: "{\"ancestors\":")
        list(thread.ancestors, into: &json)
        json.append(raw: ",\"message\":")
        MessageJSON.encode(thread.message, into: &json)
        json.append(raw: ",\"replies\":")
        replies(thread.replies, into: &json)
        json.append(raw: "}")
        return json.text
    }

    /// `{"uri":...,"path":...,"messages":[...]}`: a resource's contents.
    static func resource(uri: String, path: String, messages: some Collection<BusMessage>) -> String {
        var json = JSONBuffer()
        json.append(raw: "{\"uri\":")
        json.append(string: uri)
        json.append(raw: ",\"path\":")
        json.append(string: path)
        json.append(raw: ",\"messages\":")
        list(messages, into: &json)
        json.append(raw: "}")
        return json.text
    }

    private static func replies(_ replies: [MessageThread.Reply], into json: inout JSONBuffer) {
        json.append(raw: "[")
        for (index, reply) in replies.enumerated() {
            if index > 0 { json.append(raw: ",") }
            json.append(raw: "{\"message\":")
            MessageJSON.encode(reply.message, into: &json)
            json.append(raw: ",\"replies\":")
            Self.replies(reply.replies, into: &json)
            json.append(raw: "}")
        }
        json.append(raw: "]")
    }

    private static func list(_ messages: some Collection<BusMessage>, into json: inout JSONBuffer) {
        json.append(raw: "[")
        for (index, message) in messages.enumerated() {
            if index > 0 { json.append(raw: ",") }
            MessageJSON.encode(message, into: &json)
        }
        json.append(raw: "]")
    }
}
