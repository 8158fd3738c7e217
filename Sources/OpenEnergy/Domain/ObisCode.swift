import EnergyDomain

/// What an OBIS code (`A-B:C.D.E`) says about a household series. The whole code counts:
///
/// - C = 1 is active energy imported (consumption), C = 2 exported (production);
/// - D = 29 with E = 0 is the energy per recording interval;
/// - D = 8 is a cumulative register: E = 0 the total, E = 1…9 a tariff register (`1.8.1` high tariff, HT,
///   `1.8.2` low tariff, NT), a part of the total and never added to it.
///
/// Anything else (reactive energy, maxima, an interval series of one tariff) is not a series the bridge
/// understands: `kind(of:)` is `nil` for it.
public enum ObisCode {
    public static func direction(of obis: String) -> EnergyDirection? {
        switch groups(of: obis)?.c {
        case 1: .consumption
        case 2: .production
        default: nil
        }
    }

    public static func kind(of obis: String) -> SeriesKind? {
        guard let groups = groups(of: obis), groups.c == 1 || groups.c == 2 else { return nil }
        switch (groups.d, groups.e) {
        case (29, 0): return .interval
        case (8, 0...9): return .register
        default: return nil
        }
    }

    /// The tariff of a register (`1-1:1.8.1` is tariff 1); `nil` for the total register and for every
    /// series that is not a register.
    public static func tariff(of obis: String) -> Int? {
        guard kind(of: obis) == .register, let e = groups(of: obis)?.e, e > 0 else { return nil }
        return e
    }

    /// The C, D and E groups of `A-B:C.D.E` (the `A-B:` prefix is optional, a missing E is 0, and a
    /// billing-period suffix such as `*255` or `&01` is ignored).
    static func groups(of obis: String) -> (c: Int, d: Int, e: Int)? {
        var value = obis.split(separator: ":").last ?? Substring(obis)
        if let suffix = value.firstIndex(where: { $0 == "*" || $0 == "&" }) { value = value[..<suffix] }
        let groups = value.split(separator: ".", omittingEmptySubsequences: false)
        guard groups.count == 2 || groups.count == 3,
              let c = Int(groups[0]), let d = Int(groups[1])
        else { return nil }
        if groups.count == 2 { return (c, d, 0) }
        guard let e = Int(groups[2]) else { return nil }
        return (c, d, e)
    }
}
