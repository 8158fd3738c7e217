/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny, fast, well-mixed generator.
///
/// The simulator computes every value on demand, so besides the sequential generator it offers a pure
/// keyed form (``unit(_:_:_:_:)``): hashing (seed, metering point, stream, index) gives the same number
/// wherever and whenever it is asked, without storing anything.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser, a bijection with good avalanche.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A hash of several words, each step mixed so that (a, b) and (b, a) differ.
    @inlinable
    public static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64 = 0, _ d: UInt64 = 0) -> UInt64 {
        var h = mix(a &+ 0x9E37_79B9_7F4A_7C15)
        h = mix((h ^ b) &+ 0x9E37_79B9_7F4A_7C15)
        h = mix((h ^ c) &+ 0x9E37_79B9_7F4A_7C15)
        return mix((h ^ d) &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform value in [0, 1) derived only from its keys.
    @inlinable
    public static func unit(_ a: UInt64, _ b: UInt64, _ c: UInt64 = 0, _ d: UInt64 = 0) -> Double {
        Double(hash(a, b, c, d) >> 11) * 0x1p-53
    }
}
