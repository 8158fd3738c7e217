import OpenEnergy

/// What a failed API call means for the bridge.
struct FetchFailure: Error, Sendable {
    enum Scope: Sendable, Equatable {
        /// A person has to act (log in again, fix credentials or the token store): the bridge waits.
        case login
        /// Only this metering point (unknown, not allowed, unreadable data).
        case meteringPoint
        /// The API as a whole (network, rate limit, server errors): the rest of the round would fail too.
        case service
    }

    var scope: Scope
    /// One line for the log and `bridge/info`, without secrets (the errors never carry any).
    var message: String

    static func classify(_ error: any Error) -> FetchFailure {
        var failure = scoped(error)
        if failure.message.contains(OpenEnergyHTTP.untrustedCertificateReason) {
            failure.message += ". If CKW is reached through a private CA, name it in `ckw.tls.ca_file`."
        }
        return failure
    }

    private static func scoped(_ error: any Error) -> FetchFailure {
        switch error {
        case let error as OpenEnergyAuthError:
            switch error {
            case .loginRequired:
                return FetchFailure(scope: .login, message: error.description)
            case .insecureTokenStore, .tokenStoreFailure:
                return FetchFailure(scope: .login, message: error.description)
            case .tokenEndpointError(_, let code?, _) where code == "invalid_client" || code == "unauthorized_client":
                return FetchFailure(scope: .login, message: "\(error.description). Check `ckw.client_id` and `ckw.client_secret`.")
            default:
                return FetchFailure(scope: .service, message: error.description)
            }
        case let error as OpenEnergyError:
            switch error {
            case .httpStatus(_, 401, _, _):
                // The client refreshed the token once and retried with backoff: a refused refresh
                // (`invalid_grant`) would have been `loginRequired`. A 401 that survives a working
                // refresh is the gateway's trouble, retried at the next poll; a new login would not help.
                return FetchFailure(scope: .service, message: "\(error.description). The login itself works (the token was just refreshed); the bridge keeps retrying.")
            case .httpStatus(_, 404, _, _):
                // An unknown metering point, or (when every request gets it) another path layout.
                return FetchFailure(scope: .meteringPoint, message: "\(error.description). If every request gets 404, CKW serves the API at other paths: `ckw2mqtt probe` shows what it answers, `ckw.api.core_data_path` and `ckw.api.meter_data_path` adapt them.")
            case .httpStatus(_, let status, _, _) where (400..<500).contains(status) && status != 408:
                return FetchFailure(scope: .meteringPoint, message: error.description)
            case .decoding, .invalidRequest:
                return FetchFailure(scope: .meteringPoint, message: error.description)
            default:
                return FetchFailure(scope: .service, message: error.description)
            }
        default:
            return FetchFailure(scope: .service, message: "\(error)")
        }
    }
}
