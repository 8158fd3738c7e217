import Foundation

/// Settings of decoding that the contract leaves open.
public struct OpenEnergyDecodingOptions: Sendable, Equatable {
    /// Where a timestamp without a zone is read (with a warning). CKW's meters keep Swiss time.
    public var timeZone: TimeZone

    public init(timeZone: TimeZone = OpenEnergyDecodingOptions.swissTime) {
        self.timeZone = timeZone
    }

    // The identifier is part of every tz database; the fallback keeps this total.
    public static let swissTime = TimeZone(identifier: "Europe/Zurich") ?? TimeZone(secondsFromGMT: 3_600)!
}
