import Foundation

/// A fresh directory under the system temporary directory, removed by `remove()`; tests run in
/// parallel, so each gets its own. Private to the user (0700), as the token store insists of a
/// state directory.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "ckw2mqtt-test") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
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
