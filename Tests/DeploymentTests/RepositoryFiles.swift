import Foundation
import Yams

/// The repository's deployment files, found from this source file's location so the tests run
/// from any working directory.
enum RepositoryFiles {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DeploymentTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// The files in `directory` whose names end with one of `extensions`, sorted.
    static func files(in directory: String, extensions: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(directory).path)
            .filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension) }
            .sorted()
            .map { "\(directory)/\($0)" }
    }

    /// The YAML document as plain Swift values (`[String: Any]`, `[Any]`, scalars).
    static func yaml(_ relativePath: String) throws -> Any? {
        try Yams.load(yaml: text(relativePath))
    }
}
