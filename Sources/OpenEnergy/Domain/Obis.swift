/// What an OBIS code (`A-B:C.D.E`) says about a household series, used when the API omits direction or kind.
///
/// C = 1 is active energy imported (consumption), C = 2 exported (production); D = 8 is a cumulative
/// register, D = 29 energy per recording interval.
public enum ObisCode {
    public static func direction(of obis: String) -> EnergyDirection? {
        switch components(of: obis)?.c {
        case 1: .consumption
        case 2: .production
        default: nil
        }
    }

    public static func kind(of obis: String) -> SeriesKind? {
        switch components(of: obis)?.d {
        case 8: .register
        case 29: .interval
        default: nil
        }
    }

    /// The C and D groups of `A-B:C.D.E` (the `A-B:` prefix is optional).
    static func components(of obis: String) -> (c: Int, d: Int)? {
        let value = obis.split(separator: ":").last ?? Substring(obis)
        let groups = value.split(separator: ".")
        guard groups.count >= 2, let c = Int(groups[0]), let d = Int(groups[1]) else { return nil }
        return (c, d)
    }
}
