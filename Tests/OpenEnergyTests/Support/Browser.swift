import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Plays the user's browser against the simulator over real HTTP: follows redirects, and on the Keycloak
/// login page fills in and posts the form, as a person would.
struct Browser {
    enum Failure: Error, CustomStringConvertible {
        case unexpectedPage(status: Int, url: String)
        case tooManyRedirects

        var description: String {
            switch self {
            case let .unexpectedPage(status, url): "browser got HTTP \(status) at \(url)"
            case .tooManyRedirects: "browser followed too many redirects"
            }
        }
    }

    let httpClient: HTTPClient
    var username = "demo"
    var password = "demo"
    /// Stop before following a redirect whose URL starts with this, and return it (the paste-the-URL mode).
    var stopAtRedirectPrefix: String?
    /// Changes the final redirect before it is delivered (to forge one).
    var rewriteRedirect: (@Sendable (URL) -> URL)?

    /// Opens `url` and goes on until a page that is not a redirect or login form; returns the last URL
    /// requested (or the one it stopped at).
    @discardableResult
    func open(_ url: URL) async throws -> URL {
        var current = url
        var method = HTTPMethod.GET
        var body: String?
        for _ in 0..<10 {
            var request = HTTPClientRequest(url: current.absoluteString)
            request.method = method
            if let body {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            let page = String(buffer: try await response.body.collect(upTo: 1 << 20))
            if (300..<400).contains(response.status.code), let location = response.headers.first(name: "Location") {
                var next = URL(string: location, relativeTo: current)!.absoluteURL
                if let stopAtRedirectPrefix, next.absoluteString.hasPrefix(stopAtRedirectPrefix) {
                    return next
                }
                if let rewriteRedirect, next.path == "/callback" {
                    next = rewriteRedirect(next)
                }
                (current, method, body) = (next, .GET, nil)
                continue
            }
            // The login page came back with an error (wrong password): a person would stop here.
            if page.contains("input-error") {
                return current
            }
            if response.status == .ok, page.contains("kc-form-login"), let action = Self.formAction(in: page) {
                let form = [("username", username), ("password", password), ("login", "Anmelden")]
                    .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                    .joined(separator: "&")
                (current, method, body) = (URL(string: action, relativeTo: current)!.absoluteURL, .POST, form)
                continue
            }
            guard response.status == .ok else {
                throw Failure.unexpectedPage(status: Int(response.status.code), url: current.absoluteString)
            }
            return current
        }
        throw Failure.tooManyRedirects
    }

    /// The login form's `action`, HTML entities decoded.
    static func formAction(in page: String) -> String? {
        guard let formStart = page.range(of: "id=\"kc-form-login\""),
              let actionStart = page.range(of: "action=\"", range: formStart.upperBound..<page.endIndex),
              let actionEnd = page.range(of: "\"", range: actionStart.upperBound..<page.endIndex)
        else { return nil }
        return String(page[actionStart.upperBound..<actionEnd.lowerBound])
            .replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'")
    }
}
