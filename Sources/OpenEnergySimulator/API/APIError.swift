import Hummingbird
import OpenEnergy

/// An error answer of the API in the wire format `{ "error": "<code>", "message": "<text>" }`.
struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var headers: HTTPFields = [:]

    static func invalidToken(_ message: String) -> APIError {
        APIError(
            status: .unauthorized, code: "invalid_token", message: message,
            headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\", error_description=\"\(message)\""]
        )
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: message)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "bad_request", message: message)
    }

    var response: Response {
        Responses.json(OpenEnergyWire.ErrorBody(error: code, message: message), status: status, headers: headers)
    }
}
