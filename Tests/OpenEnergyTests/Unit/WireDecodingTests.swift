import EnergyDomain
import Foundation
import Testing

@testable import OpenEnergy
import Timestamps

@Suite("Decoding API responses")
struct WireDecodingTests {
    let endpoint = "GET v1/meterdata/CH1"

    @Test("ignores unknown fields, accepts missing optional fields and null values")
    func tolerantMeterData() throws {
        let body = """
        { "meteringPointId": "CH1", "apiRevision": 7, "series": [
          { "obis": "1-1:1.29.0", "values": [
            { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 0.5, "quality": "measured", "status": {"x": 1} },
            { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": null, "quality": "missing" },
            { "start": "2026-11-26T23:30:00Z", "end": "2026-11-26T23:45:00Z", "value": 0.25 },
            { "start": "2026-11-26T23:45:00Z", "end": "2026-11-27T00:00:00Z", "value": 0.125, "quality": "estimated" },
            { "start": "2026-11-27T00:00:00Z", "end": "2026-11-27T00:15:00Z", "value": null, "quality": "measured" }
          ], "newThing": [1, 2, 3] } ] }
        """
        let data = try OpenEnergyWireDecoding.meterData(from: Data(body.utf8), endpoint: endpoint)
        let series = try #require(data.series.first)
        #expect(series.direction == .consumption)
        #expect(series.kind == .interval)
        #expect(series.unit == nil && series.resolution == nil)
        #expect(series.readings.map(\.value) == [0.5, nil, 0.25, 0.125, nil])
        #expect(series.readings.map(\.quality) == [.measured, .missing, .measured, .estimated, .missing])
        #expect(series.readings[0].start == ISO8601Timestamp.parse("2026-11-26T23:00:00Z"))
        #expect(series.readings[0].end.timeIntervalSince(series.readings[0].start) == 900)
    }

    @Test("core data with and without optional parts")
    func tolerantCoreData() throws {
        let body = """
        { "customer": { "customerNumber": "1234567", "name": "Anna Muster", "segment": "private" },
          "meteringPoints": [
            { "meteringPointId": "CH1008801234500000000000000012345", "meterNumber": "71234567",
              "address": { "street": "Seestrasse 1", "zip": "6004", "city": "Luzern", "canton": "LU" },
              "series": [
                { "obis": "1-1:1.29.0", "direction": "consumption", "unit": "kWh", "resolution": "PT15M" },
                { "obis": "1-1:2.8.0", "unit": "kWh", "resolution": "P1D" } ] },
            { "meteringPointId": "CH1008801234500000000000000099999" } ] }
        """
        let core = try OpenEnergyWireDecoding.coreData(from: Data(body.utf8), endpoint: "GET v1/coredata")
        #expect(core.customer?.name == "Anna Muster")
        #expect(core.meteringPoints.count == 2)
        let first = core.meteringPoints[0]
        #expect(first.address?.city == "Luzern")
        #expect(first.series[0] == SeriesDescription(obis: "1-1:1.29.0", direction: .consumption, kind: .interval, unit: "kWh", resolution: .seconds(900)))
        // Direction and kind follow from the OBIS code when the API omits them.
        #expect(first.series[1] == SeriesDescription(obis: "1-1:2.8.0", direction: .production, kind: .register, unit: "kWh", resolution: .days(1)))
        #expect(core.meteringPoints[1] == MeteringPoint(id: "CH1008801234500000000000000099999", meterNumber: nil, address: nil, series: []))
    }

    @Test("a wrongly typed field is named with its path")
    func typeMismatchNamesField() {
        let body = """
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 0.5 },
          { "start": 1795734900, "end": "2026-11-26T23:30:00Z", "value": 0.7 } ] } ] }
        """
        let error = decodingError(body)
        #expect(error?.endpoint == endpoint)
        #expect(error?.path == "series[0].values[1].start")
        #expect(error?.expected.contains("RFC 3339 timestamp") == true)
        #expect(error?.found == "1795734900")
    }

    @Test("a missing required field is named with its path")
    func missingFieldNamed() {
        let body = """
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [] }, { "values": [] } ] }
        """
        #expect(decodingError(body)?.path == "series[1].obis")
        #expect(decodingError(body)?.found == "nothing")
    }

    @Test("an unparsable timestamp is named with its path")
    func badTimestampNamed() {
        let body = """
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26 23:15", "value": 0.5 } ] } ] }
        """
        let error = decodingError(body)
        #expect(error?.path == "series[0].values[0].end")
        #expect(error?.found == "\"2026-11-26 23:15\"")
    }

    @Test("a truncated body is an error naming the endpoint, never a partial result")
    func truncatedBody() throws {
        let full = """
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 0.5 },
          { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": 0.7 } ] } ] }
        """
        // Every cut that leaves the JSON incomplete must fail.
        for length in stride(from: 1, to: full.utf8.count - 1, by: 7) {
            let cut = String(full.utf8.prefix(length))!
            let error = decodingError(cut)
            #expect(error != nil, "cut at \(length) decoded")
            #expect(error?.endpoint == endpoint)
        }
    }

    @Test("the description names endpoint and field")
    func descriptionNamesEndpointAndField() {
        let error = OpenEnergyError.decoding(OpenEnergyDecodingError(
            endpoint: "GET v1/coredata", path: "meteringPoints[2].meteringPointId", expected: "a string", found: "{\"a\":1}"))
        #expect(error.description == "OpenEnergy GET v1/coredata: cannot decode meteringPoints[2].meteringPointId: expected a string, found {\"a\":1}")
    }

    @Test("readings come out sorted even when the server sends them out of order")
    func sortsReadings() throws {
        let body = """
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": 2 },
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 1 } ] } ] }
        """
        let data = try OpenEnergyWireDecoding.meterData(from: Data(body.utf8), endpoint: endpoint)
        #expect(data.series[0].readings.map(\.value) == [1, 2])
    }

    private func decodingError(_ body: String) -> OpenEnergyDecodingError? {
        do {
            _ = try OpenEnergyWireDecoding.meterData(from: Data(body.utf8), endpoint: endpoint)
            return nil
        } catch {
            guard case let .decoding(decoding) = error else { return nil }
            return decoding
        }
    }
}
