import Foundation
import OpenEnergy
import Timestamps
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An API exchange as text for a bug report: the request line, the status, the response headers
/// and the body, with everything that identifies the household masked. The request's token is
/// never part of an exchange; response headers that could carry credentials are masked whole.
public enum RawExchangeText {
    static let credentialHeaderParts = ["authorization", "cookie", "token", "secret", "client_id", "client-id"]

    public static func format(_ exchange: OpenEnergyExchange, masker: SensitiveDataMasker, note: String? = nil) -> String {
        var lines = [
            "### \(maskedEndpoint(exchange, masker: masker))",
            "### sent \(ISO8601Timestamp.format(exchange.sentAt)), answered in \(milliseconds(exchange.duration)) ms",
            "GET \(masker.mask(text: exchange.url))",
            "HTTP \(exchange.statusCode)",
        ]
        if let note { lines.insert("### \(masker.mask(text: note))", at: 1) }
        for (name, value) in exchange.headers {
            let lowered = name.lowercased()
            let shown = credentialHeaderParts.contains { lowered.contains($0) } ? "<masked>" : masker.mask(text: value)
            lines.append("\(name): \(shown)")
        }
        lines.append("")
        lines.append(masker.mask(exchange.body))
        return lines.joined(separator: "\n") + "\n"
    }

    static func maskedEndpoint(_ exchange: OpenEnergyExchange, masker: SensitiveDataMasker) -> String {
        masker.mask(text: exchange.endpoint)
    }

    static func milliseconds(_ seconds: TimeInterval) -> Int { Int((seconds * 1_000).rounded()) }

    /// Writes `text` to `path` readable by the owner only (0600), replacing the file atomically.
    public static func writePrivately(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw WriteFailure(path: path, reason: String(cString: strerror(errno))) }
        var failed: Int32? = nil
        Array(text.utf8).withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    failed = errno
                    return
                }
                offset += written
            }
        }
        // A file that existed with wider permissions keeps them through O_CREAT; narrow them.
        fchmod(descriptor, 0o600)
        close(descriptor)
        if let failed {
            unlink(temporary)
            throw WriteFailure(path: path, reason: String(cString: strerror(failed)))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteFailure(path: path, reason: reason)
        }
    }

    public struct WriteFailure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }
}
