import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically and durably, keeping the replaced version as a backup.
///
/// Steps: write a temporary file in the same directory (0600), fsync it, hard-link the current
/// file to the backup name (via a temporary link and rename, so the backup is also replaced
/// atomically), rename the temporary file over the target, fsync the directory. At every moment
/// the target is either the complete old or the complete new content: a crash never leaves a
/// truncated or missing file.
struct AtomicFileWriter {
    struct Failure: Error {
        var reason: String
    }

    let directory: String
    let fileName: String
    let backupFileName: String

    /// Temporary files start with this; leftovers from a crash are removed by the next write.
    var temporaryPrefix: String { ".\(fileName).tmp-" }

    func path(_ name: String) -> String { directory.appendingFileName(name) }

    func write(_ data: Data) throws(Failure) {
        try createDirectoryIfNeeded()
        removeStaleTemporaryFiles()
        let temporary = path(temporaryPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try writeDurably(data, to: temporary)
            try keepBackup()
            try Self.check(rename(temporary, path(fileName)), "cannot replace \(path(fileName))")
        } catch {
            unlink(temporary)
            throw error
        }
        // The rename is only durable once the directory entry is on disk.
        try syncDirectory()
    }

    private func createDirectoryIfNeeded() throws(Failure) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure(reason: "\(directory) exists but is not a directory") }
            return
        }
        // Only the state directory itself gets 0700; missing parents get the usual 0755.
        try Self.makeDirectory(directory, mode: 0o700)
    }

    private static func makeDirectory(_ path: String, mode: mode_t) throws(Failure) {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw Failure(reason: "cannot create \(path): \(errnoText())") }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty, parent != path else { throw Failure(reason: "cannot create \(path): \(errnoText())") }
        try makeDirectory(parent, mode: 0o755)
        if mkdir(path, mode) != 0, errno != EEXIST {
            throw Failure(reason: "cannot create \(path): \(errnoText())")
        }
    }

    private func writeDurably(_ data: Data, to temporary: String) throws(Failure) {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(reason: "cannot create a file in \(directory): \(Self.errnoText())") }
        defer { close(descriptor) }
        var written = 0
        let failure: Int32? = data.withUnsafeBytes { buffer -> Int32? in
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += result
            }
            return nil
        }
        if let failure { throw Failure(reason: "cannot write \(temporary): \(Self.errnoText(failure))") }
        try Self.check(fsync(descriptor), "cannot flush \(temporary) to disk")
    }

    /// The current file becomes the backup: a hard link, so no copy is needed and the current file
    /// stays in place throughout.
    private func keepBackup() throws(Failure) {
        let current = path(fileName)
        guard access(current, F_OK) == 0 else { return }
        let temporaryLink = path(temporaryPrefix + "backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        if link(current, temporaryLink) != 0 {
            // File systems without hard links: fall back to a copy.
            guard let contents = FileManager.default.contents(atPath: current) else {
                throw Failure(reason: "cannot keep a backup of \(current): \(Self.errnoText())")
            }
            try writeDurably(contents, to: temporaryLink)
        }
        if rename(temporaryLink, path(backupFileName)) != 0 {
            let reason = Self.errnoText()
            unlink(temporaryLink)
            throw Failure(reason: "cannot keep a backup as \(path(backupFileName)): \(reason)")
        }
    }

    private func syncDirectory() throws(Failure) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: "cannot open \(directory) to flush it: \(Self.errnoText())") }
        defer { close(descriptor) }
        try Self.check(fsync(descriptor), "cannot flush \(directory) to disk")
    }

    private func removeStaleTemporaryFiles() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(temporaryPrefix) {
            unlink(path(name))
        }
    }

    private static func check(_ result: Int32, _ what: String) throws(Failure) {
        if result != 0 { throw Failure(reason: "\(what): \(errnoText())") }
    }

    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
