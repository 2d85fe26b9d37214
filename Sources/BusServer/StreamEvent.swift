import BusCore

/// One server-sent event of a bus stream.
enum StreamEvent: Sendable {
    case message(BusMessage)
    /// A message sent before whose record grew (a Go-framed body at the end of the file): same id, new body.
    case update(BusMessage)
    /// The stream started over: an unknown resume id, or the bus file was truncated or replaced.
    case reset(reason: String)
    case heartbeat(BusTimestamp)

    /// The event in the SSE wire format (`id:`, `event:`, `data:` lines and a blank line).
    ///
    /// The JSON encoder
    /// escapes line breaks (and U+2028/9), so `data` is always one line.
    var frame: String {
        switch self {
        case .message(let message):
            Self.idLine(message.msgID) + "event: message\ndata: " + MessageJSON.encode(message) + "\n\n"
        case .update(let message):
            Self.idLine(message.msgID) + "event: update\ndata: " + MessageJSON.encode(message) + "\n\n"
        case .reset(let reason):
            "event: reset\ndata: {\"reason\":" + MessageJSON.string(reason) + "}\n\n"
        case .heartbeat(let time):
            "event: heartbeat\ndata: {\"timestamp\":" + MessageJSON.string(time.rfc3339) + "}\n\n"
        }
    }

    /// `id: <msg_id>`; left out for an id a foreign writer gave a line break or NUL, which would end the field
    /// (the client then keeps the previous id as its resume point).
    private static func idLine(_ id: String) -> String {
        id.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 } ? "" : "id: " + id + "\n"
    }
}
