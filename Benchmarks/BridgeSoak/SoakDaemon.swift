import Bridge
import Foundation
import OpenEnergySimulator
import TestSupport

/// `ckw2mqtt run` (the binary built next to this one) against the soak's simulator and broker,
/// following the simulator's clock, its log in a file.
@MainActor
final class SoakDaemon {
    private let process = Process()
    private let logFile: String

    init(stateDirectory: String, logFile: String, brokerPort: Int, simulator: SimulatorServer) throws {
        self.logFile = logFile
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ckw2mqtt").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw SoakFailure("ckw2mqtt not found next to bridge-soak at \(binary)") }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "run", "--state-directory", stateDirectory,
            "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(brokerPort)",
            "--log-level", "warning",
            "--set", "ckw.issuer=\(simulator.issuerURL.absoluteString)",
            "--set", "ckw.api_base_url=\(simulator.clientAPIBaseURL.absoluteString)",
            "--set", "ckw.client_id=ckw2mqtt",
            "--set", "mqtt.client_id=ckw2mqtt-soak",
            "--simulator-clock", simulator.baseURL.appendingPathComponent("_sim/clock").absoluteString,
        ]
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = FileHandle(forWritingAtPath: logFile)
        process.standardOutput = log
        process.standardError = log
        try process.runWithDefaultSignalMask()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    var logTail: String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
