/// Deterministic UUID-shaped identifiers (Keycloak's user and service account ids look like this), so
/// that a user's `sub` is the same in every run with the same seed.
enum StableIdentifier {
    static func uuid(seed: UInt64, name: String) -> String {
        var high = seed
        var low = ~seed
        for byte in name.utf8 {
            high = SplitMix64.mix(high ^ UInt64(byte))
            low = SplitMix64.mix(low &+ UInt64(byte))
        }
        let hex = hex16(high) + hex16(low)
        let characters = Array(hex)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return "\(part(0..<8))-\(part(8..<12))-\(part(12..<16))-\(part(16..<20))-\(part(20..<32))"
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
