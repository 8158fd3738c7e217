import Foundation

/// Why a meter data request is made.
public enum FetchReason: String, Sendable, Equatable, Codable {
    /// The regular request every poll interval, from the first interval still needed.
    case poll
    /// A poll widened to the whole look-back to pick up corrections.
    case correctionSweep
    /// Someone asked for fresh data (the MQTT refresh command).
    case refresh
}
