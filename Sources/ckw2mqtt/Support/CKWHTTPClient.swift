import ArgumentParser
import AsyncHTTPClient
import Bridge
import Logging
import OpenEnergy

/// The HTTP client of the commands that talk to CKW outside the bridge (`login`, `logout`): the
/// configured trust settings, with the same warning as the bridge when verification is off.
enum CKWHTTPClient {
    static func make(_ configuration: BridgeConfiguration) throws -> HTTPClient {
        let logger = Logger(label: "ckw2mqtt")
        for warning in InsecureTLSWarning.ckwWarnings(configuration.ckw.tls) {
            logger.warning("\(warning)")
        }
        do {
            return try OpenEnergyHTTP.makeHTTPClient(tls: configuration.ckw.tls.openEnergy)
        } catch {
            Terminal.error("ckw.tls.ca_file: \(error)")
            throw ExitCode.failure
        }
    }
}
