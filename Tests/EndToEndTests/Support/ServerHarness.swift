import AsyncHTTPClient
import BusTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// A `run-agent bus serve --port 0` child and the URL it printed as its first stdout line.
final class ServedBus {
    let child: Child
    let url: String

    /// A server (no fsync) on a new empty `bus.md` in the sandbox, posts waiting `lockTimeout` for the lock.
    static func onEmptyBus(_ sandbox: Sandbox, lockTimeout: String) throws -> (bus: String, server: ServedBus) {
        let bus = sandbox.file("bus.md")
        try writeBytes(bus, [])
        let server = try ServedBus(
            sandbox,
            ["--bus", bus, "--no-fsync"],
            environment: ["JRUN_BUS_LOCK_TIMEOUT": lockTimeout]
        )
        return (bus, server)
    }

    init(_ sandbox: Sandbox, _ arguments: [String], environment: [String: String] = [:]) throws {
        child = try sandbox.start(Binary.path, ["bus", "serve", "--port", "0"] + arguments, environment: environment)
        var line = ""
        let child = child
        let started = waitUntil(deadline: .seconds(30)) {
            guard let end = child.stdout.firstIndex(of: "\n") else { return !child.process.isRunning }
            line = String(child.stdout[..<end])
            return true
        }
        guard started, line.hasPrefix("http://") else {
            child.kill()
            throw ServerStartFailure(stderr: child.stderr)
        }
        url = line
    }

    /// SIGTERM and wait; the exit status (nil when it did not exit within the deadline).
    func stop(signal: Int32 = SIGTERM) -> Int32? {
        kill(child.pid, signal)
        guard child.waitForExit(timeout: .seconds(20)) else {
            child.kill()
            return nil
        }
        return child.process.terminationStatus
    }

    deinit { child.kill() }
}

struct ServerStartFailure: Error, CustomStringConvertible {
    var stderr: String
    var description: String { "server did not start: \(stderr)" }
}

/// One HTTP answer.
struct HTTPReply {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// `error.code` of an error body.
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String { ((json?["error"] as? [String: Any])?["message"] as? String) ?? "" }
    var messages: [[String: Any]] { (json?["messages"] as? [[String: Any]]) ?? [] }
    var ids: [String] { messages.compactMap { $0["msg_id"] as? String } }
}

/// The tests' HTTP client: the shared one allows 8 connections per host, fewer than the streams a test holds
/// open at once (and the suites run in parallel).
let testClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

/// Sends a request over loopback with async-http-client.
func http(
    _ method: HTTPMethod,
    _ url: String,
    body: String? = nil,
    headers: [(String, String)] = []
) async throws -> HTTPReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await testClient.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 1 << 28)
    return HTTPReply(
        status: Int(response.status.code),
        headers: response.headers,
        body: String(buffer: bytes)
    )
}

/// Posts `{"body": body, "project_id": project}` and returns the id.
func postJSON(_ url: String, _ body: String, project: String = "p", type: String? = nil) async throws -> String {
    var fields = "\"body\":" + jsonString(body) + ",\"project_id\":" + jsonString(project)
    if let type { fields += ",\"type\":" + jsonString(type) }
    let reply = try await http(.POST, url + "/api/bus", body: "{" + fields + "}")
    #expect(reply.status == 201, "\(reply.body)")
    return try #require(reply.json?["msg_id"] as? String)
}

func jsonString(_ text: String) -> String {
    String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
}

/// A live SSE client: `curl -N` in a child process, its output in a file (no part of the test's own thread
/// pool, which blocking waits of other tests may hold).
final class StreamReader {
    struct Event: Equatable {
        var id: String?
        var name: String
        var data: String
    }

    private let child: Child?

    init(_ sandbox: Sandbox, _ url: String, headers: [(String, String)] = []) {
        let headerArguments = headers.flatMap { ["-H", "\($0.0): \($0.1)"] }
        child = try? sandbox.start("/usr/bin/curl", ["-s", "-N"] + headerArguments + [url])
    }

    var isEnded: Bool { child.map { !$0.process.isRunning } ?? true }
    var raw: String { child?.stdout ?? "" }

    /// Complete events so far (the `retry:` preamble is not an event).
    var events: [Event] {
        raw.components(separatedBy: "\n\n").dropLast().compactMap { block in
            var event = Event(id: nil, name: "message", data: "")
            var sawField = false
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") {
                    event.name = String(line.dropFirst(7))
                    sawField = true
                }
                if line.hasPrefix("data: ") { event.data = String(line.dropFirst(6)) }
            }
            return sawField ? event : nil
        }
    }

    var messageIDs: [String] { events.filter { $0.name == "message" }.compactMap(\.id) }

    /// Waits until the stream's preamble arrived (the server registered the client).
    func waitConnected() -> Bool { waitUntil(deadline: .seconds(20)) { raw.hasPrefix("retry:") } }

    func wait(messages count: Int, deadline: Duration = .seconds(30)) -> Bool {
        waitUntil(deadline: deadline) { messageIDs.count >= count }
    }

    func cancel() { child?.kill() }

    deinit { child?.kill() }
}

/// Runs curl (for what an HTTP library would normalise away: `..` segments, raw escapes).
func curl(_ sandbox: Sandbox, _ arguments: [String]) throws -> (status: Int, body: String) {
    let result = try sandbox.run(
        "/usr/bin/curl",
        ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "20"] + arguments
    )
    var lines = result.stdout.components(separatedBy: "\n")
    let status = Int(lines.removeLast()) ?? 0
    return (status, lines.joined(separator: "\n"))
}

/// Runs `body` with a fresh sandbox and removes it afterwards (async).
func withServerSandbox<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    return try await body(sandbox)
}
