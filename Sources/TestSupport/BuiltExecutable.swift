import Foundation

/// An executable of this package, built into the same directory as the running program (a test
/// bundle or a tool), for tests and tools that run the real program in a child process.
public enum BuiltExecutable {
    public static func path(_ name: String) throws -> String {
        let testExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testExecutable).deletingLastPathComponent()
        // On macOS the tests run inside `<name>.xctest/Contents/MacOS`.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
            directory.deleteLastPathComponent()
        }
        let candidate = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw TestFailure("no \(name) executable at \(candidate); build the package first (`swift build --build-tests`; the tools need BUILD_CKW2MQTT_TOOLS=1)")
        }
        return candidate
    }
}
