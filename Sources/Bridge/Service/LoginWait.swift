import Foundation
import OpenEnergy

/// Decides when to try again while a login is needed: as soon as the token file changes (a new
/// `ckw2mqtt login`), or, in backend mode where there is no token file, after growing waits.
struct LoginWait: Sendable {
    private var signature: TokenFileSignature?
    private var backendRetry: RetryDelay?
    private var backendRetryAt: ContinuousClock.Instant?

    mutating func begin(tokenStore: TokenStore?) {
        signature = tokenStore.flatMap { TokenFileSignature.of(path: $0.fileURL.path) }
    }

    mutating func shouldRetry(tokenStore: TokenStore?, options: BridgeOptions) async -> Bool {
        if let tokenStore {
            return TokenFileSignature.of(path: tokenStore.fileURL.path) != signature
        }
        var retry = backendRetry ?? RetryDelay(initial: options.retryDelay, limit: options.retryDelayLimit)
        defer { backendRetry = retry }
        guard let at = backendRetryAt else {
            backendRetryAt = ContinuousClock.now + retry.next()
            return false
        }
        guard ContinuousClock.now >= at else { return false }
        backendRetryAt = ContinuousClock.now + retry.next()
        return true
    }
}
