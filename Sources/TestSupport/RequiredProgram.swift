import Foundation

/// Finds a program from a Debian package (`mosquitto` lives in /usr/sbin), failing with a message
/// that names the package.
public enum RequiredProgram {
    public struct Missing: Error, CustomStringConvertible {
        let program: String
        let package: String
        public var description: String {
            "'\(program)' not found: install the Debian package '\(package)' (apt-get install \(package))"
        }
    }

    public static func path(_ program: String, package: String) throws -> String {
        let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
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

/// A fresh directory under the system temporary directory, removed by `remove()`; tests run in
/// parallel, so each gets its own.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "ckw2mqtt-test") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `contents` to the file `name` in the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String) throws -> String {
        let target = file(name)
        try contents.write(toFile: target, atomically: false, encoding: .utf8)
        return target
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
