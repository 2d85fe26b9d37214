import BusCore
import Foundation
import Testing

@testable import BusMCP

@Suite("MCP over streamable HTTP: sessions")
struct MCPHTTPSessionsTests {
    static let headers = ["Accept": "application/json, text/event-stream", "Content-Type": "application/json"]

    /// Every chunk of a reply's body as text (a whole body, or an SSE stream read until it ends or shows `until`).
    static func text(_ reply: MCPHTTPReply, until marker: String) async throws -> String {
        switch reply.body {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .stream(let chunks):
            var text = ""
            for try await chunk in chunks {
                text += String(decoding: chunk, as: UTF8.self)
                if text.contains(marker) { break }
            }
            return text
        }
    }

    @Test("initialize opens a session; its id routes the next call; DELETE ends it; no session is a 400")
    func sessionLifecycle() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bus-mcp-http-\(UUID().uuidString)")
        let project = folder.appendingPathComponent("demo")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = project.appendingPathComponent("PROJECT-MESSAGE-BUS.md").path
        let sessions = MCPHTTPSessions(
            MCPConfiguration(
                path: path,
                location: BusLocation(bus: path),
                environment: [:],
                writer: WriterOptions(fsync: false),
                root: nil,
                version: "test"
            )
        )
        let call = #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#
        let orphan = await sessions.handle(
            MCPHTTPRequest(method: "POST", headers: Self.headers, body: Array(call.utf8))
        )
        #expect(orphan.status == 400)

        let initialize = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"http-test","version":"1"}}}
            """
        let opened = await sessions.handle(
            MCPHTTPRequest(method: "POST", headers: Self.headers, body: Array(initialize.utf8))
        )
        #expect(opened.status == 200)
        let id = try #require(opened.headers.first { $0.key.lowercased() == "mcp-session-id" }?.value)
        #expect(try await Self.text(opened, until: "serverInfo").contains("run-agent-bus"))

        var inSession = Self.headers
        inSession["Mcp-Session-Id"] = id
        inSession["MCP-Protocol-Version"] = "2025-06-18"
        let listed = await sessions.handle(MCPHTTPRequest(method: "POST", headers: inSession, body: Array(call.utf8)))
        #expect(listed.status == 200)
        #expect(try await Self.text(listed, until: "bus_answer").contains("bus_post"))

        let ended = await sessions.handle(MCPHTTPRequest(method: "DELETE", headers: inSession, body: []))
        #expect(ended.status == 200)
        let after = await sessions.handle(MCPHTTPRequest(method: "POST", headers: inSession, body: Array(call.utf8)))
        #expect(after.status == 400)
        await sessions.closeAll()
    }

    /// /mcp took requests from any page's Origin (review of issue 12): DNS rebinding could aim a page at it.
    @Test(
        "pages of other sites are refused; local pages and clients without an Origin are not",
        arguments: [
            ("https://evil.example", false), ("http://127.0.0.1.evil.example", false), ("null", false),
            ("http://localhost:14355", true), ("http://127.0.0.1:8080", true), ("http://[::1]:14355", true),
        ]
    )
    func origins(origin: String, allowed: Bool) {
        #expect(MCPHTTPSessions.allowsOrigin(origin) == allowed)
    }

    @Test func aForeignOriginGets403() async throws {
        let sessions = MCPHTTPSessions(
            MCPConfiguration(
                path: "/nonexistent/bus.md",
                location: BusLocation(bus: "/nonexistent/bus.md"),
                environment: [:],
                writer: WriterOptions(fsync: false),
                root: nil,
                version: "test"
            )
        )
        var headers = Self.headers
        headers["Origin"] = "https://evil.example"
        let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#
        let refused = await sessions.handle(
            MCPHTTPRequest(method: "POST", headers: headers, body: Array(initialize.utf8))
        )
        #expect(refused.status == 403)
        #expect(try await Self.text(refused, until: "refused").contains("evil.example"))
        await sessions.closeAll()
    }
}
