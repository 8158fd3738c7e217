import Foundation

/// `bridge-info.json` in the state directory: the bridge's last `bridge/info` payload (auth state,
/// rate limits, last and next fetch, last error), for `ckw2mqtt status` without a broker. Written
/// with every state save; losing it in a crash loses nothing that matters, so no fsync.
public struct BridgeInfoFile: Sendable {
    public static let fileName = "bridge-info.json"

    public let path: String

    public init(directory: String) {
        path = directory.appendingFileName(Self.fileName)
    }

    func write(_ payload: [UInt8]) throws {
        try Data(payload).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The saved payload, `nil` when the bridge has not run in this state directory.
    public func read() -> Data? {
        FileManager.default.contents(atPath: path)
    }
}
