import BusCore
import Foundation
internal import MCP

/// An HTTP request to `/mcp`, in plain terms: the HTTP server that carries it imports no MCP.
package struct MCPHTTPRequest: Sendable {
    package var method: String
    package var headers: [String: String]
    package var body: [UInt8]

    package init(method: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// The answer to an `MCPHTTPRequest`: a status, headers, and a body that is either whole or an SSE stream.
package struct MCPHTTPReply: Sendable {
    package enum Body: Sendable {
        case bytes([UInt8])
        case stream(AsyncThrowingStream<[UInt8], any Error>)
    }

    package var status: Int
    package var headers: [String: String]
    package var body: Body
}

/// MCP's streamable HTTP transport for `serve`: one MCP server and one `StatefulHTTPServerTransport` of the SDK
/// per session, found by the `Mcp-Session-Id` header; an `initialize` POST without one opens a session.
///
/// The bus's MCP server (its tailer, which reads the whole bus) is made on the first session, so a `serve` whose
/// clients never use `/mcp` pays nothing for it.
package actor MCPHTTPSessions {
    private let configuration: MCPConfiguration
    private var server: BusMCPServer?
    private var sessions: [String: Session] = [:]
    /// Most open sessions.
    ///
    /// Each holds an MCP server; a client that never ends its session would otherwise grow this without bound.
    /// The least recently used one is closed to make room.
    private let maxSessions = 256

    private struct Session {
        var connection: MCPConnection
        var transport: StatefulHTTPServerTransport
        var lastUsed: ContinuousClock.Instant
    }

    package init(_ configuration: MCPConfiguration) {
        self.configuration = configuration
    }

    /// Answers one request to `/mcp`.
    package func handle(_ request: MCPHTTPRequest) async -> MCPHTTPReply {
        let origin = request.headers.first { $0.key.lowercased() == "origin" }?.value
        guard Self.allowsOrigin(origin) else {
            let error = MCPError.invalidRequest("Origin \(origin ?? "") refused: /mcp answers local pages only")
            return Self.reply(.error(statusCode: 403, error))
        }
        let httpRequest = HTTPRequest(
            method: request.method,
            headers: request.headers,
            body: request.body.isEmpty ? nil : Data(request.body),
            path: "/mcp"
        )
        if let id = httpRequest.header(HTTPHeaderName.sessionID), var session = sessions[id] {
            session.lastUsed = .now
            sessions[id] = session
            let response = await session.transport.handleRequest(httpRequest)
            if request.method.uppercased() == "DELETE" && response.statusCode == 200 { await close(id) }
            return Self.reply(response)
        }
        guard request.method.uppercased() == "POST", Self.isInitialize(request.body) else {
            let error = MCPError.invalidRequest("no session: send initialize first, or a valid Mcp-Session-Id")
            return Self.reply(.error(statusCode: 400, error))
        }
        return Self.reply(await open(httpRequest))
    }

    /// Whether a request from a page of `origin` may use the tools.
    ///
    /// MCP's HTTP transport must refuse other sites' pages, which DNS rebinding can point at a loopback server.
    /// Clients that are not browsers send no Origin.
    static func allowsOrigin(_ origin: String?) -> Bool {
        guard let origin else { return true }
        guard let scheme = origin.range(of: "://") else { return false }
        var host = origin[scheme.upperBound...]
        if host.hasPrefix("[") {
            host = host.prefix { $0 != "]" }.dropFirst()
        } else {
            host = host.prefix { $0 != ":" && $0 != "/" }
        }
        return ["127.0.0.1", "localhost", "::1"].contains(host.lowercased())
    }

    /// Closes every session (graceful shutdown: their SSE streams end).
    package func closeAll() async {
        for id in Array(sessions.keys) { await close(id) }
        server?.stop()
    }

    private func open(_ request: HTTPRequest) async -> HTTPResponse {
        if sessions.count >= maxSessions, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            await close(oldest.key)
        }
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id))
        let server: BusMCPServer
        if let existing = self.server {
            server = existing
        } else {
            do throws(BusError) {
                server = try BusMCPServer(configuration)
            } catch {
                return .error(statusCode: 500, .internalError(error.description))
            }
            self.server = server
        }
        let connection = await server.makeConnection()
        do {
            try await connection.server.start(transport: transport)
        } catch {
            await transport.disconnect()
            return .error(statusCode: 500, .internalError("could not open an MCP session: \(error)"))
        }
        sessions[id] = Session(connection: connection, transport: transport, lastUsed: .now)
        let response = await transport.handleRequest(request)
        if case .error = response { await close(id) }
        return response
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.connection.stop()
    }

    /// True for a JSON-RPC `initialize` request (alone, not in a batch).
    private static func isInitialize(_ body: [UInt8]) -> Bool {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return object?["method"] as? String == "initialize"
    }

    private static func reply(_ response: HTTPResponse) -> MCPHTTPReply {
        let body: MCPHTTPReply.Body
        if case .stream(let stream, _) = response {
            body = .stream(
                AsyncThrowingStream { continuation in
                    let pump = Task {
                        do {
                            for try await chunk in stream { continuation.yield(Array(chunk)) }
                            continuation.finish()
                        } catch {
                            continuation.finish(throwing: error)
                        }
                    }
                    continuation.onTermination = { _ in pump.cancel() }
                }
            )
        } else {
            body = .bytes(response.bodyData.map { Array($0) } ?? [])
        }
        return MCPHTTPReply(status: response.statusCode, headers: response.headers, body: body)
    }
}

/// The session id chosen before the transport exists, so the session table and the transport agree on it.
private struct FixedSessionID: SessionIDGenerator {
    let id: String

    func generateSessionID() -> String { id }
}
