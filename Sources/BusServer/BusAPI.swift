import BusCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The routes of CONTRACT section 7 and their handlers.
struct BusAPI: Sendable {
    let directory: BusDirectory
    let openAPI: String

    var configuration: ServerConfiguration { directory.configuration }

    /// Largest `limit` of the compatibility routes (as conductor-loop's server caps it).
    static let limitCap = 5000
    /// Messages a new stream gets when it names no resume id.
    static let defaultBacklog = 20

    /// What a family of routes takes its project and task from, and its defaults.
    private struct Family: Sendable {
        var base: String
        var defaultType: String
        /// Caps `limit` at `limitCap` (the compatibility routes).
        var capped: Bool
        /// `after` is the cursor's name here (conductor-loop's `/api/v1/messages`), besides `since`.
        var scope: @Sendable (Parameters) throws(APIError) -> BusScope?
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in Self.json("{\"status\":\"ok\"}", status: .ok) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: directory.metrics.exposition()))
            )
        }
        router.get("/api/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: openAPI))
            )
        }
        for path in ["/healthz", "/metrics", "/api/openapi.yaml"] { refuseOtherMethods(router, path, allowed: [.get]) }

        let families = [
            Family(base: "/api/bus", defaultType: "INFO", capped: false) { _ throws(APIError) in nil },
            Family(base: "/api/v1/messages", defaultType: "USER", capped: true) { _ throws(APIError) in nil },
            Family(base: "/api/projects/{project}/messages", defaultType: "INFO", capped: true) {
                parameters throws(APIError) in
                BusScope(project: try Self.pathID(parameters, "project"), task: nil)
            },
            Family(base: "/api/projects/{project}/tasks/{task}/messages", defaultType: "INFO", capped: true) {
                parameters throws(APIError) in
                BusScope(project: try Self.pathID(parameters, "project"), task: try Self.pathID(parameters, "task"))
            },
        ]
        for family in families {
            router.get(RouterPath(family.base)) { request, context in
                try await list(request, context: context, family: family)
            }
            router.post(RouterPath(family.base)) { request, context in
                try await post(request, context: context, family: family)
            }
            router.get(RouterPath(family.base + "/stream")) { request, context in
                try await stream(request, context: context, family: family)
            }
            refuseOtherMethods(router, family.base, allowed: [.get, .post])
            refuseOtherMethods(router, family.base + "/stream", allowed: [.get])
        }
    }

    /// 405 with `Allow` for the methods a route does not take (Hummingbird's router would say 404).
    private func refuseOtherMethods(
        _ router: Router<BasicRequestContext>,
        _ path: String,
        allowed: [HTTPRequest.Method]
    ) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where !allowed.contains(method) {
            router.on(RouterPath(path), method: method) { request, _ -> Response in
                throw APIError.methodNotAllowed(request.method, allowed: allowed)
            }
        }
    }

    // MARK: Handlers

    private func list(_ request: Request, context: BasicRequestContext, family: Family) async throws -> Response {
        let query = request.uri.queryParameters
        let scope = try family.scope(context.parameters) ?? Self.queryScope(query)
        let since = Self.nonEmpty(query["since"]) ?? Self.nonEmpty(query["after"])
        var limit = try Self.limit(query)
        if family.capped { limit = min(limit ?? Self.limitCap, Self.limitCap) }
        let (hub, selection) = try located(scope, create: false)
        guard BusPaths.isRegularFile(hub.path) else { throw APIError(BusError.busNotFound(hub.path)) }
        var wanted = selection
        wanted.types = Self.types(query)
        let messages: [BusMessage]
        do throws(BusError) {
            messages = try hub.list(since: since, limit: limit, selection: wanted)
        } catch {
            throw APIError(error)
        }
        var body = "{\"messages\":["
        body.reserveCapacity(messages.count * 256)
        for (index, message) in messages.enumerated() {
            if index > 0 { body += "," }
            body += MessageJSON.encode(message)
        }
        return Self.json(body + "]}", status: .ok)
    }

    private func post(_ request: Request, context: BasicRequestContext, family: Family) async throws -> Response {
        let buffer = try await request.body(refusingOver: configuration.maxRequestBytes)
        let parsed = try PostRequest.parse(Array(buffer.readableBytesView))
        let routeScope = try family.scope(context.parameters)
        let scope = routeScope ?? BusScope(project: parsed.projectID, task: parsed.taskID)
        let (hub, _) = try located(scope, create: true)
        let inferred = BusPaths.context(ofBus: hub.path)
        let draft = try parsed.draft(
            scope: routeScope ?? BusScope(),
            inferred: BusScope(project: inferred.project, task: inferred.task),
            defaultType: family.defaultType
        )
        do throws(BusError) {
            try MessageValidator.validate(draft, maxBodyBytes: configuration.writer.maxBodyBytes, path: hub.path)
            try HeaderLimits.check(draft, path: hub.path)
        } catch {
            throw APIError(error)
        }
        switch await hub.committer.post(draft) {
        case .success(let message):
            let body =
                "{\"msg_id\":" + MessageJSON.string(message.msgID) + ",\"timestamp\":"
                + MessageJSON.string(message.timestamp.rfc3339) + "}"
            return Self.json(body, status: .created)
        case .failure(let error):
            throw APIError(error)
        }
    }

    private func stream(_ request: Request, context: BasicRequestContext, family: Family) async throws -> Response {
        let query = request.uri.queryParameters
        let scope = try family.scope(context.parameters) ?? Self.queryScope(query)
        let resume =
            Self.nonEmpty(request.headers[HTTPField.Name.lastEventID]) ?? Self.nonEmpty(query["since"])
            ?? Self.nonEmpty(query["after"])
        let backlog = min(try Self.limit(query, allowZero: true) ?? Self.defaultBacklog, Self.limitCap)
        let (hub, selection) = try located(scope, create: false)
        var wanted = selection
        wanted.types = Self.types(query)
        let subscription = hub.subscribe(resume: resume, backlog: backlog, selection: wanted)
        let heartbeat = configuration.heartbeat
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name.xAccelBuffering: "no",
        ]
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                let continuation = subscription.continuation
                // Finishing unsubscribes: a client that went away frees its place at once.
                defer { continuation.finish() }
                let beats = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: heartbeat)
                        if Task.isCancelled { break }
                        continuation.yield(.heartbeat(.now()))
                    }
                }
                defer { beats.cancel() }
                // Sent at once so the client knows the stream is open before any message exists.
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                for await event in subscription.events {
                    try await writer.write(ByteBuffer(string: event.frame))
                }
                try await writer.finish(nil)
            }
        )
    }

    // MARK: Helpers

    private func located(_ scope: BusScope, create: Bool) throws(APIError) -> (hub: BusHub, selection: MessageSelection)
    {
        do throws(BusError) {
            return try directory.hub(for: scope, create: create)
        } catch {
            throw APIError(error)
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n"))
        )
    }

    private static func nonEmpty(_ value: (some StringProtocol)?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return String(value)
    }

    private static func queryScope(_ query: Parameters) -> BusScope {
        BusScope(project: nonEmpty(query["project_id"]), task: nonEmpty(query["task_id"]))
    }

    /// `type=A&type=B` or `type=A,B`.
    private static func types(_ query: Parameters) -> Set<String> {
        Set(query[values: "type"].flatMap { $0.split(separator: ",").map(String.init) })
    }

    /// `limit`: a positive integer (0 too where `allowZero`); nil when absent.
    private static func limit(
        _ query: Parameters,
        allowZero: Bool = false
    ) throws(APIError) -> Int? {
        guard let text = query["limit"], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= (allowZero ? 0 : 1) else {
            throw .badRequest(
                "query parameter 'limit': expected a \(allowZero ? "non-negative" : "positive") integer, got \(text)"
            )
        }
        return value
    }

    /// A project or task id from the path, percent-decoded and checked to be one path component.
    private static func pathID(_ parameters: Parameters, _ name: String) throws(APIError) -> String {
        guard let raw = parameters.get(name), let decoded = PercentDecoding.decode(raw) else {
            throw .badRequest("path parameter '\(name)': invalid percent-encoding")
        }
        do throws(BusError) {
            try BusPaths.validateComponent(decoded, role: name)
        } catch {
            throw APIError(error)
        }
        return decoded
    }
}

extension HTTPField.Name {
    /// Tells a proxy in front (nginx) not to buffer the stream.
    static var lastEventID: HTTPField.Name { HTTPField.Name("Last-Event-ID") ?? .cacheControl }
    static var xAccelBuffering: HTTPField.Name { HTTPField.Name("X-Accel-Buffering") ?? .cacheControl }
}

/// `%XX` decoding of one path segment; nil for a bad escape or bytes that are not UTF-8.
enum PercentDecoding {
    static func decode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

extension Request {
    /// The whole body, or 413: a declared length over `limit` is refused before anything is read, a chunked body
    /// (no declared length) once it passes the limit, unread beyond it.
    func body(refusingOver limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError.payloadTooLarge("request body of \(declared) bytes is over the limit of \(limit) bytes")
        }
        do {
            var request = self
            return try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge("request body is over the limit of \(limit) bytes")
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge("request body is over the limit of \(limit) bytes")
        }
    }
}
