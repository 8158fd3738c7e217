import EnergyDomain
import Foundation
import Testing

@testable import OpenEnergy

/// Bodies written by hand in shapes a real API plausibly sends and our own wire types never produce, with
/// every expectation computed by hand (instants as seconds since 1970, checked against a calendar).
@Suite("Literal bodies")
struct LiteralBodyTests {
    static let endpoint = "GET v1/meterdata/CH1"

    static func meterData(_ body: String, zone: String = "Europe/Zurich") throws -> MeterData {
        try OpenEnergyWireDecoding.meterData(
            from: Data(body.utf8), endpoint: endpoint,
            options: OpenEnergyDecodingOptions(timeZone: TimeZone(identifier: zone)!))
    }

    static func failure(_ body: String) -> OpenEnergyDecodingError? {
        do {
            _ = try meterData(body)
            return nil
        } catch {
            guard case let .decoding(decoding)? = error as? OpenEnergyError else { return nil }
            return decoding
        }
    }

    static func instant(_ seconds: TimeInterval) -> Date { Date(timeIntervalSince1970: seconds) }

    // MARK: Timestamps

    @Test("local offsets on the spring DST day (2026-03-29, Zurich +01:00 until 01:00Z, then +02:00) become exact UTC")
    func springOffsets() throws {
        let data = try Self.meterData("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-03-29T01:45:00+01:00", "end": "2026-03-29T03:00:00+02:00", "value": 0.1 },
          { "start": "2026-03-29T03:00:00+02:00", "end": "2026-03-29T03:15:00+02:00", "value": 0.2 } ] } ] }
        """)
        let readings = data.series[0].readings
        // 01:45 CET = 00:45Z = 1774745100; 03:00 CEST = 01:00Z = 1774746000.
        #expect(readings.map(\.start) == [Self.instant(1_774_745_100), Self.instant(1_774_746_000)])
        #expect(readings.map(\.end) == [Self.instant(1_774_746_000), Self.instant(1_774_746_900)])
        #expect(data.warnings.isEmpty)
    }

    @Test("local offsets on the autumn DST day (2026-10-25): the repeated hour 02:00–03:00 is told apart by its offset")
    func autumnOffsets() throws {
        let data = try Self.meterData("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-10-25T02:45:00+02:00", "end": "2026-10-25T02:00:00+01:00", "value": 0.1 },
          { "start": "2026-10-25T02:00:00+01:00", "end": "2026-10-25T02:15:00+01:00", "value": 0.2 } ] } ] }
        """)
        let readings = data.series[0].readings
        // 02:45 CEST = 00:45Z = 1792889100; 02:00 CET = 01:00Z = 1792890000.
        #expect(readings.map(\.start) == [Self.instant(1_792_889_100), Self.instant(1_792_890_000)])
        #expect(readings.map(\.end) == [Self.instant(1_792_890_000), Self.instant(1_792_890_900)])
    }

    @Test("any offset, Z and fractional seconds", arguments: [
        ("2026-11-26T23:00:00Z", 1_795_734_000.0),
        ("2026-11-26T23:00:00.5Z", 1_795_734_000.5),
        ("2026-11-27T00:00:00+01:00", 1_795_734_000.0),
        ("2026-11-26T19:30:00-03:30", 1_795_734_000.0),
        ("2026-11-26T23:15:00.250+01:00", 1_795_731_300.25),
        ("2026-11-27T00:00:00+0100", 1_795_734_000.0),
        ("2026-11-26 23:00:00z", 1_795_734_000.0),
    ])
    func offsets(text: String, seconds: Double) throws {
        let data = try Self.meterData("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "resolution": "PT15M",
          "values": [ { "start": "\(text)", "value": 1 } ] } ] }
        """)
        #expect(data.series[0].readings[0].start == Self.instant(seconds))
    }

    @Test("a timestamp without a zone is read in the configured zone, with one warning per field")
    func zonelessTimestamps() throws {
        let body = """
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-10-25T01:00:00", "end": "2026-10-25T01:15:00", "value": 1 },
          { "start": "2026-10-25T02:30:00", "end": "2026-10-25T02:45:00", "value": 2 },
          { "start": "2026-03-29T01:45:00", "end": "2026-03-29T03:00:00", "value": 3 } ] } ] }
        """
        let data = try Self.meterData(body)
        // 01:00 CEST = 2026-10-24T23:00Z; 02:30 in the repeated hour is taken as CET (the later one) =
        // 01:30Z; 01:45 CET on the spring day = 00:45Z, 03:00 CEST = 01:00Z.
        #expect(data.series[0].readings.map(\.start) == [
            Self.instant(1_774_745_100), Self.instant(1_792_882_800), Self.instant(1_792_891_800),
        ])
        #expect(data.series[0].readings[0].end == Self.instant(1_774_746_000))
        #expect(data.warnings.map(\.pattern) == ["series[].values[].start", "series[].values[].end"])
        #expect(data.warnings[0].message.contains("Europe/Zurich"))
        // Another zone: 01:00 in UTC is 01:00Z.
        let utc = try Self.meterData(body, zone: "UTC")
        #expect(utc.series[0].readings.map(\.start).contains(Self.instant(1_792_890_000)))
    }

    @Test("a missing end is start plus the resolution, calendar days in Zurich (25 hours on 2026-10-25)")
    func missingEnd() throws {
        let data = try Self.meterData("""
        { "meteringPointId": "CH1", "series": [
          { "obis": "1-1:1.29.0", "values": [ { "start": "2026-11-26T23:00:00Z", "value": 1 },
                                               { "start": "2026-11-26T23:15:00Z", "end": null, "value": 2 } ],
            "resolution": "PT15M" },
          { "obis": "1-1:1.8.0", "resolution": "P1D", "values": [ { "start": "2026-10-25T00:00:00+02:00", "value": 5 } ] },
          { "obis": "1-1:2.8.0", "resolution": "P1D", "values": [ { "start": "2026-03-29T00:00:00+01:00", "value": 5 } ] } ] }
        """)
        #expect(data.series[0].readings.map(\.end) == [Self.instant(1_795_734_900), Self.instant(1_795_735_800)])
        // 2026-10-24T22:00Z + 25 h = 2026-10-25T23:00Z; 2026-03-28T23:00Z + 23 h = 2026-03-29T22:00Z.
        #expect(data.series[1].readings[0].end == Self.instant(1_792_969_200))
        #expect(data.series[2].readings[0].end == Self.instant(1_774_821_600))
    }

    @Test("a missing end without a resolution fails, naming the value")
    func missingEndWithoutResolution() {
        let error = Self.failure("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 1 }, { "start": "2026-11-26T23:15:00Z" } ] } ] }
        """)
        #expect(error?.path == "series[0].values[1].end")
        #expect(error?.expected.contains("resolution") == true)
        #expect(error?.found == "nothing")
    }

    // MARK: Types

    @Test("numbers as strings, ids as numbers, nulls and unknown fields are accepted")
    func tolerantTypes() throws {
        let data = try Self.meterData("""
        { "meteringPointId": 1008801234500000000000000012345, "x-trace": { "id": [1, "a", null] },
          "series": [ { "obis": "1-1:1.29.0", "unit": null, "resolution": null, "extra": true, "values": [
            { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": "0.123", "quality": "measured" },
            { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": " 12.5 ", "quality": null },
            { "start": "2026-11-26T23:30:00Z", "end": "2026-11-26T23:45:00Z", "value": null, "quality": "missing" },
            { "start": "2026-11-26T23:45:00Z", "end": "2026-11-27T00:00:00Z", "value": "", "comment": null } ] } ] }
        """)
        #expect(data.meteringPointId == "1008801234500000000000000012345")
        let series = data.series[0]
        #expect(series.unit == nil && series.resolution == nil)
        #expect(series.readings.map(\.value) == [0.123, 12.5, nil, nil])
        #expect(series.readings.map(\.quality) == [.measured, .measured, .missing, .missing])
        #expect(data.warnings.isEmpty)
    }

    @Test("a wrong type in an optional field is absent, with one warning per field for the whole body")
    func wrongTypesInOptionalFields() throws {
        let data = try Self.meterData("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "unit": ["kWh"], "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": true, "quality": 7 },
          { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": {"kWh": 1}, "quality": 8 },
          { "start": "2026-11-26T23:30:00Z", "end": "2026-11-26T23:45:00Z", "value": "0x1p3", "quality": "measured" },
          { "start": "2026-11-26T23:45:00Z", "end": "2026-11-27T00:00:00Z", "value": 0.5, "quality": {} } ] } ] }
        """)
        let series = data.series[0]
        #expect(series.unit == nil)
        #expect(series.readings.map(\.value) == [nil, nil, nil, 0.5])
        #expect(series.readings.map(\.quality) == [.missing, .missing, .missing, .measured])
        #expect(data.warnings.map(\.pattern) == ["series[].unit", "series[].values[].value", "series[].values[].quality"])
        #expect(data.warnings.map(\.path) == ["series[0].unit", "series[0].values[0].value", "series[0].values[0].quality"])
        #expect(data.warnings[1].message == "expected a number, found true; taken as absent (missing)")
    }

    @Test("a required field of the wrong type fails the body with path, expectation and what was found")
    func requiredFieldWrongType() {
        let error = Self.failure("""
        { "meteringPointId": {"id": "CH1"}, "series": [] }
        """)
        #expect(error == OpenEnergyDecodingError(endpoint: Self.endpoint, path: "meteringPointId", expected: "a string", found: #"{"id": "CH1"}"#))
        #expect(error?.description == #"OpenEnergy GET v1/meterdata/CH1: cannot decode meteringPointId: expected a string, found {"id": "CH1"}"#)

        let values = Self.failure("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": { "start": "2026-11-26T23:00:00Z" } } ] }
        """)
        #expect(values?.path == "series[0].values")
        #expect(values?.expected == "an array of values")
        #expect(values?.found == #"{ "start": "2026-11-26T23:00:00Z" }"#)

        let timestamp = Self.failure("""
        { "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0", "values": [ { "start": "26.11.2026 23:00", "value": 1 } ] } ] }
        """)
        #expect(timestamp?.path == "series[0].values[0].start")
        #expect(timestamp?.found == #""26.11.2026 23:00""#)
    }

    @Test("broken JSON names where it breaks and shows the bytes there")
    func brokenJSON() {
        let error = Self.failure(#"{ "meteringPointId": "CH1", "series": [ { "obis": "1-1:1.29.0" "values": [] } ] }"#)
        #expect(error?.path == "series[0]")
        #expect(error?.expected == "',' or '}' in an object")
        #expect(error?.found == #"`"values": [] } ] }` at byte 63"#)
    }

    // MARK: Core data

    @Test("core data: ids and numbers as numbers, nulls, unknown fields, a wrong type in an optional object")
    func tolerantCoreData() throws {
        let body = """
        { "customer": "Anna Muster", "contracts": [1, 2],
          "meteringPoints": [
            { "meteringPointId": "CH1008801234500000000000000012345", "meterNumber": 71234567,
              "address": { "street": "Seestrasse 1", "zip": 6004, "city": null, "geo": [47.05, 8.3] },
              "series": [ { "obis": "1-1:1.8.1", "unit": "MWh", "resolution": "P1D", "direction": 1 },
                          { "obis": "1-1:2.29.0", "unit": "Wh", "resolution": "PT15M" } ] },
            { "meteringPointId": 12345, "series": null, "address": "Luzern" } ] }
        """
        let data = try OpenEnergyWireDecoding.coreData(from: Data(body.utf8), endpoint: "GET v1/coredata")
        #expect(data.customer == nil)
        #expect(data.meteringPoints.map(\.id) == ["CH1008801234500000000000000012345", "12345"])
        let first = data.meteringPoints[0]
        #expect(first.meterNumber == "71234567")
        #expect(first.address == Address(street: "Seestrasse 1", zip: "6004", city: nil))
        // `direction: 1` is text "1", unknown: the OBIS code's C group says consumption.
        #expect(first.series.map(\.direction) == [.consumption, .production])
        #expect(first.series.map(\.unit) == ["MWh", "Wh"])
        #expect(first.series.map(\.resolution) == [.days(1), .seconds(900)])
        #expect(data.meteringPoints[1].address == nil && data.meteringPoints[1].series.isEmpty)
        #expect(data.warnings.map(\.path) == ["customer", "meteringPoints[1].address"])
    }

    @Test("core data without metering points fails, naming the field")
    func coreDataRequiredField() {
        do {
            _ = try OpenEnergyWireDecoding.coreData(from: Data(#"{ "customer": {}, "meteringPoint": [] }"#.utf8), endpoint: "GET v1/coredata")
            Issue.record("decoded")
        } catch {
            guard case let .decoding(decoding) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(decoding.path == "meteringPoints")
            #expect(decoding.found == "nothing")
        }
    }

    // MARK: OBIS and units

    @Test("the whole OBIS code counts: totals, tariff registers, intervals, and codes the bridge does not read")
    func obisCodes() {
        #expect(ObisCode.kind(of: "1-1:1.8.0") == .register && ObisCode.tariff(of: "1-1:1.8.0") == nil)
        #expect(ObisCode.kind(of: "1-1:1.8.1") == .register && ObisCode.tariff(of: "1-1:1.8.1") == 1)
        #expect(ObisCode.tariff(of: "1-1:2.8.2") == 2 && ObisCode.direction(of: "1-1:2.8.2") == .production)
        #expect(ObisCode.tariff(of: "1.8.2*255") == 2)
        #expect(ObisCode.kind(of: "1-1:1.29.0") == .interval)
        #expect(ObisCode.kind(of: "1-1:1.29.1") == nil)
        #expect(ObisCode.kind(of: "1-1:3.8.0") == nil)
        #expect(ObisCode.kind(of: "1-1:1.6.0") == nil)
        #expect(ObisCode.kind(of: "1-1:1.8") == .register)
        #expect(ObisCode.kind(of: "x") == nil)
    }

    @Test("units scale by powers of ten exactly; power needs the interval length")
    func units() {
        #expect(SeriesUnit(name: "wh") == .wattHours && SeriesUnit(name: " MWh ") == .megawattHours)
        #expect(SeriesUnit(name: "kvarh") == nil)
        #expect(SeriesUnit.wattHours.kilowattHours(123, overSeconds: nil) == 0.123)
        #expect(SeriesUnit.megawattHours.kilowattHours(4.321987, overSeconds: nil) == 4_321.987)
        #expect(SeriesUnit.kilowatts.kilowattHours(2, overSeconds: 900) == 0.5)
        #expect(SeriesUnit.watts.kilowattHours(1_640, overSeconds: 900) == 0.41)
        #expect(SeriesUnit.kilowatts.kilowattHours(2, overSeconds: nil) == nil)
    }
}
