import Foundation
import Hummingbird

/// Small constructors for the responses the simulator sends.
enum Responses {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding the simulator's own value types cannot fail; an empty object keeps the answer well-formed.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return json(data: data, status: status, headers: headers)
    }

    static func json(data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page))
        )
    }

    static func oauthError(_ error: OAuthError) -> Response {
        var headers: HTTPFields = [:]
        if error.status == .unauthorized {
            headers[.wwwAuthenticate] = "Basic realm=\"CKW\""
        }
        return json(error, status: error.status, headers: headers)
    }

    /// A 302 to `base` with query parameters appended (keeping any query `base` already has).
    static func redirect(to base: String, query: [(String, String)]) -> Response {
        let encoded = query.map { "\($0.0)=\(FormFields.encode($0.1))" }.joined(separator: "&")
        let separator = base.contains("?") ? "&" : "?"
        return Response(status: .found, headers: [.location: base + separator + encoded, .cacheControl: "no-store"])
    }

    static func empty(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status)
    }
}

extension Request {
    /// The body as text, at most `maxUploadSize` (forms are small).
    func bodyText(context: some RequestContext) async throws -> String {
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return String(buffer: buffer)
    }
}
