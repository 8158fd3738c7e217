import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergy

/// A login without a person, for an identity provider that approves at once: the simulator with
/// auto-approve, which `ckw2mqtt demo` and the end-to-end tests log in to. It is the real
/// authorization code flow (PKCE, state, nonce, ID token check); only the browser is played by an
/// HTTP request that reads the redirect instead of following it.
public enum AutomaticLogin {
    public enum Failure: Error, CustomStringConvertible {
        case notApprovedAtOnce(status: UInt)

        public var description: String {
            switch self {
            case .notApprovedAtOnce(let status):
                "The identity provider did not approve the login at once (HTTP \(status)); only an auto-approving provider can be logged in to without a browser."
            }
        }
    }

    /// Logs in and saves the tokens in `store`.
    public static func login(client: OIDCClientConfiguration, store: TokenStore, httpClient: HTTPClient) async throws {
        let login = OIDCLogin(client: client, httpClient: httpClient)
        // Never listened on: the redirect is read from the provider's answer.
        let pending = try await login.start(redirectURI: URL(string: "http://127.0.0.1:9/callback")!)
        var request = HTTPClientRequest(url: pending.loginURL.absoluteString)
        request.method = .GET
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        _ = try? await response.body.collect(upTo: 1 << 20)
        guard (300..<400).contains(response.status.code), let location = response.headers.first(name: "Location"),
              let redirect = URL(string: location, relativeTo: pending.loginURL)?.absoluteURL
        else {
            throw Failure.notApprovedAtOnce(status: response.status.code)
        }
        try store.save(try await login.finish(pending, redirect: redirect))
    }
}
