/// Deterministic pseudo-random numbers (SplitMix64): a run is repeated exactly from its seed.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (`bound` > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    mutating func element<C: Collection>(of collection: C) -> C.Element where C.Index == Int {
        collection[collection.startIndex + below(collection.count)]
    }
}

/// Turns a valid input into a nearby invalid (or differently valid) one, the way a broken server,
/// a proxy that truncates, or an attacker would: flipped and inserted bytes, cut and repeated
/// ranges, and tokens that stress parsers (huge numbers, escapes, deep nesting, odd Unicode).
struct Mutator {
    /// Tokens that are interesting to JSON, YAML and header parsers.
    let dictionary: [[UInt8]]

    static let commonTokens: [String] = [
        "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "{", "}", "[", "]", ":", ",", "null", "true", "false",
        "-", "-0", "1e309", "-1e309", "1e-400", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "0.000000000000000000000000001", "NaN", "Infinity", "1.7976931348623157e308", "99999999999999999999999999",
        "\u{0}", "\u{FEFF}", "\u{1F600}", "\u{10FFFF}", "é", " ", "\t", "\n", "\r\n",
        String(repeating: "[", count: 600), String(repeating: "{\"a\":", count: 600), String(repeating: "9", count: 400),
        "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-11-26T23:00:00+14:00",
        "2026-11-26T23:00:00.123456789Z", "-271821-04-20T00:00:00Z",
    ]

    init(extraTokens: [String] = []) {
        dictionary = (Self.commonTokens + extraTokens).map { Array($0.utf8) }
    }

    /// One to eight mutations stacked on `input`, bounded in length.
    func mutate(_ input: [UInt8], random: inout FuzzRandom, maximumLength: Int = 1 << 16) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(8)) {
            mutateOnce(&bytes, random: &random)
            if bytes.count > maximumLength { bytes.removeLast(bytes.count - maximumLength) }
        }
        return bytes
    }

    private func mutateOnce(_ bytes: inout [UInt8], random: inout FuzzRandom) {
        let position = bytes.isEmpty ? 0 : random.below(bytes.count + 1)
        switch random.below(9) {
        case 0 where !bytes.isEmpty:  // flip a bit
            let index = min(position, bytes.count - 1)
            bytes[index] ^= UInt8(1) << UInt8(random.below(8))
        case 1:  // a random byte in
            bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
        case 2 where !bytes.isEmpty:  // a range out
            let length = 1 + random.below(min(64, bytes.count - min(position, bytes.count - 1)))
            let start = min(position, bytes.count - length)
            bytes.removeSubrange(start..<(start + length))
        case 3 where !bytes.isEmpty:  // a range repeated
            let start = min(position, bytes.count - 1)
            let length = 1 + random.below(min(256, bytes.count - start))
            let slice = Array(bytes[start..<(start + length)])
            bytes.insert(contentsOf: slice, at: start + length)
        case 4:  // truncated, as by a broken connection
            bytes.removeLast(bytes.count - position)
        case 5, 6:  // a token in
            bytes.insert(contentsOf: random.element(of: dictionary), at: position)
        case 7 where !bytes.isEmpty:  // a token instead of a range
            let start = min(position, bytes.count - 1)
            let length = 1 + random.below(min(16, bytes.count - start))
            bytes.replaceSubrange(start..<(start + length), with: random.element(of: dictionary))
        default:  // an interesting byte
            let interesting: [UInt8] = [0x00, 0x22, 0x5C, 0x7F, 0x80, 0xBF, 0xC0, 0xE0, 0xF0, 0xFF, 0x2D, 0x2E, 0x30, 0x39]
            if bytes.isEmpty { bytes.append(random.element(of: interesting)) }
            else { bytes[min(position, bytes.count - 1)] = random.element(of: interesting) }
        }
    }
}
