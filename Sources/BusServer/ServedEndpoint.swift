import HTTPTypes
import Hummingbird
import NIOCore

/// A request to an endpoint another module answers (`/mcp`), in plain terms: BusServer imports no MCP.
package struct EndpointRequest: Sendable {
    package var method: String
    package var headers: [String: String]
    package var body: [UInt8]
}

/// An endpoint's answer: status, headers, and a whole body or a stream of chunks (SSE).
package struct EndpointResponse: Sendable {
    package enum Body: Sendable {
        case bytes([UInt8])
        case stream(AsyncThrowingStream<[UInt8], any Error>)
    }

    package var status: Int
    package var headers: [String: String]
    package var body: Body

    package init(status: Int, headers: [String: String], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// An endpoint served at a path of its own, behind the server's token (`serve` serves MCP at `/mcp`).
package protocol ServedEndpoint: Sendable {
    func handle(_ request: EndpointRequest) async -> EndpointResponse
    /// Ends its open streams: graceful shutdown waits for every open response.
    func close() async
}

/// Routes GET, POST and DELETE on a path to a `ServedEndpoint`.
struct EndpointRoute {
    let path: String
    let endpoint: any ServedEndpoint
    let maxRequestBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .delete] {
            router.on(RouterPath(path), method: method) { request, _ in try await answer(request) }
        }
    }

    private func answer(_ request: Request) async throws -> Response {
        let buffer = try await request.body(refusingOver: maxRequestBytes)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let answer = await endpoint.handle(
            EndpointRequest(method: request.method.rawValue, headers: headers, body: Array(buffer.readableBytesView))
        )
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .bytes(let bytes):
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let chunks):
            return Response(
                status: status,
                headers: fields,
                body: ResponseBody { writer in
                    for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                }
            )
        }
    }
}
