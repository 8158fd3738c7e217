import Foundation

/// The unit of a series' values, as the API names it (`Wh`, `kWh`, `MWh`; `W`, `kW` for power).
public enum SeriesUnit: String, Sendable, Hashable, CaseIterable {
    case wattHours = "Wh"
    case kilowattHours = "kWh"
    case megawattHours = "MWh"
    case watts = "W"
    case kilowatts = "kW"

    /// Reads a unit name, case-insensitively; `nil` for anything that is not energy or active power.
    public init?(name: String) {
        let text = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = Self.allCases.first(where: { $0.rawValue.lowercased() == text }) else { return nil }
        self = unit
    }

    /// Whether values are average power over their interval rather than energy.
    public var isPower: Bool { self == .watts || self == .kilowatts }

    /// A value in this unit as kWh. Energy scales by powers of ten (division by 1000 is correctly rounded,
    /// so `123` Wh is the same double as `0.123` kWh); power is multiplied by the interval's length, which
    /// must be known.
    public func kilowattHours(_ value: Double, overSeconds seconds: Int?) -> Double? {
        switch self {
        case .wattHours: return value / 1_000
        case .kilowattHours: return value
        case .megawattHours: return value * 1_000
        case .watts, .kilowatts:
            guard let seconds, seconds > 0 else { return nil }
            let kilowatts = self == .watts ? value / 1_000 : value
            return kilowatts * Double(seconds) / 3_600
        }
    }
}
