import Bridge
import Foundation
import OpenEnergySimulator
import TestSupport

/// `ckw2mqtt run` (the binary built next to this one) against the soak's simulator and broker,
/// following the simulator's clock.
@MainActor
final class SoakDaemon {
    private let child: ChildProcess

    init(stateDirectory: String, brokerPort: Int, simulator: SimulatorServer) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ckw2mqtt").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw SoakFailure("ckw2mqtt not found next to bridge-soak at \(binary)") }
        child = try ChildProcess(executable: binary, arguments: [
            "run", "--state-directory", stateDirectory,
            "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(brokerPort)",
            "--log-level", "warning",
            "--set", "ckw.issuer=\(simulator.issuerURL.absoluteString)",
            "--set", "ckw.api_base_url=\(simulator.clientAPIBaseURL.absoluteString)",
            "--set", "ckw.client_id=ckw2mqtt",
            "--set", "mqtt.client_id=ckw2mqtt-soak",
            "--simulator-clock", simulator.baseURL.appendingPathComponent("_sim/clock").absoluteString,
        ])
    }

    var pid: Int32 { child.processIdentifier }
    var isRunning: Bool { child.isRunning }

    /// The last lines the daemon logged (warnings and worse).
    var logTail: String { child.lines.suffix(20).joined(separator: "\n") }

    func stop() async {
        await child.stop()
    }
}
