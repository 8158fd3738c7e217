/// What one input did to the code under test.
public enum FuzzOutcome: Sendable, Equatable {
    /// Parsed; every invariant of the result holds.
    case accepted
    /// Refused with an error that says what is wrong.
    case rejected
    /// A bug: an error without an explanation, or a result that breaks an invariant.
    case finding(String)
}

/// A parser or decoder under fuzzing: valid seed inputs to start from, tokens its format cares about,
/// and the check of one input.
public struct FuzzTarget: Sendable {
    public let name: String
    let seeds: [[UInt8]]
    let tokens: [String]
    let check: @Sendable ([UInt8]) -> FuzzOutcome

    init(name: String, seeds: [String], tokens: [String] = [], check: @escaping @Sendable ([UInt8]) -> FuzzOutcome) {
        self.name = name
        self.seeds = seeds.map { Array($0.utf8) }
        self.tokens = tokens
        self.check = check
    }

    /// Every target, in a fixed order.
    public static let all: [FuzzTarget] = [.meterData, .coreData, .rateLimitHeaders, .configuration]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
