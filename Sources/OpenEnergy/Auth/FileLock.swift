#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive `flock` on a lock file: keeps two processes (or two token managers) sharing one token file
/// from refreshing at the same time, which with refresh-token rotation would kill the login.
///
/// `flock` locks belong to the open file description, so two `FileLock`s in one process exclude each
/// other too. The lock dies with the process, so a crash cannot leave it held.
struct FileLock: Sendable {
    private let fd: Int32

    /// Waits (polling, without blocking a thread) until the lock is ours, at most `timeout` seconds.
    static func acquire(at url: URL, timeout: TimeInterval = 60) async throws -> FileLock {
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OpenEnergyAuthError.tokenStoreFailure(path: url.path, reason: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1_000))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            guard error == EWOULDBLOCK || error == EINTR else {
                close(fd)
                throw OpenEnergyAuthError.tokenStoreFailure(path: url.path, reason: "cannot lock: \(String(cString: strerror(error)))")
            }
            guard ContinuousClock.now < deadline else {
                close(fd)
                throw OpenEnergyAuthError.tokenStoreFailure(path: url.path, reason: "another process has held the token lock for \(Int(timeout)) s")
            }
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                close(fd)
                throw error
            }
        }
        return FileLock(fd: fd)
    }

    /// Releases the lock (closing the descriptor releases the `flock`).
    func release() {
        close(fd)
    }
}
