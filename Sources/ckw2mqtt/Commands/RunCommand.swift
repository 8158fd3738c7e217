import ArgumentParser
import Bridge
import BridgeObservability
import Foundation
import Logging
import OpenEnergySimulator
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the bridge (SIGTERM/SIGINT: clean shutdown; SIGHUP: reload the login).")

    @OptionGroup var options: ConfigurationOptions

    /// For rehearsals against `ckw2mqtt simulate` (its fast clock, steps of the box's clock), the
    /// fault tests and the soak run, which restart the daemon against one long-lived simulator.
    @Option(help: ArgumentHelp(
        "Follow a CKW simulator's clock (the /_sim/clock URL of `ckw2mqtt simulate`) instead of the system clock: for rehearsals and soak runs against the simulator, never with CKW.",
        valueName: "url"))
    var simulatorClock: String?

    func run() async throws {
        let configuration = try options.load()
        LoggingSetup.bootstrap(configuration.logging)
        let logger = Logger(label: "ckw2mqtt")
        var bridgeOptions = BridgeOptions(tokenCheckInterval: configuration.bridge.loginCheckInterval, statusLine: .standardError)
        var services: [any Service] = []
        if let simulatorClock {
            guard let url = URL(string: simulatorClock), url.scheme == "http" || url.scheme == "https" else {
                Terminal.error("--simulator-clock expects an http URL such as http://127.0.0.1:8080/_sim/clock")
                throw ExitCode.failure
            }
            let clock: RemoteSimulatorClock
            do {
                clock = try await RemoteSimulatorClock.connect(to: url)
            } catch {
                Terminal.error("\(error)")
                throw ExitCode.failure
            }
            bridgeOptions.clock = PolledClock(slice: .milliseconds(20), now: { clock.now }, monotonic: { clock.monotonicNow })
            bridgeOptions.clockJumpCheckInterval = .milliseconds(100)
            services.append(RemoteSimulatorClockService(clock: clock))
        }
        try await BridgeRunner.run(
            configuration: configuration, bridgeOptions: bridgeOptions, logger: logger, alongside: services,
            following: { bridge in [MemoryUpkeep(events: bridge.events(), logger: logger)] })
    }
}
