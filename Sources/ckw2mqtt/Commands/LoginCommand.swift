import ArgumentParser
import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import OpenEnergy

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to CKW once; the bridge keeps the login alive from then on.",
        discussion: """
            By default a listener on 127.0.0.1 receives the login's redirect: open the printed URL in \
            a browser on this machine. On a machine without a browser use --paste: open the URL \
            anywhere, log in, and paste the address the browser ends up at.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Paste the final redirect URL instead of receiving it on a loopback listener.")
    var paste = false

    @Option(help: "The loopback listener's port when ckw.redirect_uri has none (default: a free one).")
    var port: Int = 0

    func run() async throws {
        let configuration = try options.load()
        LoggingSetup.bootstrap(level: configuration.logging.level > .notice ? configuration.logging.level : .notice)
        guard configuration.ckw.mode.needsUserLogin(configuration.ckw.userIdentification) else {
            Terminal.print("No login needed: \(configuration.ckw.accessDescription)")
            return
        }
        let ckw = configuration.ckw
        let client = OIDCClientConfiguration(
            issuer: OIDCIssuer(ckw.issuer.url), clientID: ckw.clientID ?? "", clientSecret: ckw.clientSecret?.plaintext,
            redirectURI: ckw.redirectURI, scopes: ckw.scopes)
        let store = TokenStore(directory: URL(fileURLWithPath: configuration.bridge.stateDirectory, isDirectory: true))
        let httpClient = try CKWHTTPClient.make(configuration)
        let login = OIDCLogin(client: client, httpClient: httpClient)
        let tokens: TokenSet
        do {
            let redirect = LoopbackRedirect(registered: ckw.redirectURI)
            if !paste, redirect == nil {
                Terminal.note("""
                    ckw.redirect_uri (\(ckw.redirectURI.absoluteString)) is not a loopback address, so no listener here can \
                    receive the login's redirect: using the paste flow.
                    """)
            }
            if !paste, let redirect {
                tokens = try await loopbackLogin(login, redirect: try listening(redirect))
            } else {
                tokens = try await pasteLogin(login)
            }
            try store.save(tokens)
            try await httpClient.shutdown()
        } catch {
            try? await httpClient.shutdown()
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        Terminal.print("""
            Logged in. The login is stored in \(store.fileURL.path).
            A running bridge picks it up within seconds (or at once on SIGHUP: systemctl reload ckw2mqtt).
            """)
        if let notice = tokens.durationNotice(requestedScopes: ckw.scopes) {
            Terminal.note(notice)
        }
    }

    /// The registered redirect as the listener uses it: its port if it names one (the identity provider
    /// matches it), else `--port` or a free one.
    private func listening(_ registered: LoopbackRedirect) throws -> LoopbackRedirect {
        guard let registeredPort = registered.port else {
            return LoopbackRedirect(host: registered.host, port: port == 0 ? nil : port, path: registered.path)
        }
        if port != 0, port != registeredPort {
            throw ValidationError("""
                --port \(port) differs from the port of ckw.redirect_uri (\(registeredPort)); CKW only redirects to the \
                registered address. Leave out --port, or change ckw.redirect_uri to what is registered.
                """)
        }
        return registered
    }

    private func loopbackLogin(_ login: OIDCLogin, redirect: LoopbackRedirect) async throws -> TokenSet {
        try await login.loginWithLoopback(redirect: redirect) { url in
            Terminal.print("Open this address in a browser on this machine and log in to CKW:\n\n  \(url.absoluteString)\n\nWaiting for the login (5 minutes)...")
        }
    }

    private func pasteLogin(_ login: OIDCLogin) async throws -> TokenSet {
        let pending = try await login.start()
        Terminal.print("""
            Open this address in any browser and log in to CKW:

              \(pending.loginURL.absoluteString)

            The browser then goes to an address starting with \(login.client.redirectURI?.absoluteString ?? "the redirect URI") \
            (the page may fail to load; that is expected). Copy that whole address from the address bar and paste it here:
            """)
        guard let line = readLine(strippingNewline: true), !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw OpenEnergyAuthError.invalidRedirect("nothing was pasted")
        }
        return try await login.finish(pending, pastedURL: line.trimmingCharacters(in: .whitespaces))
    }
}
