import Fuzzing
import Testing

/// A short run of every fuzz target in `scripts/test` (the long runs are `openenergy-fuzz`):
/// no crash, no hang, every refusal explained, every result within its invariants.
@Suite("Hostile input")
struct FuzzingTests {
    @Test("mutated inputs are parsed or refused with an explanation", arguments: FuzzTarget.all.map(\.name))
    func shortRun(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        // The YAML parser is the slow one (about a millisecond per document in a debug build).
        let iterations = name == "configuration" ? 2_000 : 20_000
        let report = FuzzRunner(iterations: iterations, seed: 0x7E57).run(target)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.iterations == iterations)
        // The mutations must exercise both sides, or the run proves little.
        #expect(report.accepted > 0)
        #expect(report.rejected > 0 || name == "rate-limit-headers")
    }
}
