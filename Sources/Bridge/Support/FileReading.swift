import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files with POSIX calls, so failures carry the precise reason ("no such file or
/// directory", "is a directory", "permission denied") rather than Foundation's generic
/// "the operation could not be completed" on Linux.
enum FileReading {
    struct Failure: Error, Equatable {
        /// The `errno` of the failed call.
        var code: Int32
        var reason: String { String(cString: strerror(code)).lowercased() }
        var isNoSuchFile: Bool { code == ENOENT }
    }

    /// - Parameter limit: Larger files fail with `EFBIG` ("file too large") instead of being read on,
    ///   so that a path such as `/dev/zero` named by mistake cannot exhaust the memory.
    static func contents(of path: String, limit: Int = .max) throws(Failure) -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(code: errno) }
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(code: errno)
            }
            if count == 0 { return data }
            guard data.count + count <= limit else { throw Failure(code: EFBIG) }
            data.append(contentsOf: buffer[..<count])
        }
    }

    /// UTF-8 text; `nil` when the bytes are not UTF-8.
    static func text(of path: String, limit: Int = .max) throws(Failure) -> String? {
        String(data: try contents(of: path, limit: limit), encoding: .utf8)
    }
}
