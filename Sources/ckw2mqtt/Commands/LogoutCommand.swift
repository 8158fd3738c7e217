import ArgumentParser
import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import OpenEnergy

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Revoke the CKW login (where CKW allows it) and delete the stored tokens.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(ckw: .suppliedByCaller)
        LoggingSetup.bootstrap(level: .warning)
        let store = TokenStore(directory: URL(fileURLWithPath: configuration.bridge.stateDirectory, isDirectory: true))
        let tokens: TokenSet?
        do {
            tokens = try store.load()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        guard let tokens else {
            Terminal.print("Not logged in (no \(store.fileURL.path)).")
            return
        }
        if let refreshToken = tokens.refreshToken {
            let httpClient = try CKWHTTPClient.make(configuration)
            await revoke(refreshToken, tokens: tokens, configuration: configuration, httpClient: httpClient)
            try? await httpClient.shutdown()
        }
        do {
            try store.delete()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        Terminal.print("Logged out: \(store.fileURL.path) deleted.")
    }

    /// Best effort: the tokens are deleted either way; a login that cannot be revoked expires.
    private func revoke(_ refreshToken: String, tokens: TokenSet, configuration: BridgeConfiguration, httpClient: HTTPClient) async {
        guard let issuerURL = URL(string: tokens.issuer) else { return }
        let issuer = OIDCIssuer(issuerURL)
        do {
            let metadata = try await OIDCDiscovery.fetch(issuer: issuer, httpClient: httpClient)
            guard let revocation = metadata.revocationEndpoint else {
                Terminal.note("CKW offers no revocation; the login expires on its own.")
                return
            }
            let endpoint = TokenEndpoint(
                metadata: metadata,
                client: OIDCClientConfiguration(issuer: issuer, clientID: tokens.clientID, clientSecret: configuration.ckw.clientSecret?.plaintext),
                httpClient: httpClient)
            try await endpoint.revoke(refreshToken, at: revocation)
            Terminal.note("The login was revoked at CKW.")
        } catch {
            Terminal.note("Could not revoke the login at CKW (\(error)); deleting it here anyway.")
        }
    }
}
