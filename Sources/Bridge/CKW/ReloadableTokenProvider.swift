import OpenEnergy

/// The token provider the API client holds for the bridge's whole life, with a replaceable inside.
///
/// The inside is built on first use (building it discovers the identity provider, which needs the
/// network) and thrown away by `reload()`, so that after a new `ckw2mqtt login` (SIGHUP, or the
/// token file changed) the next request reads the token store afresh instead of a cached login.
actor ReloadableTokenProvider: AccessTokenProvider {
    typealias Factory = @Sendable () async throws -> any AccessTokenProvider

    private let make: Factory
    private var current: Task<any AccessTokenProvider, any Error>?

    init(make: @escaping Factory) {
        self.make = make
    }

    func reload() {
        current = nil
    }

    func accessToken() async throws -> String {
        try await provider().accessToken()
    }

    func refreshedAccessToken(after rejectedToken: String) async throws -> String {
        try await provider().refreshedAccessToken(after: rejectedToken)
    }

    private func provider() async throws -> any AccessTokenProvider {
        let task: Task<any AccessTokenProvider, any Error>
        if let current {
            task = current
        } else {
            let make = make
            task = Task { try await make() }
            current = task
        }
        do {
            return try await task.value
        } catch {
            // Discovery failed (network): try again on the next request rather than keep the failure.
            if current == task { current = nil }
            throw error
        }
    }
}
