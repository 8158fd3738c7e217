import EnergyDomain
import Foundation
import PropertyBased
import Testing

@testable import OpenEnergy
import Timestamps

/// The decoder must agree with the strict reference path (`JSONDecoder` + the `Codable` wire types +
/// `OpenEnergyWireMapping`) on every body those types can express, value for value and error path for
/// error path. (Where it is more tolerant, `LiteralBodyTests` has the expectations, by hand.)
@Suite("Wire decoder against Codable")
struct WireDecoderTests {
    static func decode(_ body: Data) throws(OpenEnergyError) -> MeterData {
        try WireDecoder.meterData(body, endpoint: "e", options: OpenEnergyDecodingOptions())
    }

    static let qualities: [String?] = ["measured", "estimated", "missing", nil, "Measured", "provisional"]

    static let wireValue = zip(
        Gen.int(in: 0...10_000),
        Gen.double(in: -1_000...1_000).optional,
        Gen.element(of: qualities).map { $0 ?? nil }
    ).map { offset, value, quality in
        let start = Date(timeIntervalSince1970: 1_790_000_000 + TimeInterval(offset * 900))
        return OpenEnergyWire.MeterValue(
            start: ISO8601Timestamp.format(start),
            end: ISO8601Timestamp.format(start.addingTimeInterval(900)),
            value: value,
            quality: quality
        )
    }

    static let wireSeries = zip(
        Gen.element(of: ["1-1:1.29.0", "1-1:2.29.0", "1-1:1.8.0", "x\"y\\z\u{00e9}\u{1F600}"]).map { $0 ?? "1-1:1.29.0" },
        Gen.element(of: ["kWh", nil]).map { $0 ?? nil },
        Gen.element(of: ["PT15M", "P1D", nil, "weird"]).map { $0 ?? nil },
        wireValue.array(of: 0...40)
    ).map { obis, unit, resolution, values in
        OpenEnergyWire.MeterSeries(obis: obis, unit: unit, resolution: resolution, values: values)
    }

    static let wireMeterData = wireSeries.array(of: 0...4).map { series in
        OpenEnergyWire.MeterData(meteringPointId: "CH1008801234500000000000000012345", series: series)
    }

    @Test("agrees with the Codable reference on generated responses")
    func agreesWithReference() async throws {
        await propertyCheck(count: 200, input: Self.wireMeterData) { wire throws in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            let body = try encoder.encode(wire)
            let fast = Result { () throws(OpenEnergyError) in try Self.decode(body) }
            let reference = Result { () throws(OpenEnergyError) in try OpenEnergyWireDecoding.meterDataViaCodable(from: body, endpoint: "e") }
            switch (fast, reference) {
            case let (.success(a), .success(b)):
                #expect(a == b)
            case let (.failure(.decoding(a)), .failure(.decoding(b))):
                // Both refuse (a value whose end is not after its start cannot be generated, so this is rare).
                #expect(a.path == b.path)
            default:
                Issue.record("fast \(fast) vs reference \(reference)")
            }
        }
    }

    @Test("numbers are read exactly as Swift reads them")
    func numbers() async throws {
        let texts = ["0", "-0", "0.1", "0.123", "12345.678", "-3.5", "1e3", "1E-3", "2.5e+2", "123456789012345678", "0.1234567890123456789", "1.7976931348623157e308", "5e-324"]
        for text in texts {
            let body = Data("{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:15:00Z\",\"value\":\(text)}]}]}".utf8)
            let data = try Self.decode(body)
            #expect(data.series[0].readings[0].value == Double(text), "\(text)")
        }
        await propertyCheck(input: Gen.int(in: 0...9_999_999), Gen.int(in: 0...6)) { mantissa, decimals throws in
            let text = decimals == 0 ? "\(mantissa)" : String(format: "%.\(decimals)f", Double(mantissa) / pow(10, Double(decimals)))
            let body = Data("{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:15:00Z\",\"value\":\(text)}]}]}".utf8)
            let decoded = try Self.decode(body)
            #expect(decoded.series[0].readings[0].value == Double(text))
        }
    }

    @Test("invalid JSON is refused", arguments: [
        "", "{", "[]", "{\"meteringPointId\":\"a\",\"series\":[]} x", "{\"meteringPointId\":\"a\" \"series\":[]}",
        "{\"meteringPointId\":\"a\",\"series\":[],}", "{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[01]}]}",
        "{\"meteringPointId\":\"a\",\"series\":[],\"x\":tru}", "{\"meteringPointId\":\"a\\q\",\"series\":[]}",
        "{\"meteringPointId\":\"a\",\"series\":[],\"x\":\"\u{0001}\"}", "{\"meteringPointId\":\"\\ud800\",\"series\":[]}",
    ])
    func invalidJSON(text: String) {
        // Stricter than Foundation's JSONDecoder, which tolerates trailing commas and raw control characters.
        #expect(throws: OpenEnergyError.self) { try Self.decode(Data(text.utf8)) }
    }

    @Test("unknown fields of any shape are skipped")
    func skipsUnknown() throws {
        let body = """
        {"x":{"a":[1,2,{"b":null}],"c":"\\u00e9\\n"},"meteringPointId":"a","y":[true,false,null,-1.5e-3],
         "series":[{"obis":"o","z":{},"values":[{"w":[],"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:15:00Z"}]}]}
        """
        let data = try Self.decode(Data(body.utf8))
        #expect(data.series[0].readings.count == 1)
        // No value at all reads as null: missing.
        #expect(data.series[0].readings[0].value == nil)
        #expect(data.series[0].readings[0].quality == .missing)
    }

    @Test("failures name the field path")
    func failurePaths() {
        func field(_ body: String) -> String? {
            do {
                _ = try Self.decode(Data(body.utf8))
                return nil
            } catch {
                guard case let .decoding(decoding) = error else { return nil }
                return decoding.path
            }
        }
        let value = "{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:15:00Z\",\"value\":1}"
        #expect(field("{\"series\":[]}") == "meteringPointId")
        #expect(field("{\"meteringPointId\":{},\"series\":[]}") == "meteringPointId")
        #expect(field("{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[\(value),{\"start\":\"2026-01-01T00:00:00Z\",\"value\":1}]}]}") == "series[0].values[1].end")
        #expect(field("{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[\(value),\(value.replacingOccurrences(of: "\"start\":\"2026-01-01T00:00:00Z\"", with: "\"start\":true"))]}]}") == "series[0].values[1].start")
        #expect(field("{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[\(value)]},{\"values\":[]}]}") == "series[1].obis")
        #expect(field("{\"meteringPointId\":\"a\",\"series\":[{\"obis\":\"o\",\"values\":[\(value),\(value.prefix(30))") == "series[0].values[1].start")
    }
}
