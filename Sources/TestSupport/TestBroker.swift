import Foundation
import Synchronization

/// A private `mosquitto` broker on a free loopback port with its own configuration file and data
/// directory, so tests never depend on a system service and can run in parallel; also the broker of
/// `ckw2mqtt demo` (when no broker is named), the benchmarks and the soak. `stop(signal: SIGKILL)`
/// and `restart()` are a crash and a return (without persistence, every retained message is gone).
public final class TestBroker: Sendable {
    public struct Options: Sendable {
        /// Keeps sessions and queued messages across `restart()` (written on SIGTERM).
        public var persistence = false
        /// username → password; turns anonymous access off.
        public var users: [String: String] = [:]
        /// Lines of an ACL file (anonymous clients use the lines before any `user` line).
        public var aclLines: [String]? = nil
        public var tls: TLSFiles? = nil
        /// Sent to MQTT 5 clients in CONNACK; larger publications are refused by the client library.
        public var maxPacketSize: Int? = nil

        public init(persistence: Bool = false, users: [String: String] = [:], aclLines: [String]? = nil, tls: TLSFiles? = nil, maxPacketSize: Int? = nil) {
            self.persistence = persistence
            self.users = users
            self.aclLines = aclLines
            self.tls = tls
            self.maxPacketSize = maxPacketSize
        }
    }

    public struct TLSFiles: Sendable {
        public var caFile: String
        public var certificateFile: String
        public var keyFile: String

        public init(caFile: String, certificateFile: String, keyFile: String) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public let port: Int
    public let directory: TemporaryDirectory
    private let executable: String
    private let process: Mutex<ChildProcess?>
    /// Output of earlier broker processes (before `restart()`).
    private let earlierLogs = Mutex<String>("")

    /// Starts a broker and waits until it accepts connections.
    /// - Parameter port: A port chosen earlier (for a client started before its broker), or a new one.
    public static func start(_ options: Options = Options(), port: Int? = nil) async throws -> TestBroker {
        let executable = try RequiredProgram.path("mosquitto", package: "mosquitto")
        let directory = try TemporaryDirectory(prefix: "mosquitto-test")
        let broker = TestBroker(port: try port ?? FreePort.find(), directory: directory, executable: executable)
        try await broker.writeConfiguration(options)
        try await broker.launch()
        return broker
    }

    private init(port: Int, directory: TemporaryDirectory, executable: String) {
        self.port = port
        self.directory = directory
        self.executable = executable
        self.process = Mutex(nil)
    }

    private var configurationFile: String { directory.file("mosquitto.conf") }

    private func writeConfiguration(_ options: Options) async throws {
        var lines = [
            "listener \(port) 127.0.0.1",
            // Only matters when the tests run as root: stay root instead of switching to 'mosquitto',
            // which could not read the temporary directory.
            "user \(NSUserName())",
            // stderr: unbuffered, so the log is complete while the broker runs (stdout to a pipe is not).
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "persistence \(options.persistence)",
            "persistence_location \(directory.path)/",
        ]
        if options.users.isEmpty {
            lines.append("allow_anonymous true")
        } else {
            let passwordFile = directory.file("passwords")
            _ = FileManager.default.createFile(atPath: passwordFile, contents: Data())
            let passwordTool = try RequiredProgram.path("mosquitto_passwd", package: "mosquitto")
            for (user, password) in options.users {
                let tool = try ChildProcess(executable: passwordTool, arguments: ["-b", passwordFile, user, password])
                // Waiting without blocking a thread: on two cores, a blocked cooperative thread can
                // starve the queue that notices the child's exit.
                try await tool.waitForExit()
                guard tool.terminationStatus == 0 else { throw TestFailure("\(tool.executable) failed: \(tool.outputText)") }
            }
            lines += ["allow_anonymous false", "password_file \(passwordFile)"]
        }
        if let aclLines = options.aclLines {
            let aclFile = directory.file("acl")
            try aclLines.joined(separator: "\n").appending("\n").write(toFile: aclFile, atomically: true, encoding: .utf8)
            lines.append("acl_file \(aclFile)")
        }
        if let tls = options.tls {
            lines += ["cafile \(tls.caFile)", "certfile \(tls.certificateFile)", "keyfile \(tls.keyFile)"]
        }
        if let maxPacketSize = options.maxPacketSize {
            lines.append("max_packet_size \(maxPacketSize)")
        }
        try lines.joined(separator: "\n").appending("\n").write(toFile: configurationFile, atomically: true, encoding: .utf8)
    }

    private func launch() async throws {
        let child = try ChildProcess(executable: executable, arguments: ["-c", configurationFile])
        process.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(10)
        while !FreePort.acceptsConnections(port: port) {
            if !child.isRunning {
                throw TestFailure("mosquitto exited (\(child.terminationStatus)) at start-up:\n\(child.outputText)")
            }
            if ContinuousClock.now >= deadline {
                throw TestFailure("mosquitto did not accept connections on port \(port):\n\(child.outputText)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the broker with SIGTERM, which makes it save persistent sessions first; SIGKILL is a
    /// crash (nothing saved, connections cut without a word).
    public func stop(signal: Int32 = SIGTERM) async {
        let child = process.withLock { process in
            defer { process = nil }
            return process
        }
        await child?.stop(signal: signal)
        if let child { earlierLogs.withLock { $0 += child.outputText + "\n" } }
    }

    /// Starts the broker again on the same port with the same configuration and data.
    public func restart() async throws {
        try await launch()
    }

    /// The broker's log so far, across restarts.
    public var log: String { earlierLogs.withLock { $0 } + process.withLock { $0?.outputText ?? "" } }

    /// Stops the broker and removes its directory.
    public func shutdown() async {
        await stop()
        directory.remove()
    }
}

/// Runs `body` with a fresh broker and always stops it afterwards.
public func withBroker<Result>(
    _ options: TestBroker.Options = TestBroker.Options(), _ body: (TestBroker) async throws -> Result
) async throws -> Result {
    let broker = try await TestBroker.start(options)
    do {
        let result = try await body(broker)
        await broker.shutdown()
        return result
    } catch {
        await broker.shutdown()
        throw error
    }
}
