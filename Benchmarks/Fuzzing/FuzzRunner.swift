import Foundation
import Synchronization

/// What a fuzz run of one target did.
public struct FuzzReport: Sendable, Codable, Equatable {
    public var target: String
    public var seed: UInt64
    public var iterations: Int
    public var accepted: Int
    public var rejected: Int
    /// Each finding once, with the first input that showed it (hex, at most 256 bytes shown).
    public var findings: [Finding]
    /// The slowest single input, to show that nothing comes close to a hang.
    public var slowestInputMilliseconds: Double
    public var seconds: Double

    public struct Finding: Sendable, Codable, Equatable {
        public var message: String
        public var inputHex: String
    }
}

/// Runs a target's check over mutations of its seeds: deterministic for a given seed, with the
/// input under test kept where the crash handler and the hang watchdog can write it out.
public struct FuzzRunner: Sendable {
    public var iterations: Int
    public var seed: UInt64
    /// An input that takes longer than this counts as a hang: the process writes it and exits.
    public var hangLimit: Duration

    public init(iterations: Int, seed: UInt64 = 0x434B_5732, hangLimit: Duration = .seconds(10)) {
        self.iterations = iterations
        self.seed = seed
        self.hangLimit = hangLimit
    }

    /// Makes a crash leave its input behind in `fuzz-crash.bin` (see ``CrashInput``).
    public static func installCrashHandlers() {
        CrashInput.installHandlers()
    }

    public func run(_ target: FuzzTarget) -> FuzzReport {
        let mutator = Mutator(extraTokens: target.tokens)
        var random = FuzzRandom(seed: seed ^ UInt64(truncatingIfNeeded: target.name.hashValueStable))
        var report = FuzzReport(
            target: target.name, seed: seed, iterations: 0, accepted: 0, rejected: 0, findings: [],
            slowestInputMilliseconds: 0, seconds: 0)
        var findings: Set<String> = []
        // Inputs that were accepted become seeds too, so that mutations reach deeper structure.
        var corpus = target.seeds
        let clock = ContinuousClock()
        let started = clock.now
        let watchdog = HangWatchdog(limit: hangLimit, target: target.name)
        defer { watchdog.stop() }
        for iteration in 0..<iterations {
            // Every seed unchanged first, then mutations.
            let input = iteration < target.seeds.count
                ? target.seeds[iteration] : mutator.mutate(random.element(of: corpus), random: &random)
            CrashInput.current.set(input)
            let before = clock.now
            watchdog.begin()
            let outcome = target.check(input)
            watchdog.end()
            let elapsed = clock.now - before
            report.slowestInputMilliseconds = max(report.slowestInputMilliseconds, elapsed.milliseconds)
            switch outcome {
            case .accepted:
                report.accepted += 1
                if corpus.count < 512, random.chance(1, in: 16) { corpus.append(input) }
            case .rejected:
                report.rejected += 1
            case .finding(let message):
                if findings.insert(message).inserted, findings.count <= 20 {
                    report.findings.append(.init(message: message, inputHex: input.prefix(256).hex))
                }
            }
            report.iterations += 1
        }
        report.seconds = (clock.now - started).seconds
        return report
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1_000 }
}

extension Collection<UInt8> {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

extension String {
    /// FNV-1a: the same for a name in every run (`hashValue` is seeded per process).
    var hashValueStable: UInt64 {
        utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
