/// An amount of energy, held exactly as whole milliwatt-hours.
///
/// Integers make sums independent of order: applying the same intervals in any order, or a
/// correction and its reversal, gives bit-identical totals (floating-point sums would drift).
/// CKW reports kWh with at most three decimals, far coarser than 1 mWh.
public struct EnergyAmount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var milliwattHours: Int64

    public static let zero = EnergyAmount(milliwattHours: 0)

    public init(milliwattHours: Int64) {
        self.milliwattHours = milliwattHours
    }

    /// `nil` for values that are not finite or beyond about nine billion kWh.
    public init?(kilowattHours: Double) {
        let scaled = (kilowattHours * 1_000_000).rounded()
        guard scaled.isFinite, abs(scaled) < 9e18 else { return nil }
        milliwattHours = Int64(scaled)
    }

    public var kilowattHours: Double { Double(milliwattHours) / 1_000_000 }

    public static func + (lhs: Self, rhs: Self) -> Self { Self(milliwattHours: lhs.milliwattHours + rhs.milliwattHours) }
    public static func - (lhs: Self, rhs: Self) -> Self { Self(milliwattHours: lhs.milliwattHours - rhs.milliwattHours) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.milliwattHours < rhs.milliwattHours }

    public var description: String { "\(kilowattHours) kWh" }

    public init(from decoder: any Decoder) throws {
        milliwattHours = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliwattHours)
    }
}
