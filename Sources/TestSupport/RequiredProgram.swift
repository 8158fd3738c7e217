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
