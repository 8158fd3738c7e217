import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the token file looks like from outside: enough to notice that `ckw2mqtt login` (another
/// process) replaced it, without reading the secrets in it. The token store writes a new file and
/// renames it into place, so a new login always changes the inode.
struct TokenFileSignature: Equatable, Sendable {
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    /// `nil` when there is no file (never logged in, or logged out).
    static func of(path: String) -> TokenFileSignature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return TokenFileSignature(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }
}
