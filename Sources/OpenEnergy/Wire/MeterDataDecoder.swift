import Foundation
import Timestamps

/// Decodes a meter data body (the `OpenEnergyWire.MeterData` shape) straight into domain values.
///
/// `JSONDecoder` needs 15–30 ms for a 31-day response on the target machine; this reader needs a fraction of
/// that (see BENCHMARKS.md), so the bridge can backfill months of data quickly. It follows the same rules as
/// the `Codable` wire types plus `OpenEnergyWireMapping` (the equivalence is tested): unknown fields
/// skipped, optional fields optional, every failure naming the field path.
package enum MeterDataDecoder {
    package static func decode(_ body: Data, endpoint: String) throws(OpenEnergyError) -> MeterData {
        let result: Result<MeterData, JSONCursor.Failure> = body.withUnsafeBytes { raw in
            var cursor = JSONCursor(raw.bindMemory(to: UInt8.self))
            do throws(JSONCursor.Failure) {
                let data = try meterData(&cursor)
                try cursor.expectEnd()
                return .success(data)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case let .success(data):
            return data
        case let .failure(failure):
            let path = failure.path.reversed().reduce(into: "") { path, component in
                if component.hasPrefix("[") || path.isEmpty { path += component } else { path += "." + component }
            }
            throw .decoding(endpoint: endpoint, field: path.isEmpty ? "(body)" : path, reason: failure.reason)
        }
    }

    // MARK: Levels of the document

    private static func meterData(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> MeterData {
        var meteringPointId: String?
        var series: [MeterSeries]?
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "meteringPointId") {
                meteringPointId = try within("meteringPointId") { () throws(JSONCursor.Failure) in try cursor.string() }
            } else if cursor.equals(key, "series") {
                series = try within("series") { () throws(JSONCursor.Failure) in try seriesArray(&cursor) }
            } else {
                try cursor.skipValue()
            }
        }
        guard let meteringPointId else { throw missing("meteringPointId") }
        guard let series else { throw missing("series") }
        return MeterData(meteringPointId: meteringPointId, series: series)
    }

    private static func seriesArray(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> [MeterSeries] {
        var result: [MeterSeries] = []
        try cursor.beginArray()
        while try cursor.nextElement() {
            let position = result.count
            result.append(try within("[\(position)]") { () throws(JSONCursor.Failure) in try oneSeries(&cursor) })
        }
        return result
    }

    private static func oneSeries(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> MeterSeries {
        var obis: String?
        var unit: String?
        var resolution: String?
        var readings: [MeterReading]?
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "obis") {
                obis = try within("obis") { () throws(JSONCursor.Failure) in try cursor.string() }
            } else if cursor.equals(key, "unit") {
                unit = try within("unit") { () throws(JSONCursor.Failure) in try cursor.optionalString() }
            } else if cursor.equals(key, "resolution") {
                resolution = try within("resolution") { () throws(JSONCursor.Failure) in try cursor.optionalString() }
            } else if cursor.equals(key, "values") {
                readings = try within("values") { () throws(JSONCursor.Failure) in try values(&cursor) }
            } else {
                try cursor.skipValue()
            }
        }
        guard let obis else { throw missing("obis") }
        guard var readings else { throw missing("values") }
        if !isSortedByStart(readings) { readings.sort { $0.start < $1.start } }
        return MeterSeries(
            obis: obis,
            direction: ObisCode.direction(of: obis),
            kind: ObisCode.kind(of: obis),
            unit: unit,
            resolution: resolution.flatMap(OpenEnergyWireMapping.resolution(from:)),
            readings: readings
        )
    }

    private static func values(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> [MeterReading] {
        var result: [MeterReading] = []
        // A 31-day 15-minute series; more is fine, this only saves regrowing.
        result.reserveCapacity(31 * 96)
        try cursor.beginArray()
        while try cursor.nextElement() {
            let position = result.count
            result.append(try within("[\(position)]") { () throws(JSONCursor.Failure) in try reading(&cursor) })
        }
        return result
    }

    private static func reading(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> MeterReading {
        var start: Date?
        var end: Date?
        var value: Double?
        var quality = ValueQuality.measured
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "start") {
                start = try within("start") { () throws(JSONCursor.Failure) in try timestamp(&cursor) }
            } else if cursor.equals(key, "end") {
                end = try within("end") { () throws(JSONCursor.Failure) in try timestamp(&cursor) }
            } else if cursor.equals(key, "value") {
                value = try within("value") { () throws(JSONCursor.Failure) in try cursor.optionalNumber() }
            } else if cursor.equals(key, "quality") {
                quality = try within("quality") { () throws(JSONCursor.Failure) in try qualityValue(&cursor) }
            } else {
                try cursor.skipValue()
            }
        }
        guard let start else { throw missing("start") }
        guard let end else { throw missing("end") }
        guard end > start else {
            throw JSONCursor.Failure(path: ["end"], reason: "end \(ISO8601Timestamp.format(end)) is not after start \(ISO8601Timestamp.format(start))")
        }
        return MeterReading(start: start, end: end, value: value, quality: quality)
    }

    // MARK: Leaves

    private static func timestamp(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> Date {
        let raw = try cursor.rawStringValue()
        let parsed: Date? = raw.hasEscapes
            ? ISO8601Timestamp.parse(try cursor.decodeString(raw))
            : ISO8601Timestamp.parse(utf8: UnsafeBufferPointer(rebasing: cursor.bytes[raw.range]))
        guard let parsed else {
            let text = (try? cursor.decodeString(raw)) ?? "?"
            throw JSONCursor.Failure(reason: "not an ISO 8601 UTC timestamp: '\(text.prefix(40))'")
        }
        return parsed
    }

    /// Same reading as `OpenEnergyWireMapping.quality`: absent is measured, unknown is estimated.
    private static func qualityValue(_ cursor: inout JSONCursor) throws(JSONCursor.Failure) -> ValueQuality {
        guard let raw = try cursor.optionalRawString() else { return .measured }
        if cursor.equalsIgnoringCase(raw, "measured") { return .measured }
        if cursor.equalsIgnoringCase(raw, "missing") { return .missing }
        return .estimated
    }

    // MARK: Paths

    /// Runs `body`, adding `component` to the path of a failure on its way out.
    @inline(__always)
    private static func within<T>(_ component: @autoclosure () -> String, _ body: () throws(JSONCursor.Failure) -> T) throws(JSONCursor.Failure) -> T {
        do {
            return try body()
        } catch {
            var failure = error
            failure.path.append(component())
            throw failure
        }
    }

    private static func missing(_ field: String) -> JSONCursor.Failure {
        JSONCursor.Failure(path: [field], reason: "required field is missing")
    }

    private static func isSortedByStart(_ readings: [MeterReading]) -> Bool {
        guard readings.count > 1 else { return true }
        for index in 1..<readings.count where readings[index].start < readings[index - 1].start {
            return false
        }
        return true
    }
}
