/// Which way energy flowed through the meter, seen from the household.
///
/// The raw values are what the state file stores; Home Assistant's words for them (`import`,
/// `export`) are chosen where its payloads are made.
public enum EnergyDirection: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Imported from the grid (OBIS 1-1:1.x).
    case consumption
    /// Exported to the grid, e.g. solar feed-in (OBIS 1-1:2.x).
    case production

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
