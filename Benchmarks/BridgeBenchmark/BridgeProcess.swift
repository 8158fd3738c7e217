import Bridge
import Foundation
import TestSupport

/// `ckw2mqtt run` as a child process with a configuration file, as a user would run it. Killed when
/// released, so a benchmark that fails leaves no daemon behind.
final class BridgeProcess {
    private let child: ChildProcess
    let directory: String

    init(yaml: String, directory: String) throws {
        self.directory = directory
        let configuration = directory + "/config.yaml"
        try yaml.write(toFile: configuration, atomically: true, encoding: .utf8)
        child = try ChildProcess(executable: Self.binary, arguments: ["run", "--config", configuration])
    }

    /// The binary users install (`--binary PATH`, e.g. scripts/build-release's `.build/ship/ckw2mqtt`),
    /// else the `ckw2mqtt` built beside this benchmark.
    static var binary: String {
        let arguments = CommandLine.arguments
        if let index = arguments.firstIndex(of: "--binary"), index + 1 < arguments.count { return arguments[index + 1] }
        return URL(fileURLWithPath: arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ckw2mqtt").path
    }

    var pid: Int32 { child.processIdentifier }

    func stop() async {
        await child.stop(signal: SIGINT)
    }

    /// The largest of a few samples a second apart, each figure on its own, in kB.
    func memory(samples: Int = 5) async throws -> MemorySample {
        var largest = MemorySample(anonymous: 0, proportional: 0, resident: 0)
        for index in 0..<samples {
            guard let sample = MemorySample.of(pid) else {
                throw BenchmarkFailure("ckw2mqtt run (pid \(pid)) is gone; its output:\n\(child.lines.suffix(20).joined(separator: "\n"))")
            }
            largest.anonymous = max(largest.anonymous, sample.anonymous)
            largest.proportional = max(largest.proportional, sample.proportional)
            largest.resident = max(largest.resident, sample.resident)
            if index < samples - 1 { try await Task.sleep(for: .seconds(1)) }
        }
        return largest
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
