import BusCore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure into the API's JSON error body: Hummingbird's own errors (an unknown route, an
/// oversize body) and anything unexpected (500 INTERNAL, logged).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(httpError: error)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            throw APIError(status: .internalServerError, code: "INTERNAL", message: "\(error)", exitCode: 70)
        }
    }
}

extension APIError {
    init(httpError: HTTPError) {
        let message = httpError.body ?? httpError.status.reasonPhrase
        switch httpError.status {
        case .notFound: self = .notFound("no such route")
        case .contentTooLarge: self = .payloadTooLarge(message)
        case .badRequest: self = .badRequest(message)
        case .unauthorized: self = .unauthorized(message)
        case .methodNotAllowed:
            self = APIError(status: .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: message, exitCode: 64)
        default:
            self = APIError(status: httpError.status, code: "INTERNAL", message: message, exitCode: 70)
        }
    }
}

/// `--token`: every route but `/healthz` needs `Authorization: Bearer <token>` or `X-API-Key: <token>`.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    static var apiKeyField: HTTPField.Name? { HTTPField.Name("X-API-Key") }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if request.uri.path == "/healthz" { return try await next(request, context) }
        var presented: String?
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { presented = String(parts[1]) }
        }
        if presented == nil, let field = Self.apiKeyField { presented = request.headers[field] }
        guard let presented else {
            throw APIError.unauthorized("a token is required: send Authorization: Bearer <token> or X-API-Key")
        }
        guard ConstantTime.equal(Array(presented.utf8), token) else { throw APIError.unauthorized("wrong token") }
        return try await next(request, context)
    }
}

/// Comparison whose time does not depend on where the inputs differ (a token check must not leak a prefix).
enum ConstantTime {
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        // The length is compared too, but every byte of the longer input is visited either way.
        var difference = UInt64(lhs.count ^ rhs.count)
        let count = max(lhs.count, rhs.count)
        for index in 0..<count {
            let a = index < lhs.count ? lhs[index] : 0
            let b = index < rhs.count ? rhs[index] : 0
            difference |= UInt64(a ^ b)
        }
        return difference == 0
    }
}
