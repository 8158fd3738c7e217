import Foundation

/// Loads and saves `SavedBridgeState` as `state.json` in the state directory.
///
/// Saving is atomic and durable (see `AtomicFileWriter`) and keeps the replaced file as
/// `state.json.previous`. Loading distinguishes a first start (no file: `nil`) from a file that
/// cannot be used, which is an error with instructions and never silently replaced by zeros.
public struct StateStore: Sendable {
    public static let fileName = "state.json"
    public static let previousFileName = "state.json.previous"

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var filePath: String { directory.appendingFileName(Self.fileName) }
    public var previousFilePath: String { directory.appendingFileName(Self.previousFileName) }

    /// The saved state, or `nil` on a first start (no state file yet).
    public func load() throws(StateStoreError) -> SavedBridgeState? {
        let data: Data
        do {
            data = try FileReading.contents(of: filePath)
        } catch where error.isNoSuchFile {
            if FileManager.default.fileExists(atPath: previousFilePath) {
                throw .missingWithPrevious(file: filePath, previousFile: previousFilePath)
            }
            return nil
        } catch {
            throw .unreadable(file: filePath, reason: error.reason)
        }
        return try decode(data)
    }

    /// Saves `state`, replacing the file atomically; on failure the previous file is untouched.
    public func save(_ state: SavedBridgeState, now: Date = Date()) throws(StateStoreError) {
        let data: Data
        do {
            let envelope = StateFileEnvelope(schemaVersion: SavedBridgeState.schemaVersion, writtenAt: now, state: state)
            data = try Self.encoder.encode(envelope)
        } catch {
            throw .writeFailed(directory: directory, reason: "cannot encode the state: \(error)")
        }
        do {
            try writer.write(data)
        } catch {
            throw .writeFailed(directory: directory, reason: error.reason)
        }
    }

    private var writer: AtomicFileWriter {
        AtomicFileWriter(directory: directory, fileName: Self.fileName, backupFileName: Self.previousFileName)
    }

    private func decode(_ data: Data) throws(StateStoreError) -> SavedBridgeState {
        let previous = FileManager.default.fileExists(atPath: previousFilePath) ? previousFilePath : nil
        func damaged(_ problem: String) -> StateStoreError {
            .damaged(file: filePath, problem: problem, previousFile: previous)
        }
        guard !data.isEmpty else { throw damaged("the file is empty") }
        let version: Int
        do {
            version = try Self.decoder.decode(StateFileVersion.self, from: data).schemaVersion
        } catch {
            throw damaged(Self.describe(error))
        }
        guard version <= SavedBridgeState.schemaVersion else {
            throw .newerSchema(file: filePath, found: version, supported: SavedBridgeState.schemaVersion)
        }
        guard version >= 1 else { throw damaged("unknown state schema version \(version)") }
        do {
            return try Self.decoder.decode(StateFileEnvelope.self, from: data).state
        } catch {
            throw damaged(Self.describe(error))
        }
    }

    // MARK: Coding

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Full precision: the planner's schedule compares times to the second and below.
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    /// Decoding errors as one readable phrase with the path inside the file.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "it is not valid JSON (\(error))" }
        func location(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at `\(path.hasPrefix(".") ? String(path.dropFirst()) : path)`"
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "it is not valid JSON (\(context.debugDescription))"
        case .dataCorrupted(let context):
            return "invalid data\(location(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "`\(key.stringValue)` is missing\(location(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value\(location(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
