import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// The API answers 200 with data that must not be taken as it is: another metering point's values,
/// values outside the asked range, intervals repeated and out of order. Whatever the bridge keeps of
/// such an answer, the broker must end up with exactly what an undisturbed run has.
@Suite("Faults: API data", .timeLimit(.minutes(2)))
struct APIDataFaultTests {
    @Test("values for another metering point are refused, never filed under the asked one; the next poll recovers")
    func wrongMeteringPoint() async throws {
        // Two metering points: the wrong answer is a real one of this household, the most tempting mistake.
        try await FaultScene.run(.init(meters: 2)) { scene in
            let mark = scene.mark
            await scene.harness.simulator.controls.inject(.wrongMeteringPoint, count: 2)
            scene.advance()
            try await scene.info("the refused answer") { lastError($0, contains: "not the requested") }
            for id in scene.ids {
                try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
                scene.expectStateUnchanged(of: id, since: mark)
            }

            scene.advance(by: 20 * 60)
            for id in scene.ids { try await scene.expectUndisturbed(id) }
        }
    }

    @Test("values before and after the asked range are dropped, not added to the totals")
    func valuesOutsideRange() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            let mark = scene.mark
            for _ in 0..<3 {
                await scene.harness.simulator.controls.inject(.valuesOutsideRange)
                scene.advance()
                try await scene.expectUndisturbed(id)
            }
            scene.expectAbsorbed(since: mark)
        }
    }

    @Test("repeated and reordered intervals count once, and the newest interval stays the newest")
    func repeatedAndReordered() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            let mark = scene.mark
            // Several polls in a row, one of them a daily sweep over the whole look-back.
            for seconds in [3600, 86_400, 3600] {
                await scene.harness.simulator.controls.inject(.repeatedAndReorderedIntervals)
                scene.advance(by: seconds)
                try await scene.expectUndisturbed(id)
            }
            scene.expectAbsorbed(since: mark)
        }
    }
}
