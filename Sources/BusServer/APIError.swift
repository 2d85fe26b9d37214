import BusCore
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answer of the API: `{"error":{"code":"...","message":"...","exit_code":N}}` (CONTRACT section 7).
///
/// `exit_code` is the CLI's exit code for the same failure, so a remote client exits as a local one would.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var exitCode: Int32
    var extraHeaders: HTTPFields = [:]

    var description: String { "\(status.code) \(code): \(message)" }

    var headers: HTTPFields {
        var fields = extraHeaders
        fields[.contentType] = "application/json"
        return fields
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body =
            "{\"error\":{\"code\":" + MessageJSON.string(code) + ",\"message\":" + MessageJSON.string(message)
            + ",\"exit_code\":" + String(exitCode) + "}}\n"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "BAD_REQUEST", message: message, exitCode: 65)
    }

    static func notFound(_ message: String, exitCode: Int32 = 66) -> APIError {
        APIError(status: .notFound, code: "NOT_FOUND", message: message, exitCode: exitCode)
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        var error = APIError(
            status: .methodNotAllowed,
            code: "METHOD_NOT_ALLOWED",
            message: "method \(method.rawValue) not allowed here; allowed: "
                + allowed.map(\.rawValue).joined(separator: ", "),
            exitCode: 64
        )
        error.extraHeaders[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return error
    }

    static func payloadTooLarge(_ message: String) -> APIError {
        APIError(status: .contentTooLarge, code: "PAYLOAD_TOO_LARGE", message: message, exitCode: 65)
    }

    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(status: .unauthorized, code: "UNAUTHORIZED", message: message, exitCode: 77)
        error.extraHeaders[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func unavailable(_ message: String) -> APIError {
        APIError(status: .serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: message, exitCode: 75)
    }
}

extension APIError {
    /// The answer for an engine error: the same message the CLI prints, and its exit code.
    init(_ error: BusError) {
        let message = error.description
        switch error {
        case .invalidMessage, .invalidUTF8, .messageOverLimit, .unsafePathComponent, .invalidSetting,
            .tooManyArguments, .notATerminal:
            self = .badRequest(message)
        case .bodyTooLarge:
            self = .payloadTooLarge(message)
        case .sinceNotFound:
            self = .notFound(message, exitCode: 65)
        case .busNotFound:
            self = .notFound(message)
        case .symlink, .notRegularFile, .hardLinked, .folderRefused:
            self = APIError(status: .forbidden, code: "FORBIDDEN", message: message, exitCode: 73)
        case .lockTimeout:
            self = .unavailable(message)
            // The writer gave up after its own timeout; a second later another may have released the lock.
            extraHeaders[.retryAfter] = "1"
        case .system:
            self = APIError(status: .internalServerError, code: "INTERNAL", message: message, exitCode: 74)
        }
        exitCode = error.exitCode
    }
}
