import OpenEnergy

/// The configuration lacks what the CKW connection needs (only possible when the caller loaded it
/// with `CKWRequirement.suppliedByCaller` and then did not supply it).
public enum CKWSetupError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    /// `ckw.tls.ca_file` cannot be used.
    case tls(OpenEnergyTLSError)

    public var description: String {
        switch self {
        case .missing(let key): "The configuration has no `\(key)`; the CKW connection needs it."
        case .tls(let error): "ckw.tls.ca_file: \(error)"
        }
    }
}
