import Bridge
import Foundation

/// A private `mosquitto` without persistence that the soak crashes (SIGKILL) and starts again on the
/// same port, so every restart comes back without a retained message.
@MainActor
final class SoakBroker {
    let port: Int
    private let executable: String
    private let directory: String
    private var process: Process?

    init(directory: String) throws {
        guard let executable = Executables.find("mosquitto") else { throw SoakFailure("`mosquitto` not found (apt-get install mosquitto)") }
        self.executable = executable
        self.directory = directory
        port = try LoopbackPort.free()
        try """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            user \(NSUserName())
            log_dest none
            """.write(toFile: configurationFile, atomically: true, encoding: .utf8)
    }

    private var configurationFile: String { directory + "/mosquitto.conf" }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", configurationFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ChildProcesses.run(process)
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while !LoopbackPort.acceptsConnections(port) {
            guard process.isRunning, ContinuousClock.now < deadline else { throw SoakFailure("mosquitto did not start on port \(port)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A crash: no goodbye to the clients, no retained message kept.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }
}

struct SoakFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
