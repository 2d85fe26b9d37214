import AsyncHTTPClient
package import BusCore
import NIOCore
import NIOHTTP1

/// A failure talking to a bus server, with the exit code the CLI uses for it.
package enum RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error body: its message (the CLI's own text for the same failure) and
    /// the exit code it names.
    case server(status: Int, code: String, message: String, exitCode: Int32)
    /// The server could not be reached or the connection broke.
    case unreachable(url: String, reason: String)
    /// The server answered something that is not the API's shape.
    case badResponse(url: String, reason: String)

    package var description: String {
        switch self {
        case .server(_, _, let message, _): message
        case .unreachable(let url, let reason): "bus server unreachable at \(url): \(reason)"
        case .badResponse(let url, let reason): "unexpected answer from bus server \(url): \(reason)"
        }
    }

    /// Exit code of the CLI: the server's for its errors (a lock timeout is 75, as locally), 69 (sysexits
    /// EX_UNAVAILABLE) for a server that cannot be reached, 76 (EX_PROTOCOL) for a malformed answer.
    package var exitCode: Int32 {
        switch self {
        case .server(_, _, _, let code): code
        case .unreachable: 69
        case .badResponse: 76
        }
    }
}

/// What a remote post carries: the fields of `POST /api/bus`.
package struct RemotePost: Sendable {
    package var draft: MessageDraft

    package init(draft: MessageDraft) { self.draft = draft }

    /// The request body (the API's JSON shape; empty optional fields left out, so the server fills them).
    var json: String {
        var fields: [String] = []
        func add(_ key: String, _ value: String) {
            if !value.isEmpty { fields.append(MessageJSON.string(key) + ":" + MessageJSON.string(value)) }
        }
        add("type", draft.type)
        add("project_id", draft.projectID)
        add("task_id", draft.taskID)
        add("run_id", draft.runID)
        add("issue_id", draft.issueID)
        if !draft.parents.isEmpty {
            let parents = draft.parents.map { parent in
                var out = "{\"msg_id\":" + MessageJSON.string(parent.msgID)
                if !parent.kind.isEmpty { out += ",\"kind\":" + MessageJSON.string(parent.kind) }
                if !parent.meta.isEmpty { out += ",\"meta\":" + MessageJSON.object(parent.meta) }
                return out + "}"
            }
            fields.append("\"parents\":[" + parents.joined(separator: ",") + "]")
        }
        if !draft.meta.isEmpty { fields.append("\"meta\":" + MessageJSON.object(draft.meta)) }
        fields.append("\"body\":" + MessageJSON.string(draft.body))
        return "{" + fields.joined(separator: ",") + "}"
    }
}

/// Which messages a remote read asks for.
package struct RemoteQuery: Sendable {
    package var since: String?
    package var limit: Int?
    package var types: [String] = []
    package var project: String?
    package var task: String?

    package init(
        since: String? = nil,
        limit: Int? = nil,
        types: [String] = [],
        project: String? = nil,
        task: String? = nil
    ) {
        self.since = since
        self.limit = limit
        self.types = types
        self.project = project
        self.task = task
    }

    var items: [(String, String)] {
        var out: [(String, String)] = []
        if let since { out.append(("since", since)) }
        if let limit { out.append(("limit", String(limit))) }
        for type in types { out.append(("type", type)) }
        if let project, !project.isEmpty { out.append(("project_id", project)) }
        if let task, !task.isEmpty { out.append(("task_id", task)) }
        return out
    }
}

/// The HTTP client of `post/read/poll --server`: the routes of `/api/bus` on async-http-client.
package struct RemoteBus: Sendable {
    /// The server's URL without a trailing slash.
    package let base: String
    package let token: String?
    /// Deadline of one request, connection attempts included (async-http-client retries a refused connection
    /// until then); `JRUN_BUS_SERVER_TIMEOUT`.
    package var timeout = Duration.seconds(30)

    package init(url: String, token: String?) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.token = token
    }

    /// `POST /api/bus`.
    /// - Returns: the message's id.
    package func post(_ post: RemotePost) async throws(RemoteError) -> String {
        var request = HTTPClientRequest(url: base + "/api/bus")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        authorize(&request)
        request.body = .bytes(ByteBuffer(string: post.json))
        let value = try await send(request)
        guard case .string(let id)? = value["msg_id"] else {
            throw .badResponse(url: request.url, reason: "no msg_id in the answer")
        }
        return id
    }

    /// `GET /api/bus`.
    package func list(_ query: RemoteQuery) async throws(RemoteError) -> [BusMessage] {
        var request = HTTPClientRequest(url: base + "/api/bus" + Self.queryString(query.items))
        authorize(&request)
        let value = try await send(request)
        guard case .array(let items)? = value["messages"] else {
            throw .badResponse(url: request.url, reason: "no messages array in the answer")
        }
        do throws(JSONFieldError) {
            return try items.map { item throws(JSONFieldError) in try MessageJSON.decode(item) }
        } catch {
            throw .badResponse(url: request.url, reason: error.description)
        }
    }

    func authorize(_ request: inout HTTPClientRequest) {
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
    }

    /// Sends a request and parses its JSON answer; an error status becomes `.server`.
    private func send(_ request: HTTPClientRequest) async throws(RemoteError) -> JSONValue {
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await HTTPClient.shared.execute(
                request,
                timeout: .nanoseconds(Int64(timeout.secondsValue * 1e9))
            )
            status = Int(response.status.code)
            bytes = Array((try await response.body.collect(upTo: 1 << 30)).readableBytesView)
        } catch {
            throw .unreachable(url: base, reason: "\(error)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .badResponse(url: request.url, reason: "HTTP \(status): \(error)")
        }
        guard (200..<300).contains(status) else { throw Self.serverError(status: status, value) }
        return value
    }

    static func serverError(status: Int, _ value: JSONValue?) -> RemoteError {
        let error = value?["error"]
        var message = "HTTP \(status)"
        var code = "INTERNAL"
        if case .string(let text)? = error?["message"] { message = text }
        if case .string(let text)? = error?["code"] { code = text }
        var exitCode: Int32
        switch status {
        case 400, 413: exitCode = 65
        case 401, 403: exitCode = 77
        case 404: exitCode = 66
        case 503: exitCode = 75
        default: exitCode = 74
        }
        if case .number(let text)? = error?["exit_code"], let number = Int32(text) { exitCode = number }
        return .server(status: status, code: code, message: message, exitCode: exitCode)
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { percentEncoded($0.0) + "=" + percentEncoded($0.1) }.joined(separator: "&")
    }

    /// Percent-encoding of everything but RFC 3986's unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
