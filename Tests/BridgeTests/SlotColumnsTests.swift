@testable import Bridge
import Foundation
import Testing

@Suite("The slots of a series in memory")
struct SlotColumnsTests {
    /// Four-day retention (the default 3-day look-back plus a day), fed batch by batch for weeks.
    @Test("Weeks of batches keep a series at its retention window, not at twice it")
    func capacityStaysAtTheWindow() {
        let window: Int64 = 384
        var series = SeriesLedger()
        var outcome = ApplyOutcome()
        // The first look-back, then a batch of six hours four times a day for two weeks.
        series.apply((0..<288).map { reading($0, 0.1) }, retentionSlots: window, outcome: &outcome)
        for batch in 0..<56 {
            let first = 288 + batch * 24
            series.apply((first..<first + 24).map { reading($0, 0.2) }, retentionSlots: window, outcome: &outcome)
            #expect(series.slots.count <= Int(window))
            #expect(series.slots.energy.capacity < Int(window) + 32, "batch \(batch): \(series.slots.energy.capacity) values of room")
            #expect(series.slots.states.capacity < Int(window) + 32, "batch \(batch): \(series.slots.states.capacity) flags of room")
        }
        #expect(outcome.added == 288 + 56 * 24)
        // Everything ever added is still in the total: 288 x 0.1 + 1,344 x 0.2 kWh.
        #expect(series.computedTotal == 288 * 100_000 + 56 * 24 * 200_000)
    }

    @Test("Values and flags stay paired through prepends, folds and writes")
    func columnsStayPaired() {
        var columns = SlotColumns()
        columns.appendAbsent(3, window: 8)
        columns[1] = SeriesLedger.Slot(energy: 7, state: .measured)
        columns.prependAbsent(2, window: 8)
        columns[0] = SeriesLedger.Slot(energy: 5, state: .estimated)
        #expect(columns.count == 5)
        #expect(columns[3] == SeriesLedger.Slot(energy: 7, state: .measured))
        columns.removeFirst(1)
        #expect(columns[0] == .absent)
        #expect(columns[2] == SeriesLedger.Slot(energy: 7, state: .measured))
        #expect(columns.energySum(from: 0) == 7)
        #expect(columns.energySum(from: 3) == 0)
    }
}
