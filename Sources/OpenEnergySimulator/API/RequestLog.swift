import Foundation
import Synchronization

/// Every API request the simulator received with a user's valid token, by login (the token's
/// subject's user name), at simulated instants: what a gateway counts against a quota, whatever it
/// answered (a 429, a 5xx, a 401 for a fresh token).
final class RequestLog: Sendable {
    private let requests = Mutex([String: [Date]]())
    private static let limitPerLogin = 100_000

    func record(login: String, at instant: Date) {
        requests.withLock { requests in
            requests[login, default: []].append(instant)
            if requests[login]!.count > Self.limitPerLogin { requests[login]!.removeFirst(Self.limitPerLogin / 10) }
        }
    }

    func requests(of login: String) -> [Date] {
        requests.withLock { $0[login] ?? [] }
    }
}
