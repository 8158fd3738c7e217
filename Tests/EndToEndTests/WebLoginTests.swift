import AsyncHTTPClient
import Bridge
import Foundation
import HomeAssistant
import NIOCore
import NIOHTTP1
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

/// The web page's control of a running bridge (`BridgeControl`), against the simulator's real
/// OAuth2 endpoints: the login it starts is taken at once, logging out stops the fetching, and every
/// failure comes as a sentence of the right kind. The browser test drives the same through HTTP.
@Suite("Log in and out from the web page", .timeLimit(.minutes(2)))
struct WebLoginTests {
    @Test("a login from the page is used at once; mistakes are explained; logging out stops the fetching")
    func loginLogout() async throws {
        try await withHarness { harness in
            // Nobody has logged in yet.
            try FileManager.default.removeItem(atPath: harness.stateDirectory + "/tokens.json")
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let bridge = try #require(harness.bridge)
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "login_required") { $0["auth"] as? String == "login_required" }
            #expect(await bridge.status().login == .loggedOut)
            #expect(await bridge.status().notice?.contains("Not logged in") == true)

            try await expectProblem(.noAttempt) { try await bridge.completeLogin(pastedAddress: "http://127.0.0.1/callback?state=s&code=c") }
            let loginURL = try await bridge.startLogin()
            #expect(await bridge.status().loginInProgress)
            let redirect = try await redirectOfApprovedLogin(loginURL)
            try await expectProblem(.notARedirect) { try await bridge.completeLogin(pastedAddress: "I logged in") }
            let forged = redirect.replacingOccurrences(of: "state=", with: "state=x")
            try await expectProblem(.staleAttempt) { try await bridge.completeLogin(pastedAddress: forged) }

            // The mistakes left the attempt open: the right address still works, once.
            try await bridge.completeLogin(pastedAddress: "  \(redirect)\n")
            // Taken at once, not when the bridge next looks at the token file.
            switch await bridge.status().login {
            case .checking, .loggedIn: break
            case let other: Issue.record("right after the login the bridge still reports \(other)")
            }
            try await expectProblem(.noAttempt) { try await bridge.completeLogin(pastedAddress: redirect) }
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "ok after the page's login") { $0["auth"] as? String == "ok" }
            let id = try #require((info["metering_points"] as? [String])?.first)
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "online") { $0.payload == "online" }
            let status = await bridge.status()
            guard case .loggedIn = status.login else { throw WebLoginFailure("not logged in: \(status.login)") }
            #expect(status.meters.map(\.description.meteringPointID) == [id])
            #expect(status.meters.first?.readout.importTotal != nil)

            // Declined at CKW.
            await harness.simulator.controls.denyNextLogin()
            let declined = try await redirectOfApprovedLogin(try await bridge.startLogin())
            try await expectProblem(.denied) { try await bridge.completeLogin(pastedAddress: declined) }

            // The callback path takes the query of the redirect.
            let callback = try await redirectOfApprovedLogin(try await bridge.startLogin())
            try await bridge.completeLogin(callbackQuery: try #require(URLComponents(string: callback)?.percentEncodedQuery))

            #expect(await bridge.fetchNow())
            let outcome = try await bridge.logout()
            #expect(outcome == .revoked)
            #expect(!FileManager.default.fileExists(atPath: harness.stateDirectory + "/tokens.json"))
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "login_required after the logout") { $0["auth"] as? String == "login_required" }
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "offline after the logout") { $0.payload == "offline" }
            #expect(await bridge.status().login == .loggedOut)
            #expect(await bridge.fetchNow() == false)

            // CKW unreachable.
            await harness.simulator.shutdown()
            try await expectProblem(.unreachable) { _ = try await bridge.startLogin() }
            await watcher.stop()
        }
    }

    /// Opens the login URL as a browser would; the harness's simulator approves at once and
    /// redirects to the registered redirect URI, which is where the address comes from.
    private func redirectOfApprovedLogin(_ url: URL) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        guard (300..<400).contains(Int(response.status.code)), let location = response.headers.first(name: "location") else {
            throw WebLoginFailure("the login answered \(response.status) without a redirect")
        }
        return location
    }

    private func expectProblem(
        _ kind: LoginProblem.Kind, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
            Issue.record("expected a \(kind) problem", sourceLocation: sourceLocation)
        } catch let error as LoginProblem {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("code=") && !error.message.contains("eyJ"), "\(error.message)", sourceLocation: sourceLocation)
        }
    }
}

private struct WebLoginFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
