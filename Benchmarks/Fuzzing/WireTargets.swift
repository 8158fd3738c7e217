import Foundation
import OpenEnergy
import Timestamps

/// The decoders of CKW's responses (`Sources/OpenEnergy/Wire/`): whatever the body, a `MeterData` or
/// `CoreData` that keeps the decoders' promises, or `OpenEnergyError.decoding` naming a field.
extension FuzzTarget {
    static let meterData = FuzzTarget(
        name: "meter-data",
        seeds: WireSeeds.meterData,
        tokens: ["\"meteringPointId\"", "\"series\"", "\"values\"", "\"start\"", "\"end\"", "\"value\"", "\"quality\"",
                 "\"obis\"", "\"resolution\"", "\"PT15M\"", "\"P1D\"", "\"measured\"", "\"missing\"", "\"1-1:1.29.0\""]
    ) { bytes in
        let meterData: MeterData
        do throws(OpenEnergyError) {
            meterData = try OpenEnergyWireDecoding.meterData(from: Data(bytes), endpoint: "fuzz")
        } catch {
            return explained(error)
        }
        for series in meterData.series {
            // The decoder promises readings in order of their start, each a positive span.
            for (earlier, later) in zip(series.readings, series.readings.dropFirst()) where earlier.start > later.start {
                return .finding("readings out of order: \(earlier.start) before \(later.start)")
            }
            for reading in series.readings {
                guard reading.end > reading.start else { return .finding("a reading ends before it starts: \(reading)") }
                if let value = reading.value, !value.isFinite { return .finding("a non-finite value: \(value)") }
                // What the bridge does with every reading it keeps.
                _ = ISO8601Timestamp.format(reading.start) + ISO8601Timestamp.format(reading.end)
            }
        }
        return .accepted
    }

    static let coreData = FuzzTarget(
        name: "core-data",
        seeds: WireSeeds.coreData,
        tokens: ["\"meteringPoints\"", "\"meteringPointId\"", "\"customer\"", "\"series\"", "\"direction\"",
                 "\"address\"", "\"consumption\"", "\"production\""]
    ) { bytes in
        do throws(OpenEnergyError) {
            _ = try OpenEnergyWireDecoding.coreData(from: Data(bytes), endpoint: "fuzz")
            return .accepted
        } catch {
            return explained(error)
        }
    }

    /// A decoding error must say where and what.
    private static func explained(_ error: OpenEnergyError) -> FuzzOutcome {
        guard case let .decoding(decoding) = error else {
            return .finding("not a decoding error: \(error)")
        }
        guard decoding.endpoint == "fuzz", !decoding.path.isEmpty, !decoding.expected.isEmpty, !decoding.found.isEmpty,
              !error.description.isEmpty
        else {
            return .finding("a decoding error without field or reason: \(error)")
        }
        return .rejected
    }
}

/// Valid bodies as the simulator serves them, as starting points.
enum WireSeeds {
    static let meterData: [String] = [
        """
        {"meteringPointId":"CH1008801234500000000000000012345","series":[{"obis":"1-1:1.29.0","unit":"kWh","resolution":"PT15M","values":[\
        {"start":"2026-11-26T23:00:00Z","end":"2026-11-26T23:15:00Z","value":0.123,"quality":"measured"},\
        {"start":"2026-11-26T23:15:00Z","end":"2026-11-26T23:30:00Z","value":0.2,"quality":"estimated"},\
        {"start":"2026-11-26T23:30:00Z","end":"2026-11-26T23:45:00Z","value":null,"quality":"missing"}]},\
        {"obis":"1-1:2.29.0","unit":"kWh","resolution":"PT15M","values":[\
        {"start":"2026-11-26T23:00:00Z","end":"2026-11-26T23:15:00Z","value":0,"quality":"measured"}]}]}
        """,
        """
        {"meteringPointId":"CH1","series":[{"obis":"1-1:1.8.0","unit":"kWh","resolution":"P1D","values":[\
        {"start":"2026-11-25T23:00:00Z","end":"2026-11-26T23:00:00Z","value":12345.678,"quality":"measured"}]}]}
        """,
        #"{"x":{"a":[1,2,{"b":null}],"c":"\u00e9\n"},"meteringPointId":"a","series":[{"obis":"o","values":[{"start":"2026-01-01T00:00:00.500Z","end":"2026-01-01T00:15:00+01:00"}]}]}"#,
        #"{"meteringPointId":"CH2","series":[]}"#,
    ]

    static let coreData: [String] = [
        """
        {"customer":{"customerNumber":"100001","name":"Muster"},"meteringPoints":[{"meteringPointId":"CH1008801234500000000000000012345",\
        "meterNumber":"12345678","address":{"street":"Hauptstrasse 1","zip":"6002","city":"Luzern"},"series":[\
        {"obis":"1-1:1.29.0","direction":"consumption","unit":"kWh","resolution":"PT15M"},\
        {"obis":"1-1:2.29.0","direction":"production","unit":"kWh","resolution":"PT15M"}]}]}
        """,
        #"{"meteringPoints":[{"meteringPointId":"CH2"},{"meteringPointId":"CH3","series":null}]}"#,
        #"{"meteringPoints":[]}"#,
    ]
}
