import Foundation
import Logging
import Synchronization

/// A `mosquitto` of our own for `ckw2mqtt demo`, the benchmark and the soak: a free loopback port, a
/// configuration in a temporary directory, anonymous access, no persistence. `crash()` and
/// `launch()` kill it and start it again on the same port (coming back without a retained message);
/// `stop()` ends it and removes its directory.
public final class PrivateBroker: Sendable {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "`mosquitto` was not found; install the Debian package `mosquitto` (apt-get install mosquitto), or name a broker with --mqtt-host and --mqtt-port"
        }
    }

    public let port: Int
    private let executable: String
    private let directory: String
    private let process = Mutex<Process?>(nil)

    public static func start(logger: Logger) async throws -> PrivateBroker {
        guard let executable = Executables.find("mosquitto") else { throw Missing() }
        let broker = try PrivateBroker(executable: executable)
        do {
            try await broker.launch()
        } catch {
            broker.stop()
            throw error
        }
        logger.info("started a private mosquitto", metadata: ["port": "\(broker.port)"])
        return broker
    }

    private init(executable: String) throws {
        self.executable = executable
        port = try LoopbackPort.free()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ckw2mqtt-private-broker-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            user \(NSUserName())
            log_dest file \(directory)/mosquitto.log
            """
        try configuration.write(toFile: configurationFile, atomically: true, encoding: .utf8)
    }

    private var configurationFile: String { directory + "/mosquitto.conf" }

    /// Starts the broker process (again) and returns once it accepts connections.
    public func launch() async throws {
        let started = Process()
        started.executableURL = URL(fileURLWithPath: executable)
        started.arguments = ["-c", configurationFile]
        started.standardOutput = FileHandle.nullDevice
        started.standardError = FileHandle.nullDevice
        try ChildProcesses.run(started)
        process.withLock { $0 = started }
        let deadline = ContinuousClock.now + .seconds(10)
        while !LoopbackPort.acceptsConnections(port) {
            guard started.isRunning, ContinuousClock.now < deadline else {
                let log = (try? String(contentsOfFile: directory + "/mosquitto.log", encoding: .utf8)) ?? ""
                throw BrokerFailure(description: "the private mosquitto did not start on port \(port): \(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A crash: SIGKILL, no goodbye to the clients; without persistence every retained message is gone.
    public func crash() {
        guard let running = process.withLock({ $0.take() }), running.isRunning else { return }
        kill(running.processIdentifier, SIGKILL)
        running.waitUntilExit()
    }

    public func stop() {
        if let running = process.withLock({ $0.take() }), running.isRunning {
            running.terminate()
            running.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    public struct BrokerFailure: Error, CustomStringConvertible {
        public var description: String
    }
}

public enum Executables {
    /// `program` on `PATH` or in the system directories (mosquitto lives in /usr/sbin on Debian).
    public static func find(_ program: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

public enum ChildProcesses {
    /// Starts `process` with default signal handling: a child inherits the signal mask of the
    /// spawning thread, and Swift's threads (and the signal handling of ServiceLifecycle) block
    /// SIGTERM, which would make the child deaf to `terminate()`.
    public static func run(_ process: Process) throws {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }
}

/// Loopback ports with plain sockets.
public enum LoopbackPort {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A port the kernel just handed out on 127.0.0.1 and that is free again.
    public static func free() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "cannot create a socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "cannot bind a loopback port: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func acceptsConnections(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
