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
        if tokens.refreshToken != nil {
            let httpClient = try CKWHTTPClient.make(configuration)
            Terminal.note(await LoginRevocation.revoke(tokens, clientSecret: configuration.ckw.clientSecret?.plaintext, httpClient: httpClient).description)
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
}
