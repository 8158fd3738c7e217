import Bridge
import Foundation
import TestSupport

/// `ckw2mqtt run` as a child process with a configuration file, as a user would run it.
final class BridgeProcess {
    let process = Process()
    let directory: String

    init(yaml: String, directory: String) throws {
        self.directory = directory
        let configuration = directory + "/config.yaml"
        try yaml.write(toFile: configuration, atomically: true, encoding: .utf8)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ckw2mqtt").path
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", configuration]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/stderr")
        try process.runWithDefaultSignalMask()
    }

    var pid: Int32 { process.processIdentifier }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }

    /// The largest of a few RSS samples a second apart, in MB.
    func residentMegabytes(samples: Int = 5) async throws -> Double {
        var largest = 0
        for _ in 0..<samples {
            guard let kilobytes = ResidentMemory.kilobytes(of: pid) else { throw BenchmarkFailure("ckw2mqtt run (pid \(pid)) is gone") }
            largest = max(largest, kilobytes)
            try await Task.sleep(for: .seconds(1))
        }
        // Where it goes: anonymous memory (heap, stacks) against mapped files (the binary, libraries).
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
            let parts = status.split(separator: "\n").filter { $0.hasPrefix("Rss") || $0.hasPrefix("Threads") }
            FileHandle.standardError.write(Data((parts.joined(separator: ", ") + "\n").utf8))
        }
        return Double(largest) / 1024
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
