import Bridge
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context of the HTTP endpoint: the peer's address decides who may act.
struct WebRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The web page at the server's root and its small API: `api/status` (GET), `api/login`,
/// `api/login/complete`, `api/logout` and `api/fetch` (POST, with the CSRF token), and `callback`
/// (the login's redirect, when the registered redirect URI points here).
struct WebPage: Sendable {
    let control: any BridgeControl
    let policy: WebAccessPolicy
    let csrf: CSRFToken

    /// Bodies are one pasted address at most.
    static let largestBody = 16 * 1024

    func addRoutes(to router: Router<WebRequestContext>) {
        router.get("/") { request, context in page(request, context) }
        router.get("app.js") { _, _ in asset(WebPageAssets.javaScript, type: "text/javascript; charset=utf-8") }
        router.get("style.css") { _, _ in asset(WebPageAssets.css, type: "text/css; charset=utf-8") }
        router.get("api/status") { request, context in await status(request, context) }
        router.post("api/login") { request, context in
            await action(request, context) { (_: [String: String]) async throws(LoginProblem) -> [String: String] in
                let url = try await control.startLogin()
                let status = await control.status()
                return ["login_url": url.absoluteString, "redirect_uri": status.redirectURI.absoluteString]
            }
        }
        router.post("api/login/complete") { request, context in
            await action(request, context) { (body: [String: String]) async throws(LoginProblem) -> [String: String] in
                guard let address = body["address"], !address.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw LoginProblem(.notARedirect, "Paste the address the browser shows after the CKW login.")
                }
                try await control.completeLogin(pastedAddress: address)
                return ["message": "Logged in. The bridge fetches the meter data now."]
            }
        }
        router.post("api/logout") { request, context in
            await action(request, context) { (_: [String: String]) async throws(LoginProblem) -> [String: String] in
                let outcome = try await control.logout()
                return ["message": "Logged out: the stored login is deleted. \(outcome)"]
            }
        }
        router.post("api/fetch") { request, context in
            await action(request, context) { (_: [String: String]) async throws(LoginProblem) -> [String: String] in
                guard await control.fetchNow() else {
                    throw LoginProblem(.notLoggedIn, "Log in to CKW first; the bridge cannot fetch without a login.")
                }
                return ["message": "Fetching now; the values appear here within a minute."]
            }
        }
        router.get("callback") { request, context in await callback(request, context) }
    }

    // MARK: Handlers

    private func decision(_ request: Request, _ context: WebRequestContext) -> WebAccessPolicy.Decision {
        policy.decide(
            clientAddress: context.remoteAddress?.ipAddress, authorization: request.headers[.authorization],
            host: request.head.authority)
    }

    private func page(_ request: Request, _ context: WebRequestContext) -> Response {
        let decision = decision(request, context)
        // With a password configured, the browser asks for it on the first page load and then
        // sends it with every request, so the buttons work.
        if decision == .credentialRequired { return Self.credentialRequired(html: true) }
        let base = IngressPath.baseHref(request.headers[HTTPField.Name(IngressPath.headerName)!])
            .map { "<base href=\"\(Self.escape($0))\">\n" } ?? ""
        // The token only goes to clients that may use it.
        let token = decision == .allowed ? csrf.value : ""
        let html = WebPageAssets.html
            .replacingOccurrences(of: "{{BASE}}", with: base)
            .replacingOccurrences(of: "{{CSRF}}", with: Self.escape(token))
        return Self.response(.ok, type: "text/html; charset=utf-8", body: html)
    }

    private func asset(_ text: String, type: String) -> Response {
        Self.response(.ok, type: type, body: text)
    }

    private func status(_ request: Request, _ context: WebRequestContext) async -> Response {
        let decision = decision(request, context)
        if decision == .credentialRequired { return Self.credentialRequired(html: false) }
        let document = StatusDocument(
            await control.status(), canAct: decision == .allowed,
            accessNote: decision == .allowed ? nil : WebAccessPolicy.forbiddenExplanation)
        guard let data = try? document.encoded() else {
            return Self.json(.internalServerError, ["error": "The status could not be encoded."])
        }
        return Self.response(.ok, type: "application/json", body: String(decoding: data, as: UTF8.self))
    }

    /// Access first, then the CSRF token, then the body: a refused request changes nothing.
    private func action(
        _ request: Request, _ context: WebRequestContext,
        _ perform: @Sendable ([String: String]) async throws(LoginProblem) -> [String: String]
    ) async -> Response {
        switch decision(request, context) {
        case .allowed: break
        case .credentialRequired: return Self.credentialRequired(html: false)
        case .forbidden: return Self.json(.forbidden, ["error": WebAccessPolicy.forbiddenExplanation])
        }
        guard csrf.accepts(request.headers[HTTPField.Name(CSRFToken.headerName)!]) else {
            return Self.json(.forbidden, ["error": "This request lacks the page's security token (CSRF), so it was refused. Reload the page and try again."])
        }
        var request = request
        let body: [String: String]
        do {
            let buffer = try await request.collectBody(upTo: Self.largestBody)
            body = Self.fields(of: buffer)
        } catch {
            return Self.json(.contentTooLarge, ["error": "The request is too large."])
        }
        do {
            return Self.json(.ok, try await perform(body))
        } catch {
            return Self.json(Self.status(of: error), ["error": error.message])
        }
    }

    private func callback(_ request: Request, _ context: WebRequestContext) async -> Response {
        switch decision(request, context) {
        case .allowed: break
        case .credentialRequired: return Self.credentialRequired(html: true)
        case .forbidden: return Self.resultPage(status: .forbidden, title: "Not allowed", text: WebAccessPolicy.forbiddenExplanation)
        }
        do {
            try await control.completeLogin(callbackQuery: request.uri.query ?? "")
        } catch {
            return Self.resultPage(status: Self.status(of: error), title: "The login did not work", text: error.message)
        }
        // Back to the page; relative, so it works under any prefix.
        return Response(status: .seeOther, headers: [.location: "./", .cacheControl: "no-store"])
    }

    // MARK: Responses

    private static func status(of problem: LoginProblem) -> HTTPResponse.Status {
        switch problem.kind {
        case .unreachable: .badGateway
        case .storage: .internalServerError
        case .noAttempt, .notClientMode, .notLoggedIn: .conflict
        default: .badRequest
        }
    }

    /// The headers of every page response: never cached, never framed by another site, no referrer
    /// (the address of a login may carry a code), scripts and styles only from here.
    private static func headers(type: String) -> HTTPFields {
        [
            .contentType: type,
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        ]
    }

    private static func response(_ status: HTTPResponse.Status, type: String, body: String) -> Response {
        Response(status: status, headers: headers(type: type), body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private static func json(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return response(status, type: "application/json", body: String(decoding: data, as: UTF8.self))
    }

    private static func credentialRequired(html: Bool) -> Response {
        var response = html
            ? resultPage(status: .unauthorized, title: "Password required", text: WebAccessPolicy.credentialExplanation)
            : json(.unauthorized, ["error": WebAccessPolicy.credentialExplanation])
        response.headers[.wwwAuthenticate] = "Basic realm=\"ckw2mqtt\", charset=\"UTF-8\""
        return response
    }

    private static func resultPage(status: HTTPResponse.Status, title: String, text: String) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ckw2mqtt: \(escape(title))</title><link rel="stylesheet" href="style.css"></head>
            <body><main><h1>\(escape(title))</h1><p id="message" role="alert">\(escape(text))</p>
            <p><a href="./">Back to the status page</a></p></main></body></html>
            """
        return response(status, type: "text/html; charset=utf-8", body: html)
    }

    /// A JSON object of strings, or a form; anything else gives no fields.
    static func fields(of buffer: ByteBuffer) -> [String: String] {
        let text = String(buffer: buffer)
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            return object.compactMapValues { $0 as? String }
        }
        var components = URLComponents()
        components.percentEncodedQuery = text.replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
