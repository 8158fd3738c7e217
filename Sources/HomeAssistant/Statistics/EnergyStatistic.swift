import EnergyDomain

/// The identity and metadata of an external long-term statistic for one metering point and
/// direction: `ckw2mqtt:<meteringpointid>_import` (consumption: the Energy dashboard's "grid
/// consumption") / `_export` (production: "return to grid"), in kWh, summed, never averaged.
public struct EnergyStatistic: Sendable, Hashable {
    /// External statistics are named `<source>:<object id>`; the source is the part before the colon.
    public static let source = DeviceIdentity.prefix

    public let meteringPointID: String
    public let direction: EnergyDirection
    /// Shown in the Energy dashboard's statistic picker.
    public let name: String

    /// - Parameter label: the meter's readable name (e.g. its address or meter number); the metering
    ///   point id when `nil`.
    public init(meteringPointID: String, direction: EnergyDirection, label: String? = nil) {
        self.meteringPointID = meteringPointID
        self.direction = direction
        let subject = label ?? meteringPointID
        name = switch direction {
        case .consumption: "CKW \(subject) energy imported"
        case .production: "CKW \(subject) energy exported"
        }
    }

    /// `ckw2mqtt:ch1008801234500000000000000012345_import`. Home Assistant accepts only lower-case
    /// `[a-z0-9_]` on both sides of the colon (recorder `VALID_STATISTIC_ID`), so the id is lowered.
    public var statisticID: String {
        "\(Self.source):\(DeviceIdentity.slug(meteringPointID))_\(Self.idSuffix(direction))"
    }

    /// Home Assistant's words for the directions, as in the entity ids (`energy_import`).
    static func idSuffix(_ direction: EnergyDirection) -> String {
        switch direction {
        case .consumption: "import"
        case .production: "export"
        }
    }

    public let unitOfMeasurement = "kWh"
    /// Energy is summed over time; a mean of it means nothing.
    public let hasMean = false
    public let hasSum = true
}
