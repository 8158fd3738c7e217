import Foundation

/// Finds a program a test needs from a Debian package, failing with a message that names the package.
public enum RequiredProgram {
    public struct Missing: Error, CustomStringConvertible {
        let program: String
        let package: String
        public var description: String {
            "'\(program)' not found: install the Debian package '\(package)' (apt-get install \(package))"
        }
    }

    public static func path(_ program: String, package: String) throws -> String {
        let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing(program: program, package: package)
    }
}

/// A test failure with an explanation, for conditions `#expect` cannot express (timeouts, set-up).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String) throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
