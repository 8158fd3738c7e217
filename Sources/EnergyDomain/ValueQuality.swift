/// How trustworthy a value is; estimated values may later be replaced by measured ones. Ordered
/// from best to worst, so `max(a, b)` is the quality of a value made of `a` and `b`.
public enum ValueQuality: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case measured
    /// Filled in by the utility; usually replaced by a measured value later.
    case estimated
    /// No value (yet); CKW sent `null`.
    case missing

    private var rank: Int {
        switch self {
        case .measured: 0
        case .estimated: 1
        case .missing: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
