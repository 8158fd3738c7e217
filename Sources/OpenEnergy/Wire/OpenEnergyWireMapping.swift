import EnergyDomain
import Foundation
import Timestamps

/// Wire DTOs to domain types: the only place that interprets wire strings (qualities, directions,
/// resolutions, timestamps).
package enum OpenEnergyWireMapping {
    /// A wire value that decoded as JSON but has no meaning in the domain, e.g. an unparsable timestamp.
    package struct MappingError: Error, Sendable {
        package var field: String
        package var expected: String
        package var found: String
    }

    package static func coreData(from wire: OpenEnergyWire.CoreData) -> CoreData {
        CoreData(
            customer: wire.customer.map { Customer(customerNumber: $0.customerNumber, name: $0.name) },
            meteringPoints: wire.meteringPoints.map(meteringPoint(from:))
        )
    }

    static func meteringPoint(from wire: OpenEnergyWire.MeteringPoint) -> MeteringPoint {
        MeteringPoint(
            id: wire.meteringPointId,
            meterNumber: wire.meterNumber,
            address: wire.address.map { Address(street: $0.street, zip: $0.zip, city: $0.city) },
            series: (wire.series ?? []).map { series in
                SeriesDescription(
                    obis: series.obis,
                    direction: direction(series.direction, obis: series.obis),
                    kind: ObisCode.kind(of: series.obis),
                    unit: series.unit,
                    resolution: series.resolution.flatMap(resolution(from:))
                )
            }
        )
    }

    package static func meterData(from wire: OpenEnergyWire.MeterData) throws(MappingError) -> MeterData {
        var series: [MeterSeries] = []
        series.reserveCapacity(wire.series.count)
        for (seriesIndex, wireSeries) in wire.series.enumerated() {
            var readings: [MeterReading] = []
            readings.reserveCapacity(wireSeries.values.count)
            for (valueIndex, value) in wireSeries.values.enumerated() {
                let path = "series[\(seriesIndex)].values[\(valueIndex)]"
                guard let start = ISO8601Timestamp.parse(value.start) else {
                    throw MappingError(field: path + ".start", expected: timestampExpectation, found: "\"\(value.start)\"")
                }
                guard let end = ISO8601Timestamp.parse(value.end) else {
                    throw MappingError(field: path + ".end", expected: timestampExpectation, found: "\"\(value.end)\"")
                }
                guard end > start else {
                    throw MappingError(field: path + ".end", expected: "a timestamp after start \(ISO8601Timestamp.format(start))", found: ISO8601Timestamp.format(end))
                }
                readings.append(MeterReading(start: start, end: end, value: value.value, quality: quality(value.quality)))
            }
            if !readings.isSorted(by: { $0.start < $1.start }) {
                readings.sort { $0.start < $1.start }
            }
            series.append(MeterSeries(
                obis: wireSeries.obis,
                direction: ObisCode.direction(of: wireSeries.obis),
                kind: ObisCode.kind(of: wireSeries.obis),
                unit: wireSeries.unit,
                resolution: wireSeries.resolution.flatMap(resolution(from:)),
                readings: readings
            ))
        }
        return MeterData(meteringPointId: wire.meteringPointId, series: series)
    }

    static let timestampExpectation = "an RFC 3339 timestamp such as \"2026-11-26T23:00:00Z\""

    /// A value without a quality is taken as measured; an unknown quality as estimated, the cautious reading
    /// (estimated values may still change). `MeterReading` turns a `null` value into `.missing` regardless.
    static func quality(_ wire: String?) -> ValueQuality {
        guard let wire = wire?.lowercased() else { return .measured }
        return quality { wire == $0.description }
    }

    /// The one reading of a quality word that is present, for both decoders: `isNamed` tells whether
    /// the word is the given lower-case name, ignoring case.
    static func quality(isNamed: (StaticString) -> Bool) -> ValueQuality {
        if isNamed("measured") { return .measured }
        if isNamed("missing") { return .missing }
        return .estimated
    }

    static func direction(_ wire: String?, obis: String) -> EnergyDirection? {
        switch wire?.lowercased() {
        case OpenEnergyWire.Direction.consumption: .consumption
        case OpenEnergyWire.Direction.production: .production
        default: ObisCode.direction(of: obis)
        }
    }

    /// The ISO 8601 durations the API uses: `PTnM`, `PTnH`, `PTnS`, `PnD`.
    static func resolution(from wire: String) -> SeriesResolution? {
        let text = wire.uppercased()
        if text.hasPrefix("PT"), let unit = text.last, let amount = Int(text.dropFirst(2).dropLast()), amount > 0 {
            switch unit {
            case "S": return .seconds(amount)
            case "M": return .seconds(amount * 60)
            case "H": return .seconds(amount * 3_600)
            default: return nil
            }
        }
        if text.hasPrefix("P"), text.hasSuffix("D"), let amount = Int(text.dropFirst().dropLast()), amount > 0 {
            return .days(amount)
        }
        return nil
    }
}

extension Array {
    fileprivate func isSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> Bool {
        guard count > 1 else { return true }
        for index in 1..<count where areInIncreasingOrder(self[index], self[index - 1]) {
            return false
        }
        return true
    }
}
