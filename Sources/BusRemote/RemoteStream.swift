import AsyncHTTPClient
package import BusCore
import NIOCore
import NIOHTTP1

/// One event of a bus stream as a client sees it.
package enum RemoteEvent: Sendable, Equatable {
    case message(BusMessage)
    case update(BusMessage)
    case reset(reason: String)
    /// The connection broke; the stream reconnects after `delay` (the monitor's "reconnecting").
    case reconnecting(reason: String, delay: Duration)
    /// (Re)connected: events follow.
    case connected
}

/// The parser of the SSE wire format: `field: value` lines, events ended by a blank line.
package struct SSEParser: Sendable {
    package struct Event: Sendable, Equatable {
        package var id: String?
        package var name = "message"
        package var data = ""
    }

    private var line: [UInt8] = []
    private var current = Event()
    private var hasData = false
    private var lastWasCR = false

    package init() {}

    /// Feeds bytes; returns the events they complete.
    package mutating func consume(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            // Lines end in LF, CR or CRLF (the SSE rules).
            if byte == 0x0A && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { line = [] }
        guard !line.isEmpty else {
            defer {
                current = Event()
                hasData = false
            }
            return hasData || current.name != "message" ? current : nil
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "id": current.id = String(value)
        case "event": current.name = String(value)
        case "data":
            current.data += (hasData ? "\n" : "") + value
            hasData = true
        default: break
        }
        return nil
    }
}

extension RemoteBus {
    /// Follows `GET /api/bus/stream`, reconnecting with backoff (250 ms doubling to 5 s) and resuming after the
    /// last id seen (`Last-Event-ID`), until `handle` returns false or the task is cancelled.
    /// - Parameters:
    ///   - query: `since` resumes after that id; without it `limit` messages of backlog (the server's default
    ///     is 20; 0 for none).
    ///   - handle: called for every event, in order; return false to stop.
    /// - Throws: `RemoteError.server` for an answer that retrying cannot fix (bad token, bad request);
    ///   connection failures are retried.
    package func follow(_ query: RemoteQuery, handle: (RemoteEvent) -> Bool) async throws(RemoteError) {
        var resume = query.since
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            var current = query
            current.since = resume
            if resume != nil { current.limit = nil }
            var request = HTTPClientRequest(url: base + "/api/bus/stream" + Self.queryString(current.items))
            request.headers.add(name: "Accept", value: "text/event-stream")
            if let resume { request.headers.add(name: "Last-Event-ID", value: resume) }
            authorize(&request)
            let reason: String
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .hours(24 * 365))
                let status = Int(response.status.code)
                guard status == 200 else {
                    let bytes = try await response.body.collect(upTo: 1 << 20)
                    let error = Self.serverError(status: status, try? JSONParser.parse(Array(bytes.readableBytesView)))
                    // A server that is starting or shutting down may answer 503: retry that one.
                    guard status == 503 else { throw error }
                    throw StreamBroke(reason: error.description)
                }
                guard handle(.connected) else { return }
                delay = .milliseconds(250)
                var parser = SSEParser()
                for try await chunk in response.body {
                    for event in parser.consume(chunk.readableBytesView) {
                        guard let remote = try decode(event) else { continue }
                        if case .message(let message) = remote { resume = event.id ?? message.msgID }
                        if case .update(let message) = remote { resume = resume ?? message.msgID }
                        guard handle(remote) else { return }
                    }
                }
                reason = "the server closed the stream"
            } catch let error as RemoteError {
                throw error
            } catch let broke as StreamBroke {
                reason = broke.reason
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { return }
            guard handle(.reconnecting(reason: reason, delay: delay)) else { return }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private struct StreamBroke: Error {
        var reason: String
    }

    private func decode(_ event: SSEParser.Event) throws(RemoteError) -> RemoteEvent? {
        switch event.name {
        case "message", "update":
            do {
                let message = try MessageJSON.decode(try JSONParser.parse(Array(event.data.utf8)))
                return event.name == "message" ? .message(message) : .update(message)
            } catch {
                throw .badResponse(url: base, reason: "stream event: \(error)")
            }
        case "reset":
            var reason = "the stream was reset"
            if case .string(let text)? = (try? JSONParser.parse(Array(event.data.utf8)))?["reason"] { reason = text }
            return .reset(reason: reason)
        default:
            return nil
        }
    }
}
