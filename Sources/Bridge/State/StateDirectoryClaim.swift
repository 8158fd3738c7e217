import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bridge's claim on its state directory: an exclusive `flock` on `bridge.lock`, held for as long
/// as the bridge runs, with the holder's process id in the file.
///
/// Two bridges in one state directory share one CKW login and one state file. The token store's own
/// lock keeps the refresh-token rotation safe and the state file is always written whole, so nothing
/// breaks outright; but both spend the API quota, publish the same topics, and with the same MQTT
/// client id push each other off the broker. That is always a mistake, so the second bridge says so
/// loudly. It still runs: a warning cannot stop a systemd restart whose predecessor is still saying
/// goodbye.
final class StateDirectoryClaim: Sendable {
    static let fileName = "bridge.lock"

    enum Outcome: Sendable {
        /// This bridge is the only one in the directory.
        case exclusive(StateDirectoryClaim)
        /// Another process holds the claim; its process id when it wrote one.
        case sharedWith(processID: String?)
        /// The lock file cannot be opened (read-only or missing directory); the state store reports
        /// what matters about that.
        case unavailable(reason: String)
    }

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the `flock`; the file stays, empty of meaning.
        close(descriptor)
    }

    static func claim(directory: String) -> Outcome {
        let path = directory.appendingFileName(fileName)
        var descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == ENOENT, mkdir(directory, 0o700) == 0 || errno == EEXIST {
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        }
        guard descriptor >= 0 else { return .unavailable(reason: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            return .sharedWith(processID: holder.flatMap { $0.isEmpty ? nil : $0 })
        }
        let processID = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = processID.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        return .exclusive(StateDirectoryClaim(descriptor: descriptor))
    }
}
