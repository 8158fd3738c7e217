import Foundation
import OpenEnergy
import PropertyBased
import Testing
@testable import OpenEnergySimulator

@Suite("Streaming JSON encoder")
struct StreamingJSONEncoderTests {
    private static let quality = Gen.oneOf(Gen.always("measured"), Gen.always("estimated"), Gen.always("missing"))
    private static let meterValue = zip(Gen.int(in: -100_000...10_000_000), quality).map { wattHours, quality in
        OpenEnergyWire.MeterValue(
            start: UTCTimestamp.format(1_780_000_000 + wattHours),
            end: UTCTimestamp.format(1_780_000_900 + wattHours),
            value: quality == "missing" ? nil : Double(wattHours) / 1000,
            quality: quality
        )
    }

    @Test("meter data decodes back to the same value with Foundation's decoder")
    func meterDataRoundTrip() async throws {
        await propertyCheck(input: Self.meterValue.array(of: 0...50), Gen.letterOrNumber.string(of: 0...40)) { values, id in
            let data = OpenEnergyWire.MeterData(
                meteringPointId: id + "\"\\\n\u{01}é",
                series: [OpenEnergyWire.MeterSeries(obis: "1-1:1.29.0", unit: "kWh", resolution: nil, values: values)]
            )
            let encoded = try StreamingJSONEncoder().encode(data)
            #expect(try JSONDecoder().decode(OpenEnergyWire.MeterData.self, from: Data(encoded)) == data)
        }
    }

    @Test("missing values are explicit nulls, numbers keep their shortest form")
    func nullsAndNumbers() throws {
        let value = OpenEnergyWire.MeterValue(start: "a", end: "b", value: nil, quality: "missing")
        #expect(String(decoding: try StreamingJSONEncoder().encode(value), as: UTF8.self) == #"{"start":"a","end":"b","value":null,"quality":"missing"}"#)
        let number = OpenEnergyWire.MeterValue(start: "a", end: "b", value: 0.123, quality: nil)
        #expect(String(decoding: try StreamingJSONEncoder().encode(number), as: UTF8.self) == #"{"start":"a","end":"b","value":0.123,"quality":null}"#)
        #expect(String(decoding: try StreamingJSONEncoder().encode([1.5, 2, -0.001]), as: UTF8.self) == "[1.5,2,-0.001]")
    }

    @Test("nested containers close in the right places")
    func nesting() throws {
        struct Inner: Encodable { var a: [Int]; var b: [String: Int] }
        struct Outer: Encodable { var inner: [Inner]; var tail: String }
        let value = Outer(inner: [Inner(a: [], b: [:]), Inner(a: [1, 2], b: ["x": 1])], tail: "end")
        let text = String(decoding: try StreamingJSONEncoder().encode(value), as: UTF8.self)
        #expect(text == #"{"inner":[{"a":[],"b":{}},{"a":[1,2],"b":{"x":1}}],"tail":"end"}"#)
    }

    @Test("non-finite numbers are refused")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Double.nan]) }
    }
}
