import Foundation
import OpenEnergy

/// How the data-shaped faults spoil a meter data answer.
enum MeterDataFaults {
    static func apply(
        _ fault: APIFault, to meterData: inout OpenEnergyWire.MeterData, from: Int, to: Int, catalog: MeteringPointCatalog
    ) {
        switch fault {
        case .wrongMeteringPoint:
            let other = catalog.meteringPoint(id: meterData.meteringPointId).map { ($0.index + 1) % max(catalog.count, 1) } ?? 0
            let otherID = catalog.meteringPoint(at: other).id
            // With a single metering point there is no other one: invent an id that does not exist.
            meterData.meteringPointId = otherID == meterData.meteringPointId ? "CH9999999999999999999999999999999" : otherID
        case .valuesOutsideRange:
            for index in meterData.series.indices where meterData.series[index].resolution == "PT15M" {
                let before = OpenEnergyWire.MeterValue(
                    start: UTCTimestamp.format(from - 900), end: UTCTimestamp.format(from), value: 0.1, quality: OpenEnergyWire.Quality.measured
                )
                let after = OpenEnergyWire.MeterValue(
                    start: UTCTimestamp.format(to), end: UTCTimestamp.format(to + 900), value: 0.1, quality: OpenEnergyWire.Quality.measured
                )
                meterData.series[index].values.insert(before, at: 0)
                meterData.series[index].values.append(after)
            }
        case .repeatedAndReorderedIntervals:
            for index in meterData.series.indices {
                var values = meterData.series[index].values
                // Every fourth value twice, then newest first.
                values = values.enumerated().flatMap { offset, value in offset % 4 == 0 ? [value, value] : [value] }
                meterData.series[index].values = values.reversed()
            }
        default:
            break
        }
    }

    /// A body that starts like the real one but is not JSON: the closing brackets are replaced by a stray comma.
    static func malformed(_ body: Data) -> Data {
        var data = Data(body.prefix(max(0, body.count - 2)))
        data.append(contentsOf: Array(",}".utf8))
        data.append(contentsOf: Array("<html>".utf8))
        return data
    }
}
