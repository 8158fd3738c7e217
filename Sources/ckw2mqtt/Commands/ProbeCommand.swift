import ArgumentParser
import Bridge
import Foundation
import Logging

/// `ckw2mqtt probe`: checks the assumed API contract against what CKW really serves.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Ask CKW for core data and one day of meter data with the stored login, and show what came back and what the bridge understood.",
        discussion: """
            Uses the same configuration and state directory as `run` (the login of `ckw2mqtt login`). \
            Costs one request for core data and one per metering point (at most three). With --raw FILE, \
            every response is written to FILE with names, addresses, customer numbers, metering point ids \
            and tokens masked (the same value always gets the same mask), ready to attach to a bug report.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: ArgumentHelp("Write the raw responses, masked, to this file (mode 0600).", valueName: "file"))
    var raw: String?

    func run() async throws {
        let configuration = try options.load()
        LoggingSetup.bootstrap(configuration.logging)
        let logger = Logger(label: "ckw2mqtt")
        let probe = ContractProbe(configuration: configuration, logger: logger, output: { Terminal.print($0) })
        let result: ContractProbe.Result
        do {
            result = try await probe.run()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        if let raw {
            do {
                try RawExchangeText.writePrivately(result.rawText, to: raw)
                Terminal.print("\nThe raw responses, masked, are in \(raw).")
            } catch {
                Terminal.error("\(error)")
                throw ExitCode.failure
            }
        }
        if !result.succeeded {
            Terminal.print("\nSomething did not work. Please open an issue with this output" + (raw == nil ? " and the file of `ckw2mqtt probe --raw FILE`." : " and \(raw!)."))
            throw ExitCode.failure
        }
    }
}
