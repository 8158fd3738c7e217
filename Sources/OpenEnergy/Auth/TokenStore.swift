#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The login's tokens in `tokens.json` in the state directory: file mode 0600 in a directory of mode 0700,
/// written atomically (temp file, write, fsync, rename, fsync of the directory) so that a crash leaves either
/// the old or the new tokens, never a torn file. With refresh-token rotation a lost write would lose the
/// login, hence the fsyncs.
public struct TokenStore: Sendable, CustomStringConvertible {
    public let directory: URL
    public static let fileName = "tokens.json"
    static let lockFileName = "tokens.lock"

    public init(directory: URL) {
        self.directory = directory
    }

    public var fileURL: URL { directory.appendingPathComponent(Self.fileName) }
    var lockURL: URL { directory.appendingPathComponent(Self.lockFileName) }
    public var description: String { "TokenStore(\(fileURL.path))" }

    /// The stored tokens, or `nil` when none are stored yet. Refuses a store others can read.
    public func load() throws -> TokenSet? {
        try checkDirectory(createIfMissing: false)
        let path = fileURL.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw OpenEnergyAuthError.tokenStoreFailure(path: path, reason: String(cString: strerror(errno)))
        }
        try checkPrivate(info, path: path, wantedMode: 0o600)
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            throw OpenEnergyAuthError.tokenStoreFailure(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        do {
            return try Self.decoder.decode(TokenSet.self, from: data)
        } catch let error as DecodingError {
            let (field, reason) = OpenEnergyWireDecoding.describe(error)
            throw OpenEnergyAuthError.tokenStoreFailure(path: path, reason: "unreadable (field '\(field)': \(reason)); log in again to replace it")
        }
    }

    /// Replaces the stored tokens atomically and durably; returns only once they are on disk.
    public func save(_ tokens: TokenSet) throws {
        try checkDirectory(createIfMissing: true)
        let data = try Self.encoder.encode(tokens)
        let temporaryPath = directory.appendingPathComponent(".\(Self.fileName).\(UInt32.random(in: .min ... .max)).tmp").path
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temporaryPath)") }
        var renamed = false
        defer { if !renamed { unlink(temporaryPath) } }
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("cannot write \(temporaryPath)")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw failure("cannot fsync \(temporaryPath)") }
        }
        guard rename(temporaryPath, fileURL.path) == 0 else { throw failure("cannot rename into \(fileURL.path)") }
        renamed = true
        // The rename itself is durable only once the directory is synced.
        let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw failure("cannot open \(directory.path)") }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw failure("cannot fsync \(directory.path)") }
    }

    /// Removes the stored tokens (logout). No error when there are none.
    public func delete() throws {
        if unlink(fileURL.path) != 0 && errno != ENOENT {
            throw failure("cannot delete \(fileURL.path)")
        }
    }

    // MARK: Permissions

    private func checkDirectory(createIfMissing: Bool) throws {
        let path = directory.path
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT, createIfMissing else {
                if errno == ENOENT { return }
                throw failure("cannot inspect \(path)")
            }
            // Parents with the default mode; the store directory itself private.
            try? FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw failure("cannot create \(path)") }
            guard stat(path, &info) == 0 else { throw failure("cannot inspect \(path)") }
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw OpenEnergyAuthError.tokenStoreFailure(path: path, reason: "is not a directory")
        }
        try checkPrivate(info, path: path, wantedMode: 0o700)
    }

    /// Owned by us and without any group/other permission bits.
    private func checkPrivate(_ info: stat, path: String, wantedMode: mode_t) throws {
        let mode = info.st_mode & 0o777
        if info.st_uid != geteuid() {
            throw OpenEnergyAuthError.tokenStoreFailure(path: path, reason: "belongs to user id \(info.st_uid), not to this user (\(geteuid()))")
        }
        if mode & 0o077 != 0 {
            throw OpenEnergyAuthError.insecureTokenStore(
                path: path,
                mode: String(mode, radix: 8),
                fix: "chmod \(String(wantedMode, radix: 8)) '\(path)'"
            )
        }
    }

    private func failure(_ what: String) -> OpenEnergyAuthError {
        .tokenStoreFailure(path: fileURL.path, reason: "\(what): \(String(cString: strerror(errno)))")
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Foundation's own representation (seconds since 2001): an exact round trip, unlike ISO 8601 (drops
        // sub-seconds) or seconds since 1970 (rounds when converting).
        encoder.dateEncodingStrategy = .deferredToDate
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        return decoder
    }
}
