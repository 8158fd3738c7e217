import Foundation
import Testing

@testable import OpenEnergy
@testable import OpenEnergySimulator

/// The simulator's variations (for the demo) change the shape, never the meaning: the decoder reads the
/// same instants and the same energy as from the plain contract.
@Suite("Simulator wire variations")
struct SimulatorVariationTests {
    static let plain = OpenEnergyWire.MeterData(meteringPointId: "CH1", series: [
        OpenEnergyWire.MeterSeries(obis: "1-1:1.29.0", unit: "kWh", resolution: "PT15M", values: [
            .init(start: "2026-10-25T00:45:00Z", end: "2026-10-25T01:00:00Z", value: 0.123, quality: "measured"),
            .init(start: "2026-10-25T01:00:00Z", end: "2026-10-25T01:15:00Z", value: 0.5, quality: "estimated"),
            .init(start: "2026-10-25T01:15:00Z", end: "2026-10-25T01:30:00Z", value: nil, quality: "missing"),
        ]),
        OpenEnergyWire.MeterSeries(obis: "1-1:1.8.0", unit: "kWh", resolution: "P1D", values: [
            .init(start: "2026-10-23T22:00:00Z", end: "2026-10-24T22:00:00Z", value: 1234.5, quality: "measured"),
        ]),
    ])

    static func decode(_ wire: OpenEnergyWire.MeterData, _ variations: WireVariations) throws -> MeterData {
        let body = variations.quotingValues(try JSONEncoder().encode(variations.apply(to: wire)))
        return try OpenEnergyWireDecoding.meterData(from: body, endpoint: "test")
    }

    @Test("local offsets, Wh, numbers as strings and tariff registers decode to the same instants and energy")
    func sameMeaning() throws {
        let reference = try Self.decode(Self.plain, WireVariations())
        let varied = WireVariations(localOffsets: true, wattHours: true, tariffRegisters: .besideTotal, numbersAsStrings: true)
        let body = String(decoding: varied.quotingValues(try JSONEncoder().encode(varied.apply(to: Self.plain))), as: UTF8.self)
        #expect(body.contains(#""start":"2026-10-25T02:45:00+02:00""#))
        #expect(body.contains(#""start":"2026-10-25T02:00:00+01:00""#))
        #expect(body.contains(#""value":"123""#))
        let decoded = try Self.decode(Self.plain, varied)
        #expect(decoded.series.map(\.obis) == ["1-1:1.29.0", "1-1:1.8.0", "1-1:1.8.1", "1-1:1.8.2"])
        for (plain, wattHours) in zip(reference.series, decoded.series) {
            #expect(plain.readings.map(\.start) == wattHours.readings.map(\.start))
            #expect(plain.readings.map(\.end) == wattHours.readings.map(\.end))
            #expect(plain.readings.map(\.quality) == wattHours.readings.map(\.quality))
            #expect(wattHours.unit == "Wh")
            let kilowattHours = wattHours.readings.map { $0.value.flatMap { SeriesUnit.wattHours.kilowattHours($0, overSeconds: nil) } }
            #expect(kilowattHours == plain.readings.map(\.value))
        }
        // 60 % and 40 % of 1234.5 kWh, in Wh.
        #expect(decoded.series[2].readings[0].value == 740_700)
        #expect(decoded.series[3].readings[0].value == 493_800)
        #expect(decoded.warnings.isEmpty)
    }
}
