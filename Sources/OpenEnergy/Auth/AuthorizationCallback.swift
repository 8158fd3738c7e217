import Foundation

/// Reading the redirect that ends the browser part of a login: from the loopback listener, or from the URL a
/// user pasted.
public enum AuthorizationCallback {
    /// The code in `redirect`, after checking it answers `request`.
    ///
    /// Order matters: the state is checked first, so a forged redirect is reported as such even when it also
    /// carries an error; a redirect for this attempt with `error=` becomes `authorizationDenied`.
    public static func authorizationCode(
        from redirect: URL,
        for request: AuthorizationRequest,
        expectedIssuer: OIDCIssuer
    ) throws(OpenEnergyAuthError) -> String {
        let parameters = try self.parameters(of: redirect)
        guard let state = parameters["state"], state == request.state else {
            throw .stateMismatch
        }
        // RFC 9207: a provider that sends `iss` lets us detect a response from another provider.
        if let issuer = parameters["iss"], !expectedIssuer.matches(issuer) {
            throw .issuerMismatch(expected: expectedIssuer.description, received: issuer)
        }
        if let error = parameters["error"] {
            throw .authorizationDenied(error: error, description: parameters["error_description"])
        }
        guard let code = parameters["code"], !code.isEmpty else {
            throw .missingAuthorizationCode
        }
        return code
    }

    /// A URL a user pasted: whitespace and quotes around it are tolerated, anything else must be a URL with
    /// a query (or a fragment, for `response_mode=fragment`).
    public static func parsePastedURL(_ text: String) throws(OpenEnergyAuthError) -> URL {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\"'<>"))
        guard let url = URL(string: trimmed), url.scheme != nil else {
            throw .invalidRedirect("'\(String(trimmed.prefix(80)))' is not a URL; paste the whole address from the browser's address bar")
        }
        guard url.query != nil || url.fragment != nil else {
            throw .invalidRedirect("the URL has no query; paste the address the browser was redirected to after the login")
        }
        return url
    }

    /// Query (or fragment) parameters; a parameter given twice makes the redirect invalid (RFC 6749 3.1).
    static func parameters(of url: URL) throws(OpenEnergyAuthError) -> [String: String] {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw .invalidRedirect("unparsable redirect URL")
        }
        var items = components.queryItems ?? []
        if items.isEmpty, let fragment = components.fragment {
            var fragmentComponents = URLComponents()
            fragmentComponents.percentEncodedQuery = fragment
            items = fragmentComponents.queryItems ?? []
        }
        var result: [String: String] = [:]
        for item in items {
            guard result[item.name] == nil else {
                throw .invalidRedirect("parameter '\(item.name)' appears more than once")
            }
            result[item.name] = item.value ?? ""
        }
        return result
    }
}
