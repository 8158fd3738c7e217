import Foundation
import Synchronization

/// A child process whose output is read line by line: the programs the tests, benchmarks and the
/// soak drive (`mosquitto_sub`, `ckw2mqtt`, `openssl`) and the broker. It is killed
/// when released, so a run that fails half-way leaves nothing behind.
public final class ChildProcess: Sendable {
    public let executable: String
    private let process: Process
    private let stdinPipe = Pipe()
    private let output: LineCollector

    /// - Parameters:
    ///   - environment: Variables added to (or replacing those of) this process's environment.
    ///   - discardingStandardError: Read standard output only (when it is data, such as JSON lines);
    ///     otherwise standard error is read with it.
    public init(
        executable: String, arguments: [String], environment: [String: String] = [:], discardingStandardError: Bool = false
    ) throws {
        self.executable = executable
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdoutPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = discardingStandardError ? FileHandle.nullDevice : stdoutPipe
        process.standardInput = stdinPipe
        let output = LineCollector()
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                output.finish()
            } else {
                output.append(data)
            }
        }
        try process.runWithDefaultSignalMask()
        self.process = process
        self.output = output
    }

    /// Runs a program to its end: its exit status and its output.
    public static func run(
        _ executable: String, _ arguments: [String], discardingStandardError: Bool = false, timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments, discardingStandardError: discardingStandardError)
        try await child.waitForExit(timeout: timeout)
        return (child.terminationStatus, child.outputText)
    }

    /// The same for synchronous set-up code (certificates, file attributes): blocks the calling thread.
    public static func runBlocking(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments)
        child.process.waitUntilExit()
        // The pipe's reader runs on its own queue and may lag behind the exit.
        for _ in 0..<100 where !child.output.isFinished { usleep(10_000) }
        return (child.terminationStatus, child.outputText)
    }

    /// A test or benchmark that failed half-way must not leave its broker, daemon or
    /// `mosquitto_sub` watchers running.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Types `line` and Enter at the program's standard input, as a person at its prompt would.
    public func writeLine(_ line: String) {
        stdinPipe.fileHandleForWriting.write(Data((line + "\n").utf8))
    }
    public var isRunning: Bool { process.isRunning }
    public var lines: [String] { output.lines }
    public var terminationStatus: Int32 { process.terminationStatus }

    /// Waits until a line satisfying `predicate` has been printed.
    @discardableResult
    public func waitForLine(
        _ description: String, timeout: Duration = .seconds(10), where predicate: @escaping (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.lines.first(where: predicate) { return line }
            if !process.isRunning, let line = output.lines.first(where: predicate) { return line }
            if !process.isRunning {
                throw TestFailure("\(executable) exited (\(process.terminationStatus)) before \(description); output:\n\(output.text)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("timed out waiting for \(description) from \(executable); output:\n\(output.text)")
    }

    /// Waits for the process to exit on its own, and for the last of its output to be read: the
    /// pipe's reader runs on its own queue and may lag behind the exit.
    public func waitForExit(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                throw TestFailure("timed out waiting for \(executable) to exit; output:\n\(output.text)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let outputDeadline = ContinuousClock.now + .seconds(1)
        while !output.isFinished, ContinuousClock.now < outputDeadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Sends SIGTERM (or `signal`) and waits until the process is gone.
    public func stop(signal: Int32 = SIGTERM) async {
        self.signal(signal)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stdinPipe.fileHandleForWriting.close()
    }

    public var outputText: String { output.text }
}

/// Accumulates bytes from a pipe and splits them into lines.
private final class LineCollector: Sendable {
    private let state = Mutex<(buffer: Data, lines: [String])>((Data(), []))
    private let finished = Mutex(false)

    /// The pipe reached its end: every byte the process wrote has been appended.
    func finish() { finished.withLock { $0 = true } }
    var isFinished: Bool { finished.withLock { $0 } }

    func append(_ data: Data) {
        state.withLock { state in
            state.buffer.append(data)
            while let newline = state.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = state.buffer[state.buffer.startIndex..<newline]
                state.lines.append(String(decoding: line, as: UTF8.self))
                state.buffer.removeSubrange(state.buffer.startIndex...newline)
            }
        }
    }

    public var lines: [String] { state.withLock { $0.lines } }
    var text: String { state.withLock { $0.lines.joined(separator: "\n") + String(decoding: $0.buffer, as: UTF8.self) } }
}

extension Process {
    /// A child inherits the signal mask of the thread that spawns it, and Swift's concurrency threads
    /// block SIGTERM, SIGINT and others: `mosquitto` would then ignore SIGTERM (and never save its
    /// persistent sessions). Spawning with an empty mask gives the child default signal handling.
    public func runWithDefaultSignalMask() throws {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try run()
    }
}
