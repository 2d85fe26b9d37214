import BusTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The OpenAPI 3.1 document served at `/api/openapi.yaml` (issue 10) stays true: it parses, names every route the
/// server registers and nothing else, and real answers of a live server match its response schemas.
@Suite struct OpenAPITests {
    @Test func theOpenAPIDocumentListsEveryRouteAndMethod() async throws {
        try await withServerSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            _ = try await postJSON(server.url, "x")
            let served = try await http(.GET, server.url + "/api/openapi.yaml")
            #expect(served.status == 200)
            let document = try OpenAPISchema(yaml: served.body)

            // An OpenAPI 3.1 object: version, info, paths and component schemas; every $ref resolves.
            #expect((document.root["openapi"] as? String)?.hasPrefix("3.1.") == true)
            let info = try #require(document.root["info"] as? [String: Any])
            #expect(info["title"] is String && info["version"] is String)
            let schemas = try #require((document.root["components"] as? [String: Any])?["schemas"] as? [String: Any])
            #expect(["Message", "MessageList", "Posted", "Error"].allSatisfy { schemas[$0] != nil })
            #expect(!document.references.isEmpty)
            for reference in Set(document.references) {
                #expect(throws: Never.self, "\(reference)") { try document.resolve(["$ref": reference]) }
            }

            // Every route the server registers is documented with its methods, and nothing more.
            let registered = try Self.registeredRoutes()
            #expect(registered.count == 11)
            #expect(Set(document.paths.keys) == Set(registered.keys))
            for (path, methods) in registered { #expect(document.methods(of: path) == methods, "\(path)") }

            // Every documented path and method is answered by the live server; other methods are 405.
            for path in document.paths.keys.sorted() {
                let documented = document.methods(of: path)
                let concrete = path.replacingOccurrences(of: "{project}", with: "p")
                    .replacingOccurrences(of: "{task}", with: "t")
                for method in ["get", "post", "put", "delete", "patch"] {
                    let arguments =
                        ["-X", method.uppercased(), "-d", #"{"body":"y"}"#]
                        + (path.hasSuffix("/stream") ? ["--max-time", "1"] : [])
                    let reply = try curl(sandbox, arguments + [server.url + concrete])
                    if documented.contains(method) {
                        #expect(reply.status != 404 && reply.status != 405, "\(method) \(path): \(reply.status)")
                    } else {
                        #expect(reply.status == 405, "\(method) \(path) is not documented: \(reply.status)")
                    }
                }
            }
            #expect(try curl(sandbox, [server.url + "/api/nothing"]).status == 404)
            #expect(server.stop() == 0)
        }
    }

    @Test func liveResponsesMatchTheDocumentsSchemas() async throws {
        try await withServerSandbox { sandbox in
            let root = sandbox.file("runs")
            let server = try ServedBus(sandbox, ["--root", root, "--no-fsync", "--max-request", "64K"])
            let document = try OpenAPISchema(yaml: try await http(.GET, server.url + "/api/openapi.yaml").body)
            let url = server.url

            /// Checks one real answer: its status is listed under the operation, and a JSON body validates.
            func check(_ reply: HTTPReply, _ method: String, _ path: String, status: Int) throws {
                #expect(reply.status == status, "\(method) \(path): \(reply.status) \(reply.body.prefix(300))")
                let response = try document.response(path, method, status: reply.status)
                guard let schema = try document.schema(of: response) else { return }
                #expect(reply.headers["Content-Type"].first?.hasPrefix("application/json") == true)
                let problems = document.validate(try JSONValue(parsing: reply.body), schema)
                #expect(problems.isEmpty, "\(method) \(path) \(reply.status): \(problems)")
            }

            try check(try await http(.GET, url + "/healthz"), "get", "/healthz", status: 200)
            try check(try await http(.GET, url + "/metrics"), "get", "/metrics", status: 200)
            try check(try await http(.GET, url + "/api/openapi.yaml"), "get", "/api/openapi.yaml", status: 200)

            // Posts on every family, one of them with parents, links and meta.
            let full = """
                {"type":"FACT","body":"line one\\nline two","project_id":"demo","task_id":"build","run_id":"r",
                 "parents":[{"msg_id":"MSG-A","kind":"reply","meta":{"k":"v"}},"MSG-B"],
                 "links":[{"url":"https://example.com/x","label":"x","kind":"doc"}],"meta":{"b":"2","a":"1"}}
                """
            try check(try await http(.POST, url + "/api/bus", body: full), "post", "/api/bus", status: 201)
            let plain = #"{"body":"plain","project_id":"demo","task_id":"build"}"#
            try check(
                try await http(.POST, url + "/api/v1/messages", body: plain),
                "post",
                "/api/v1/messages",
                status: 201
            )
            try check(
                try await http(.POST, url + "/api/projects/demo/messages", body: #"{"body":"on the project"}"#),
                "post",
                "/api/projects/{project}/messages",
                status: 201
            )
            try check(
                try await http(
                    .POST,
                    url + "/api/projects/demo/tasks/build/messages",
                    body: #"{"body":"on the task"}"#
                ),
                "post",
                "/api/projects/{project}/tasks/{task}/messages",
                status: 201
            )

            // Lists: the message with parents, links and meta is among them.
            let lists = [
                ("/api/bus?project_id=demo&task_id=build", "/api/bus"),
                ("/api/bus?project_id=demo&task_id=build&limit=1&type=FACT", "/api/bus"),
                ("/api/v1/messages?project_id=demo&task_id=build", "/api/v1/messages"),
                ("/api/projects/demo/messages", "/api/projects/{project}/messages"),
                ("/api/projects/demo/tasks/build/messages", "/api/projects/{project}/tasks/{task}/messages"),
            ]
            for (concrete, path) in lists {
                let reply = try await http(.GET, url + concrete)
                try check(reply, "get", path, status: 200)
                #expect(!reply.messages.isEmpty, "\(concrete)")
            }
            let task = try await http(.GET, url + "/api/bus?project_id=demo&task_id=build")
            #expect(task.messages.contains { $0["parents"] != nil && $0["links"] != nil && $0["meta"] != nil })

            // Errors: 400, 404 and 413 under their operations; 405 is an undocumented method, so its body is
            // checked against the shared Error response.
            try check(
                try await http(.POST, url + "/api/bus", body: #"{"body":"x""#),
                "post",
                "/api/bus",
                status: 400
            )
            try check(
                try await http(.GET, url + "/api/bus?project_id=demo&limit=many"),
                "get",
                "/api/bus",
                status: 400
            )
            try check(
                try await http(.GET, url + "/api/v1/messages?project_id=demo&task_id=build&after=MSG-NOPE"),
                "get",
                "/api/v1/messages",
                status: 404
            )
            try check(
                try await http(.GET, url + "/api/projects/nothing/messages"),
                "get",
                "/api/projects/{project}/messages",
                status: 404
            )
            let big = "{\"body\":\"" + String(repeating: "x", count: 200_000) + "\",\"project_id\":\"demo\"}"
            try check(try await http(.POST, url + "/api/bus", body: big), "post", "/api/bus", status: 413)
            let wrongMethod = try await http(.DELETE, url + "/api/bus")
            #expect(wrongMethod.status == 405 && wrongMethod.headers["Allow"].first != nil)
            let errorSchema = try #require(
                try document.schema(of: try document.resolve(["$ref": "#/components/responses/Error"]))
            )
            let problems = document.validate(try JSONValue(parsing: wrongMethod.body), errorSchema)
            #expect(problems.isEmpty, "405: \(problems)")

            // Streams: 200 with text/event-stream, and each event's data is a Message.
            let messageSchema: [String: Any] = ["$ref": "#/components/schemas/Message"]
            let streams = [
                ("/api/bus/stream?project_id=demo&task_id=build", "/api/bus/stream"),
                ("/api/v1/messages/stream?project_id=demo&task_id=build", "/api/v1/messages/stream"),
                ("/api/projects/demo/messages/stream", "/api/projects/{project}/messages/stream"),
                (
                    "/api/projects/demo/tasks/build/messages/stream",
                    "/api/projects/{project}/tasks/{task}/messages/stream"
                ),
            ]
            for (concrete, path) in streams {
                let reply = try curl(sandbox, ["--max-time", "2", url + concrete])
                #expect(reply.status == 200, "\(concrete): \(reply.status)")
                let response = try document.response(path, "get", status: reply.status)
                #expect(try document.schema(of: response, media: "text/event-stream") != nil, "\(path)")
                let data = reply.body.split(separator: "\n").filter { $0.hasPrefix("data: ") }
                #expect(!data.isEmpty, "\(concrete): \(reply.body.prefix(300))")
                for line in data {
                    let problems = document.validate(try JSONValue(parsing: String(line.dropFirst(6))), messageSchema)
                    #expect(problems.isEmpty, "\(concrete): \(problems)")
                }
            }
            let unknownStream = try curl(sandbox, ["--max-time", "5", url + "/api/projects/nothing/messages/stream"])
            #expect(unknownStream.status == 404)
            _ = try document.response("/api/projects/{project}/messages/stream", "get", status: unknownStream.status)
            #expect(server.stop() == 0)
        }
    }

    /// The validator itself refuses what it should, so a passing check above means something.
    @Test func theSchemaValidatorRefusesWhatDoesNotMatch() throws {
        let document = try OpenAPISchema(
            yaml: """
                openapi: 3.1.0
                components:
                  schemas:
                    Item:
                      type: object
                      additionalProperties: false
                      required: [id]
                      properties:
                        id: {type: string}
                        count: {type: integer}
                        on: {type: boolean}
                        kind: {type: string, enum: [a, b]}
                        tags: {type: array, items: {type: string}}
                        meta: {type: object, additionalProperties: {type: string}}
                """
        )
        let item: [String: Any] = ["$ref": "#/components/schemas/Item"]
        let good = #"{"id":"x","count":2,"on":true,"kind":"a","tags":["t"],"meta":{"k":"v"}}"#
        #expect(document.validate(try JSONValue(parsing: good), item).isEmpty)
        for bad in [
            #"{"count":2}"#, #"{"id":1}"#, #"{"id":"x","count":true}"#, #"{"id":"x","on":1}"#,
            #"{"id":"x","kind":"c"}"#, #"{"id":"x","tags":[1]}"#, #"{"id":"x","meta":{"k":1}}"#,
            #"{"id":"x","extra":1}"#, #"["x"]"#,
        ] {
            #expect(!document.validate(try JSONValue(parsing: bad), item).isEmpty, "\(bad)")
        }
        #expect(!document.validate(.string("x"), ["$ref": "#/components/schemas/Nothing"]).isEmpty)
    }

    /// The routes `BusAPI.register` adds, read from its source: `router.get("...")` literals, and for each
    /// `Family(base: "...")` the base (GET, POST) and its `/stream` (GET).
    private static func registeredRoutes() throws -> [String: Set<String>] {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/"
            && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
        {
            url = url.deletingLastPathComponent()
        }
        let source = try String(
            contentsOf: url.appendingPathComponent("Sources/BusServer/BusAPI.swift"),
            encoding: .utf8
        )
        var routes: [String: Set<String>] = [:]
        for match in source.matches(of: /router\.(get|post)\("([^"]+)"\)/) {
            routes[String(match.output.2), default: []].insert(String(match.output.1))
        }
        for match in source.matches(of: /Family\(base: "([^"]+)"/) {
            let base = String(match.output.1)
            routes[base, default: []].formUnion(["get", "post"])
            routes[base + "/stream", default: []].insert("get")
        }
        return routes
    }
}
