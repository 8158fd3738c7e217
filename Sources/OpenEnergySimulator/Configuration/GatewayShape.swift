import Foundation
import OpenEnergy

/// How the simulated gateway differs from the assumed contract in the ways `ckw.api.*` and the
/// bridge's own rules adapt to: other paths, the rate-limit reset in seconds, a daily quota per
/// login, a 401 for freshly refreshed tokens. The assumed contract by default.
public struct GatewayShape: Sendable, Equatable {
    public enum ResetUnit: String, Sendable, Equatable, CaseIterable {
        /// MuleSoft's: milliseconds until the window resets.
        case milliseconds = "ms"
        /// Seconds until the window resets.
        case seconds = "s"
    }

    /// Core data, relative to the API's base URL (`api/client/`, `api/backend/`), no leading `/`.
    public var coreDataPath: String
    /// Meter data, with `{meteringPointId}` once.
    public var meterDataPath: String
    /// The unit of `X-Ratelimit-Reset`.
    public var resetUnit: ResetUnit
    /// Requests each login may make per simulated day (a fixed 24-hour window from its first
    /// request, on the simulated clock); beyond it 429 until the window ends. `nil`: no daily quota.
    public var dailyRequestLimit: Int?
    /// The API refuses each freshly refreshed access token this many times with 401 before taking it
    /// (a gateway whose key cache has not seen the new token yet).
    public var unauthorizedAfterRefresh: Int

    public static let meteringPointPlaceholder = "{meteringPointId}"

    /// `nil` paths are the assumed contract's (`v1/coredata`, `v1/meterdata/{meteringPointId}`).
    public init(
        coreDataPath: String? = nil, meterDataPath: String? = nil,
        resetUnit: ResetUnit = .milliseconds, dailyRequestLimit: Int? = nil, unauthorizedAfterRefresh: Int = 0
    ) {
        self.coreDataPath = coreDataPath ?? OpenEnergyWire.coreDataPath
        self.meterDataPath = meterDataPath ?? OpenEnergyWire.meterDataPath(meteringPointId: Self.meteringPointPlaceholder)
        self.resetUnit = resetUnit
        self.dailyRequestLimit = dailyRequestLimit
        self.unauthorizedAfterRefresh = unauthorizedAfterRefresh
    }

    /// Why the paths cannot be served, or `nil`.
    public var pathProblem: String? {
        for path in [coreDataPath, meterDataPath] {
            if path.isEmpty || path.hasPrefix("/") || path.contains("?") || path.contains("//") {
                return "`\(path)`: a path relative to the API's base URL, without a leading `/` or a query"
            }
        }
        guard meterDataPath.components(separatedBy: Self.meteringPointPlaceholder).count == 2 else {
            return "`\(meterDataPath)` must contain \(Self.meteringPointPlaceholder) once"
        }
        guard coreDataPath != meterDataPath else { return "core data and meter data need different paths" }
        return nil
    }

    /// The meter data path as a router pattern.
    var meterDataRoute: String {
        meterDataPath.replacingOccurrences(of: Self.meteringPointPlaceholder, with: ":meteringPointId")
    }

    /// `X-Ratelimit-Reset` for this many milliseconds until the reset.
    func resetValue(milliseconds: Int) -> Int {
        switch resetUnit {
        case .milliseconds: milliseconds
        case .seconds: (milliseconds + 999) / 1000
        }
    }
}
