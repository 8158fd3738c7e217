import EnergyDomain
import Foundation
import Timestamps

// Kept instead of `JSONDecoder` + `Codable` because a 31-day meter data body must decode well under 10 ms
// (BENCHMARKS.md: about 0.75 ms here, 18 ms through `Codable`), and because reading token by token is what lets
// it accept what a real API plausibly sends (numbers as strings, ids as numbers, wrong types in optional
// fields) and name the JSON path with the expected and the found value; a property test checks it against
// the `Codable` wire types on every body those can express.

/// Decodes core data and meter data bodies straight into domain values, tolerantly:
///
/// - unknown fields are skipped; `null` in an optional field is absent;
/// - a number sent as a string (`"0.123"`) is a number, an id sent as a number (`12345`) is its text;
/// - a wrong type in an optional field is taken as absent, with one warning per field pattern and body;
/// - timestamps may carry any RFC 3339 offset; one without a zone is read in the configured time zone
///   (with a warning); a missing `end` is `start` plus the series' resolution;
/// - only a missing or unusable required field fails the body, with the JSON path, what was expected and
///   what was found.
package struct WireDecoder {
    private var cursor: JSONCursor
    private let endpoint: String
    private let options: OpenEnergyDecodingOptions
    private var path: [PathComponent] = []
    private(set) var warnings: [OpenEnergyDecodingWarning] = []
    private var warnedPatterns: Set<String> = []

    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    private init(cursor: JSONCursor, endpoint: String, options: OpenEnergyDecodingOptions) {
        self.cursor = cursor
        self.endpoint = endpoint
        self.options = options
    }

    // MARK: Entry points

    package static func meterData(_ body: Data, endpoint: String, options: OpenEnergyDecodingOptions) throws(OpenEnergyError) -> MeterData {
        try run(body, endpoint: endpoint, options: options) { (decoder: inout WireDecoder) throws(JSONCursor.Failure) in
            var data = try decoder.meterData()
            data.warnings = decoder.warnings
            return data
        }
    }

    package static func coreData(_ body: Data, endpoint: String, options: OpenEnergyDecodingOptions) throws(OpenEnergyError) -> CoreData {
        try run(body, endpoint: endpoint, options: options) { (decoder: inout WireDecoder) throws(JSONCursor.Failure) in
            var data = try decoder.coreData()
            data.warnings = decoder.warnings
            return data
        }
    }

    private static func run<T>(
        _ body: Data, endpoint: String, options: OpenEnergyDecodingOptions,
        _ read: (inout WireDecoder) throws(JSONCursor.Failure) -> T
    ) throws(OpenEnergyError) -> T {
        let result: Result<T, OpenEnergyDecodingError> = body.withUnsafeBytes { raw in
            var decoder = WireDecoder(cursor: JSONCursor(raw.bindMemory(to: UInt8.self)), endpoint: endpoint, options: options)
            do throws(JSONCursor.Failure) {
                let value = try read(&decoder)
                decoder.path = []
                try decoder.cursor.expectEnd()
                return .success(value)
            } catch {
                return .failure(OpenEnergyDecodingError(
                    endpoint: endpoint, path: decoder.pathText(), expected: error.expected, found: error.found))
            }
        }
        switch result {
        case let .success(value): return value
        case let .failure(error): throw .decoding(error)
        }
    }

    // MARK: Meter data

    private mutating func meterData() throws(JSONCursor.Failure) -> MeterData {
        var meteringPointId: String?
        var series: [MeterSeries]?
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "meteringPointId") {
                path.append(.key("meteringPointId"))
                meteringPointId = try requiredText()
                path.removeLast()
            } else if cursor.equals(key, "series") {
                path.append(.key("series"))
                series = try array { (decoder: inout WireDecoder) throws(JSONCursor.Failure) in try decoder.meterSeries() }
                path.removeLast()
            } else {
                try cursor.skipValue()
            }
        }
        guard let meteringPointId else { throw missing("meteringPointId") }
        guard let series else { throw missing("series", expected: "an array of series") }
        return MeterData(meteringPointId: meteringPointId, series: series)
    }

    private mutating func meterSeries() throws(JSONCursor.Failure) -> MeterSeries {
        var obis: String?
        var unit: String?
        var resolutionText: String?
        var readings: [MeterReading]?
        // Readings that came without `end`: it follows from the resolution, which may come later.
        var withoutEnd: [Int] = []
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "obis") {
                path.append(.key("obis"))
                obis = try requiredText()
                path.removeLast()
            } else if cursor.equals(key, "unit") {
                path.append(.key("unit"))
                unit = try optionalText()
                path.removeLast()
            } else if cursor.equals(key, "resolution") {
                path.append(.key("resolution"))
                resolutionText = try optionalText()
                path.removeLast()
            } else if cursor.equals(key, "values") {
                path.append(.key("values"))
                readings = try values(withoutEnd: &withoutEnd)
                path.removeLast()
            } else {
                try cursor.skipValue()
            }
        }
        guard let obis else { throw missing("obis") }
        guard var readings else { throw missing("values", expected: "an array of values") }
        let resolution = resolutionText.flatMap(OpenEnergyWireMapping.resolution(from:))
        if !withoutEnd.isEmpty {
            guard let resolution else {
                path.append(.key("values"))
                path.append(.index(withoutEnd[0]))
                throw missing("end", expected: "an end timestamp, or a series `resolution` to compute it from")
            }
            for index in withoutEnd {
                readings[index].end = Self.end(of: readings[index].start, resolution: resolution, in: options.timeZone)
            }
        }
        if !Self.isSortedByStart(readings) { readings.sort { $0.start < $1.start } }
        return MeterSeries(
            obis: obis,
            direction: ObisCode.direction(of: obis),
            kind: ObisCode.kind(of: obis),
            unit: unit,
            resolution: resolution,
            readings: readings
        )
    }

    private mutating func values(withoutEnd: inout [Int]) throws(JSONCursor.Failure) -> [MeterReading] {
        var result: [MeterReading] = []
        // A 31-day 15-minute series; more is fine, this only saves regrowing.
        result.reserveCapacity(31 * 96)
        guard cursor.peekKind() == .array else {
            throw JSONCursor.Failure(expected: "an array of values", found: try foundText())
        }
        try cursor.beginArray()
        while try cursor.nextElement() {
            path.append(.index(result.count))
            let (reading, hasEnd) = try meterReading()
            if !hasEnd { withoutEnd.append(result.count) }
            result.append(reading)
            path.removeLast()
        }
        return result
    }

    private mutating func meterReading() throws(JSONCursor.Failure) -> (MeterReading, hasEnd: Bool) {
        var start: Date?
        var end: Date?
        var value: Double?
        var quality = ValueQuality.measured
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "start") {
                path.append(.key("start"))
                start = try timestamp()
                path.removeLast()
            } else if cursor.equals(key, "end") {
                path.append(.key("end"))
                end = try optionalTimestamp()
                path.removeLast()
            } else if cursor.equals(key, "value") {
                path.append(.key("value"))
                value = try optionalNumber()
                path.removeLast()
            } else if cursor.equals(key, "quality") {
                path.append(.key("quality"))
                quality = try qualityValue()
                path.removeLast()
            } else {
                try cursor.skipValue()
            }
        }
        guard let start else { throw missing("start", expected: "a start timestamp") }
        if let end, end <= start {
            path.append(.key("end"))
            throw JSONCursor.Failure(
                expected: "a timestamp after start \(ISO8601Timestamp.format(start))",
                found: ISO8601Timestamp.format(end))
        }
        return (MeterReading(start: start, end: end ?? start, value: value, quality: quality), end != nil)
    }

    /// Read as `OpenEnergyWireMapping.quality` reads it: absent is measured, unknown is estimated.
    private mutating func qualityValue() throws(JSONCursor.Failure) -> ValueQuality {
        switch cursor.peekKind() {
        case .string:
            let raw = try cursor.rawStringValue()
            return OpenEnergyWireMapping.quality { cursor.equalsIgnoringCase(raw, $0) }
        case .null:
            _ = try cursor.consumeNull()
            return .measured
        default:
            let found = try cursor.skipValueReturningText()
            warn("expected a quality string, found \(found); taken as absent (measured)")
            return .measured
        }
    }

    // MARK: Core data

    private mutating func coreData() throws(JSONCursor.Failure) -> CoreData {
        var customer: Customer?
        var meteringPoints: [MeteringPoint]?
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "customer") {
                path.append(.key("customer"))
                if try expectContainer(.object, "an object") {
                    var value = Customer(customerNumber: nil, name: nil)
                    while let key = try cursor.nextKey() {
                        if cursor.equals(key, "customerNumber") {
                            value.customerNumber = try optionalField("customerNumber")
                        } else if cursor.equals(key, "name") {
                            value.name = try optionalField("name")
                        } else {
                            try cursor.skipValue()
                        }
                    }
                    customer = value
                }
                path.removeLast()
            } else if cursor.equals(key, "meteringPoints") {
                path.append(.key("meteringPoints"))
                meteringPoints = try array { (decoder: inout WireDecoder) throws(JSONCursor.Failure) in try decoder.meteringPoint() }
                path.removeLast()
            } else {
                try cursor.skipValue()
            }
        }
        guard let meteringPoints else { throw missing("meteringPoints", expected: "an array of metering points") }
        return CoreData(customer: customer, meteringPoints: meteringPoints)
    }

    private mutating func meteringPoint() throws(JSONCursor.Failure) -> MeteringPoint {
        var id: String?
        var meterNumber: String?
        var address: Address?
        var series: [SeriesDescription] = []
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "meteringPointId") {
                path.append(.key("meteringPointId"))
                id = try requiredText()
                path.removeLast()
            } else if cursor.equals(key, "meterNumber") {
                meterNumber = try optionalField("meterNumber")
            } else if cursor.equals(key, "address") {
                path.append(.key("address"))
                if try expectContainer(.object, "an object") {
                    var value = Address(street: nil, zip: nil, city: nil)
                    while let key = try cursor.nextKey() {
                        if cursor.equals(key, "street") {
                            value.street = try optionalField("street")
                        } else if cursor.equals(key, "zip") {
                            value.zip = try optionalField("zip")
                        } else if cursor.equals(key, "city") {
                            value.city = try optionalField("city")
                        } else {
                            try cursor.skipValue()
                        }
                    }
                    address = value
                }
                path.removeLast()
            } else if cursor.equals(key, "series") {
                path.append(.key("series"))
                if try expectContainer(.array, "an array of series") {
                    while try cursor.nextElement() {
                        path.append(.index(series.count))
                        series.append(try seriesDescription())
                        path.removeLast()
                    }
                }
                path.removeLast()
            } else {
                try cursor.skipValue()
            }
        }
        guard let id else { throw missing("meteringPointId") }
        return MeteringPoint(id: id, meterNumber: meterNumber, address: address, series: series)
    }

    private mutating func seriesDescription() throws(JSONCursor.Failure) -> SeriesDescription {
        var obis: String?
        var direction: String?
        var unit: String?
        var resolution: String?
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "obis") {
                path.append(.key("obis"))
                obis = try requiredText()
                path.removeLast()
            } else if cursor.equals(key, "direction") {
                direction = try optionalField("direction")
            } else if cursor.equals(key, "unit") {
                unit = try optionalField("unit")
            } else if cursor.equals(key, "resolution") {
                resolution = try optionalField("resolution")
            } else {
                try cursor.skipValue()
            }
        }
        guard let obis else { throw missing("obis") }
        return SeriesDescription(
            obis: obis,
            direction: OpenEnergyWireMapping.direction(direction, obis: obis),
            kind: ObisCode.kind(of: obis),
            unit: unit,
            resolution: resolution.flatMap(OpenEnergyWireMapping.resolution(from:))
        )
    }

    // MARK: Containers

    /// A required array, each element read by `element` under its index.
    private mutating func array<Element>(
        _ element: (inout WireDecoder) throws(JSONCursor.Failure) -> Element
    ) throws(JSONCursor.Failure) -> [Element] {
        guard cursor.peekKind() == .array else {
            throw JSONCursor.Failure(expected: "an array", found: try foundText())
        }
        try cursor.beginArray()
        var result: [Element] = []
        while try cursor.nextElement() {
            path.append(.index(result.count))
            result.append(try element(&self))
            path.removeLast()
        }
        return result
    }

    /// Opens an optional object or array: true when it is there (opened), false for `null` or, with a
    /// warning, a value of another type.
    private mutating func expectContainer(_ kind: JSONCursor.ValueKind, _ description: String) throws(JSONCursor.Failure) -> Bool {
        let found = cursor.peekKind()
        if found == kind {
            if kind == .object { try cursor.beginObject() } else { try cursor.beginArray() }
            return true
        }
        if found == .null {
            _ = try cursor.consumeNull()
            return false
        }
        if found == .end { throw cursor.fail("expected \(description)") }
        let text = try cursor.skipValueReturningText()
        warn("expected \(description), found \(text); taken as absent")
        return false
    }

    // MARK: Leaves

    /// A required text: a string, or a number taken as written (an id sent as a number).
    private mutating func requiredText() throws(JSONCursor.Failure) -> String {
        switch cursor.peekKind() {
        case .string: return try cursor.string()
        case .number: return try numberText()
        default: throw JSONCursor.Failure(expected: "a string", found: try foundText())
        }
    }

    /// An optional text field under `key`.
    private mutating func optionalField(_ key: String) throws(JSONCursor.Failure) -> String? {
        path.append(.key(key))
        defer { path.removeLast() }
        return try optionalText()
    }

    private mutating func optionalText() throws(JSONCursor.Failure) -> String? {
        switch cursor.peekKind() {
        case .string: return try cursor.string()
        case .number: return try numberText()
        case .null:
            _ = try cursor.consumeNull()
            return nil
        case .end: throw cursor.fail("expected a string")
        default:
            let text = try cursor.skipValueReturningText()
            warn("expected a string, found \(text); taken as absent")
            return nil
        }
    }

    private mutating func numberText() throws(JSONCursor.Failure) -> String {
        cursor.skipWhitespace()
        let start = cursor.index
        _ = try cursor.number()
        return String(decoding: UnsafeBufferPointer(rebasing: cursor.bytes[start..<cursor.index]), as: UTF8.self)
    }

    /// A number, a number written as a string, or `null`; anything else is absent, with a warning.
    private mutating func optionalNumber() throws(JSONCursor.Failure) -> Double? {
        switch cursor.peekKind() {
        case .number: return try cursor.number()
        case .null:
            _ = try cursor.consumeNull()
            return nil
        case .string:
            let raw = try cursor.rawStringValue()
            let text = try cursor.decodeString(raw)
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            // Decimal notation only: `Double` would also read "0x1p3", "inf" and "nan".
            if trimmed.allSatisfy({ "0123456789+-.eE".contains($0) }), let number = Double(trimmed), number.isFinite {
                return number
            }
            if trimmed.isEmpty { return nil }
            warn("expected a number, found \(cursor.quoted(raw)); taken as absent (missing)")
            return nil
        case .end: throw cursor.fail("expected a number")
        default:
            let text = try cursor.skipValueReturningText()
            warn("expected a number, found \(text); taken as absent (missing)")
            return nil
        }
    }

    private mutating func optionalTimestamp() throws(JSONCursor.Failure) -> Date? {
        if cursor.peekKind() == .null {
            _ = try cursor.consumeNull()
            return nil
        }
        return try timestamp()
    }

    private mutating func timestamp() throws(JSONCursor.Failure) -> Date {
        guard cursor.peekKind() == .string else {
            throw JSONCursor.Failure(expected: "an RFC 3339 timestamp such as \"2026-11-26T23:00:00Z\"", found: try foundText())
        }
        let raw = try cursor.rawStringValue()
        let parsed: ISO8601Timestamp.Parsed? = raw.hasEscapes
            ? ISO8601Timestamp.parseAllowingMissingZone(try cursor.decodeString(raw))
            : ISO8601Timestamp.parseAllowingMissingZone(utf8: UnsafeBufferPointer(rebasing: cursor.bytes[raw.range]))
        guard let parsed else {
            throw JSONCursor.Failure(expected: "an RFC 3339 timestamp such as \"2026-11-26T23:00:00Z\"", found: cursor.quoted(raw))
        }
        if let instant = parsed.instant { return instant }
        warn("the timestamp \(cursor.quoted(raw)) names no zone; read as \(options.timeZone.identifier) time")
        return Self.instant(wallClockSeconds: parsed.wallClockSeconds, in: options.timeZone)
    }

    /// What the cursor holds, skipped: for a failure's "found".
    private mutating func foundText() throws(JSONCursor.Failure) -> String {
        cursor.peekKind() == .end ? "end of body" : try cursor.skipValueReturningText()
    }

    // MARK: Time

    /// The instant a wall-clock time has in `zone`. In the repeated hour when clocks go back the later
    /// (standard time) instant is taken; a time in the skipped hour is read with the offset before it.
    static func instant(wallClockSeconds: Double, in zone: TimeZone) -> Date {
        let guess = Date(timeIntervalSince1970: wallClockSeconds)
        let firstOffset = zone.secondsFromGMT(for: guess)
        let candidate = Date(timeIntervalSince1970: wallClockSeconds - Double(firstOffset))
        let secondOffset = zone.secondsFromGMT(for: candidate)
        return secondOffset == firstOffset ? candidate : Date(timeIntervalSince1970: wallClockSeconds - Double(secondOffset))
    }

    /// `start` plus one resolution step; calendar days are days in `zone` (23 or 25 hours on DST days).
    static func end(of start: Date, resolution: SeriesResolution, in zone: TimeZone) -> Date {
        switch resolution {
        case let .seconds(seconds):
            return start.addingTimeInterval(TimeInterval(seconds))
        case let .days(days):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            return calendar.date(byAdding: .day, value: days, to: start) ?? start.addingTimeInterval(TimeInterval(days * 86_400))
        }
    }

    // MARK: Paths and warnings

    private func pathText(pattern: Bool = false) -> String {
        var text = ""
        for component in path {
            switch component {
            case let .key(key):
                if !text.isEmpty { text += "." }
                text += key
            case let .index(index):
                text += pattern ? "[]" : "[\(index)]"
            }
        }
        return text.isEmpty ? "(body)" : text
    }

    private mutating func warn(_ message: String) {
        let pattern = pathText(pattern: true)
        guard warnedPatterns.insert(pattern).inserted else { return }
        warnings.append(OpenEnergyDecodingWarning(endpoint: endpoint, path: pathText(), pattern: pattern, message: message))
    }

    /// A required field that is not there: the path names it, as the `Codable` reference does.
    private mutating func missing(_ field: String?, expected: String? = nil) -> JSONCursor.Failure {
        if let field { path.append(.key(field)) }
        return JSONCursor.Failure(expected: expected ?? "the required field `\(field ?? "")`", found: "nothing")
    }

    private static func isSortedByStart(_ readings: [MeterReading]) -> Bool {
        guard readings.count > 1 else { return true }
        for index in 1..<readings.count where readings[index].start < readings[index - 1].start {
            return false
        }
        return true
    }
}
