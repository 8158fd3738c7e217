import NIOSSL

/// How the HTTP client checks the certificates of the API and the identity provider.
///
/// Verification is on by default against the system's trust store. `caFile` swaps that store for
/// the given CAs (a private CA in front of a test or corporate endpoint). `insecureSkipVerify`
/// switches every check off; it exists for throw-away test setups only and whoever sets it is
/// expected to log a warning (see the bridge's startup).
public struct OpenEnergyTLS: Sendable, Equatable {
    /// A PEM file with the CA certificates that may sign the server's certificate; `nil`: the system's.
    public var caFile: String?
    /// No certificate or host-name checks at all: anyone on the path can read the tokens.
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }

    /// The NIO TLS configuration; reads `caFile` now so that a missing or malformed file is reported
    /// at start-up rather than as an obscure handshake failure on the first request.
    func clientConfiguration() throws(OpenEnergyTLSError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw .unusableCAFile(path: caFile, reason: String(describing: error))
            }
            guard !certificates.isEmpty else { throw .unusableCAFile(path: caFile, reason: "no PEM certificate in it") }
            configuration.trustRoots = .certificates(certificates)
        }
        if insecureSkipVerify {
            configuration.certificateVerification = .none
        }
        return configuration
    }
}

public enum OpenEnergyTLSError: Error, Equatable, CustomStringConvertible {
    case unusableCAFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unusableCAFile(let path, let reason): "The CA file \(path) cannot be used: \(reason)"
        }
    }
}
