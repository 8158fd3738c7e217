import Foundation
import OpenEnergySimulator
import TestSupport

/// The real `ckw2mqtt run` as a child process against a harness's simulator and broker, with the
/// harness's state directory and the simulator's clock (`--simulator-clock`): what signals, crashes
/// and process limits do can only be seen in a process of its own.
final class DaemonProcess: Sendable {
    /// How the process is started, for faults the kernel injects.
    enum Launch: Sendable {
        case plain
        /// SIGXFSZ ignored (as `trap '' XFSZ` leaves it across `exec`), so that a lowered
        /// RLIMIT_FSIZE makes writes fail with EFBIG instead of killing the process.
        case ignoringFileSizeSignal
        /// Root bypasses file permissions; without CAP_DAC_OVERRIDE (dropped by `setpriv`) it obeys
        /// them like any other user, so a directory of mode 0500 is read-only to it.
        case obeyingFilePermissions
    }

    let child: ChildProcess

    init(harness: BridgeHarness, launch: Launch = .plain, logLevel: String = "info") throws {
        let arguments = [
            "run",
            "--state-directory", harness.stateDirectory,
            "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(harness.broker.port)",
            "--log-level", logLevel,
            "--set", "mqtt.client_id=ckw2mqtt-daemon-\(UUID().uuidString.prefix(8))",
            "--set", "ckw.issuer=\(harness.simulator.issuerURL.absoluteString)",
            "--set", "ckw.api_base_url=\(harness.simulator.clientAPIBaseURL.absoluteString)",
            "--set", "ckw.client_id=ckw2mqtt",
            "--set", "bridge.poll_interval=\(harness.settings.pollInterval)",
            "--simulator-clock", harness.simulator.baseURL.appendingPathComponent("_sim/clock").absoluteString,
        ]
        let binary = try BuiltExecutable.path("ckw2mqtt")
        switch launch {
        case .plain:
            child = try ChildProcess(executable: binary, arguments: arguments)
        case .ignoringFileSizeSignal:
            child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "trap '' XFSZ; exec \"$@\"", "sh", binary] + arguments)
        case .obeyingFilePermissions where geteuid() == 0:
            let setpriv = try RequiredProgram.path("setpriv", package: "util-linux")
            child = try ChildProcess(
                executable: setpriv,
                arguments: ["--bounding-set=-dac_override,-dac_read_search,-fowner", "--", binary] + arguments)
        case .obeyingFilePermissions:
            child = try ChildProcess(executable: binary, arguments: arguments)
        }
    }

    /// A test that throws half-way must not leave a daemon running (and retrying) behind it.
    deinit {
        if child.isRunning { child.signal(SIGKILL) }
    }

    var pid: Int32 { child.processIdentifier }
    var isRunning: Bool { child.isRunning }
    var output: String { child.outputText }

    func kill() async { await child.stop(signal: SIGKILL) }

    /// SIGTERM and wait; returns the real time the process took to exit.
    func terminate(timeout: Duration = .seconds(10)) async throws -> Duration {
        let started = ContinuousClock.now
        child.signal(SIGTERM)
        try await child.waitForExit(timeout: timeout)
        return ContinuousClock.now - started
    }

    /// Lowers the largest file the running process may write (RLIMIT_FSIZE, soft limit), in bytes;
    /// `nil` lifts it to the hard limit again. Through util-linux's `prlimit`, as an operator would.
    func limitFileSize(to bytes: UInt64?) async throws {
        let tool = try RequiredProgram.path("prlimit", package: "util-linux")
        let limit = bytes.map { "\($0):" } ?? "unlimited:"
        let child = try ChildProcess(executable: tool, arguments: ["--pid", "\(pid)", "--fsize=\(limit)"])
        try await child.waitForExit()
        guard child.terminationStatus == 0 else { throw TestFailure("prlimit failed: \(child.outputText)") }
    }

    /// Waits until the daemon logged a line containing `text`.
    @discardableResult
    func waitForLog(_ text: String, timeout: Duration = .seconds(20)) async throws -> String {
        try await child.waitForLine("a log line with `\(text)`", timeout: timeout) { $0.contains(text) }
    }
}
